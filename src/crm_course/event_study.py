r"""Event studies: a staggered treatment's effect by period since its start, by regression or group-time estimator.

Chapter 2 uses it to see whether CRM's effect on merchants' repeat-purchase rate
builds up after adoption, and whether adopters were already drifting apart
before it. The panel is the one of :mod:`crm_course.panel`: units observed over
consecutive periods, each starting an absorbing treatment in some period or
never, passed as any DataFrame whose column names are arguments; the Kopilka
names (``merchant_id``, ``year``, ``crm_adoption_year``, ``repeat_rate``) are
only the defaults.

What is here
------------
:func:`event_study`
    Effects by period relative to adoption, either from a two-way
    fixed-effects regression with leads and lags or from the group-time
    estimator of Callaway & Sant'Anna (2021), which stays valid when adoption
    is staggered and effects differ across adopters or build up over time.
    Returns an :class:`EventStudy`.
:class:`EventStudy`
    The estimates by event time with pointwise intervals and a uniform band,
    the overall effect, the group-time effects, a pre-trend test
    (:meth:`EventStudy.pretrend_test`) and :meth:`EventStudy.to_frame`.
:func:`plot_event_study`
    One or more event studies in one figure, with confidence intervals.

For the cohort :math:`g` of units starting in period :math:`g`, the group-time
effect in period :math:`t` compares the cohort's change since :math:`g-1` with
that of units not yet treated (or never treated), :math:`C_{g,t}`:

.. math::

    ATT(g,t) = E[y_t - y_{g-1} \mid G=g] - E[y_t - y_{g-1} \mid C_{g,t}].

Assumptions: parallel trends, no anticipation before the start period and an
absorbing treatment. Units treated from the first period on cannot be compared
with their own past and are dropped. In the regression, with staggered adoption
each lead or lag can be contaminated by effects at other event times (Sun &
Abraham, 2021; Goodman-Bacon, 2021).

Standard errors are clustered by unit (Bertrand, Duflo & Mullainathan, 2004;
Cameron & Miller, 2015): in the regression by the cluster-robust sandwich, for
the group-time estimator by a unit-level (cluster) bootstrap with a seeded
generator, whose draws also give the uniform (sup-t) band.

References
----------
Bertrand, M., Duflo, E. & Mullainathan, S. (2004). How much should we trust
differences-in-differences estimates? *Quarterly Journal of Economics*,
119(1), 249-275.
Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with
multiple time periods. *Journal of Econometrics*, 225(2), 200-230.
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to
cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in
treatment timing. *Journal of Econometrics*, 225(2), 254-277.
Sun, L. & Abraham, S. (2021). Estimating dynamic treatment effects in event
studies with heterogeneous treatment effects. *Journal of Econometrics*,
225(2), 175-199.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.event_study import event_study
>>> study = event_study(load("merchant_panel"), n_boot=199)
>>> study.estimator
'not-yet-treated'
>>> bool(study.pretrend_test()["p_value"] > 0.05)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from crm_course.language import tr, tr_noop
from crm_course.panel import (
    OUTCOME,
    START,
    TIME,
    UNIT,
    _check_level,
    _critical_values,
    _fit_clustered,
    _groups,
    _prepare,
    _within,
)
from crm_course.validation import check_number

__all__ = [
    "EventStudy",
    "event_study",
    "plot_event_study",
]


Estimator = Literal["not-yet-treated", "never-treated", "twfe"]


_ESTIMATORS = ("not-yet-treated", "never-treated", "twfe")
#: A single study's legend label: its estimator's name (in the current language when drawn).
_ESTIMATOR_LABELS = {"not-yet-treated": tr_noop("not-yet-treated"), "never-treated": tr_noop("never-treated"),
                     "twfe": tr_noop("twfe")}


@dataclass(frozen=True)
class EventStudy:
    """Effects by period relative to the start of the treatment.

    Built by :func:`event_study`. It holds a fitted model's state -- the
    estimates, their covariance and, for the group-time estimator, the
    group-time effects -- so that the pre-trend test and plots need no refit.

    Attributes
    ----------
    estimates : pandas.DataFrame
        One row per event time ``e`` (periods since the start; ``-1`` is the
        reference, fixed at 0): ``estimate``, ``std_error``, ``conf_low``,
        ``conf_high`` (pointwise), ``band_low``, ``band_high`` (uniform
        band: covers all event times in the window at once), ``n_units``
        (treated units the estimate uses) and ``reference``.
    overall : pandas.Series
        The average effect over all treated unit-periods in the data:
        ``estimate``, ``std_error``, ``conf_low``, ``conf_high``.
    cov : pandas.DataFrame
        Covariance of the non-reference estimates.
    estimator : str
        ``"not-yet-treated"``, ``"never-treated"`` or ``"twfe"``.
    standard_errors : str
        How the standard errors were computed.
    level : float
        Confidence level of the intervals and bands.
    group_time : pandas.DataFrame or None
        For the group-time estimators: ATT(g, t) for each start cohort
        ``g`` and period ``t``, with ``event_time``, ``std_error``,
        ``n_treated`` and ``n_control``.
    n_units, n_treated, n_dropped : int
        Units used, of which ever treated, and units dropped because they
        were treated from the first period on (no before to compare with).
    """

    estimates: pd.DataFrame
    overall: pd.Series
    cov: pd.DataFrame
    estimator: str
    standard_errors: str
    level: float
    group_time: pd.DataFrame | None = field(default=None, repr=False)
    n_units: int = 0
    n_treated: int = 0
    n_dropped: int = 0

    def pretrend_test(self) -> pd.Series:
        """Wald test that every pre-period effect (e <= -2) in the window is zero.

        Returns
        -------
        pandas.Series
            ``chi2``, ``df`` (number of pre-period estimates) and
            ``p_value``. A small p-value says the groups were already
            drifting apart before adoption, so parallel trends are in doubt.
            A large one is reassuring but proves nothing: such tests often
            have little power (Roth, 2022).
        """
        from scipy import stats

        pre = self.estimates[(self.estimates["event_time"] <= -2) & ~self.estimates["reference"]]
        if pre.empty:
            raise ValueError("pretrend_test: the window has no pre-period (event time <= -2); widen the window")
        keys = pre["event_time"].to_numpy()
        b = pre["estimate"].to_numpy()
        V = self.cov.loc[keys, keys].to_numpy()
        stat = float(b @ np.linalg.pinv(V) @ b)
        k = len(b)
        return pd.Series({"chi2": stat, "df": float(k), "p_value": float(stats.chi2.sf(stat, k))})

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of :attr:`estimates` with the estimator's name as a column."""
        return self.estimates.assign(estimator=self.estimator)

    def __repr__(self) -> str:
        o = self.overall
        return (
            f"EventStudy(estimator={self.estimator!r}, event times {int(self.estimates['event_time'].min())}"
            f"..{int(self.estimates['event_time'].max())}, overall effect {o['estimate']:.4f} "
            f"(SE {o['std_error']:.4f}), {self.n_units} units)"
        )


