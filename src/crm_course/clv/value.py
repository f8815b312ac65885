r"""Customer lifetime value with its units stated: per member from the purchase models, and contractual.

Two settings call for two kinds of value (chapter 5; the capstone ranks
Kopilka's members by CLV). Every function here takes the time unit of the model
and a discount rate per a stated period, converts between them itself, refuses
to mix them up, and states both in its output (:mod:`crm_course.clv.discounting`).

**Non-contractual** (a cashback service). A fitted repeat-purchase model
(BG/NBD, MBG/NBD, Pareto/NBD or BG/BB) gives the purchases a member is
expected to make, :math:`E[Y_i(t)]`, and a fitted Gamma–Gamma model
(:class:`crm_course.clv.GammaGammaFitter`) the expected value of each,
:math:`E[Z_i \mid x_i, \bar z_i]`. With a margin share :math:`m`, a discounting
period of length :math:`L` (in the model's time unit), a rate :math:`d` per
period and a horizon of :math:`H` periods,

.. math::

    \mathrm{CLV}_i = m\,E[Z_i \mid x_i, \bar z_i] \sum_{k=1}^{H}
        \frac{E[Y_i(kL)] - E[Y_i((k - 1)L)]}{(1 + d)^{k}},

optionally with an interval from the uncertainty of both models' parameters.

**Contractual** (a subscription: the firm sees the customer leave). With a
margin :math:`m` per period, one retention rate :math:`r` and a discount rate
:math:`d`, the textbook value of a customer who has just paid is (Gupta,
Lehmann & Stuart, 2004)

.. math::

    \mathrm{CLV} = \sum_{t=1}^{\infty} \frac{m\,r^{t}}{(1+d)^{t}}
                 = \frac{m\,r}{1 + d - r};

a fitted sBG model (:class:`crm_course.clv.SBGFitter`) lets retention rise
with tenure, as it does in cohorts, and values a customer who has renewed
:math:`k` times at :math:`m\,\mathrm{DERL}(d \mid k)` (Fader & Hardie, 2010),
more than the textbook formula with the cohort's average retention says.

* :func:`customer_lifetime_value` — each member's probability of being alive,
  expected purchases, expected value per purchase and CLV (and interval);
* :func:`contractual_value` — the residual value of contractual customers by
  number of renewals, from an sBG model;
* :func:`clv_contractual` — the textbook formula, vectorised;
* :func:`clv_sensitivity` — the textbook formula over every combination of
  margins, retention rates and discount rates.

:func:`customer_lifetime_value` takes any summary DataFrame with the columns
``frequency``, ``recency``, ``T`` and ``monetary_value`` (as
:func:`crm_course.clv.rfm_summary` builds from any transactions table); nothing
here is specific to Kopilka. Money is in the unit of the data.

References
----------
Fader, P. S., & Hardie, B. G. S. (2010). Customer-base valuation in a
contractual setting: The perils of ignoring heterogeneity. *Marketing
Science*, 29(1), 85–93.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using
iso-value curves for customer base analysis. *Journal of Marketing Research*,
42(4), 415–430.

Gupta, S., Lehmann, D. R., & Stuart, J. A. (2004). Valuing customers.
*Journal of Marketing Research*, 41(1), 7–18.

Examples
--------
>>> from crm_course.clv.value import clv_contractual
>>> clv_contractual(100.0, 0.8, 0.1)
266.66666666666663
>>> clv_contractual(100.0, [0.0, 0.9], 0.1).round(2)
array([  0., 450.])

Each member's CLV from two models with given parameters, fitted in weeks,
discounted monthly at 15% a year:

>>> import pandas as pd
>>> from crm_course.clv import BGNBDFitter, GammaGammaFitter, periodic_rate
>>> from crm_course.clv.value import customer_lifetime_value
>>> members = pd.DataFrame({"frequency": [0, 2, 6], "recency": [0.0, 20.0, 50.0], "T": [52.0] * 3,
...                         "monetary_value": [0.0, 40.0, 60.0]})
>>> purchases = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> spend = GammaGammaFitter.from_params(p=6.25, q=3.74, gamma=15.44)
>>> clv = customer_lifetime_value(purchases, spend, members, margin=0.1, time_unit="W", period="M",
...                               discount_rate=periodic_rate(0.15, "Y", "M"), horizon=12)
>>> list(clv.columns)
['probability_alive', 'expected_purchases', 'expected_average_value', 'clv']
>>> bool(clv["clv"].iloc[2] > clv["clv"].iloc[1])
True

A yearly rate passed as a weekly one is refused, with the conversion:

>>> customer_lifetime_value(purchases, spend, members, margin=0.1, time_unit="W", period="W",
...                         discount_rate=0.15, horizon=52)
Traceback (most recent call last):
...
ValueError: discount_rate: 0.15 a week compounds to 146,835% a year, ... periodic_rate(0.15, 'Y', 'W') = 0.002682 a week
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import _RFM, _array
from crm_course.clv.discounting import _discounting, _same_period, _stated
from crm_course.clv.gamma_gamma import GammaGammaFitter
from crm_course.clv.sbg import SBGFitter
from crm_course.validation import check_frame, check_number

__all__ = [
    "clv_contractual",
    "clv_sensitivity",
    "contractual_value",
    "customer_lifetime_value",
]


def _spend_value(theta: np.ndarray, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Gamma-Gamma E[Z | x, z] at parameters theta = (p, q, gamma); the population mean where x = 0."""
    p, q, gamma = theta
    denominator = p * x + q - 1
    return np.where(denominator > 0, p * (gamma + x * np.where(x > 0, z, 0.0)) / np.where(denominator > 0,
                                                                                       denominator, 1.0), np.inf)


