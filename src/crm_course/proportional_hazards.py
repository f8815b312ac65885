"""Checking the proportional-hazards assumption of a Cox model (used in chapter 5).

A Cox model (:func:`crm_course.survival.cox_model`) summarises a covariate by one
hazard ratio, the same at every duration. When the effect is concentrated early
(drop-out *at* a bad support contact, for instance) or builds up later, that single
number averages effects that differ, and the model's predictions of survival at
other durations are wrong.

* :func:`proportional_hazards_test` -- the Grambsch-Therneau score test, per term
  and globally, with the correlation between scaled Schoenfeld residuals and time;
* :func:`plot_schoenfeld` -- the scaled residuals of one term against time, with a
  smoother and the estimated log hazard ratio.

Both take the fitted model, whatever data it was fitted on.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from crm_course.survival import cox_model
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=2_000)
>>> d = pd.DataFrame({"x": x, "duration": rng.exponential(1 / np.exp(0.5 * x)), "lapsed": True})
>>> table = proportional_hazards_test(cox_model(d, "x"))   # the hazard ratio is constant here
>>> bool(table.loc["GLOBAL", "p_value"] > 0.01)
True
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from crm_course.language import tr

__all__ = ["plot_schoenfeld", "proportional_hazards_test"]


_PH_TRANSFORMS = ("rank", "km", "identity", "log")


def _time_transform(times: np.ndarray, durations: np.ndarray, status: np.ndarray, transform: str) -> np.ndarray:
    """g(t) at each event time: ranks, 1 - Kaplan-Meier, t itself or log t."""
    if transform == "identity":
        return times.astype(float)
    if transform == "log":
        if np.any(times <= 0):
            raise ValueError("transform: 'log' needs every event time > 0; some events happen at time 0 "
                             "(use 'rank' or 'km')")
        return np.log(times)
    if transform == "rank":
        return pd.Series(times).rank(method="average").to_numpy()
    # 1 - KM just before each event time, from all durations (censored included)
    order = np.argsort(durations, kind="stable")
    t_sorted, e_sorted = durations[order], status[order]
    unique = np.unique(t_sorted[e_sorted > 0])
    at_risk = len(t_sorted) - np.searchsorted(t_sorted, unique, side="left")
    events = np.array([np.sum((t_sorted == u) & (e_sorted > 0)) for u in unique]) if len(unique) < 5_000 else \
        pd.Series(e_sorted[e_sorted > 0]).groupby(t_sorted[e_sorted > 0]).sum().reindex(unique).to_numpy()
    surv = np.cumprod(1 - events / at_risk)
    return 1 - surv[np.searchsorted(unique, times)]


def proportional_hazards_test(result: Any, *, transform: str = "rank") -> pd.DataFrame:
    r"""Test the proportional-hazards assumption of a Cox model (Grambsch & Therneau, 1994).

    If the effect of covariate :math:`j` changes with time, :math:`\beta_j(t) = \beta_j + \theta_j g(t)`,
    its scaled Schoenfeld residuals drift with :math:`g(t)`. With :math:`r_k` the Schoenfeld
    residuals at the :math:`d` event times, :math:`V` the model-based covariance of
    :math:`\hat\beta` and :math:`\tilde g_k = g(t_k) - \bar g`, the score statistics are

    .. math::

        T_j = \frac{d\,[(V U)_j]^2}{V_{jj} \sum_k \tilde g_k^2}, \qquad
        T = \frac{d}{\sum_k \tilde g_k^2}\, U' V U, \qquad U = \sum_k \tilde g_k r_k,

    each :math:`\chi^2` with 1 and :math:`p` degrees of freedom under proportional hazards.
    ``rho`` is the correlation between the scaled residuals
    :math:`r^*_k = d\,V r_k + \hat\beta` and :math:`g(t_k)`: its sign says whether the
    effect grows (positive) or fades (negative) with time. Scaled residuals and the
    statistic use the approximation of Grambsch & Therneau (the average information
    :math:`V^{-1}/d` in place of each event's own), as most software does.

    Parameters
    ----------
    result : statsmodels PHRegResults
        From :func:`crm_course.survival.cox_model`.
    transform : {"rank", "km", "identity", "log"}
        The function :math:`g` of time: the rank of the event times (default; robust to a
        few long durations), one minus the Kaplan-Meier estimate, time itself, or log time.

    Returns
    -------
    pandas.DataFrame
        One row per term and a last row ``GLOBAL``: ``rho``, ``statistic``, ``df`` and
        ``p_value``. A small p-value says the hazard ratio is not constant over time, so the
        model's single hazard ratio averages effects that differ by duration.

    References
    ----------
    Grambsch, P. M. & Therneau, T. M. (1994). Proportional hazards tests and diagnostics
    based on weighted residuals. *Biometrika*, 81(3), 515-526.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(0, 2, 4_000)
    >>> early = rng.exponential(1 / np.where(x == 1, 3.0, 1.0))   # x triples the hazard early on ...
    >>> late = 0.5 + rng.exponential(1.0, 4_000)                  # ... and does nothing after t = 0.5
    >>> d = pd.DataFrame({"x": x, "duration": np.where(early < 0.5, early, late), "lapsed": True})
    >>> from crm_course.survival import cox_model
    >>> table = proportional_hazards_test(cox_model(d, "x"))
    >>> bool(table.loc["x", "p_value"] < 0.001), bool(table.loc["x", "rho"] < 0)
    (True, True)
    """
    from scipy import stats
    from statsmodels.duration.hazard_regression import PHRegResults

    if not isinstance(getattr(result, "_results", result), PHRegResults):
        raise TypeError(f"result: expected a fitted Cox model from cox_model(); found {type(result).__name__}")
    if transform not in _PH_TRANSFORMS:
        raise ValueError(f"transform: expected one of {', '.join(_PH_TRANSFORMS)}; found {transform!r}")
    names = list(result.model.exog_names)
    residuals = np.asarray(result.schoenfeld_residuals, dtype=float)
    durations = np.asarray(result.model.endog, dtype=float)
    status = np.asarray(result.model.status, dtype=float)
    is_event = ~np.isnan(residuals).any(axis=1)
    r, times = residuals[is_event], durations[is_event]
    d = len(times)
    if d < 3:
        raise ValueError(f"result: a proportional-hazards test needs at least 3 events; the model has {d}")
    V = np.asarray(result.cov_params(), dtype=float)
    g = _time_transform(times, durations, status, transform)
    g_tilde = g - g.mean()
    ss = float(g_tilde @ g_tilde)
    if ss == 0:
        raise ValueError("result: every event happens at the same time; the test needs events at different times")
    U = g_tilde @ r
    VU = V @ U
    per_term = d * VU**2 / (np.diag(V) * ss)
    overall = float(d / ss * U @ V @ U)
    scaled = d * r @ V + np.asarray(result.params, dtype=float)
    rho = [float(np.corrcoef(scaled[:, j], g)[0, 1]) if np.std(scaled[:, j]) > 0 else np.nan
           for j in range(len(names))]
    p = len(names)
    return pd.DataFrame(
        {
            "rho": rho + [np.nan],
            "statistic": list(per_term) + [overall],
            "df": [1] * p + [p],
            "p_value": list(stats.chi2.sf(per_term, 1)) + [float(stats.chi2.sf(overall, p))],
        },
        index=pd.Index(names + ["GLOBAL"], name="term"),
    )


def plot_schoenfeld(result: Any, term: str, *, transform: str = "rank", ax: Any = None) -> Any:
    """Scaled Schoenfeld residuals of one term against transformed time, with a smoother.

    Under proportional hazards the points scatter around a flat line at the estimated
    log hazard ratio (drawn dashed); a smoother (LOWESS) that bends away from it shows the
    effect changing with time. Use with :func:`proportional_hazards_test`.

    Parameters
    ----------
    result : statsmodels PHRegResults
        From :func:`crm_course.survival.cox_model`.
    term : str
        A name from ``result.model.exog_names``.
    transform : {"rank", "km", "identity", "log"}
        The time axis, as in :func:`proportional_hazards_test`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt
    from statsmodels.nonparametric.smoothers_lowess import lowess

    table = proportional_hazards_test(result, transform=transform)
    names = list(result.model.exog_names)
    if term not in names:
        raise ValueError(f"term: expected one of {names}; found {term!r}")
    j = names.index(term)
    residuals = np.asarray(result.schoenfeld_residuals, dtype=float)
    is_event = ~np.isnan(residuals).any(axis=1)
    durations = np.asarray(result.model.endog, dtype=float)
    times = durations[is_event]
    V = np.asarray(result.cov_params(), dtype=float)
    scaled = len(times) * residuals[is_event] @ V + np.asarray(result.params, dtype=float)
    g = _time_transform(times, durations, np.asarray(result.model.status, dtype=float), transform)
    if ax is None:
        _, ax = plt.subplots()
    ax.scatter(g, scaled[:, j], s=6, alpha=0.3, color="0.5", label=tr("scaled Schoenfeld residual"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        smooth = lowess(scaled[:, j], g, frac=0.3, return_sorted=True)
    # A group of tied times as large as LOWESS's window (e.g. many events at t = 0) leaves the local fit with no
    # spread in time, and its value is meaningless there; the mean of the tied residuals is the local smooth.
    groups = pd.Series(scaled[:, j]).groupby(g)
    sizes, means = groups.size(), groups.mean()
    large = sizes.index[sizes.to_numpy() >= max(int(np.ceil(0.3 * len(g))), 2)]
    tied = np.isin(smooth[:, 0], large.to_numpy()) | ~np.isfinite(smooth[:, 1])
    smooth[tied, 1] = means.reindex(smooth[tied, 0]).to_numpy()
    ax.plot(smooth[:, 0], smooth[:, 1], color="C0", lw=2, label=tr("smoothed (LOWESS)"))
    ax.axhline(float(result.params[j]), color="C1", ls="--", label=tr("estimated log hazard ratio"))
    axis = {"rank": tr("rank of event time"), "km": tr("1 - Kaplan-Meier"), "identity": tr("time"),
            "log": tr("log time")}
    ax.set_xlabel(axis[transform])
    ax.set_ylabel(tr("effect of {term} (log hazard ratio)", term=term))
    ax.set_title(tr("Is the effect of {term} constant over time? (p = {p:.2g})", term=term,
                    p=table.loc[term, "p_value"]))
    ax.legend(loc="best", fontsize="small")
    return ax
