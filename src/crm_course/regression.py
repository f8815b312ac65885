r"""OLS models of staff engagement and key-account growth, with robust or cluster-robust standard errors.

Chapter 4 asks which working conditions go with engaged support agents, and
whether key merchants grow with the quality of their relationship with their
manager:

* :func:`engagement_drivers` — OLS of an agent's engagement score on working
  conditions (:data:`ENGAGEMENT_TERMS`),

  .. math::

      \mathrm{engagement}_j = \beta_0 + \beta_1\,\mathrm{paid\_on\_time}_j
          + \beta_2\,\mathrm{shared\_desk}_j + \beta_3\,\mathrm{training\_hours}_j
          + \beta_4\,\mathrm{empowered}_j + \varepsilon_j,

  with HC1 standard errors;
* :func:`training_equivalents` — each effect restated in hours of training,
  with delta-method intervals;
* :func:`key_account_growth` — OLS of merchant growth on relationship quality
  and meetings (:data:`KAM_TERMS`), with errors clustered by key account
  manager (CR1, t reference on G − 1 degrees of freedom).

With few managers (8 at Kopilka) clustered errors are too small (Cameron &
Miller, 2015): compare ``se="HC1"`` and ``"cluster-crv3"``, and use
:func:`crm_course.inference.wild_cluster_bootstrap`. Only a randomised condition
(the empowerment pilot at Kopilka) supports a causal reading; the other
coefficients are associations.

Every function takes any DataFrame with the outcome, the terms and the cluster
column as arguments; Kopilka's names (``agents``' ``engagement``,
``key_accounts``' ``merchant_growth`` and ``kam_id``) are only the defaults.
Inputs are checked and never modified.

References
----------
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to
cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.regression import engagement_drivers
>>> fit = engagement_drivers(load("agents"))
>>> fit.cov_type
'HC1'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from crm_course.formulas import (
    _SE_OLS,
    _check_level,
    _check_name,
    _check_result,
    _model_frame,
    _ols_fit,
    _param_names,
)
from crm_course.validation import check_unique

__all__ = [
    "ENGAGEMENT_TERMS",
    "KAM_TERMS",
    "engagement_drivers",
    "training_equivalents",
    "key_account_growth",
]


#: Right-hand side of the engagement-drivers regression.
ENGAGEMENT_TERMS = "paid_on_time + shared_desk + training_hours + empowered"


#: Right-hand side of the key-account regression.
KAM_TERMS = "relationship_quality + meetings_per_year"


def engagement_drivers(
    agents: pd.DataFrame,
    terms: str = ENGAGEMENT_TERMS,
    *,
    outcome: str = "engagement",
    se: str = "HC1",
    key: str | None = "agent_id",
):
    r"""OLS of agents' engagement on their working conditions.

    .. math::

        \mathrm{engagement}_j = \beta_0 + \sum_k \beta_k x_{jk} + \varepsilon_j

    Each :math:`\beta_k` is the difference in engagement points associated
    with one unit of :math:`x_k` (a yes for a True/False condition, one hour
    of training), the others held fixed. Only a randomised condition (the
    empowerment pilot at Kopilka) supports a causal reading; pay, desks and
    training were not assigned at random, so their coefficients are
    associations that may carry confounding (better-run teams may pay on
    time *and* engage their staff).

    Parameters
    ----------
    agents : pandas.DataFrame
        One row per agent.
    terms : str
        Formula right-hand side (patsy syntax); True/False columns enter as 0/1.
    outcome : str
        The engagement column.
    se : {"HC1", "HC3", "naive"}
        Heteroskedasticity-robust (default) or classical standard errors.
        Inference uses the t distribution.
    key : str or None, default "agent_id"
        Column of ``agents`` that identifies an agent: a repeated value is an
        error (the agent would count twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels RegressionResultsWrapper

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = engagement_drivers(load("agents"))
    >>> list(fit.params.index)
    ['Intercept', 'paid_on_time', 'shared_desk', 'training_hours', 'empowered']
    """
    import statsmodels.formula.api as smf

    _check_name(outcome, "outcome")
    if se not in {"HC1", "HC3", "naive"}:
        raise ValueError(f"se: expected 'HC1', 'HC3' or 'naive'; found {se!r}")
    frame = _model_frame(agents, outcome, terms, name="agents")
    check_unique(agents, key, name="agents")
    return smf.ols(f"{outcome} ~ {terms}", frame).fit(cov_type=_SE_OLS[se], use_t=True)


def training_equivalents(result, *, training: str = "training_hours", level: float = 0.95) -> pd.DataFrame:
    r"""Restate each coefficient in hours of training with the same effect.

    For a coefficient :math:`\beta_k` and the training coefficient
    :math:`\beta_t`, the equivalent is :math:`\beta_k / \beta_t` hours; its
    interval comes from the delta method, using the result's own covariance
    (so HC1 if the model was fitted with HC1). The interval is wide, and
    unreliable, when the training coefficient is itself uncertain.

    Parameters
    ----------
    result : statsmodels result
        A fitted regression, e.g. from :func:`engagement_drivers`.
    training : str
        The term that measures training (per hour).
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per other term (the intercept left out): ``effect`` with
        ``effect_low``/``effect_high`` (outcome units), and ``hours``
        with ``hours_low``/``hours_high``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> table = training_equivalents(engagement_drivers(load("agents")))
    >>> list(table.index)
    ['paid_on_time', 'shared_desk', 'empowered']
    """
    from scipy import stats

    _check_result(result)
    level = _check_level(level)
    params = pd.Series(np.asarray(result.params, dtype=float), index=_param_names(result))
    if training not in params.index:
        raise ValueError(f"training: {training!r} is not a term of the model; terms: {list(params.index)}")
    cov = pd.DataFrame(np.asarray(result.cov_params()), index=params.index, columns=params.index)
    bt = params[training]
    if bt == 0:
        raise ValueError(f"training: the coefficient of {training!r} is exactly zero; no equivalent exists")
    z = stats.norm.ppf(0.5 + level / 2)
    conf = np.asarray(result.conf_int(alpha=1 - level), dtype=float)
    conf = pd.DataFrame(conf, index=params.index, columns=["low", "high"])
    rows = []
    for term in params.index:
        if term in {training, "Intercept", "const"}:
            continue
        bk = params[term]
        ratio = bk / bt
        grad = np.array([1 / bt, -bk / bt**2])
        sub = cov.loc[[term, training], [term, training]].to_numpy()
        se = float(np.sqrt(grad @ sub @ grad))
        rows.append({"term": term, "effect": bk, "effect_low": conf.loc[term, "low"],
                     "effect_high": conf.loc[term, "high"], "hours": ratio,
                     "hours_low": ratio - z * se, "hours_high": ratio + z * se})
    return pd.DataFrame(rows).set_index("term")


def key_account_growth(
    key_accounts: pd.DataFrame,
    terms: str = KAM_TERMS,
    *,
    outcome: str = "merchant_growth",
    se: str = "cluster",
    cluster: str = "kam_id",
    key: str | Sequence[str] | None = ("kam_id", "merchant_id"),
):
    r"""OLS of key merchants' growth on the relationship with their manager.

    .. math::

        \mathrm{growth}_{mk} = \beta_0 + \beta_1\,\mathrm{quality}_{mk}
            + \beta_2\,\mathrm{meetings}_{mk} + v_k + e_{mk}

    Merchants of one key account manager :math:`k` share the manager's
    effect :math:`v_k`, hence errors clustered by manager (CR1, with the
    t distribution on G − 1 degrees of freedom). With few managers (8 at
    Kopilka) clustered errors are too small and the t reference only partly
    repairs it (Cameron, Gelbach & Miller, 2008): compare ``se="HC1"`` and
    ``"cluster-crv3"``, and use :func:`~crm_course.inference.wild_cluster_bootstrap`. Relationship
    quality was not assigned at random, so the slope is an association.

    Parameters
    ----------
    key_accounts : pandas.DataFrame
        One row per key account.
    terms : str
        Formula right-hand side.
    outcome : str
        Growth column.
    se : {"cluster", "cluster-crv3", "HC1", "naive"}
    cluster : str
        Column identifying the manager.
    key : sequence of str or None, default ("kam_id", "merchant_id")
        Columns of ``key_accounts`` that together identify a key account (its
        manager and merchant): a repeated combination is an error. Checked when
        the table has them; ``None`` skips the check.

    Returns
    -------
    statsmodels RegressionResultsWrapper

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = key_account_growth(load("key_accounts"))
    >>> fit.cov_type
    'cluster'
    """
    check_unique(key_accounts, key, name="key_accounts")
    return _ols_fit(key_accounts, outcome, terms, se=se, cluster=cluster, name="key_accounts",
                    use_t=True, min_clusters=3, cluster_unit="managers")