def customer_lifetime_value(
    purchases: Any,
    spend: GammaGammaFitter,
    summary: pd.DataFrame,
    *,
    margin: float,
    time_unit: str,
    discount_rate: float,
    period: str,
    horizon: int,
    interval: float | None = None,
) -> pd.DataFrame:
    r"""Discounted expected margin of every member over a horizon, with its units stated.

    .. math::

        \mathrm{CLV}_i = m\,E[Z_i \mid x_i, \bar z_i] \sum_{k=1}^{H}
            \frac{E[Y_i(kL)] - E[Y_i((k - 1)L)]}{(1 + d)^{k}}

    The purchases expected in discounting period ``k`` (from the fitted
    repeat-purchase model) times the expected value per purchase (from the
    fitted Gamma–Gamma) times the margin share, discounted to the end of the
    period, summed over ``horizon`` periods. ``L`` is the length of the
    discounting period in the model's time unit (a month is 4.35 weeks):
    the function converts it from ``period`` and ``time_unit`` itself.
    Members without repeat purchases get the population mean spend.

    Parameters
    ----------
    purchases : BGNBDFitter, MBGNBDFitter, ParetoNBDFitter or BGBBFitter
        Fitted on ``summary``'s columns, in ``time_unit``.
    spend : GammaGammaFitter
        Fitted spend model.
    summary : pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` and ``monetary_value``, one
        row per member (as :func:`rfm_summary` builds it). A summary has no
        key column, so repeated rows are not detected: each row is valued.
    margin : float
        Share of spend kept as margin, in [0, 1].
    time_unit : {"D", "W", "M", "Q", "Y"}
        The unit of ``recency`` and ``T``, in which ``purchases`` was fitted
        (``"W"`` for :func:`crm_course.clv.rfm_summary`'s default; for the
        BG/BB, the time between transaction opportunities).
    discount_rate : float
        Discount rate per ``period``, >= 0. A rate that compounds to more
        than 100% a year over a period shorter than a year is refused as a
        likely yearly rate (convert it with
        :func:`crm_course.clv.periodic_rate`).
    period : {"D", "W", "M", "Q", "Y"}
        The period ``discount_rate`` is per, which is also the discounting
        step. For the BG/BB it must be ``time_unit`` (one step per
        opportunity).
    horizon : int
        Number of discounting periods, >= 1.
    interval : float, optional
        Add ``clv_lower`` and ``clv_upper``, an interval of this level
        (e.g. 0.95) for each member's CLV from the uncertainty of both
        models' parameters: the delta method on log CLV, with the two
        models' covariance matrices (independent fits). It needs fitted
        models, not ones from ``from_params``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``: ``probability_alive``,
        ``expected_purchases`` (over the horizon, undiscounted),
        ``expected_average_value`` and ``clv`` (and the interval).
        ``attrs`` states the units: ``time_unit``, ``period``,
        ``discount_rate`` (per period), ``annual_discount_rate``,
        ``horizon``, ``margin`` and how the interval was computed.

    Raises
    ------
    ValueError
        For bad input, unknown units, a discount rate that looks yearly but
        is given per week or month, or (BG/BB) a discounting period other
        than the model's time unit.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import (BGNBDFitter, GammaGammaFitter, customer_lifetime_value, periodic_rate,
    ...                             simulate_bgnbd, simulate_gamma_gamma)
    >>> rng = np.random.default_rng(4)
    >>> members = simulate_bgnbd(5_000, r=0.3, alpha=4.0, a=0.8, b=2.5, T=52.0, rng=rng)
    >>> members["monetary_value"] = simulate_gamma_gamma(members["frequency"], 6.0, 4.0, 15.0, rng)
    >>> clv = customer_lifetime_value(BGNBDFitter().fit(members), GammaGammaFitter().fit(members), members,
    ...                               margin=0.1, time_unit="W", period="M",
    ...                               discount_rate=periodic_rate(0.15, "Y", "M"), horizon=12, interval=0.95)
    >>> list(clv.columns)
    ['probability_alive', 'expected_purchases', 'expected_average_value', 'clv', 'clv_lower', 'clv_upper']
    >>> clv.attrs["time_unit"], clv.attrs["period"], round(clv.attrs["annual_discount_rate"], 4)
    ('W', 'M', 0.15)
    """
    if not hasattr(purchases, "_conditional_cumulative"):
        raise TypeError(f"purchases: expected a fitted BGNBDFitter, MBGNBDFitter, ParetoNBDFitter or BGBBFitter; "
                        f"found {type(purchases).__name__}")
    if not isinstance(spend, GammaGammaFitter):
        raise TypeError(f"spend: expected a fitted GammaGammaFitter; found {type(spend).__name__}")
    theta_p, theta_s = purchases._require_fit(), spend._require_fit()
    frame = purchases._input(summary, None, None, None)
    check_frame(summary, {"monetary_value": "numeric"}, name="summary")
    margin = check_number(margin, "margin", low=0, high=1)
    horizon = int(check_number(horizon, "horizon", low=1, integer=True))
    units = _discounting(time_unit, discount_rate, period)
    if getattr(purchases, "_discrete", False):
        _same_period(units, type(purchases).__name__)
    if interval is not None:
        interval = check_number(interval, "interval", low=0, high=1, inclusive=False)

    x, tx, T = (frame[c].to_numpy(dtype=float) for c in _RFM)
    z = summary["monetary_value"].to_numpy(dtype=float)
    spend.conditional_expected_average_value(x, z)  # checks the spend columns
    ends = units["period_length"] * np.arange(1, horizon + 1)
    discount = (1.0 + units["discount_rate"]) ** -np.arange(1, horizon + 1)

    def value(theta_purchases: np.ndarray, theta_spend: np.ndarray) -> tuple[np.ndarray, ...]:
        alive, cumulative = purchases._conditional_cumulative(theta_purchases, x, tx, T, ends)
        per_purchase = _spend_value(theta_spend, x, z)
        discounted = np.diff(cumulative, axis=1, prepend=0.0) @ discount
        return alive, cumulative[:, -1], per_purchase, margin * per_purchase * discounted

    alive, expected, per_purchase, clv = value(theta_p, theta_s)
    out = pd.DataFrame({"probability_alive": alive, "expected_purchases": expected,
                        "expected_average_value": per_purchase, "clv": clv}, index=summary.index)
    how = None
    if interval is not None:
        out["clv_lower"], out["clv_upper"] = _delta_interval(value, purchases, spend, clv, interval)
        how = (f"{interval:.0%} delta-method interval on log CLV from the parameters' covariance "
               "(inverse observed information of each model)")
    out.attrs.update(_stated(units, horizon=horizon, margin=margin, interval=how))
    return out


