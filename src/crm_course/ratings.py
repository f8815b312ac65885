r"""Models of satisfaction scores (CSAT): OLS, ordered logit and "what if" predictions from the ordered model.

Chapter 4 models the 1–5 score a member gives a support contact; the capstone
(:mod:`crm_course.kopilka.board`) prices its staff policies with them:

* :func:`csat_ols` — OLS of the score on contact and agent characteristics,
  reading coefficients as score points (naive, HC1 or clustered errors);
* :func:`csat_ordered_logit` — the ordered logit (or probit), in which a latent
  satisfaction

  .. math::

      y^*_{ij} = x_{ij}'\beta + \varepsilon_{ij}, \qquad
      \varepsilon_{ij} \sim \mathrm{Logistic}(0, 1), \qquad
      \mathrm{CSAT}_{ij} = k \iff \kappa_{k-1} < y^*_{ij} \le \kappa_k,

  for contact :math:`i` handled by agent :math:`j`, crosses cut points
  :math:`\kappa_k` (one :math:`\beta` shifts them all: proportional odds);
* :func:`counterfactual_csat` — mean score and share of dissatisfied contacts
  under "what if" scenarios, with seeded simulation intervals;
* :func:`empowerment_policies` — the same with nobody, everybody or only the
  agents who meet Eastman Chemical's criteria (:data:`CRITERIA`) empowered;
* :data:`CSAT_TERMS` and :data:`EMPOWERMENT_TERMS` — the right-hand sides of
  the chapter's main model and of the total-effect model of empowerment.

Standard errors are clustered by agent by default, because contacts of one
agent share the agent's unobserved manner (Cameron & Miller, 2015); naive
errors understate the uncertainty of agent-level variables. The agent's own
effect as a random intercept is :func:`crm_course.multilevel.csat_mixed`.

Every function takes any DataFrame with the outcome, terms and cluster column as
arguments; Kopilka's names (``csat``, ``agent_id``) are only the defaults. The
default terms name columns that :func:`crm_course.kopilka.support.support_frame`
builds for Kopilka: pass your own terms for your data. Inputs are checked and
never modified.

References
----------
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to
cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.ratings import csat_ols
>>> fit = csat_ols(load("contacts"), "first_contact_resolution")
>>> fit.cov_type
'cluster'
>>> bool(fit.params["first_contact_resolution"] > 0)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from crm_course.formulas import (
    _check_level,
    _check_name,
    _check_result,
    _check_seed,
    _check_whole_scores,
    _is_ordered,
    _model_frame,
    _ols_fit,
)
from crm_course.validation import check_frame, check_number, check_unique

__all__ = [
    "CRITERIA",
    "CSAT_TERMS",
    "EMPOWERMENT_TERMS",
    "csat_ols",
    "csat_ordered_logit",
    "counterfactual_csat",
    "empowerment_policies",
]


#: Eastman Chemical's three conditions for granting autonomy (Kopilka column names).
CRITERIA: tuple[str, ...] = ("interested_in_autonomy", "able", "respected")


#: Right-hand side of the main CSAT model, with the agent's engagement
#: (centred), its larger weight for members not yet paid out, first-contact resolution,
#: and empowerment moderated by the Eastman fit.
CSAT_TERMS = "engagement_c * not_paid_out + first_contact_resolution + empowered * fit"


#: Right-hand side of the total-effect model of empowerment, with only
#: variables fixed before the pilot (empowerment changes engagement and resolution, so
#: they are left out; see :func:`empowerment_policies`).
EMPOWERMENT_TERMS = "empowered * fit + not_paid_out + paid_on_time + shared_desk + training_hours"


def csat_ols(
    data: pd.DataFrame,
    terms: str = CSAT_TERMS,
    *,
    outcome: str = "csat",
    se: str = "cluster",
    cluster: str = "agent_id",
    key: str | None = "contact_id",
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
        One row per contact, e.g. from :func:`~crm_course.kopilka.support.support_frame`.
    terms : str
        Formula right-hand side.
    outcome : str
        The score column.
    se : {"cluster", "cluster-crv3", "HC1", "naive"}
        Kind of standard errors.
    cluster : str
        Column identifying the agent (used when ``se`` is a cluster kind).
    key : str or None, default "contact_id"
        Column of ``data`` that identifies a support contact: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels RegressionResultsWrapper

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import support_frame
    >>> frame = support_frame(load("contacts"), load("agents"))
    >>> fit = csat_ols(frame)
    >>> fit.cov_type
    'cluster'
    """
    check_unique(data, key, name="data")
    return _ols_fit(data, outcome, terms, se=se, cluster=cluster, name="data")


