"""Inference for fitted regressions: linear combinations of coefficients and the wild cluster bootstrap.

Chapter 4 uses them to read a slope within a group and to test a key-account
coefficient with only eight clusters; the capstone
(:mod:`crm_course.kopilka.board`) sums the effects of its staff policies with
them:

* :func:`linear_combinations` — estimates, standard errors and intervals of
  weighted sums of coefficients, such as a slope within a group or the average
  effect of a policy, using the result's own covariance (so HC1 or clustered if
  the model was fitted that way);
* :func:`joint_test` — a Wald test that several coefficients are all zero,
  with the result's own covariance (so clustered if the fit was): one test
  where reading several intervals at once would overstate what the data show;
* :func:`wild_cluster_bootstrap` — the restricted wild cluster bootstrap-t test
  and interval for one OLS coefficient, with Webb's six-point weights and a
  seeded generator, for when the clusters are few (Cameron & Miller, 2015).

Both take any fitted statsmodels result (``wild_cluster_bootstrap`` an OLS
result, with the clusters given or those the result was clustered by) and the
coefficient names as arguments; nothing in them is specific to Kopilka.

References
----------
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to
cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.
Webb, M. D. (2023). Reworking wild bootstrap-based inference for clustered
errors. *Canadian Journal of Economics*, 56(3), 839-858 (first circulated as
Queen's Economics Department Working Paper No. 1315, 2013).

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.inference import linear_combinations
>>> from crm_course.regression import engagement_drivers
>>> fit = engagement_drivers(load("agents"))
>>> table = linear_combinations(fit, {"pay minus desk": {"paid_on_time": 1, "shared_desk": -1}})
>>> list(table.columns)
['estimate', 'std_error', 'conf_low', 'conf_high']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.formulas import _check_level, _check_result, _check_seed, _param_names
from crm_course.validation import check_number

__all__ = [
    "joint_test",
    "linear_combinations",
    "wild_cluster_bootstrap",
]


_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


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
    >>> from crm_course.regression import engagement_drivers
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


def joint_test(result, terms: Sequence[str]) -> pd.Series:
    """Test that several coefficients are all zero at once (a Wald test).

    Reading three intervals one at a time asks three questions; whether the
    terms *together* add anything is one question, and its answer can differ.
    The test uses the result's own covariance matrix, so it is clustered when
    the fit was (chapter 4 tests the three separate Eastman interactions of an
    ordered logit clustered by agent this way).

    Parameters
    ----------
    result : statsmodels result
        Any fitted model with ``params``, ``cov_params()`` and ``wald_test``.
    terms : sequence of str
        Names of the coefficients, at least one, each once.

    Returns
    -------
    pandas.Series
        ``statistic`` (chi-squared, or F when the result uses the t
        distribution), ``df`` (number of terms), ``df_denom`` (F only; NaN for
        chi-squared) and ``p_value``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> from crm_course.regression import engagement_drivers
    >>> fit = engagement_drivers(load("agents"))
    >>> test = joint_test(fit, ["paid_on_time", "shared_desk"])
    >>> list(test.index)
    ['statistic', 'df', 'df_denom', 'p_value']
    >>> bool(test["p_value"] < 0.001)
    True
    """
    _check_result(result)
    if isinstance(terms, str) or not isinstance(terms, Sequence) or not terms:
        raise ValueError(f"terms: expected a non-empty list of coefficient names; found {terms!r}")
    names = _param_names(result)
    unknown = [t for t in terms if t not in names]
    if unknown:
        raise ValueError(f"terms: unknown term(s) {unknown}; terms of the model: {names}")
    if len(set(terms)) < len(terms):
        raise ValueError(f"terms: expected each coefficient once; found {list(terms)}")
    matrix = np.zeros((len(terms), len(names)))
    for row, term in enumerate(terms):
        matrix[row, names.index(term)] = 1.0
    use_f = bool(getattr(result, "use_t", False))
    test = result.wald_test(matrix, use_f=use_f, scalar=True)
    statistic = float(np.squeeze(test.statistic))
    df_denom = float(test.df_denom) if use_f else float("nan")
    return pd.Series({"statistic": statistic, "df": float(len(terms)), "df_denom": df_denom,
                      "p_value": float(np.squeeze(test.pvalue))})


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
        E.g. from :func:`~crm_course.regression.key_account_growth`.
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
    >>> from crm_course.regression import key_account_growth
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