def _delta_interval(value: Any, purchases: Any, spend: GammaGammaFitter, clv: np.ndarray,
                    level: float) -> tuple[np.ndarray, np.ndarray]:
    """Delta method on log CLV: the gradient in every parameter of both models by central differences."""
    from scipy.special import ndtri

    cov = np.zeros((purchases.params_.size + spend.params_.size,) * 2)
    k = purchases.params_.size
    cov[:k, :k] = purchases.variance_matrix_.to_numpy()
    cov[k:, k:] = spend.variance_matrix_.to_numpy()
    if not np.isfinite(cov).all():
        raise ValueError("interval: the models have no standard errors (made with from_params, or a Hessian that "
                         "was not positive definite); fit them to data for an interval")
    theta = np.concatenate([purchases.params_.to_numpy(), spend.params_.to_numpy()])
    positive = clv > 0
    log_clv = np.log(np.where(positive, clv, 1.0))
    grad = np.empty((clv.size, theta.size))
    for j in range(theta.size):  # the models' few parameters, not members
        step = 1e-4 * theta[j]
        shifted = []
        for sign in (1.0, -1.0):
            th = theta.copy()
            th[j] += sign * step
            shifted.append(np.log(np.where(positive, value(th[:k], th[k:])[3], 1.0)))
        grad[:, j] = (shifted[0] - shifted[1]) / (2 * step)
    se = np.sqrt(np.einsum("ij,jk,ik->i", grad, cov, grad))
    z = ndtri(0.5 + level / 2)
    return (np.where(positive, np.exp(log_clv - z * se), 0.0), np.where(positive, np.exp(log_clv + z * se), 0.0))