def _rng(seed: Any) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    check_number(seed, "seed", low=0, integer=True)
    return np.random.default_rng(int(seed))


def event_study(
    panel: pd.DataFrame,
    *,
    unit: str = UNIT,
    time: str = TIME,
    start: str = START,
    outcome: str = OUTCOME,
    estimator: Estimator = "not-yet-treated",
    window: tuple[int, int] = (-5, 5),
    level: float = 0.95,
    n_boot: int = 999,
    seed: int | np.random.Generator | None = 0,
) -> EventStudy:
    """Estimate the treatment's effect by period relative to its start.

    Two estimators, one output:

    ``"twfe"`` -- the event-study regression with leads and lags

    .. math:: y_{it} = \\alpha_i + \\lambda_t + \\sum_{e \\ne -1} \\beta_e\\,
              \\mathbf 1[t - g_i = e] + \\varepsilon_{it}

    with one dummy for every observed event time but the reference
    :math:`e=-1`; never-treated units (required) pin down the period
    effects. Standard errors clustered by unit. With staggered adoption,
    each :math:`\\beta_e` can be contaminated by effects at other event
    times when effects differ across adoption cohorts (Sun & Abraham, 2021).

    ``"not-yet-treated"`` / ``"never-treated"`` -- the group-time estimator
    of Callaway & Sant'Anna (2021), without covariates. For the cohort
    :math:`g` of units starting in period :math:`g` and each period
    :math:`t`,

    .. math:: ATT(g,t) = E[y_t - y_{g-1} \\mid G=g] - E[y_t - y_{g-1} \\mid C_{g,t}]

    where the comparison group :math:`C_{g,t}` is the units not yet treated
    by period :math:`\\max(t, g-1)` (or only the never-treated). Each
    cohort is compared only with units that are still untreated, never with
    units treated earlier, so effects that differ across cohorts or build up
    over time do not leak into other estimates. Event-time effects average
    :math:`ATT(g, g+e)` over cohorts weighted by cohort size; the overall
    effect averages all post-start :math:`ATT(g,t)` weighted by cohort size,
    i.e. the average effect over treated unit-periods. Pre-period estimates
    use the same base period :math:`g-1` (a "universal" base), so they read
    like the regression's leads. Standard errors: a unit-level (cluster)
    bootstrap -- units are resampled with replacement and everything is
    recomputed -- with a seeded generator; the uniform band uses the
    bootstrap distribution of the largest standardised deviation
    (a sup-t band).

    Assumptions: parallel trends (for the group-time estimator: each cohort
    would have moved like its comparison group), no anticipation before
    the start period, and an absorbing treatment. Units treated from the
    first period on cannot be compared with their own past and are dropped
    (their number is reported). Periods must be consecutive integers.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period; unbalanced panels are allowed (each
        comparison uses the units observed in both periods).
    unit, time, start, outcome : str
        Column names (see :func:`~crm_course.panel.compare_adopters`).
    estimator : {"not-yet-treated", "never-treated", "twfe"}
        See above.
    window : (int, int)
        Event times reported, e.g. ``(-5, 5)``; the pre-trend test and the
        uniform band use the event times in it.
    level : float
        Confidence level.
    n_boot : int
        Bootstrap draws (group-time estimators), or draws from the estimated
        normal distribution for the TWFE uniform band.
    seed : int, Generator or None
        Seeds the bootstrap; a fixed seed gives identical results on every
        run. ``None`` draws fresh entropy.

    Returns
    -------
    EventStudy
        Estimates by event time, the overall effect, their covariance and
        :meth:`EventStudy.pretrend_test`.

    Examples
    --------
    >>> from crm_course.data import load
    >>> study = event_study(load("merchant_panel"), n_boot=199)
    >>> study.estimates.loc[study.estimates["event_time"] == -1, "estimate"].item()
    0.0
    >>> round(float(study.overall["estimate"]), 2)
    0.05
    """
    if estimator not in _ESTIMATORS:
        raise ValueError(f"estimator: expected one of {', '.join(_ESTIMATORS)}; found {estimator!r}")
    if not isinstance(window, (tuple, list)) or len(window) != 2:
        raise ValueError(f"window: expected two event times such as (-5, 5); found {window!r}")
    lo = int(check_number(window[0], "window[0]", high=-2, integer=True))
    hi = int(check_number(window[1], "window[1]", low=0, integer=True))
    level = _check_level(level)
    n_boot = int(check_number(n_boot, "n_boot", low=99, integer=True))
    rng = _rng(seed)
    df = _prepare(panel, unit, time, start, outcome)
    periods = np.sort(df["time"].unique())
    if not np.array_equal(periods, np.arange(periods[0], periods[-1] + 1)):
        raise ValueError(f"panel: column {time!r} should hold consecutive periods for an event study; found gaps")
    always = df["start"] <= periods[0]
    n_dropped = int(df.loc[always, "unit"].nunique())
    df = df[~always]
    if df["start"].notna().sum() == 0:
        raise ValueError("panel: no unit starts the treatment after the first period, so none can be compared with its own past")
    if estimator == "twfe":
        return _event_study_twfe(df, unit, (lo, hi), level, n_boot, rng, n_dropped)
    return _event_study_gt(df, (lo, hi), level, n_boot, rng, n_dropped, not_yet=estimator == "not-yet-treated")


