r"""CRM and the human factor: staff, satisfaction and key accounts (chapter 4).

The chapter's models, each a plain function that takes a validated DataFrame
and returns a statsmodels result or a tidy table. Column names default to the
Kopilka tables (``agents``, ``contacts``, ``key_accounts``); pass your own
names to run the same analysis on your data.

**Engagement drivers** (:func:`engagement_drivers`). OLS of an agent's
engagement score on working conditions,

.. math::

    \mathrm{engagement}_j = \beta_0 + \beta_1\,\mathrm{paid\_on\_time}_j
        + \beta_2\,\mathrm{shared\_desk}_j + \beta_3\,\mathrm{training\_hours}_j
        + \beta_4\,\mathrm{empowered}_j + \varepsilon_j,

with HC1 standard errors. :func:`training_equivalents` restates each effect
in hours of training.

**CSAT of a contact** (1–5). The ordered logit (:func:`csat_ordered_logit`)
says a latent satisfaction

.. math::

    y^*_{ij} = x_{ij}'\beta + \varepsilon_{ij}, \qquad
    \varepsilon_{ij} \sim \mathrm{Logistic}(0, 1), \qquad
    \mathrm{CSAT}_{ij} = k \iff \kappa_{k-1} < y^*_{ij} \le \kappa_k,

for contact :math:`i` handled by agent :math:`j`, with standard errors
clustered by agent because contacts of one agent share the agent's
unobserved manner. :func:`csat_ols` fits the same terms by OLS on the 1–5
score (naive, HC1 or clustered errors) and :func:`csat_mixed` adds an agent
random intercept, :math:`\mathrm{CSAT}_{ij} = x_{ij}'\beta + u_j + e_{ij}`,
whose intra-agent correlation :func:`intra_agent_correlation` reports.
:func:`counterfactual_csat` and :func:`empowerment_policies` turn a fitted
ordered logit into mean CSAT and the share of dissatisfied contacts under
"what if" scenarios, with simulation intervals.

**Mediation** (:func:`mediation_effects`): the product-of-coefficients
decomposition of a randomised treatment's effect into the part that runs
through a mediator and the rest, with a seeded bootstrap.

**Key accounts** (:func:`key_account_growth`, :func:`wild_cluster_bootstrap`):
merchant growth on relationship quality, with errors clustered by key account
manager and a wild cluster bootstrap for when the managers are few.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.human_factor import engagement_drivers
>>> fit = engagement_drivers(load("agents"))
>>> fit.cov_type
'HC1'
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_frame, check_number, check_range

__all__ = [
    "CRITERIA",
    "ENGAGEMENT_TERMS",
    "CSAT_TERMS",
    "EMPOWERMENT_TERMS",
    "KAM_TERMS",
    "support_frame",
    "agent_summary",
    "engagement_drivers",
    "training_equivalents",
    "csat_ols",
    "csat_mixed",
    "intra_agent_correlation",
    "csat_ordered_logit",
    "linear_combinations",
    "counterfactual_csat",
    "empowerment_policies",
    "mediation_effects",
    "key_account_growth",
    "wild_cluster_bootstrap",
]

#: Eastman Chemical's three conditions for granting autonomy (Kopilka column names).
CRITERIA: tuple[str, ...] = ("interested_in_autonomy", "able", "respected")

#: Right-hand side of the engagement-drivers regression.
ENGAGEMENT_TERMS = "paid_on_time + shared_desk + training_hours + empowered"

#: Right-hand side of the main CSAT model: the agent's engagement (centred),
#: its larger weight for members not yet paid out, first-contact resolution,
#: and empowerment moderated by the Eastman fit.
CSAT_TERMS = "engagement_c * not_paid_out + first_contact_resolution + empowered * fit"

#: Right-hand side of the total-effect model of empowerment: only variables
#: fixed before the pilot (empowerment changes engagement and resolution, so
#: they are left out; see :func:`empowerment_policies`).
EMPOWERMENT_TERMS = "empowered * fit + not_paid_out + paid_on_time + shared_desk + training_hours"

#: Right-hand side of the key-account regression.
KAM_TERMS = "relationship_quality + meetings_per_year"

_SE_OLS = {"naive": "nonrobust", "HC1": "HC1", "HC3": "HC3", "cluster": "cluster", "cluster-crv3": "cluster-crv3"}


def _ols_fit(
    data: pd.DataFrame,
    outcome: str,
    terms: str,
    *,
    se: str,
    cluster: str,
    name: str,
    use_t: bool | None = None,
    min_clusters: int = 1,
    cluster_unit: str = "clusters",
):
    """OLS of ``outcome ~ terms`` with the chosen standard errors (shared by the CSAT
    and key-account models). ``use_t=None`` keeps statsmodels' default."""
    import statsmodels.formula.api as smf

    _check_name(outcome, "outcome")
    if se not in {"cluster", "cluster-crv3", "HC1", "naive"}:
        raise ValueError(f"se: expected 'cluster', 'cluster-crv3', 'HC1' or 'naive'; found {se!r}")
    clustered = se.startswith("cluster")
    if clustered:
        _check_name(cluster, "cluster")
    frame = _model_frame(data, outcome, terms, [cluster] if clustered else [], name=name)
    model = smf.ols(f"{outcome} ~ {terms}", frame)
    if not clustered:
        return model.fit(cov_type=_SE_OLS[se], use_t=use_t)
    n_groups = frame[cluster].nunique()
    if n_groups < min_clusters:
        raise ValueError(
            f"{name}: column {cluster!r} should identify at least {min_clusters} {cluster_unit}; found {n_groups}"
        )
    return model.fit(cov_type=_SE_OLS[se], use_t=use_t, cov_kwds={"groups": frame[cluster].rename(cluster)})
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _check_name(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name}: expected a column name (text); found {value!r}")
    return value