def contractual_value(
    model: SBGFitter,
    *,
    margin: float,
    time_unit: str,
    discount_rate: float,
    period: str,
    renewals: Any = 0,
) -> pd.DataFrame:
    r"""Expected residual lifetime value of contractual customers from a fitted sBG model (Fader & Hardie, 2010).

    A customer who has renewed ``k`` times, just before the next renewal
    decision, is worth :math:`m\,\mathrm{DERL}(d \mid k)`: the margin per
    period times the discounted expected number of payments still to come
    (:meth:`crm_course.clv.SBGFitter.derl`), which grows with ``k`` because
    the customers who remain are the loyal ones. The textbook
    :func:`clv_contractual` with one retention rate ignores that; with no
    heterogeneity, :math:`m\,\mathrm{DERL} = (1 + d)` times its value.

    Parameters
    ----------
    model : SBGFitter
        Fitted on survival counts per renewal period.
    margin : float
        Margin received at each renewal (any finite number).
    time_unit : {"D", "W", "M", "Q", "Y"}
        The renewal period of the model ("Y" for annual contracts).
    discount_rate : float
        Discount rate per ``period``, > 0.
    period : {"D", "W", "M", "Q", "Y"}
        The period ``discount_rate`` is per; it must be ``time_unit`` (the
        model discounts once per renewal), and the error says how to
        convert a rate per another period.
    renewals : int or array-like of int
        Renewals made so far, >= 0 (one row each).

    Returns
    -------
    pandas.DataFrame
        Index ``renewals``: ``retention_next`` (probability of renewing at
        the coming decision), ``derl`` and ``residual_value``
        (``margin * derl``). ``attrs`` states the units and the margin.

    Examples
    --------
    >>> from crm_course.clv import SBGFitter, contractual_value
    >>> regular = SBGFitter.from_params(gamma=0.704, delta=1.182)
    >>> table = contractual_value(regular, margin=100.0, time_unit="Y", discount_rate=0.1, period="Y",
    ...                           renewals=[0, 4])
    >>> table.round(2)
              retention_next  derl  residual_value
    renewals
    0                   0.63  2.96          296.47
    4                   0.88  5.89          589.44
    >>> table.attrs["period"]
    'Y'
    """
    if not isinstance(model, SBGFitter):
        raise TypeError(f"model: expected a fitted SBGFitter; found {type(model).__name__}")
    gamma, delta = model._require_fit()
    margin = float(_array(margin, "margin"))
    units = _discounting(time_unit, discount_rate, period)
    _same_period(units, "sBG model")
    if units["discount_rate"] <= 0:
        raise ValueError("discount_rate: expected > 0 (undiscounted, a customer base with loyal members has an "
                         "infinite expected lifetime); found 0")
    k = np.atleast_1d(model._periods(renewals, "renewals")).ravel()
    derl = np.atleast_1d(model.derl(units["discount_rate"], k))
    out = pd.DataFrame({"retention_next": (delta + k) / (gamma + delta + k), "derl": derl,
                        "residual_value": margin * derl}, index=pd.Index(k.astype(np.int64), name="renewals"))
    out.attrs.update(_stated(units, margin=margin))
    return out