def _uniform_band(draws: np.ndarray, est: np.ndarray, se: np.ndarray, level: float) -> float:
    """Critical value of a sup-t band from draws (rows) of the estimates (columns)."""
    ok = se > 0
    if not ok.any():
        return _critical_values(level)
    dev = np.abs(draws[:, ok] - est[ok]) / se[ok]
    worst = np.fmax.reduce(dev, axis=1)  # ignores draws missing an estimate, without warnings
    worst = worst[np.isfinite(worst)]
    return float(np.quantile(worst, level)) if worst.size else _critical_values(level)


def _assemble(
    keys: np.ndarray,
    est: np.ndarray,
    cov: np.ndarray,
    n_units: np.ndarray,
    window: tuple[int, int],
    level: float,
    crit_uniform: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    z = _critical_values(level)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    rows = pd.DataFrame(
        {
            "event_time": keys.astype(int),
            "estimate": est,
            "std_error": se,
            "conf_low": est - z * se,
            "conf_high": est + z * se,
            "band_low": est - crit_uniform * se,
            "band_high": est + crit_uniform * se,
            "n_units": n_units.astype(int),
            "reference": False,
        }
    )
    ref = pd.DataFrame(
        {"event_time": [-1], "estimate": [0.0], "std_error": [0.0], "conf_low": [0.0], "conf_high": [0.0],
         "band_low": [0.0], "band_high": [0.0], "n_units": [0], "reference": [True]}
    )
    rows = pd.concat([rows, ref], ignore_index=True).sort_values("event_time", kind="stable")
    rows = rows[(rows["event_time"] >= window[0]) & (rows["event_time"] <= window[1])].reset_index(drop=True)
    cov_frame = pd.DataFrame(cov, index=keys.astype(int), columns=keys.astype(int))
    return rows, cov_frame


def _event_study_twfe(df, unit, window, level, n_boot, rng, n_dropped) -> EventStudy:
    if df["start"].isna().sum() == 0:
        raise ValueError(
            "panel: the 'twfe' event study needs never-treated units to pin down the period effects; "
            "use estimator='not-yet-treated' instead"
        )
    e = (df["time"] - df["start"]).to_numpy()  # NaN for never treated
    keys = np.array(sorted(int(k) for k in np.unique(e[~np.isnan(e)]) if k != -1))
    regressors = {f"e{k}": (e == k).astype(float) for k in keys}
    periods = np.sort(df["time"].unique())
    for p in periods[1:]:
        regressors[f"t{p}"] = (df["time"] == p).astype(float).to_numpy()
    X = _within(pd.DataFrame(regressors, index=df.index), df["unit"])
    y = _within(df[["y"]], df["unit"])["y"]
    fit = _fit_clustered(y, X, _groups(df, unit))
    names = [f"e{k}" for k in keys]
    est = fit.params[names].to_numpy()
    cov = fit.cov_params().loc[names, names].to_numpy()
    n_units = np.array([df.loc[e == k, "unit"].nunique() for k in keys])
    inside = (keys >= window[0]) & (keys <= window[1])
    try:
        draws = rng.multivariate_normal(est[inside], cov[np.ix_(inside, inside)], size=n_boot, method="cholesky")
    except np.linalg.LinAlgError:  # a singular covariance (tiny cohorts): fall back to an eigen-decomposition
        draws = rng.multivariate_normal(est[inside], cov[np.ix_(inside, inside)], size=n_boot, method="eigh")
    crit = _uniform_band(draws, est[inside], np.sqrt(np.diag(cov))[inside], level)
    estimates, cov_frame = _assemble(keys, est, cov, n_units, window, level, crit)
    # Overall: post-period coefficients weighted by the treated unit-periods at each event time.
    post = keys >= 0
    w = np.array([(e == k).sum() for k in keys], dtype=float) * post
    w /= w.sum()
    overall_est = float(w @ est)
    overall_se = float(np.sqrt(w @ cov @ w))
    z = _critical_values(level)
    overall = pd.Series({"estimate": overall_est, "std_error": overall_se,
                         "conf_low": overall_est - z * overall_se, "conf_high": overall_est + z * overall_se})
    n_clusters = df["unit"].nunique()
    return EventStudy(
        estimates, overall, cov_frame, "twfe", f"clustered by {unit} ({n_clusters} clusters)", level,
        None, int(n_clusters), int(df.loc[df["start"].notna(), "unit"].nunique()), n_dropped,
    )


def _event_study_gt(df, window, level, n_boot, rng, n_dropped, *, not_yet: bool) -> EventStudy:
    wide = df.pivot(index="unit", columns="time", values="y")
    periods = wide.columns.to_numpy()
    Y = wide.to_numpy(dtype=float)  # units x periods, NaN where unobserved
    G = df.groupby("unit")["start"].first().reindex(wide.index).to_numpy()
    G = np.where(np.isnan(G), np.inf, G)
    G = np.where(G > periods[-1], np.inf, G)  # starting after the window: untreated throughout
    n = len(G)
    cohorts = np.unique(G[np.isfinite(G)])

    # One column per group-time cell: the outcome change since the base period,
    # masked to the cohort (treated) and to its comparison group (control).
    cell_g, cell_t, treat_cols, ctrl_cols, diff_cols = [], [], [], [], []
    for g in cohorts:
        base = int(np.searchsorted(periods, g - 1))
        for j, t in enumerate(periods):
            if t == g - 1:
                continue
            diff = Y[:, j] - Y[:, base]
            seen = ~np.isnan(diff)
            treat = seen & (G == g)
            ctrl = seen & (G > max(t, g - 1)) & (G != g) if not_yet else seen & ~np.isfinite(G)
            if treat.sum() == 0 or ctrl.sum() == 0:
                continue
            cell_g.append(g)
            cell_t.append(t)
            treat_cols.append(treat)
            ctrl_cols.append(ctrl)
            diff_cols.append(np.where(seen, diff, 0.0))
    if not cell_g:
        raise ValueError("panel: no cohort has a comparison group of untreated units; nothing can be estimated")
    T = np.column_stack(treat_cols).astype(float)
    C = np.column_stack(ctrl_cols).astype(float)
    D = np.column_stack(diff_cols)
    cell_g = np.array(cell_g)
    cell_t = np.array(cell_t)
    cell_e = (cell_t - cell_g).astype(int)
    cohort_of_unit = np.where(np.isfinite(G)[:, None], G[:, None] == cell_g[None, :], False).astype(float)

    keys = np.array(sorted(set(cell_e.tolist()) - {-1}))
    E = (cell_e[:, None] == keys[None, :]).astype(float)  # cells x event times
    post = (cell_e >= 0).astype(float)

    def estimate(W: np.ndarray):
        """ATT(g,t), event-time and overall effects for rows of unit weights W."""
        with np.errstate(invalid="ignore", divide="ignore"):
            att = (W @ (T * D)) / (W @ T) - (W @ (C * D)) / (W @ C)
            size = W @ cohort_of_unit  # weighted cohort size of each cell's cohort
            size = np.where(np.isfinite(att), size, 0.0)
            att0 = np.where(np.isfinite(att), att, 0.0)
            by_e = ((att0 * size) @ E) / (size @ E)
            overall = ((att0 * size) @ post) / (size @ post)
        return att, by_e, overall

    a1, e1, o1 = estimate(np.ones((1, n)))
    att_hat, e_hat, o_hat = a1[0], e1[0], float(np.ravel(o1)[0])
    # Cluster bootstrap: resample units; in batches to bound memory on large panels.
    batch = max(1, min(n_boot, int(4_000_000 // max(n, 1))))
    att_draws, e_draws, o_draws = [], [], []
    done = 0
    while done < n_boot:
        b = min(batch, n_boot - done)
        W = rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(float)
        a, ebd, obd = estimate(W)
        att_draws.append(a)
        e_draws.append(ebd)
        o_draws.append(np.ravel(obd))
        done += b
    att_draws = np.vstack(att_draws)
    e_draws = np.vstack(e_draws)
    o_draws = np.concatenate(o_draws)

    e_cov = pd.DataFrame(e_draws).cov(min_periods=2).to_numpy()  # pairwise, skips draws without a cohort
    n_units = np.array([T[:, (cell_e == k)].max(axis=1).sum() if (cell_e == k).any() else 0 for k in keys])
    inside = (keys >= window[0]) & (keys <= window[1])
    se_all = np.sqrt(np.clip(np.diag(e_cov), 0, None))
    crit = _uniform_band(e_draws[:, inside], e_hat[inside], se_all[inside], level)
    estimates, cov_frame = _assemble(keys, e_hat, e_cov, n_units, window, level, crit)
    z = _critical_values(level)
    o_se = float(pd.Series(o_draws).std(ddof=1))
    overall = pd.Series({"estimate": o_hat, "std_error": o_se, "conf_low": o_hat - z * o_se, "conf_high": o_hat + z * o_se})
    group_time = pd.DataFrame(
        {
            "cohort": cell_g.astype(int),
            "period": cell_t.astype(int),
            "event_time": cell_e,
            "estimate": att_hat,
            "std_error": pd.DataFrame(att_draws).std(ddof=1).to_numpy(),
            "n_treated": T.sum(axis=0).astype(int),
            "n_control": C.sum(axis=0).astype(int),
        }
    )
    name = "not-yet-treated" if not_yet else "never-treated"
    return EventStudy(
        estimates, overall, cov_frame, name,
        f"cluster bootstrap over units ({n_boot} draws, {n} clusters)", level, group_time,
        int(n), int(np.isfinite(G).sum()), n_dropped,
    )


def plot_event_study(
    studies: EventStudy | Mapping[str, EventStudy],
    *,
    ax=None,
    band: Literal["pointwise", "uniform"] = "pointwise",
    scale: float = 1.0,
    ylabel: str | None = None,
    title: str | None = None,
    truth: pd.Series | None = None,
):
    """Plot one or more event studies side by side.

    Parameters
    ----------
    studies : EventStudy or mapping of label to EventStudy
        What to plot; several are drawn slightly apart so that their
        intervals do not overlap.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    band : {"pointwise", "uniform"}
        Draw pointwise confidence intervals or the uniform band.
    scale : float
        Multiply estimates by this (e.g. 100 for shares shown as percentage
        points).
    ylabel, title : str, optional
        Axis label (state the unit) and title; by default "Effect on the
        outcome" and "Effect by year relative to adoption", in the current
        language.
    truth : pandas.Series, optional
        Known effects by event time (a simulation's planted truth), drawn
        as a line.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE

    if isinstance(studies, EventStudy):
        studies = {tr(_ESTIMATOR_LABELS.get(studies.estimator, studies.estimator)): studies}
    if not isinstance(studies, Mapping) or not studies:
        raise TypeError("studies: expected an EventStudy or a mapping of label -> EventStudy")
    for label, s in studies.items():
        if not isinstance(s, EventStudy):
            raise TypeError(f"studies[{label!r}]: expected an EventStudy; found {type(s).__name__}")
    if band not in ("pointwise", "uniform"):
        raise ValueError(f"band: expected 'pointwise' or 'uniform'; found {band!r}")
    check_number(scale, "scale", low=0, inclusive=False)
    if ax is None:
        _, ax = plt.subplots()
    k = len(studies)
    offsets = np.linspace(-0.12 * (k - 1), 0.12 * (k - 1), k)
    lo_col, hi_col = ("conf_low", "conf_high") if band == "pointwise" else ("band_low", "band_high")
    handles = []
    for (label, s), off, colour in zip(studies.items(), offsets, PALETTE):
        d = s.estimates
        x = d["event_time"].to_numpy() + off
        est = d["estimate"].to_numpy() * scale
        err = np.vstack([est - d[lo_col].to_numpy() * scale, d[hi_col].to_numpy() * scale - est])
        handles.append(ax.errorbar(x, est, yerr=err, fmt="o", color=colour, capsize=3, label=label, markersize=5))
    if truth is not None:
        t = truth.sort_index()
        (line,) = ax.plot(t.index, t.to_numpy() * scale, color="black", linestyle=":", label=tr("planted effect"))
        handles.append(line)
    ax.axhline(0, color="grey", linewidth=1)
    ax.axvline(-0.5, color="grey", linewidth=1, linestyle="--")
    shown = np.unique(np.concatenate([s.estimates["event_time"].to_numpy() for s in studies.values()]))
    ax.set_xticks(shown)
    ax.set_xlabel(tr("Years relative to adoption (0 = first year with CRM)"))
    ax.set_ylabel(tr("Effect on the outcome") if ylabel is None else ylabel)
    ax.set_title(tr("Effect by year relative to adoption") if title is None else title)
    ax.legend(handles=handles, frameon=False)
    return ax