def csat_ordered_logit(
    data: pd.DataFrame,
    terms: str = CSAT_TERMS,
    *,
    outcome: str = "csat",
    cluster: str | None = "agent_id",
    link: str = "logit",
    key: str | None = "contact_id",
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
    key : str or None, default "contact_id"
        Column of ``data`` that identifies a support contact: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    statsmodels OrderedResultsWrapper
        Thresholds are named ``"1/2"``, ``"2/3"``, ...: the first is a cut
        point, the others log increments (statsmodels' parameterisation).

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import support_frame
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
    check_unique(data, key, name="data")
    levels = _check_whole_scores(frame, outcome, "data")
    labels = levels.astype("int64") if np.all(np.abs(levels) < 2**53) else levels
    frame[outcome] = pd.Categorical(frame[outcome].to_numpy(dtype=float).astype("int64"),
                                    categories=list(labels), ordered=True)
    # An intercept in the formula makes categorical terms use a reference level;
    # statsmodels then drops it again (the cut points play its part).
    model = OrderedModel.from_formula(f"{outcome} ~ {terms}", frame, distr=link)
    fit_kwargs: dict[str, Any] = {"method": "bfgs", "maxiter": 2000, "disp": 0}
    if cluster:
        fit_kwargs.update(cov_type="cluster", cov_kwds={"groups": frame[cluster].rename(cluster)})
    return model.fit(**fit_kwargs)


def _design_matrix(result, frame: pd.DataFrame) -> np.ndarray:
    """The model's right-hand side evaluated on new data (patsy or formulaic).

    The columns are the model's own: the intercept that the formula builds
    (so that categorical terms are coded against a reference level) and the
    ordered model drops is left out again.
    """
    spec = getattr(result.model, "model_spec", None) or result.model.data.model_spec
    if hasattr(spec, "get_model_matrix"):  # formulaic
        matrix = pd.DataFrame(spec.get_model_matrix(frame))
    else:
        import patsy

        (matrix,) = patsy.build_design_matrices([spec], frame, return_type="dataframe")
    names = list(result.model.exog_names)
    if all(n in matrix.columns for n in names):
        matrix = matrix[names]
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
    key: str | None = "contact_id",
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
    key : str or None, default "contact_id"
        Column of ``data`` that identifies a support contact: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        One row per scenario: ``mean_csat`` and ``share_dissatisfied``, each
        with ``_low`` and ``_high``; with a baseline also ``diff_mean_csat``
        and ``diff_share_dissatisfied`` with their intervals.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import support_frame
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
    fitted = getattr(result.model.data, "frame", None)
    if fitted is not None:
        for col in frame.columns:
            if col in fitted.columns and pd.api.types.is_numeric_dtype(fitted[col]) \
                    and not pd.api.types.is_numeric_dtype(frame[col]):
                raise ValueError(f"data: column {col!r} should be numeric, as in the data the model was fitted on; "
                                 f"found dtype {data[col].dtype}")
    check_unique(data, key, name="data")
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
    key: str | None = "contact_id",
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
    being empowered (e.g. from :func:`~crm_course.regression.engagement_drivers`), so that the
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
    key : str or None, default "contact_id"
        Column of ``data`` that identifies a support contact: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        As :func:`counterfactual_csat`, with rows ``none``, ``universal``,
        ``selective`` and a column ``share_empowered``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.kopilka.support import support_frame
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
    check_unique(data, key, name="data")
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