def clv_contractual(margin: Any, retention: Any, discount: Any, *, period: str | None = None) -> Any:
    r"""Lifetime value of a contractual customer, m r / (1 + d - r) (Gupta, Lehmann & Stuart, 2004).

    The margin ``m`` is earned at the end of every period the customer stays;
    the customer stays each period with probability ``r`` and money is
    discounted at ``d`` per period: :math:`\sum_{t \ge 1} m r^t / (1 + d)^t`.
    The customer's current period, already paid, is not included.

    Parameters
    ----------
    margin : float or array-like
        Margin per period (any finite number; a loss-making customer has a
        negative one).
    retention : float or array-like
        Retention rate per period, in [0, 1].
    discount : float or array-like
        Discount rate per period, >= 0; must be > 0 where retention is 1.
    period : {"D", "W", "M", "Q", "Y"}, optional
        The period all three inputs are per. Stating it lets the function
        refuse a discount rate that compounds to more than 100% a year over
        a period shorter than a year (a yearly rate used as a monthly one).

    Returns
    -------
    float or numpy.ndarray
        Broadcast over the three inputs, in money per ``period``'s margin
        unit, valued at the start of a period just paid for.

    Examples
    --------
    >>> clv_contractual(100.0, 0.8, 0.1)
    266.66666666666663
    >>> clv_contractual(100.0, [0.0, 0.9], 0.1).round(2)
    array([  0., 450.])
    """
    m = _array(margin, "margin")
    r = _array(retention, "retention", low=0, high=1)
    d = _array(discount, "discount", low=0)
    try:
        m, r, d = np.broadcast_arrays(m, r, d)
    except ValueError:
        raise ValueError(
            f"margin, retention, discount: expected shapes that broadcast; found {np.shape(margin)}, "
            f"{np.shape(retention)}, {np.shape(discount)}"
        ) from None
    if period is not None:
        _discounting(period, float(d.max()), period)
    if ((r == 1) & (d == 0)).any():
        raise ValueError(
            "discount: expected > 0 where retention is 1 (a customer who never leaves, undiscounted, "
            "is worth an infinite amount); found 0"
        )
    value = m * r / (1 + d - r)
    return float(value) if value.ndim == 0 else value


def clv_sensitivity(margin: Iterable[float] | float, retention: Iterable[float] | float,
                    discount: Iterable[float] | float, *, period: str | None = None) -> pd.DataFrame:
    """Contractual CLV over every combination of margins, retention rates and discount rates.

    Parameters
    ----------
    margin, retention, discount : float or iterable of float
        The values to try (see :func:`clv_contractual`).
    period : {"D", "W", "M", "Q", "Y"}, optional
        The period the inputs are per; checked as in :func:`clv_contractual`
        and stated in ``attrs["period"]``.

    Returns
    -------
    pandas.DataFrame
        Tidy: one row per combination with columns ``margin``, ``retention``,
        ``discount`` and ``clv`` (pivot it for a table, or plot ``clv``
        against ``retention`` by ``discount``).

    Examples
    --------
    >>> clv_sensitivity(100.0, [0.8, 0.9], 0.1)
       margin  retention  discount         clv
    0   100.0        0.8       0.1  266.666667
    1   100.0        0.9       0.1  450.000000
    """
    grids = []
    for value, label in ((margin, "margin"), (retention, "retention"), (discount, "discount")):
        arr = np.atleast_1d(_array(value, label))
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{label}: expected a number or a non-empty 1-D list of numbers; found {value!r}")
        grids.append(arr)
    m, r, d = (g.ravel() for g in np.meshgrid(*grids, indexing="ij"))
    table = pd.DataFrame({"margin": m, "retention": r, "discount": d,
                          "clv": clv_contractual(m, r, d, period=period)})
    table.attrs["period"] = period
    return table
