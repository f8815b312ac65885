r"""How much one unit's treatment effect can differ from the average: unit effects, their spread, prediction intervals.

A panel regression (:mod:`crm_course.panel`) estimates the *average* effect of a
treatment, perhaps as a line in a moderator :math:`h`. A manager deciding for *one*
firm needs more: how far a single firm's effect can fall from that line. Chapter 2
uses this to judge whether CRM will pay for one particular firm.

* :func:`unit_effects` -- each treated unit's own difference-in-differences: the
  change in its outcome from before to after it started, against the same years of
  the never-treated units, with a standard error;
* :func:`effect_spread` -- a random-effects meta-regression of those unit effects on
  the moderator (DerSimonian & Laird's method of moments, with covariates): the
  average effect line, the between-unit standard deviation :math:`\tau` that
  sampling noise does not explain, and Cochran's :math:`Q` test that
  :math:`\tau = 0`; it returns an :class:`EffectSpread`, whose
  :meth:`~EffectSpread.predict` gives, at chosen moderator values, a **confidence
  interval** for the average effect and a **prediction interval** for one new unit.

The model: unit :math:`i`'s estimated effect is
:math:`\hat\theta_i = x_i'\beta + u_i + e_i`, with :math:`u_i \sim (0, \tau^2)` the unit's
own deviation and :math:`e_i \sim (0, s_i^2)` its sampling error. The average effect at
:math:`x` has variance :math:`x'Cx` (:math:`C` the covariance of :math:`\hat\beta`), so its
confidence interval shrinks as units are added; a new unit's effect has variance
:math:`x'Cx + \tau^2`, which never falls below :math:`\tau^2`. Intervals for one unit use a
:math:`t` distribution with :math:`k - p - 1` degrees of freedom (:math:`k` units,
:math:`p` coefficients), as Higgins, Thompson & Spiegelhalter (2009) recommend.

Assumptions: parallel trends between each treated unit and the never-treated ones;
an effect constant after the start (a ramp is averaged); unit effects independent
of their sampling errors; and, for the standard errors of :func:`unit_effects`,
noise independent over periods with one variance for all treated units. These
functions work on any panel; column names are arguments, Kopilka's names only the
defaults.

References
----------
DerSimonian, R. & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled
Clinical Trials*, 7(3), 177-188.
Higgins, J. P. T., Thompson, S. G. & Spiegelhalter, D. J. (2009). A re-evaluation of
random-effects meta-analysis. *Journal of the Royal Statistical Society A*, 172(1),
137-159.
Raudenbush, S. W. (2009). Analyzing effect sizes: random-effects models. In H. Cooper,
L. V. Hedges & J. C. Valentine (eds), *The Handbook of Research Synthesis and
Meta-Analysis* (2nd ed., pp. 295-315). New York: Russell Sage Foundation.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.effect_heterogeneity import effect_spread, unit_effects
>>> effects = unit_effects(load("merchant_panel"), moderator="customer_heterogeneity")
>>> spread = effect_spread(effects, moderator="customer_heterogeneity", center=0.5)
>>> table = spread.predict([0.5])
>>> bool(table["pred_high"].iloc[0] - table["pred_low"].iloc[0] > table["conf_high"].iloc[0] - table["conf_low"].iloc[0])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_course.panel import _extra, _prepare
from crm_course.validation import check_frame, check_number

__all__ = ["EffectSpread", "effect_spread", "unit_effects"]


def unit_effects(
    panel: pd.DataFrame,
    *,
    unit: str = "merchant_id",
    time: str = "year",
    start: str = "crm_adoption_year",
    outcome: str = "repeat_rate",
    moderator: str | None = None,
) -> pd.DataFrame:
    r"""Each treated unit's own difference-in-differences against the never-treated units.

    With :math:`\bar y^{\,c}_t` the mean outcome of the never-treated units in period
    :math:`t` and :math:`d_{it} = y_{it} - \bar y^{\,c}_t`, unit :math:`i`'s effect is
    :math:`\hat\theta_i = \overline{d}_{i,\mathrm{post}} - \overline{d}_{i,\mathrm{pre}}`
    (periods from its start on, against periods before). Its standard error is
    :math:`s\sqrt{1/n_{\mathrm{pre}} + 1/n_{\mathrm{post}}}`, with :math:`s` the pooled
    within-unit standard deviation of :math:`d` around each unit's pre and post means
    (noise assumed independent over periods and alike across units; the control means'
    own noise, shared by all units, is ignored -- small with many never-treated units).

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period. Not modified.
    unit, time, start, outcome : str
        Columns: unit label, period (integer), the period the unit started the
        treatment (empty if never) and the outcome.
    moderator : str, optional
        A numeric column, constant within a unit, to carry into the result.

    Returns
    -------
    pandas.DataFrame
        One row per treated unit with at least one period before and one after its
        start: ``unit``, ``start``, ``effect``, ``std_error``, ``n_pre``, ``n_post`` and
        the moderator if given. ``attrs["excluded"]`` counts treated units left out
        (no period before or after the start).

    Examples
    --------
    >>> import pandas as pd
    >>> toy = pd.DataFrame({"firm": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3],
    ...                     "year": [1, 2, 3, 4] * 3,
    ...                     "start": [3] * 4 + [None] * 8,
    ...                     "y": [0.30, 0.32, 0.40, 0.41, 0.20, 0.21, 0.22, 0.23, 0.40, 0.41, 0.42, 0.43]})
    >>> unit_effects(toy, unit="firm", time="year", start="start", outcome="y")[["unit", "effect"]].round(3)
       unit  effect
    0     1   0.075
    """
    numeric = [moderator] if moderator is not None else []
    if moderator is not None and moderator in (unit, time, start, outcome):
        raise ValueError(f"moderator: expected a column other than unit, time, start and outcome; found {moderator!r}")
    df = _prepare(panel, unit, time, start, outcome, numeric=numeric)
    never = df["start"].isna()
    if not never.any():
        raise ValueError(f"panel: unit effects are measured against never-treated units; every {unit!r} "
                         f"has a value in {start!r}")
    if moderator is not None:
        per_unit = df.groupby("unit", sort=False)[_extra(moderator)].nunique()
        if (per_unit > 1).any():
            raise ValueError(f"panel: column {moderator!r} should be constant within a unit; found several values "
                             f"for {unit}={per_unit[per_unit > 1].index[0]!r}")
    control = df.loc[never].groupby("time")["y"].mean()
    treated = df.loc[~never].copy()
    treated = treated[treated["time"].isin(control.index)]
    treated["d"] = treated["y"].to_numpy() - control.reindex(treated["time"]).to_numpy()
    treated["post"] = treated["time"] >= treated["start"]
    g = treated.groupby(["unit", "post"], sort=False)["d"]
    stats = g.agg(["mean", "count"]).unstack("post")
    sq = (treated["d"] - g.transform("mean")) ** 2
    ss = sq.groupby(treated["unit"], sort=False).sum()
    complete = stats[("count", True)].notna() & stats[("count", False)].notna()
    kept = stats.index[complete.to_numpy()]
    n_pre = stats.loc[kept, ("count", False)].to_numpy(dtype=float)
    n_post = stats.loc[kept, ("count", True)].to_numpy(dtype=float)
    dof = float((n_pre + n_post - 2).sum())
    if len(kept) == 0:
        raise ValueError("panel: no treated unit has a period both before and after its start")
    if dof <= 0:
        raise ValueError("panel: too few periods to estimate the noise; each treated unit needs at least "
                         "three periods in all")
    s = float(np.sqrt(ss.loc[kept].sum() / dof))
    out = pd.DataFrame(
        {
            "unit": kept.to_numpy(),
            "start": treated.groupby("unit", sort=False)["start"].first().loc[kept].to_numpy(),
            "effect": (stats.loc[kept, ("mean", True)] - stats.loc[kept, ("mean", False)]).to_numpy(dtype=float),
            "std_error": s * np.sqrt(1 / n_pre + 1 / n_post),
            "n_pre": n_pre.astype(int),
            "n_post": n_post.astype(int),
        }
    )
    if moderator is not None:
        out[moderator] = treated.groupby("unit", sort=False)[_extra(moderator)].first().loc[kept].to_numpy()
    out.attrs["excluded"] = int(len(stats) - len(kept))
    return out


@dataclass(frozen=True)
class EffectSpread:
    """A random-effects meta-regression of unit effects (from :func:`effect_spread`).

    Attributes
    ----------
    params : pandas.Series
        ``intercept`` (the average effect at the moderator's ``center``) and, with a
        moderator, its ``slope``.
    cov : pandas.DataFrame
        Covariance of ``params``.
    tau : float
        Standard deviation of units' effects around the line, beyond sampling noise.
    q, q_df, q_p_value : float, int, float
        Cochran's Q, its degrees of freedom and the p-value of the test that tau = 0.
    i_squared : float
        Share of the variation in estimated effects that is between units, not noise.
    n_units : int
        Units in the fit.
    moderator : str or None
        The moderator's column name.
    center : float
        The moderator value at which ``intercept`` is the average effect.
    moderator_range : tuple of float
        The smallest and largest moderator value among the units (outside it, a
        prediction is an extrapolation).
    """

    params: pd.Series
    cov: pd.DataFrame
    tau: float
    q: float
    q_df: int
    q_p_value: float
    i_squared: float
    n_units: int
    moderator: str | None
    center: float
    moderator_range: tuple[float, float]

    def predict(self, values: float | Sequence[float] | None = None, *, level: float = 0.95) -> pd.DataFrame:
        """Average effect and one new unit's effect at chosen moderator values.

        Parameters
        ----------
        values : float or sequence of float, optional
            Moderator values (ignored without a moderator; then one row).
        level : float
            Coverage of both intervals.

        Returns
        -------
        pandas.DataFrame
            ``value``, ``effect``, ``std_error``, ``conf_low``/``conf_high`` (the
            average effect of units like this), ``pred_low``/``pred_high`` (the effect
            of one new unit like this), ``in_range``.
        """
        from scipy import stats

        check_number(level, "level", low=0, high=1, inclusive=False)
        if self.moderator is None:
            x = np.ones((1, 1))
            shown = np.array([np.nan])
        else:
            if values is None:
                raise ValueError(f"values: expected the {self.moderator!r} values to predict at; found None")
            shown = np.atleast_1d(np.asarray(values, dtype=float))
            if shown.ndim != 1 or not np.isfinite(shown).all():
                raise ValueError(f"values: expected finite numbers; found {values!r}")
            x = np.column_stack([np.ones_like(shown), shown - self.center])
        beta = self.params.to_numpy()
        cov = self.cov.to_numpy()
        effect = x @ beta
        se = np.sqrt(np.einsum("ij,jk,ik->i", x, cov, x))
        z = stats.norm.ppf(0.5 + level / 2)
        dof = max(self.n_units - len(beta) - 1, 1)
        t = stats.t.ppf(0.5 + level / 2, dof)
        pred_se = np.sqrt(se**2 + self.tau**2)
        lo, hi = self.moderator_range
        return pd.DataFrame(
            {
                "value": shown,
                "effect": effect,
                "std_error": se,
                "conf_low": effect - z * se,
                "conf_high": effect + z * se,
                "pred_low": effect - t * pred_se,
                "pred_high": effect + t * pred_se,
                "in_range": True if self.moderator is None else (shown >= lo) & (shown <= hi),
            }
        )


def effect_spread(
    effects: pd.DataFrame,
    *,
    moderator: str | None = None,
    center: float | None = None,
    effect: str = "effect",
    std_error: str = "std_error",
) -> EffectSpread:
    r"""Random-effects meta-regression of unit effects: the average line and the spread around it.

    Fixed-effect weights :math:`w_i = 1/s_i^2` give :math:`\hat\beta_{FE}` and Cochran's
    :math:`Q = \sum_i w_i(\hat\theta_i - x_i'\hat\beta_{FE})^2`; the method-of-moments
    (DerSimonian-Laird) estimate of the between-unit variance is

    .. math::

        \hat\tau^2 = \max\Bigl(0, \frac{Q - (k - p)}{\sum_i w_i - \operatorname{tr}
            [(X'WX)^{-1} X'W^2X]}\Bigr),

    and the coefficients are refitted with weights :math:`1/(s_i^2 + \hat\tau^2)`.

    Parameters
    ----------
    effects : pandas.DataFrame
        One row per unit with an effect estimate and its standard error, e.g. from
        :func:`unit_effects`. Not modified.
    moderator : str, optional
        Numeric column the average effect varies with (linearly).
    center : float, optional
        Moderator value at which the intercept is read (default: the mean).
    effect, std_error : str
        Columns with the estimates and their standard errors (> 0).

    Returns
    -------
    EffectSpread

    Examples
    --------
    >>> import pandas as pd
    >>> spread = effect_spread(pd.DataFrame({"effect": [0.1, 0.3, 0.2, 0.5], "std_error": [0.1, 0.1, 0.1, 0.1]}))
    >>> round(spread.tau, 3), round(float(spread.params["intercept"]), 3)
    (0.138, 0.275)
    """
    from scipy import stats

    kinds = {effect: "numeric", std_error: "numeric"}
    if moderator is not None:
        kinds[moderator] = "numeric"
    check_frame(effects, kinds, name="effects")
    y = effects[effect].to_numpy(dtype=float)
    s = effects[std_error].to_numpy(dtype=float)
    for values, col in ((y, effect), (s, std_error)):
        if not np.isfinite(values).all():
            raise ValueError(f"effects: column {col!r} has missing or infinite values")
    if (s <= 0).any():
        raise ValueError(f"effects: column {std_error!r} should be > 0; found {float(s[s <= 0][0])!r}")
    k = len(y)
    p = 1 if moderator is None else 2
    if k < p + 2:
        raise ValueError(f"effects: expected at least {p + 2} units to estimate the spread; found {k}")
    names = ["intercept"]
    h_range = (np.nan, np.nan)
    if moderator is None:
        X = np.ones((k, 1))
        c = 0.0
    else:
        h = effects[moderator].to_numpy(dtype=float)
        if not np.isfinite(h).all():
            raise ValueError(f"effects: column {moderator!r} has missing or infinite values")
        if np.ptp(h) == 0:
            raise ValueError(f"effects: column {moderator!r} takes one value; a slope needs several")
        c = float(h.mean()) if center is None else float(check_number(center, "center"))
        X = np.column_stack([np.ones(k), h - c])
        names.append("slope")
        h_range = (float(h.min()), float(h.max()))
    w = 1 / s**2
    XtW = X.T * w
    A = np.linalg.inv(XtW @ X)
    beta_fe = A @ XtW @ y
    resid = y - X @ beta_fe
    q = float(np.sum(w * resid**2))
    q_df = k - p
    trace = float(w.sum() - np.trace(A @ (X.T * w**2) @ X))
    tau2 = max(0.0, (q - q_df) / trace)
    w_re = 1 / (s**2 + tau2)
    XtW_re = X.T * w_re
    cov = np.linalg.inv(XtW_re @ X)
    beta = cov @ XtW_re @ y
    return EffectSpread(
        params=pd.Series(beta, index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        tau=float(np.sqrt(tau2)),
        q=q,
        q_df=int(q_df),
        q_p_value=float(stats.chi2.sf(q, q_df)),
        i_squared=float(max(0.0, (q - q_df) / q)) if q > 0 else 0.0,
        n_units=int(k),
        moderator=moderator,
        center=c,
        moderator_range=h_range,
    )