def _terms_variables(terms: Any, name: str = "terms") -> list[str]:
    """The data columns a formula right-hand side refers to.

    Quoted text is ignored, and so are names used as functions (``C(...)``,
    ``np.log(...)``) and attribute parts (``log`` in ``np.log``).
    """
    if not isinstance(terms, str) or not terms.strip():
        raise ValueError(f"{name}: expected a formula right-hand side such as 'x + z'; found {terms!r}")
    if "~" in terms:
        raise ValueError(
            f"{name}: expected only the right-hand side (e.g. 'x + z'); found a '~' in {terms!r}; "
            "give the outcome with the outcome= argument"
        )
    text = re.sub(r"(\"[^\"]*\"|'[^']*')", " ", terms)
    found = []
    for match in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)(?!\w)(\s*[(.])?", text):
        word, follower = match.group(1), match.group(2)
        if follower or keyword.iskeyword(word):
            continue
        if word not in found:
            found.append(word)
    return found


def _model_frame(data: Any, outcome: str | None, terms: str, extra: Sequence[str] = (), *, name: str = "data",
                 min_rows: int = 3) -> pd.DataFrame:
    """Check ``data`` for a model and return a copy with True/False columns as 0/1.

    Boolean columns become integers so that a term reads ``empowered`` rather
    than ``empowered[T.True]``.
    """
    variables = _terms_variables(terms)
    check_frame(data, {}, name=name, min_rows=min_rows)
    needed = list(dict.fromkeys(([outcome] if outcome else []) + variables + [e for e in extra if e]))
    missing = [c for c in needed if c not in data.columns]
    if missing:
        shown = ", ".join(map(str, list(data.columns)[:15]))
        more = " ..." if len(data.columns) > 15 else ""
        raise ValueError(
            f"{name}: missing column(s) {', '.join(map(repr, missing))} needed by the model; "
            f"found columns: {shown}{more}"
        )
    checks = {c: "any" for c in needed}
    if outcome:
        checks[outcome] = "numeric"
    check_frame(data, checks, name=name, min_rows=min_rows)
    for col in needed:
        n_missing = int(data[col].isna().sum())
        if n_missing:
            raise ValueError(f"{name}: column {col!r} has {n_missing} missing value(s); drop or fill them first")
    frame = data[needed].copy()
    for col in needed:
        if pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("int64")
    return frame


def _check_whole_scores(frame: pd.DataFrame, column: str, name: str, min_levels: int = 3) -> np.ndarray:
    values = frame[column].to_numpy(dtype=float)
    if not np.all(values == np.round(values)):
        bad = values[values != np.round(values)][0]
        raise ValueError(f"{name}: column {column!r} should hold whole-number scores (e.g. 1-5); found {bad!r}")
    levels = np.unique(values)
    if len(levels) < min_levels:
        raise ValueError(
            f"{name}: column {column!r} should take at least {min_levels} different scores for an ordered "
            f"model; found {len(levels)}"
        )
    return levels


def _check_level(level: Any) -> float:
    return float(check_number(level, "level", low=0, high=1, inclusive=False))


def _check_seed(seed: Any) -> int:
    return int(check_number(seed, "seed", low=0, integer=True))


def _is_ordered(result: Any) -> bool:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    return isinstance(getattr(result, "model", None), OrderedModel)


def _param_names(result: Any) -> list[str]:
    if isinstance(result.params, pd.Series):
        return [str(t) for t in result.params.index]
    return [str(t) for t in result.model.exog_names]


def _check_result(result: Any, name: str = "result") -> None:
    from statsmodels.base.model import Results
    from statsmodels.base.wrapper import ResultsWrapper

    if not isinstance(result, (Results, ResultsWrapper)) or not hasattr(result, "params"):
        raise TypeError(f"{name}: expected a fitted statsmodels result; found {type(result).__name__}")


# ---------------------------------------------------------------------------
# Analysis frames
# ---------------------------------------------------------------------------


def support_frame(
    contacts: pd.DataFrame,
    agents: pd.DataFrame,
    *,
    agent: str = "agent_id",
    csat: str = "csat",
    payout: str = "payout_received",
    resolution: str = "first_contact_resolution",
    engagement: str = "engagement",
    treatment: str = "empowered",
    criteria: Sequence[str] = CRITERIA,
    centre: float = 60.0,
    scale: tuple[int, int] = (1, 5),
    dissatisfied_at: int = 2,
) -> pd.DataFrame:
    """Join each support contact to its agent and add the chapter's variables.

    Parameters
    ----------
    contacts : pandas.DataFrame
        One row per contact, with the agent, the satisfaction score, whether
        the member had been paid out before and whether the contact was
        resolved first time.
    agents : pandas.DataFrame
        One row per agent, with the engagement score, the treatment flag and
        the criteria flags.
    agent, csat, payout, resolution, engagement, treatment : str
        Column names (Kopilka names by default). ``agent`` is the key in both
        tables.
    criteria : sequence of str
        True/False columns of ``agents``; an agent *fits* when all are true
        (Eastman Chemical's rule: interested, able, respected).
    centre : float
        Engagement is centred here (``engagement_c = engagement - centre``),
        so that the coefficient of ``not_paid_out`` in :data:`CSAT_TERMS` is
        the gap at an engagement of ``centre``.
    scale : (int, int)
        Lowest and highest possible score; every score must be a whole
        number in this range.
    dissatisfied_at : int
        Scores at or below this count as dissatisfied.

    Returns
    -------
    pandas.DataFrame
        A new frame, one row per contact: the contact's and the agent's
        columns (True/False as 0/1), plus ``engagement_c``, ``not_paid_out``
        (1 if no payout yet), ``fit`` (1 if all criteria hold),
        ``criteria_met`` (0 to the number of criteria) and ``dissatisfied``.
        The inputs are not modified.

    Raises
    ------
    ValueError
        For a missing or wrongly typed column, a score off the scale, an
        agent key that is not unique, or a contact whose agent is not in
        ``agents``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> {"engagement_c", "not_paid_out", "fit"} <= set(frame.columns)
    True
    """
    for value, label in ((agent, "agent"), (csat, "csat"), (payout, "payout"), (resolution, "resolution"),
                         (engagement, "engagement"), (treatment, "treatment")):
        _check_name(value, label)
    if isinstance(criteria, str) or not isinstance(criteria, Sequence) or not criteria:
        raise ValueError(f"criteria: expected a list of column names; found {criteria!r}")
    criteria = list(criteria)
    check_number(centre, "centre")
    if not isinstance(scale, Sequence) or isinstance(scale, str) or len(scale) != 2:
        raise ValueError(f"scale: expected (lowest, highest) scores such as (1, 5); found {scale!r}")
    low = check_number(scale[0], "scale[0]", integer=True)
    high = check_number(scale[1], "scale[1]", low=low + 2, integer=True)
    check_number(dissatisfied_at, "dissatisfied_at", low=low, high=high - 1, integer=True)
    check_frame(contacts, {agent: "any", csat: "numeric", payout: "bool", resolution: "bool"}, name="contacts")
    check_range(contacts, csat, low=low, high=high, name="contacts")
    if not (contacts[csat] == np.round(contacts[csat])).all():
        raise ValueError(f"contacts: column {csat!r} should hold whole-number scores; found values such as "
                         f"{contacts.loc[contacts[csat] != np.round(contacts[csat]), csat].iloc[0]!r}")
    check_frame(agents, {agent: "any", engagement: "numeric", treatment: "bool", **{c: "bool" for c in criteria}},
                name="agents")
    if agents[agent].isna().any() or contacts[agent].isna().any():
        raise ValueError(f"contacts/agents: column {agent!r} has missing value(s); every contact needs an agent")
    duplicated = agents[agent].duplicated()
    if duplicated.any():
        raise ValueError(
            f"agents: column {agent!r} should identify one agent per row; found {int(duplicated.sum())} "
            f"repeated value(s), e.g. {agents.loc[duplicated, agent].iloc[0]!r}"
        )
    unknown = ~contacts[agent].isin(agents[agent])
    if unknown.any():
        raise ValueError(
            f"contacts: {int(unknown.sum())} contact(s) name an agent that is not in agents "
            f"(column {agent!r}), e.g. {contacts.loc[unknown, agent].iloc[0]!r}"
        )
    overlap = [c for c in agents.columns if c in contacts.columns and c != agent]
    if overlap:
        raise ValueError(f"contacts and agents both have column(s) {overlap}; rename one side first")
    frame = contacts.merge(agents, on=agent, how="left", validate="many_to_one", sort=False)
    for col in frame.columns:
        if pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("int64")
    frame["engagement_c"] = frame[engagement] - centre
    frame["not_paid_out"] = 1 - frame[payout]
    frame["criteria_met"] = frame[criteria].sum(axis=1).astype("int64")
    frame["fit"] = (frame["criteria_met"] == len(criteria)).astype("int64")
    frame["dissatisfied"] = (frame[csat] <= dissatisfied_at).astype("int64")
    return frame


def agent_summary(
    contacts: pd.DataFrame,
    agents: pd.DataFrame,
    **kwargs: Any,
) -> pd.DataFrame:
    """One row per agent: the agent's columns and the outcomes of their contacts.

    Parameters
    ----------
    contacts, agents : pandas.DataFrame
        As for :func:`support_frame`.
    **kwargs
        Column names and settings passed on to :func:`support_frame`.

    Returns
    -------
    pandas.DataFrame
        The agents who handled at least one contact, with their columns
        (True/False as 0/1), ``fit`` and ``criteria_met``, and
        ``n_contacts``, ``mean_csat``, ``share_dissatisfied`` and
        ``resolution_rate`` over their contacts.

    Examples
    --------
    >>> from crm_course.data import load
    >>> per_agent = agent_summary(load("contacts"), load("agents"))
    >>> int(per_agent["n_contacts"].sum()) == len(load("contacts"))
    True
    """
    frame = support_frame(contacts, agents, **kwargs)
    agent = kwargs.get("agent", "agent_id")
    csat = kwargs.get("csat", "csat")
    resolution = kwargs.get("resolution", "first_contact_resolution")
    outcomes = frame.groupby(agent, sort=True).agg(
        n_contacts=(csat, "size"),
        mean_csat=(csat, "mean"),
        share_dissatisfied=("dissatisfied", "mean"),
        resolution_rate=(resolution, "mean"),
    )
    agent_cols = [c for c in agents.columns if c != agent]
    per_agent = agents.loc[agents[agent].isin(outcomes.index), [agent, *agent_cols]].copy()
    for col in agent_cols:
        if pd.api.types.is_bool_dtype(per_agent[col]):
            per_agent[col] = per_agent[col].astype("int64")
    criteria = list(kwargs.get("criteria", CRITERIA))
    per_agent["criteria_met"] = per_agent[criteria].sum(axis=1).astype("int64")
    per_agent["fit"] = (per_agent["criteria_met"] == len(criteria)).astype("int64")
    per_agent = per_agent.merge(outcomes, left_on=agent, right_index=True, how="left")
    return per_agent.sort_values(agent, kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Engagement
# ---------------------------------------------------------------------------


def engagement_drivers(
    agents: pd.DataFrame,
    terms: str = ENGAGEMENT_TERMS,
    *,
    outcome: str = "engagement",
    se: str = "HC1",
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


# ---------------------------------------------------------------------------
# CSAT models
# ---------------------------------------------------------------------------


def csat_ols(
    data: pd.DataFrame,
    terms: str = CSAT_TERMS,
    *,
    outcome: str = "csat",
    se: str = "cluster",
    cluster: str = "agent_id",
):
    r"""OLS of the satisfaction score on contact and agent characteristics.

    .. math::

        \mathrm{CSAT}_{ij} = \beta_0 + x_{ij}'\beta + e_{ij}

    treats the 1–5 score as if its steps were equal and reads coefficients
    as score points. Contacts handled by one agent are not independent:
    ``se="naive"`` ignores that and understates the uncertainty of
    agent-level variables (engagement, empowerment); ``se="cluster"``
    (default) clusters by agent, which is right when the agents number a
    few dozen or more.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per contact, e.g. from :func:`support_frame`.
    terms : str
        Formula right-hand side.
    outcome : str
        The score column.
    se : {"cluster", "cluster-crv3", "HC1", "naive"}
        Kind of standard errors.
    cluster : str
        Column identifying the agent (used when ``se`` is a cluster kind).

    Returns
    -------
    statsmodels RegressionResultsWrapper

    Examples
    --------
    >>> from crm_course.data import load
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> fit = csat_ols(frame)
    >>> fit.cov_type
    'cluster'
    """
    return _ols_fit(data, outcome, terms, se=se, cluster=cluster, name="data")


def csat_mixed(
    data: pd.DataFrame,
    terms: str = CSAT_TERMS,
    *,
    outcome: str = "csat",
    group: str = "agent_id",
    reml: bool = True,
):
    r"""Linear mixed model of the score with a random intercept per agent.

    .. math::

        \mathrm{CSAT}_{ij} = \beta_0 + x_{ij}'\beta + u_j + e_{ij}, \qquad
        u_j \sim N(0, \tau^2), \quad e_{ij} \sim N(0, \sigma^2)

    Assumes the agents' intercepts are independent of the regressors and
    normal; standard errors are model-based. See
    :func:`intra_agent_correlation` for :math:`\tau^2/(\tau^2 + \sigma^2)`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per contact.
    terms : str
        Formula right-hand side (use ``"1"`` for the empty model).
    outcome : str
        The score column.
    group : str
        Column identifying the agent.
    reml : bool
        Restricted maximum likelihood (default) or maximum likelihood.

    Returns
    -------
    statsmodels MixedLMResultsWrapper

    Examples
    --------
    >>> from crm_course.data import load
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> fit = csat_mixed(frame, "first_contact_resolution")
    >>> int(fit.model.n_groups)
    100
    """
    import statsmodels.formula.api as smf

    _check_name(outcome, "outcome")
    _check_name(group, "group")
    if not isinstance(reml, bool):
        raise ValueError(f"reml: expected True or False; found {reml!r}")
    frame = _model_frame(data, outcome, terms, [group], name="data")
    n_groups = frame[group].nunique()
    if n_groups < 3:
        raise ValueError(f"data: column {group!r} should identify at least 3 agents; found {n_groups}")
    # Powell first: statsmodels' default (BFGS) stalls on some of these
    # likelihoods and retries with a warning; L-BFGS polishes the optimum.
    return smf.mixedlm(f"{outcome} ~ {terms}", frame, groups=frame[group]).fit(reml=reml, method=["powell", "lbfgs"])


def intra_agent_correlation(result) -> pd.Series:
    r"""Share of the score's residual variance that lies between agents.

    .. math::

        \rho = \frac{\tau^2}{\tau^2 + \sigma^2}, \qquad
        \mathrm{deff} = 1 + (\bar m - 1)\rho

    where :math:`\bar m` is the mean number of contacts per agent. The
    design effect says how much the variance of an agent-level coefficient
    is understated by errors that treat contacts as independent (Moulton,
    1990; Kish's design effect). This :math:`\rho` is on the scale of the
    score, conditional on the model's regressors; it is not the latent
    :math:`\sigma_u^2/(\sigma_u^2 + \pi^2/3)` of an ordered logit.

    Parameters
    ----------
    result : MixedLMResults
        A random-intercept fit, e.g. from :func:`csat_mixed`.

    Returns
    -------
    pandas.Series
        ``between_variance``, ``within_variance``, ``icc``,
        ``mean_cluster_size`` and ``design_effect``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = csat_mixed(support_frame(load("contacts"), load("agents")), "1")
    >>> bool(0 < intra_agent_correlation(fit)["icc"] < 1)
    True
    """
    from statsmodels.regression.mixed_linear_model import MixedLM

    _check_result(result)
    if not isinstance(result.model, MixedLM):
        raise TypeError(f"result: expected a MixedLM fit (see csat_mixed); found {type(result.model).__name__}")
    cov_re = np.asarray(result.cov_re, dtype=float)
    if cov_re.shape != (1, 1):
        raise ValueError(f"result: expected a random-intercept model (one random effect); found {cov_re.shape[0]}")
    between = float(cov_re[0, 0])
    within = float(result.scale)
    icc = between / (between + within)
    m = float(result.model.nobs) / float(result.model.n_groups)
    return pd.Series({"between_variance": between, "within_variance": within, "icc": icc,
                      "mean_cluster_size": m, "design_effect": 1 + (m - 1) * icc})


def csat_ordered_logit(
    data: pd.DataFrame,
    terms: str = CSAT_TERMS,
    *,
    outcome: str = "csat",
    cluster: str | None = "agent_id",
    link: str = "logit",
):
    r"""Ordered logit (or probit) of the satisfaction score.

    .. math::

        y^*_{ij} = x_{ij}'\beta + \varepsilon_{ij}, \qquad
        P(\mathrm{CSAT}_{ij} \le k) = F(\kappa_k - x_{ij}'\beta)

    with :math:`F` logistic (``link="logit"``) or normal. The model has no
    intercept: the cut points :math:`\kappa_k` play its part. It assumes one
    :math:`\beta` shifts every cut point alike (proportional odds). The
    model ignores the agent's own effect :math:`u_j` (a marginal model), so
    with an agent spread :math:`\sigma_u` its coefficients are smaller than
    the conditional ones by about :math:`1/\sqrt{1 + 0.35\sigma_u^2}`
    (3 % for :math:`\sigma_u = 0.4`). Standard errors are clustered by agent
    (``cluster=None`` for model-based ones).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per contact.
    terms : str
        Formula right-hand side; an intercept is never added.
    outcome : str
        The score column (whole numbers; at least three different values).
    cluster : str or None
        Column identifying the agent.
    link : {"logit", "probit"}

    Returns
    -------
    statsmodels OrderedResultsWrapper
        Thresholds are named ``"1/2"``, ``"2/3"``, ...: the first is a cut
        point, the others log increments (statsmodels' parameterisation).

    Examples
    --------
    >>> from crm_course.data import load
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> fit = csat_ordered_logit(frame, "first_contact_resolution")
    >>> list(fit.params.index)
    ['first_contact_resolution', '1/2', '2/3', '3/4', '4/5']
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    _check_name(outcome, "outcome")
    if cluster is not None:
        _check_name(cluster, "cluster")
    if link not in {"logit", "probit"}:
        raise ValueError(f"link: expected 'logit' or 'probit'; found {link!r}")
    frame = _model_frame(data, outcome, terms, [cluster] if cluster else [], name="data")
    levels = _check_whole_scores(frame, outcome, "data")
    labels = levels.astype("int64") if np.all(np.abs(levels) < 2**53) else levels
    frame[outcome] = pd.Categorical(frame[outcome].to_numpy(dtype=float).astype("int64"),
                                    categories=list(labels), ordered=True)
    model = OrderedModel.from_formula(f"{outcome} ~ 0 + {terms}", frame, distr=link)
    fit_kwargs: dict[str, Any] = {"method": "bfgs", "maxiter": 2000, "disp": 0}
    if cluster:
        fit_kwargs.update(cov_type="cluster", cov_kwds={"groups": frame[cluster].rename(cluster)})
    return model.fit(**fit_kwargs)


def linear_combinations(result, combinations: Mapping[str, Mapping[str, float]], *, level: float = 0.95) -> pd.DataFrame:
    """Estimate sums of coefficients, such as a slope within a group.

    Parameters
    ----------
    result : statsmodels result
        Any fitted model with ``params`` and ``cov_params()``.
    combinations : mapping
        Label -> {term: weight}. ``{"not yet paid out": {"engagement_c": 1,
        "engagement_c:not_paid_out": 1}}`` is the engagement slope for
        members not yet paid out.
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per label: ``estimate``, ``std_error``, ``conf_low``,
        ``conf_high``, using the result's own covariance (clustered if the
        fit was) and its t or normal reference distribution.

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = engagement_drivers(load("agents"))
    >>> linear_combinations(fit, {"pay minus desk": {"paid_on_time": 1, "shared_desk": -1}}).shape
    (1, 4)
    """
    _check_result(result)
    level = _check_level(level)
    if not isinstance(combinations, Mapping) or not combinations:
        raise ValueError("combinations: expected a non-empty mapping of label -> {term: weight}")
    names = _param_names(result)
    rows = []
    matrix = []
    for label, weights in combinations.items():
        if not isinstance(weights, Mapping) or not weights:
            raise ValueError(f"combinations[{label!r}]: expected a non-empty mapping of term -> weight")
        unknown = [t for t in weights if t not in names]
        if unknown:
            raise ValueError(f"combinations[{label!r}]: unknown term(s) {unknown}; terms: {names}")
        row = np.zeros(len(names))
        for term, w in weights.items():
            row[names.index(term)] = check_number(w, f"combinations[{label!r}][{term!r}]")
        matrix.append(row)
        rows.append(label)
    test = result.t_test(np.array(matrix))
    conf = np.asarray(test.conf_int(alpha=1 - level), dtype=float)
    return pd.DataFrame(
        {"estimate": np.asarray(test.effect, dtype=float).ravel(), "std_error": np.asarray(test.sd, dtype=float).ravel(),
         "conf_low": conf[:, 0], "conf_high": conf[:, 1]},
        index=pd.Index(rows, name="combination"),
    )


# ---------------------------------------------------------------------------
# Counterfactual predictions from an ordered logit
# ---------------------------------------------------------------------------


def _design_matrix(result, frame: pd.DataFrame) -> np.ndarray:
    """The model's right-hand side evaluated on new data (patsy or formulaic)."""
    spec = getattr(result.model, "model_spec", None) or result.model.data.model_spec
    if hasattr(spec, "get_model_matrix"):  # formulaic
        matrix = spec.get_model_matrix(frame)
        return np.asarray(matrix, dtype=float)
    import patsy

    (matrix,) = patsy.build_design_matrices([spec], frame, return_type="dataframe")
    return np.asarray(matrix, dtype=float)


def _cut_points(thresholds: np.ndarray) -> np.ndarray:
    """statsmodels' threshold parameters -> cut points (first, then exp increments)."""
    thresholds = np.atleast_2d(thresholds)
    steps = np.concatenate([thresholds[:, :1], np.exp(thresholds[:, 1:])], axis=1)
    return np.cumsum(steps, axis=1)


def _apply_changes(frame: pd.DataFrame, full: pd.DataFrame, changes: Any, label: str) -> pd.DataFrame:
    """``frame`` (the model's variables) with the scenario's changes applied.

    Functions receive ``full``: all columns of the caller's data, True/False as 0/1.
    """
    new = frame.copy()
    if not isinstance(changes, Mapping):
        raise ValueError(f"scenarios[{label!r}]: expected a mapping of column -> new value; found {type(changes).__name__}")
    for col, value in changes.items():
        if col not in new.columns:
            where = "is not a variable of the model, so changing it would change nothing" if col in full.columns \
                else "is not in data"
            raise ValueError(f"scenarios[{label!r}]: column {col!r} {where}; the model's variables: {list(new.columns)}")
        if callable(value):
            value = value(full)
        values = np.full(len(new), float(value)) if np.isscalar(value) else np.asarray(value, dtype=float)
        if values.shape != (len(new),):
            raise ValueError(
                f"scenarios[{label!r}][{col!r}]: expected one value or {len(new)} values; found shape {values.shape}"
            )
        if not np.isfinite(values).all():
            raise ValueError(f"scenarios[{label!r}][{col!r}]: found missing or infinite value(s)")
        new[col] = values
    return new


def counterfactual_csat(
    result,
    data: pd.DataFrame,
    scenarios: Mapping[str, Mapping[str, Any]],
    *,
    baseline: str | None = None,
    dissatisfied_at: float = 2,
    n_draws: int = 1000,
    seed: int = 2002,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Mean score and share dissatisfied predicted under "what if" scenarios.

    For each scenario the columns of ``data`` are changed as told, the
    fitted ordered model predicts every contact's probability of each score,
    and the predictions are averaged over contacts:

    .. math::

        \overline{\mathrm{CSAT}} = \frac1n \sum_i \sum_k k\,P(\mathrm{CSAT}_i = k), \qquad
        \text{dissatisfied} = \frac1n \sum_i P(\mathrm{CSAT}_i \le d).

    Intervals come from ``n_draws`` draws of the coefficients from their
    estimated sampling distribution (normal, with the result's own, e.g.
    clustered, covariance; King, Tomz & Wittenberg, 2000), seeded. The
    predictions are causal only as far as the model is: a change to a
    randomised variable in a model without its consequences as regressors
    is a causal effect; other changes are "all else held fixed" statements.

    Parameters
    ----------
    result : OrderedResults
        A formula fit of :func:`csat_ordered_logit`.
    data : pandas.DataFrame
        The contacts to predict for (usually the estimation data).
    scenarios : mapping
        Label -> {column: new value}. A column must be a variable of the
        model. A value is a number, a sequence of ``len(data)`` numbers, or a
        function that receives ``data`` (True/False as 0/1) and returns them.
        An empty mapping predicts for the data as they are.
    baseline : str, optional
        A scenario label: adds the difference of every scenario from it,
        with intervals from the same draws.
    dissatisfied_at : float
        Scores at or below this count as dissatisfied.
    n_draws : int
        Coefficient draws for the intervals.
    seed : int
        Seed of the draws.
    level : float
        Interval level.

    Returns
    -------
    pandas.DataFrame
        One row per scenario: ``mean_csat`` and ``share_dissatisfied``, each
        with ``_low`` and ``_high``; with a baseline also ``diff_mean_csat``
        and ``diff_share_dissatisfied`` with their intervals.

    Examples
    --------
    >>> from crm_course.data import load
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> fit = csat_ordered_logit(frame, "first_contact_resolution")
    >>> table = counterfactual_csat(fit, frame, {"as is": {}, "all resolved": {"first_contact_resolution": 1}},
    ...                             baseline="as is", n_draws=200)
    >>> bool(table.loc["all resolved", "diff_mean_csat"] > 0)
    True
    """
    from scipy import special

    _check_result(result)
    if not _is_ordered(result):
        raise TypeError(f"result: expected an ordered-model fit (see csat_ordered_logit); found {type(result.model).__name__}")
    if not hasattr(result.model, "formula") or result.model.formula is None:
        raise ValueError("result: expected a model fitted from a formula (csat_ordered_logit does this)")
    if not isinstance(scenarios, Mapping) or not scenarios:
        raise ValueError("scenarios: expected a non-empty mapping of label -> {column: new value}")
    if baseline is not None and baseline not in scenarios:
        raise ValueError(f"baseline: expected one of the scenario labels {list(scenarios)}; found {baseline!r}")
    n_draws = int(check_number(n_draws, "n_draws", low=10, integer=True))
    seed = _check_seed(seed)
    level = _check_level(level)
    check_number(dissatisfied_at, "dissatisfied_at")
    terms = result.model.formula.split("~", 1)[1]
    frame = _model_frame(data, None, terms, name="data", min_rows=1)
    full = data.copy()
    for col in full.columns:
        if pd.api.types.is_bool_dtype(full[col]):
            full[col] = full[col].astype("int64")

    k = int(result.model.k_vars)
    params = np.asarray(result.params, dtype=float)
    cov = np.asarray(result.cov_params(), dtype=float)
    levels = np.asarray(result.model.labels, dtype=float)
    n_cut = len(levels) - 1
    if dissatisfied_at < levels[0]:
        raise ValueError(f"dissatisfied_at: expected at least the lowest score {levels[0]:g}; found {dissatisfied_at!r}")
    n_low = int(np.sum(levels <= dissatisfied_at))  # scores counted as dissatisfied
    steps = np.diff(levels)
    distr = result.model.distr
    cdf = special.expit if getattr(distr, "name", "") == "logistic" else special.ndtr

    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(params, cov, size=n_draws, method="cholesky")
    all_params = np.vstack([params, draws])
    betas = all_params[:, :k]
    cuts = _cut_points(all_params[:, k:])  # (1 + n_draws) x n_cut

    def summarise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Contacts with identical regressors (same agent, same flags) share
        # their prediction: average over the distinct rows, weighted.
        rows, counts = np.unique(x, axis=0, return_counts=True)
        share = counts / counts.sum()
        mean_score = np.empty(len(all_params))
        low_share = np.empty(len(all_params))
        for start in range(0, len(all_params), 200):
            stop = min(start + 200, len(all_params))
            xb = rows @ betas[start:stop].T  # rows x chunk
            below = cdf(cuts[start:stop][None, :, :] - xb[:, :, None])  # P(y <= level_c), rows x chunk x cut
            # E[score] = lowest + sum_c step_c * P(y > level_c)
            mean_score[start:stop] = levels[0] + share @ ((1 - below) * steps).sum(axis=2)
            low_share[start:stop] = share @ below[:, :, n_low - 1] if n_low <= n_cut else 1.0
        return mean_score, low_share

    results = {}
    for label, changes in scenarios.items():
        changed = _apply_changes(frame, full, changes, str(label))
        x = _design_matrix(result, changed)
        if x.shape[1] != k:
            raise ValueError(f"scenarios[{label!r}]: the design has {x.shape[1]} columns; the model has {k}")
        results[label] = summarise(x)

    alpha = 1 - level
    q = [100 * alpha / 2, 100 * (1 - alpha / 2)]
    rows = []
    for label, (mean_score, low_share) in results.items():
        row = {"scenario": label}
        for name, values in (("mean_csat", mean_score), ("share_dissatisfied", low_share)):
            lo, hi = np.percentile(values[1:], q)
            row.update({name: values[0], f"{name}_low": lo, f"{name}_high": hi})
        if baseline is not None:
            base_mean, base_low = results[baseline]
            for name, values in (("diff_mean_csat", mean_score - base_mean),
                                 ("diff_share_dissatisfied", low_share - base_low)):
                lo, hi = np.percentile(values[1:], q)
                row.update({name: values[0], f"{name}_low": lo, f"{name}_high": hi})
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")


def empowerment_policies(
    result,
    data: pd.DataFrame,
    *,
    treatment: str = "empowered",
    fit: str = "fit",
    engagement: str = "engagement_c",
    engagement_shift: float = 0.0,
    baseline: str | None = "universal",
    dissatisfied_at: float = 2,
    n_draws: int = 1000,
    seed: int = 2002,
    level: float = 0.95,
) -> pd.DataFrame:
    """Predicted CSAT with nobody, everybody or only the fitting agents empowered.

    Three scenarios are simulated with :func:`counterfactual_csat`:
    ``"none"`` (treatment 0 for all), ``"universal"`` (1 for all) and
    ``"selective"`` (1 only where ``fit`` is 1, Eastman Chemical's rule).

    Which model to simulate from matters. In a model whose regressors
    include consequences of empowerment (engagement, first-contact
    resolution), switching the treatment moves only its *direct* part; the
    policy's total effect also runs through those consequences. Two honest
    options: (a) a model with only pre-treatment regressors, such as
    :data:`EMPOWERMENT_TERMS`, where a randomised treatment's coefficient is
    its total effect; or (b) a model with engagement, with
    ``engagement_shift`` set to the gain in engagement an agent gets from
    being empowered (e.g. from :func:`engagement_drivers`), so that the
    engagement column moves with the treatment. Option (b) still holds
    first-contact resolution fixed and ignores the uncertainty of the shift.

    Parameters
    ----------
    result : OrderedResults
        A formula fit of :func:`csat_ordered_logit` whose terms include
        ``treatment`` and ``fit``.
    data : pandas.DataFrame
        The contacts, with ``treatment`` and ``fit`` as 0/1.
    treatment, fit, engagement : str
        Column names.
    engagement_shift : float
        Engagement points gained by an agent who is newly empowered (lost
        by one no longer empowered). 0 holds engagement fixed.
    baseline : str or None
        Scenario the others are compared with (default ``"universal"``).
    dissatisfied_at, n_draws, seed, level
        As for :func:`counterfactual_csat`.

    Returns
    -------
    pandas.DataFrame
        As :func:`counterfactual_csat`, with rows ``none``, ``universal``,
        ``selective`` and a column ``share_empowered``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> fit = csat_ordered_logit(frame, EMPOWERMENT_TERMS)
    >>> list(empowerment_policies(fit, frame, n_draws=100).index)
    ['none', 'universal', 'selective']
    """
    for value, label in ((treatment, "treatment"), (fit, "fit")):
        _check_name(value, label)
    check_number(engagement_shift, "engagement_shift")
    if baseline is not None and baseline not in {"none", "universal", "selective"}:
        raise ValueError(f"baseline: expected 'none', 'universal', 'selective' or None; found {baseline!r}")
    check_frame(data, {treatment: "bool", fit: "bool"}, name="data")
    if engagement_shift:
        _check_name(engagement, "engagement")
        check_frame(data, {engagement: "numeric"}, name="data")
    n = len(data)
    policies = {
        "none": np.zeros(n),
        "universal": np.ones(n),
        "selective": data[fit].to_numpy(dtype=float),
    }
    observed = data[treatment].to_numpy(dtype=float)
    scenarios: dict[str, dict[str, Any]] = {}
    for name, assigned in policies.items():
        changes: dict[str, Any] = {treatment: assigned}
        if engagement_shift:
            changes[engagement] = data[engagement].to_numpy(dtype=float) + engagement_shift * (assigned - observed)
        scenarios[name] = changes
    table = counterfactual_csat(result, data, scenarios, baseline=baseline, dissatisfied_at=dissatisfied_at,
                                n_draws=n_draws, seed=seed, level=level)
    share = {name: float(np.mean(assigned)) for name, assigned in policies.items()}
    table.insert(0, "share_empowered", pd.Series(share))
    return table


# ---------------------------------------------------------------------------
# Mediation
# ---------------------------------------------------------------------------


def mediation_effects(
    data: pd.DataFrame,
    *,
    treatment: str = "empowered",
    mediator: str = "engagement",
    outcome: str = "mean_csat",
    covariates: Sequence[str] = (),
    n_boot: int = 2000,
    seed: int = 2002,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Split a treatment's effect into the part through a mediator and the rest.

    Two OLS regressions (Baron & Kenny, 1986; Imai, Keele & Tingley, 2010):

    .. math::

        M = \alpha_0 + a\,T + \gamma'C + e_M, \qquad
        Y = \beta_0 + c'\,T + b\,M + \delta'C + e_Y

    give the indirect effect :math:`a b`, the direct effect :math:`c'` and
    the total :math:`ab + c'`. Intervals are percentile intervals of a
    seeded bootstrap over rows (resampling whole units, e.g. agents).

    The decomposition is causal only under *sequential ignorability*: the
    treatment is as good as random given :math:`C` (true when it was
    randomised), **and** the mediator is as good as random given the
    treatment and :math:`C`: nothing unmeasured drives both the mediator and
    the outcome. Randomising the treatment does not randomise the mediator.
    The linear form also assumes no treatment–mediator interaction.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (e.g. :func:`agent_summary`).
    treatment, mediator, outcome : str
        Column names; ``treatment`` may be True/False.
    covariates : sequence of str
        Pre-treatment controls for both equations.
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.
    level : float
        Interval level.

    Returns
    -------
    pandas.DataFrame
        Rows ``a_path`` (treatment → mediator), ``b_path`` (mediator →
        outcome), ``indirect``, ``direct``, ``total`` and ``share_mediated``
        (indirect / total; unstable when the total is near zero), with
        ``estimate``, ``ci_low`` and ``ci_high``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> per_agent = agent_summary(load("contacts"), load("agents"))
    >>> table = mediation_effects(per_agent, n_boot=200)
    >>> list(table.index)
    ['a_path', 'b_path', 'indirect', 'direct', 'total', 'share_mediated']
    """
    for value, label in ((treatment, "treatment"), (mediator, "mediator"), (outcome, "outcome")):
        _check_name(value, label)
    if isinstance(covariates, str) or not isinstance(covariates, Sequence):
        raise ValueError(f"covariates: expected a list of column names; found {covariates!r}")
    covariates = list(covariates)
    names = [treatment, mediator, outcome, *covariates]
    if len(set(names)) < len(names):
        raise ValueError(f"treatment, mediator, outcome and covariates should be different columns; found {names}")
    n_boot = int(check_number(n_boot, "n_boot", low=10, integer=True))
    seed = _check_seed(seed)
    level = _check_level(level)
    check_frame(data, {treatment: "bool", mediator: "numeric", outcome: "numeric",
                       **{c: "numeric" for c in covariates}}, name="data", min_rows=len(covariates) + 4)
    frame = data[names].astype(float)
    t = frame[treatment].to_numpy()
    if np.unique(t).size < 2:
        raise ValueError(f"data: column {treatment!r} should have treated and untreated units; found one value only")
    n = len(frame)
    ones = np.ones(n)
    cov_block = frame[covariates].to_numpy() if covariates else np.empty((n, 0))
    xm = np.column_stack([ones, t, cov_block])
    xy = np.column_stack([ones, t, frame[mediator].to_numpy(), cov_block])
    m = frame[mediator].to_numpy()
    y = frame[outcome].to_numpy()
    for x, label in ((xm, "mediator"), (xy, "outcome")):
        if np.linalg.matrix_rank(x) < x.shape[1]:
            raise ValueError(f"data: the {label} equation's regressors are collinear; drop a covariate")

    def estimates(idx: np.ndarray) -> np.ndarray:
        """a, b, c' for each row of bootstrap indices (B x n)."""
        bm = np.linalg.pinv(xm[idx]) @ m[idx][..., None]
        by = np.linalg.pinv(xy[idx]) @ y[idx][..., None]
        return np.column_stack([bm[:, 1, 0], by[:, 2, 0], by[:, 1, 0]])

    point = estimates(np.arange(n)[None, :])[0]
    rng = np.random.default_rng(seed)
    boots = np.vstack([estimates(rng.integers(0, n, size=(min(500, n_boot - s), n)))
                       for s in range(0, n_boot, 500)])

    def derived(abc: np.ndarray) -> np.ndarray:
        a, b, c = abc[..., 0], abc[..., 1], abc[..., 2]
        total = a * b + c
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total != 0, a * b / total, np.nan)
        return np.stack([a, b, a * b, c, total, share], axis=-1)

    est = derived(point)
    dist = derived(boots)
    alpha = 1 - level
    low = np.nanpercentile(dist, 100 * alpha / 2, axis=0)
    high = np.nanpercentile(dist, 100 * (1 - alpha / 2), axis=0)
    index = pd.Index(["a_path", "b_path", "indirect", "direct", "total", "share_mediated"], name="effect")
    return pd.DataFrame({"estimate": est, "ci_low": low, "ci_high": high}, index=index)


# ---------------------------------------------------------------------------
# Key accounts
# ---------------------------------------------------------------------------


def key_account_growth(
    key_accounts: pd.DataFrame,
    terms: str = KAM_TERMS,
    *,
    outcome: str = "merchant_growth",
    se: str = "cluster",
    cluster: str = "kam_id",
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
    ``"cluster-crv3"``, and use :func:`wild_cluster_bootstrap`. Relationship
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
    return _ols_fit(key_accounts, outcome, terms, se=se, cluster=cluster, name="key_accounts",
                    use_t=True, min_clusters=3, cluster_unit="managers")


def wild_cluster_bootstrap(
    result,
    term: str,
    *,
    groups: Sequence[Any] | pd.Series | None = None,
    null: float = 0.0,
    n_boot: int = 9999,
    weights: str = "webb",
    seed: int = 2002,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Wild cluster bootstrap-t test and interval for one OLS coefficient.

    The restricted wild cluster bootstrap (WCR; Cameron, Gelbach & Miller,
    2008): impose :math:`\beta = \beta_0`, resample the restricted residuals
    by multiplying each cluster's residuals by one random weight, and compare
    the cluster-robust (CR1) t statistic with its bootstrap distribution.
    With few clusters, Webb's six-point weights (Webb, 2023) give many more
    distinct resamples than Rademacher's two (2^G). The interval collects
    every :math:`\beta_0` not rejected at ``1 - level``, found on a grid with
    the same draws for every :math:`\beta_0`.

    Parameters
    ----------
    result : statsmodels OLS result
        E.g. from :func:`key_account_growth`.
    term : str
        The coefficient to test.
    groups : array-like, optional
        Cluster of each observation; default: the groups the result was
        clustered by.
    null : float
        Hypothesised value for the p-value.
    n_boot : int
        Bootstrap draws.
    weights : {"webb", "rademacher"}
    seed : int
    level : float

    Returns
    -------
    pandas.DataFrame
        One row: ``estimate``, ``t_stat`` (CR1), ``p_value`` (bootstrap,
        two-sided), ``ci_low``, ``ci_high``, ``n_clusters``, ``n_boot`` and
        ``weights``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = key_account_growth(load("key_accounts"))
    >>> row = wild_cluster_bootstrap(fit, "relationship_quality", n_boot=999)
    >>> int(row.loc["relationship_quality", "n_clusters"])
    8
    """
    from statsmodels.regression.linear_model import OLS

    _check_result(result)
    if type(result.model) is not OLS:
        raise TypeError(f"result: expected an OLS fit; found {type(result.model).__name__}")
    names = list(result.model.exog_names)
    if term not in names:
        raise ValueError(f"term: {term!r} is not a term of the model; terms: {names}")
    check_number(null, "null")
    n_boot = int(check_number(n_boot, "n_boot", low=99, integer=True))
    if weights not in {"webb", "rademacher"}:
        raise ValueError(f"weights: expected 'webb' or 'rademacher'; found {weights!r}")
    seed = _check_seed(seed)
    level = _check_level(level)
    if groups is None:
        groups = (getattr(result, "cov_kwds", None) or {}).get("groups")
        if groups is None:
            raise ValueError("groups: the result was not clustered; pass the cluster of each observation")
    groups = np.asarray(groups)
    y = np.asarray(result.model.endog, dtype=float)
    x = np.asarray(result.model.exog, dtype=float)
    n, k = x.shape
    if groups.ndim != 1 or len(groups) != n:
        raise ValueError(f"groups: expected one cluster label per observation ({n}); found shape {groups.shape}")
    if pd.isna(groups).any():
        raise ValueError("groups: found missing cluster label(s)")
    codes, _ = pd.factorize(groups)
    g = int(codes.max()) + 1
    if g < 3:
        raise ValueError(f"groups: expected at least 3 clusters; found {g}")
    q = names.index(term)
    indicator = np.zeros((n, g))
    indicator[np.arange(n), codes] = 1.0
    xtx_inv = np.linalg.inv(x.T @ x)
    proj = xtx_inv @ x.T  # k x n
    z = x @ xtx_inv[q]  # score weights of coefficient q
    correction = g / (g - 1) * (n - 1) / (n - k)

    def beta_se(yy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        beta = proj @ yy
        resid = yy - x @ beta
        h = indicator.T @ (z[:, None] * resid)
        return beta[q], np.sqrt(correction * (h**2).sum(axis=0))

    b_hat, se_hat = beta_se(y[:, None])
    b_hat, se_hat = float(b_hat[0]), float(se_hat[0])
    rng = np.random.default_rng(seed)
    pool = _WEBB if weights == "webb" else np.array([-1.0, 1.0])
    v = pool[rng.integers(0, len(pool), size=(g, n_boot))][codes]  # n x B
    x_r = np.delete(x, q, axis=1)
    proj_r = np.linalg.pinv(x_r)

    def p_value(b0: float) -> float:
        y_r = y - b0 * x[:, q]
        fitted = x_r @ (proj_r @ y_r)
        resid = y_r - fitted
        y_star = (fitted + b0 * x[:, q])[:, None] + resid[:, None] * v
        b_star, se_star = beta_se(y_star)
        t_star = (b_star - b0) / se_star
        t_obs = (b_hat - b0) / se_hat
        return float(np.mean(np.abs(t_star) >= abs(t_obs)))

    alpha = 1 - level

    def edge(direction: int) -> float:
        # Walk out from the estimate until rejection, then bisect.
        inside, step = b_hat, se_hat
        outside = b_hat + direction * step
        for _ in range(60):
            if p_value(outside) < alpha:
                break
            inside, outside = outside, outside + direction * step
            step *= 1.5
        else:
            return direction * np.inf
        for _ in range(30):
            mid = (inside + outside) / 2
            if p_value(mid) < alpha:
                outside = mid
            else:
                inside = mid
            if abs(outside - inside) < 1e-4 * se_hat:
                break
        return (inside + outside) / 2

    row = {"estimate": b_hat, "t_stat": (b_hat - null) / se_hat, "p_value": p_value(null),
           "ci_low": edge(-1), "ci_high": edge(+1), "n_clusters": g, "n_boot": n_boot, "weights": weights}
    return pd.DataFrame([row], index=pd.Index([term], name="term"))

