r"""Panel regressions of a treatment's effect: adopters against non-adopters, pooled OLS and two-way fixed effects.

Chapter 2 asks whether adopting a CRM programme raises a firm's repeat-purchase
rate, and for which firms; the capstone (:mod:`crm_course.kopilka.board`) reuses
the answer. The data are a panel: units (merchants) observed over periods
(years), each unit starting the treatment (CRM) in some period or never.
Treatment is *absorbing*: once started it stays on. Every function takes such a
panel as any DataFrame with four columns -- unit, time, treatment start and
outcome -- named by arguments whose defaults are the Kopilka names
(``merchant_id``, ``year``, ``crm_adoption_year``, ``repeat_rate``), so
researchers can pass their own. Inputs are checked and never modified.

What is here
------------
:func:`compare_adopters`
    Adopters and never-adopters side by side: the descriptive comparison that
    self-selection makes misleading.
:func:`naive_regression`
    Outcome on the treatment indicator, pooled or in one period: the
    cross-sectional comparison.
:func:`twfe_regression`
    Two-way fixed effects (unit and period), optionally with the effect varying
    with a moderator :math:`h_i` (an interaction, or one effect per bin),

    .. math::

        y_{it} = \alpha_i + \lambda_t + D_{it}\,[\tau_0 + \tau_1 (h_i - c)] + \varepsilon_{it}.
:func:`effect_curve`
    The effect implied by an interaction model at chosen moderator values, with
    delta-method confidence intervals.
:func:`assess_crm_fit`
    The chapter's managerial tool, now in :mod:`crm_course.decision` (still
    importable from here): from a few facts about a firm, the lift in repeat
    purchases it can expect from CRM, an interval for the average firm and one
    for this firm, its expected profit against the cost and what a pilot is
    worth.
:func:`bin_positions`, :func:`plot_effect_curve`
    Where a binned fit's estimates sit (at the treated units' mean moderator in
    each bin), and the interaction line with its band and those estimates.
:class:`PanelDesign`
    What a fitted regression was fitted on (``result.model.panel_design``).

The fixed-effects models assume parallel trends (without the treatment,
treated and untreated units would have moved alike) and no anticipation; the
static model also assumes an effect that does not change with time since
adoption. With staggered adoption and effects that build up, its coefficient is
a weighted average that can be far from the average effect (Goodman-Bacon,
2021): check with :func:`crm_course.event_study.event_study`.

Standard errors are clustered by unit throughout (Bertrand, Duflo &
Mullainathan, 2004; Cameron & Miller, 2015): a merchant's years are not
independent observations.

References
----------
Bertrand, M., Duflo, E. & Mullainathan, S. (2004). How much should we trust
differences-in-differences estimates? *Quarterly Journal of Economics*,
119(1), 249-275.
Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to
cluster-robust inference. *Journal of Human Resources*, 50(2), 317-372.
Goodman-Bacon, A. (2021). Difference-in-differences with variation in
treatment timing. *Journal of Econometrics*, 225(2), 254-277.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.panel import naive_regression, twfe_regression
>>> panel = load("merchant_panel")
>>> naive, twfe = naive_regression(panel), twfe_regression(panel)
>>> naive.cov_type, twfe.cov_type
('cluster', 'cluster')
>>> bool(twfe.params["crm_active"] < naive.params["crm_active"])  # self-selection inflates the naive gap
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from crm_course.language import tr
from crm_course.validation import check_frame, check_number

__all__ = [
    "PanelDesign",
    "assess_crm_fit",
    "compare_adopters",
    "effect_curve",
    "bin_positions",
    "naive_regression",
    "plot_effect_curve",
    "twfe_regression",
]


#: The Kopilka column names used as defaults.
UNIT = "merchant_id"


TIME = "year"


START = "crm_adoption_year"


OUTCOME = "repeat_rate"


MODERATOR = "customer_heterogeneity"


#: Name given to the treatment indicator (1 from the start period on).
TREATED = "crm_active"


def _check_name(value: Any, arg: str) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"{arg}: expected a column name (text); found {value!r}")
    return value


def _prepare(
    panel: Any,
    unit: str,
    time: str,
    start: str,
    outcome: str,
    *,
    numeric: Sequence[str] = (),
    name: str = "panel",
) -> pd.DataFrame:
    """Validate a panel and return a fresh frame with standard column names.

    Columns of the result: ``unit`` (the caller's labels), ``time`` (int),
    ``start`` (float, NaN = never treated), ``treated`` (0/1 float), ``y``
    (float) and each requested ``numeric`` column as ``_extra(name)``, so
    that no column of the caller's can clash with the standard names.
    """
    for value, arg in ((unit, "unit"), (time, "time"), (start, "start"), (outcome, "outcome")):
        _check_name(value, arg)
    names = [unit, time, start, outcome]
    if len(set(names)) < 4:
        raise ValueError(f"unit, time, start and outcome must name four different columns; found {names}")
    kinds = {unit: "any", time: "integer", outcome: "numeric", start: "any"}
    kinds.update({c: "numeric" for c in numeric if c not in kinds})
    check_frame(panel, kinds, name=name)

    s = panel[start]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise ValueError(
            f"{name}: column {start!r} should hold the period each unit started the treatment, "
            f"as a number (empty for units never treated); found dtype {s.dtype}"
        )
    start_values = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(start_values) & ~(np.isfinite(start_values) & (start_values % 1 == 0))
    if bad.any():
        raise ValueError(
            f"{name}: column {start!r} should hold whole periods (e.g. years); found {start_values[bad][0]!r}"
        )
    if panel[unit].isna().any():
        raise ValueError(f"{name}: column {unit!r} has {int(panel[unit].isna().sum())} missing value(s)")

    df = pd.DataFrame(
        {
            "unit": panel[unit].to_numpy(),
            "time": panel[time].to_numpy(dtype=np.int64),
            "start": start_values,
            "y": panel[outcome].to_numpy(dtype=float),
        }
    )
    for col in numeric:
        df[_extra(col)] = panel[col].to_numpy(dtype=float)
    dup = df.duplicated(["unit", "time"])
    if dup.any():
        first = df.loc[dup].iloc[0]
        raise ValueError(
            f"{name}: expected one row per {unit} and {time}; found {int(dup.sum())} duplicate(s), "
            f"e.g. {unit}={first['unit']!r}, {time}={first['time']}"
        )
    per_unit = df.groupby("unit", sort=False)["start"].nunique(dropna=False)
    if (per_unit > 1).any():
        raise ValueError(
            f"{name}: column {start!r} should be the same in every row of a unit (the period it started); "
            f"found several values for {unit}={per_unit[per_unit > 1].index[0]!r}"
        )
    if df["unit"].nunique() < 2 or df["time"].nunique() < 2:
        raise ValueError(
            f"{name}: expected at least 2 units and 2 periods; found {df['unit'].nunique()} unit(s) "
            f"and {df['time'].nunique()} period(s)"
        )
    df["treated"] = (df["time"] >= df["start"]).astype(float)  # NaN start compares False
    if df["treated"].sum() == 0:
        raise ValueError(f"{name}: no row is treated: every {start!r} is empty or later than the last {time!r}")
    if df["treated"].min() == 1:
        raise ValueError(f"{name}: every row is treated; a comparison needs untreated rows")
    return df


def _extra(column: str) -> str:
    return f"extra::{column}"


def _check_level(level: float) -> float:
    return float(check_number(level, "level", low=0, high=1, inclusive=False))


def _groups(df: pd.DataFrame, unit: str) -> pd.Series:
    """Integer cluster codes, named after the unit column (shown in tables)."""
    codes = pd.factorize(df["unit"], sort=True)[0]
    return pd.Series(codes, name=unit, index=df.index)


def _within(frame: pd.DataFrame, unit: pd.Series) -> pd.DataFrame:
    """Subtract each unit's mean: the within transformation that absorbs unit fixed effects."""
    return frame - frame.groupby(unit.to_numpy()).transform("mean")


def compare_adopters(
    panel: pd.DataFrame,
    *,
    unit: str = UNIT,
    time: str = TIME,
    start: str = START,
    outcome: str = OUTCOME,
    characteristics: Sequence[str] = (MODERATOR, "employees"),
) -> pd.DataFrame:
    """Compare units that ever adopted with units that never did.

    The comparison is descriptive: it shows how adopters differed from
    non-adopters *before* anyone adopted, which is the warning sign of
    self-selection. A difference in the outcome after adoption mixes the
    effect of the treatment with these prior differences.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period.
    unit, time, start, outcome : str
        Column names: unit identifier, period (integer), period the unit
        started the treatment (empty if never) and the outcome.
    characteristics : sequence of str
        Further numeric columns to compare (averaged over each unit's rows
        first, so every unit counts once).

    Returns
    -------
    pandas.DataFrame
        One row per measure (``number of units``, the outcome in the periods before
        the first adoption, the outcome in the last period, each
        characteristic) and the columns ``adopters``, ``never adopted`` and
        ``difference`` (adopters minus never adopted; empty for the count).

    Examples
    --------
    >>> from crm_course.data import load
    >>> table = compare_adopters(load("merchant_panel"))
    >>> list(table.columns)
    ['adopters', 'never adopted', 'difference']
    """
    characteristics = [_check_name(c, "characteristics") for c in characteristics]
    df = _prepare(panel, unit, time, start, outcome, numeric=characteristics)
    per_unit = df.groupby("unit", sort=True).agg(start=("start", "first"), **{c: (_extra(c), "mean") for c in characteristics})
    adopter = per_unit["start"].notna() & (per_unit["start"] <= df["time"].max())
    first_start = per_unit.loc[adopter, "start"].min()
    first, last = int(df["time"].min()), int(df["time"].max())
    rows: dict[str, pd.Series] = {"number of units": adopter.map({True: "adopters", False: "never adopted"}).value_counts()}
    unit_group = df["unit"].map(adopter.map({True: "adopters", False: "never adopted"}))
    before = df["time"] < first_start
    if before.any():
        span = f"{first}" if int(first_start) - 1 == first else f"{first}-{int(first_start) - 1}"
        rows[f"{outcome}, {span} (before any adoption)"] = df.loc[before].groupby(unit_group[before])["y"].mean()
    at_end = df["time"] == last
    rows[f"{outcome}, {last}"] = df.loc[at_end].groupby(unit_group[at_end])["y"].mean()
    groups = adopter.map({True: "adopters", False: "never adopted"})
    for c in characteristics:
        rows[c] = per_unit[c].groupby(groups).mean()
    table = pd.DataFrame(rows).T.reindex(columns=["adopters", "never adopted"]).astype(float)
    table["difference"] = table["adopters"] - table["never adopted"]
    table.loc["number of units", "difference"] = np.nan  # a difference in head counts means nothing here
    table.index.name = "measure"
    return table


@dataclass(frozen=True)
class PanelDesign:
    """What a fitted panel regression was fitted on (``result.model.panel_design``)."""

    kind: str
    unit: str
    time: str
    outcome: str
    treated: str
    moderator: str | None = None
    center: float | None = None
    interaction: str | None = None
    moderator_range: tuple[float, float] | None = None
    outcome_range: tuple[float, float] | None = None
    bin_edges: tuple[float, ...] | None = None
    n_units: int = 0
    n_treated_units: int = 0
    #: the moderator of each treated unit (only they identify the effect)
    treated_moderator_values: tuple[float, ...] | None = None
    #: the range of treated units' outcomes in the periods before they started
    treated_outcome_before_range: tuple[float, float] | None = None
    #: each treated unit's mean outcome in the periods before it started
    treated_outcome_before_means: tuple[float, ...] | None = None


def _fit_clustered(y: pd.Series, X: pd.DataFrame, groups: pd.Series):
    import statsmodels.api as sm

    return sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": groups})


def naive_regression(
    panel: pd.DataFrame,
    *,
    unit: str = UNIT,
    time: str = TIME,
    start: str = START,
    outcome: str = OUTCOME,
    period: int | None = None,
    treated: str = TREATED,
):
    """Regress the outcome on the treatment indicator, without fixed effects.

    The model is :math:`y_{it} = \\alpha + \\beta D_{it} + \\varepsilon_{it}`
    with :math:`D_{it} = 1` from the unit's start period on. :math:`\\beta`
    is the difference in mean outcome between treated and untreated rows. It
    is the effect of the treatment only if treated and untreated units would
    have had the same outcome without it -- which fails when units choose
    the treatment themselves (self-selection) or when treated rows are
    concentrated in later, better periods.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period.
    unit, time, start, outcome : str
        Column names (see :func:`compare_adopters`).
    period : int, optional
        Use only this period (a single cross-section). Default: all rows.
    treated : str
        Name of the treatment indicator in the result.

    Returns
    -------
    statsmodels RegressionResults
        OLS with standard errors clustered by unit (with one period, one row
        per unit: heteroskedasticity-robust in effect). Terms ``Intercept``
        and ``treated``.

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = naive_regression(load("merchant_panel"))
    >>> list(fit.params.index)
    ['Intercept', 'crm_active']
    >>> fit.cov_type
    'cluster'
    """
    _check_name(treated, "treated")
    df = _prepare(panel, unit, time, start, outcome)
    if period is not None:
        check_number(period, "period", integer=True)
        df = df[df["time"] == period]
        if df.empty:
            raise ValueError(f"period: expected a value of column {time!r}; found {period!r}, which has no rows")
        if df["treated"].nunique() < 2:
            raise ValueError(f"period: in {time}={period} every unit is {'treated' if df['treated'].iloc[0] else 'untreated'}; "
                             "a comparison needs both")
    X = pd.DataFrame({"Intercept": 1.0, treated: df["treated"]}, index=df.index)
    result = _fit_clustered(df["y"].rename(outcome), X, _groups(df, unit))
    result.model.panel_design = PanelDesign(
        "naive", unit, time, outcome, treated,
        n_units=int(df["unit"].nunique()), n_treated_units=int(df.loc[df["treated"] == 1, "unit"].nunique()),
    )
    return result


def twfe_regression(
    panel: pd.DataFrame,
    *,
    unit: str = UNIT,
    time: str = TIME,
    start: str = START,
    outcome: str = OUTCOME,
    moderator: str | None = None,
    center: float = 0.5,
    bins: int | None = None,
    treated: str = TREATED,
):
    """Two-way fixed-effects regression of the outcome on the treatment.

    Static model (no moderator):

    .. math:: y_{it} = \\alpha_i + \\lambda_t + \\beta D_{it} + \\varepsilon_{it}

    With a moderator :math:`h_i` (e.g. customer heterogeneity) the effect
    varies linearly with it:

    .. math:: y_{it} = \\alpha_i + \\lambda_t + D_{it}\\,[\\tau_0 + \\tau_1 (h_i - c)] + \\varepsilon_{it}

    so :math:`\\tau_0` is the effect at :math:`h = c` (``center``) and
    :math:`\\tau_1` how much it grows per unit of :math:`h`. With ``bins``,
    the effect is instead estimated separately in each quantile bin of the
    moderator (no straight-line assumption).

    The unit effects :math:`\\alpha_i` absorb everything constant about a
    unit -- including whatever made it adopt -- and the period effects
    :math:`\\lambda_t` absorb shocks common to all units in a period.
    Assumptions: parallel trends (without the treatment, treated and
    untreated units' outcomes would have moved alike), no anticipation, and
    for the static model an effect that does not change with time since
    adoption. With staggered adoption and effects that build up over time,
    :math:`\\beta` is a weighted average that can be far from the average
    effect (Goodman-Bacon, 2021); use :func:`~crm_course.event_study.event_study` to check.

    The unit effects are removed by subtracting each unit's mean (the
    within transformation; exact for unbalanced panels too) and the period
    effects are estimated as dummies, so the result holds the treatment
    terms and one term per period but the first. Units observed once carry
    no information and are dropped.

    Standard errors are cluster-robust by unit (CR1: the sandwich times
    G/(G-1) (N-1)/(N-K), with K the slope terms and period dummies; the
    unit effects, nested in the clusters, are not counted, as in Stata's
    ``xtreg, fe vce(cluster)``). With few clusters (a few dozen or fewer)
    they are too small; see Cameron & Miller (2015).

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period.
    unit, time, start, outcome : str
        Column names (see :func:`compare_adopters`).
    moderator : str, optional
        Numeric column the effect may vary with.
    center : float
        Value of the moderator at which ``treated`` measures the effect
        (linear interaction only). Kopilka's heterogeneity index is centred
        at 0.5.
    bins : int, optional
        Estimate one effect per quantile bin of the moderator (2 to 10 bins)
        instead of a straight line.
    treated : str
        Name of the treatment indicator in the result.

    Returns
    -------
    statsmodels RegressionResults
        OLS on within-transformed data with standard errors clustered by
        unit. Terms: ``treated`` (and ``treated:(moderator-center)``), or one
        ``treated [moderator lo-hi]`` term per bin; then ``time[period]``
        dummies. R² is the within R². ``result.model.panel_design`` records
        the columns, the centring, the ranges of the moderator and the
        outcome (used by :func:`effect_curve` and :func:`assess_crm_fit`)
        and, with ``bins``, the bin edges.

    Examples
    --------
    >>> from crm_course.data import load
    >>> panel = load("merchant_panel")
    >>> fit = twfe_regression(panel, moderator="customer_heterogeneity")
    >>> list(fit.params.index[:2])
    ['crm_active', 'crm_active:(customer_heterogeneity-0.5)']
    """
    _check_name(treated, "treated")
    numeric = []
    if moderator is not None:
        numeric.append(_check_name(moderator, "moderator"))
        check_number(center, "center")
    if bins is not None:
        if moderator is None:
            raise ValueError("bins: needs a moderator to cut into bins; pass moderator=...")
        check_number(bins, "bins", low=2, high=10, integer=True)
    df = _prepare(panel, unit, time, start, outcome, numeric=numeric)
    sizes = df.groupby("unit")["unit"].transform("size")
    df = df[sizes > 1]
    if df.empty:
        raise ValueError("panel: every unit is observed in one period only; fixed effects need repeated observations")

    regressors: dict[str, pd.Series] = {}
    interaction = None
    moderator_range = None
    edges = None
    if moderator is None:
        regressors[treated] = df["treated"]
    else:
        h = df[_extra(moderator)]
        unit_h = h.groupby(df["unit"]).mean()
        moderator_range = (float(unit_h.min()), float(unit_h.max()))
        if bins is None:
            interaction = f"{treated}:({moderator}-{center:g})"
            regressors[treated] = df["treated"]
            regressors[interaction] = df["treated"] * (h - center)
        else:
            edges = np.unique(np.quantile(unit_h, np.linspace(0, 1, int(bins) + 1)))
            if len(edges) < 3:
                raise ValueError(f"bins: the moderator {moderator!r} takes too few distinct values for {bins} bins")
            code = np.clip(np.searchsorted(edges, h.to_numpy(), side="right") - 1, 0, len(edges) - 2)
            for b in range(len(edges) - 1):
                label = f"{treated} [{moderator} {edges[b]:.2f}-{edges[b + 1]:.2f}]"
                regressors[label] = df["treated"] * (code == b)
    periods = np.sort(df["time"].unique())
    for p in periods[1:]:
        regressors[f"{time}[{p}]"] = (df["time"] == p).astype(float)
    X = _within(pd.DataFrame(regressors, index=df.index), df["unit"])
    effect_terms = [c for c in regressors if not c.startswith(f"{time}[")]
    flat = [c for c in effect_terms if np.abs(X[c].to_numpy()).max() < 1e-12]
    if flat:
        raise ValueError(
            f"panel: the treatment does not vary within units for {flat}; two-way fixed effects need units "
            "observed both before and after they start (and some that have not started)"
        )
    y = _within(df[["y"]], df["unit"])["y"].rename(outcome)
    result = _fit_clustered(y, X, _groups(df, unit))
    ever = df["unit"].isin(df.loc[df["treated"] == 1, "unit"])
    before = df.loc[ever & (df["treated"] == 0), "y"]
    treated_h = None if moderator is None else tuple(
        float(v) for v in df.loc[ever].groupby("unit")[_extra(moderator)].mean().to_numpy())
    result.model.panel_design = PanelDesign(
        "twfe", unit, time, outcome, treated, moderator=moderator,
        center=float(center) if moderator is not None and bins is None else None,
        interaction=interaction, moderator_range=moderator_range,
        outcome_range=(float(df["y"].min()), float(df["y"].max())),
        bin_edges=None if edges is None else tuple(float(x) for x in edges),
        n_units=int(df["unit"].nunique()), n_treated_units=int(df.loc[df["treated"] == 1, "unit"].nunique()),
        treated_moderator_values=treated_h,
        treated_outcome_before_range=(float(before.min()), float(before.max())) if len(before) else None,
        treated_outcome_before_means=tuple(float(v) for v in before.groupby(df.loc[before.index, "unit"]).mean()),
    )
    return result


def _critical_values(level: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(0.5 + level / 2))


def _interaction_design(result) -> PanelDesign:
    design = getattr(getattr(result, "model", None), "panel_design", None)
    if not isinstance(design, PanelDesign) or design.interaction is None:
        raise ValueError(
            "result: expected the result of twfe_regression(..., moderator=...) without bins "
            "(a linear interaction model)"
        )
    return design


def effect_curve(result, values: Sequence[float] | np.ndarray | None = None, *, level: float = 0.95) -> pd.DataFrame:
    """The effect an interaction model implies at given moderator values.

    For the model of :func:`twfe_regression` with a moderator, the effect at
    moderator value :math:`h` is :math:`\\tau_0 + \\tau_1 (h - c)`. Its
    standard error follows from the delta method (exact here, the effect
    being linear in the coefficients):
    :math:`\\sqrt{V_{00} + 2(h-c)V_{01} + (h-c)^2 V_{11}}`, with :math:`V`
    the clustered covariance of :math:`(\\tau_0, \\tau_1)`.

    Parameters
    ----------
    result : statsmodels RegressionResults
        From ``twfe_regression(..., moderator=...)``.
    values : array-like, optional
        Moderator values; default 41 points across the treated units' range (only they
        identify the effect).
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns: the moderator's name, ``effect``, ``std_error``,
        ``conf_low``, ``conf_high``, ``in_data_range`` (inside the range
        of the moderator observed in the data).

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = twfe_regression(load("merchant_panel"), moderator="customer_heterogeneity")
    >>> curve = effect_curve(fit, [0.3, 0.7])
    >>> bool(curve["effect"].iloc[1] > curve["effect"].iloc[0])
    True
    """
    design = _interaction_design(result)
    level = _check_level(level)
    lo, hi = design.moderator_range
    if values is None:  # the adopters' range: only they identify the effect
        treated_h = np.asarray(design.treated_moderator_values or (lo, hi), dtype=float)
        values = np.linspace(treated_h.min(), treated_h.max(), 41)
    h = np.atleast_1d(np.asarray(values, dtype=float))
    if h.ndim != 1 or h.size == 0 or not np.isfinite(h).all():
        raise ValueError(f"values: expected one or more finite numbers; found {values!r}")
    names = [design.treated, design.interaction]
    b = result.params[names].to_numpy()
    V = result.cov_params().loc[names, names].to_numpy()
    d = h - design.center
    effect = b[0] + b[1] * d
    se = np.sqrt(V[0, 0] + 2 * d * V[0, 1] + d**2 * V[1, 1])
    z = _critical_values(level)
    return pd.DataFrame(
        {
            design.moderator: h,
            "effect": effect,
            "std_error": se,
            "conf_low": effect - z * se,
            "conf_high": effect + z * se,
            "in_data_range": (h >= lo - 1e-12) & (h <= hi + 1e-12),
        }
    )


def bin_positions(result) -> pd.DataFrame:
    """Where each bin of a binned fit sits: the treated units' mean moderator in the bin.

    A bin's effect is identified by its treated units only, so it is plotted at
    their mean moderator value, not at the bin's middle.

    Parameters
    ----------
    result : statsmodels RegressionResults
        From ``twfe_regression(..., moderator=..., bins=k)``.

    Returns
    -------
    pandas.DataFrame
        One row per bin (index: the effect term): ``low``, ``high`` (the bin's
        edges), ``treated_units``, ``treated_mean`` (their mean moderator),
        ``estimate``, ``conf_low``, ``conf_high`` (95%).

    Examples
    --------
    >>> from crm_course.data import load
    >>> fit = twfe_regression(load("merchant_panel"), moderator="customer_heterogeneity", bins=3)
    >>> int(bin_positions(fit)["treated_units"].sum()) == fit.model.panel_design.n_treated_units
    True
    """
    design = getattr(getattr(result, "model", None), "panel_design", None)
    if not isinstance(design, PanelDesign) or design.bin_edges is None:
        raise ValueError("result: expected the result of twfe_regression(..., moderator=..., bins=k)")
    edges = np.asarray(design.bin_edges)
    h = np.asarray(design.treated_moderator_values, dtype=float)
    code = np.clip(np.searchsorted(edges, h, side="right") - 1, 0, len(edges) - 2)
    terms = [t for t in result.params.index if t.startswith(f"{design.treated} [")]
    ci = result.conf_int()
    return pd.DataFrame(
        {
            "low": edges[:-1],
            "high": edges[1:],
            "treated_units": np.bincount(code, minlength=len(terms)),
            "treated_mean": [float(h[code == b].mean()) if (code == b).any() else np.nan for b in range(len(terms))],
            "estimate": result.params[terms].to_numpy(),
            "conf_low": ci.loc[terms, 0].to_numpy(),
            "conf_high": ci.loc[terms, 1].to_numpy(),
        },
        index=pd.Index(terms, name="term"),
    )


def plot_effect_curve(result, binned=None, *, ax=None, scale: float = 100.0, xlabel: str | None = None,
                      ylabel: str | None = None, title: str | None = None, band: str = "uniform"):
    r"""Draw an interaction model's effect line with its 95% band, and a binned fit's estimates.

    The line is drawn over the treated units' range of the moderator. With
    ``band="uniform"`` (the default) the band is Working and Hotelling's (1929):
    it covers the whole true line with 95% probability (half-width
    :math:`\sqrt{\chi^2_{2,0.95}} \approx 2.45` standard errors, for a line with two
    coefficients), so the line may be read as a whole; ``band="pointwise"`` covers
    each point separately (1.96 standard errors).

    Each bin's estimate is drawn at its treated units' mean moderator
    (:func:`bin_positions`) with its 95% interval.

    Parameters
    ----------
    result : statsmodels RegressionResults
        From ``twfe_regression(..., moderator=...)`` (linear interaction).
    binned : statsmodels RegressionResults, optional
        From ``twfe_regression(..., moderator=..., bins=k)`` on the same panel.
    ax : matplotlib Axes, optional
    scale : float
        Multiply effects by this (100: shares as percentage points).
    xlabel, ylabel, title : str, optional
        Default: the moderator's name, "Effect (pp)" and "Effect by moderator"
        (the last two in the current language).
    band : {"uniform", "pointwise"}

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    from crm_course.plots import PALETTE

    from scipy import stats

    check_number(scale, "scale", low=0, inclusive=False)
    if band not in ("uniform", "pointwise"):
        raise ValueError(f"band: expected 'uniform' or 'pointwise'; found {band!r}")
    curve = effect_curve(result)
    h = curve.iloc[:, 0].to_numpy()
    z = np.sqrt(stats.chi2.ppf(0.95, 2)) if band == "uniform" else stats.norm.ppf(0.975)
    if ax is None:
        _, ax = plt.subplots()
    ax.fill_between(h, scale * (curve["effect"] - z * curve["std_error"]),
                    scale * (curve["effect"] + z * curve["std_error"]), color=PALETTE[0], alpha=0.25,
                    label=(tr("95% uniform band (Working-Hotelling), average effect") if band == "uniform"
                           else tr("95% pointwise band, average effect")))
    ax.plot(h, scale * curve["effect"], color=PALETTE[0], label=tr("interaction model"))
    if binned is not None:
        bins = bin_positions(binned)
        est = scale * bins["estimate"].to_numpy()
        ax.errorbar(bins["treated_mean"], est, yerr=[est - scale * bins["conf_low"].to_numpy(),
                                                     scale * bins["conf_high"].to_numpy() - est],
                    fmt="s", color=PALETTE[1], capsize=4,
                    label=tr("one estimate per bin, at its adopters' mean"))
    ax.axhline(0, color="grey", linewidth=1)
    ax.set_xlabel(xlabel or _interaction_design(result).moderator)
    ax.set_ylabel(tr("Effect (pp)") if ylabel is None else ylabel)
    ax.set_title(tr("Effect by moderator") if title is None else title)
    ax.legend(frameon=False)
    return ax


def __getattr__(name: str):
    """``panel.assess_crm_fit`` still works: the assessment now lives in :mod:`crm_course.decision`."""
    if name == "assess_crm_fit":
        from crm_course.decision import assess_crm_fit

        return assess_crm_fit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
