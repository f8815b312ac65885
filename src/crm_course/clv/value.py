r"""Customer lifetime value: the contractual formula and each member's CLV from the BG/NBD and Gamma–Gamma models.

Two settings call for two kinds of value (chapter 5; the capstone ranks
Kopilka's members by CLV).

**Contractual** (a subscription: the firm sees the customer leave). With a
margin :math:`m` per period, a retention rate :math:`r` and a discount rate
:math:`d`, the value of a customer who has just paid is (Gupta, Lehmann &
Stuart, 2004)

.. math::

    \mathrm{CLV} = \sum_{t=1}^{\infty} \frac{m\,r^{t}}{(1+d)^{t}}
                 = \frac{m\,r}{1 + d - r}.

**Non-contractual** (a cashback service). A fitted BG/NBD model
(:class:`crm_course.clv.BGNBDFitter`) gives the purchases a member is expected
to make, :math:`E[Y_i(t)]`, and a fitted Gamma–Gamma model
(:class:`crm_course.clv.GammaGammaFitter`) the expected value of each,
:math:`E[Z_i \mid x_i, \bar z_i]`. With a margin share :math:`m`, a discounting
period of length :math:`L` (in the summary's time unit), a rate :math:`d` per
period and a horizon of :math:`H` periods,

.. math::

    \mathrm{CLV}_i = m\,E[Z_i \mid x_i, \bar z_i] \sum_{k=1}^{H}
        \frac{E[Y_i(kL)] - E[Y_i((k - 1)L)]}{(1 + d)^{k}}.

* :func:`clv_contractual` — the contractual formula, vectorised;
* :func:`clv_sensitivity` — the contractual CLV over every combination of
  margins, retention rates and discount rates;
* :func:`customer_lifetime_value` — each member's probability of being alive,
  expected purchases, expected value per purchase and CLV.

:func:`customer_lifetime_value` takes any summary DataFrame with the columns
``frequency``, ``recency``, ``T`` and ``monetary_value`` (as
:func:`crm_course.clv.rfm_summary` builds from any transactions table); nothing
here is specific to Kopilka. Money is in the unit of the data.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

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

Each member's CLV from two models with given parameters:

>>> import pandas as pd
>>> from crm_course.clv import BGNBDFitter, GammaGammaFitter
>>> from crm_course.clv.value import customer_lifetime_value
>>> members = pd.DataFrame({"frequency": [0, 2, 6], "recency": [0.0, 20.0, 50.0], "T": [52.0] * 3,
...                         "monetary_value": [0.0, 40.0, 60.0]})
>>> purchases = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
>>> spend = GammaGammaFitter.from_params(p=6.25, q=3.74, gamma=15.44)
>>> clv = customer_lifetime_value(purchases, spend, members, margin=0.1)
>>> list(clv.columns)
['probability_alive', 'expected_purchases', 'expected_average_value', 'clv']
>>> bool(clv["clv"].iloc[2] > clv["clv"].iloc[1])
True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.bgnbd import BGNBDFitter, _alive_logit, _bgnbd_future
from crm_course.clv.checks import _RFM, _array, _rfm_input
from crm_course.clv.fitting import _softplus
from crm_course.clv.gamma_gamma import GammaGammaFitter
from crm_course.validation import check_frame, check_number

__all__ = [
    "clv_contractual",
    "clv_sensitivity",
    "customer_lifetime_value",
]


def customer_lifetime_value(
    purchases: BGNBDFitter,
    spend: GammaGammaFitter,
    summary: pd.DataFrame,
    *,
    margin: float,
    horizon: int = 12,
    period_length: float = 365.25 / 12 / 7,
    discount_rate: float = 0.01,
) -> pd.DataFrame:
    r"""Discounted expected margin of every member over a horizon.

    .. math::

        \mathrm{CLV}_i = m\,E[Z_i \mid x_i, \bar z_i] \sum_{k=1}^{H}
            \frac{E[Y_i(kL)] - E[Y_i((k - 1)L)]}{(1 + d)^{k}}

    The purchases expected in discounting period ``k`` (from the fitted
    BG/NBD) times the expected value per purchase (from the fitted
    Gamma–Gamma) times the margin share, discounted to the end of the period,
    summed over ``horizon`` periods. Members without repeat purchases get the
    population mean spend.

    Parameters
    ----------
    purchases : BGNBDFitter
        Fitted on the same time unit as ``summary``.
    spend : GammaGammaFitter
        Fitted spend model.
    summary : pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` and ``monetary_value``, one
        row per member (as :func:`rfm_summary` builds it). A summary has no
        key column, so repeated rows are not detected: each row is valued.
    margin : float
        Share of spend kept as margin, in [0, 1].
    horizon : int
        Number of discounting periods (default 12).
    period_length : float
        Length of one discounting period in the summary's time unit (default
        an average month in weeks, 4.35).
    discount_rate : float
        Discount rate per period, >= 0 (default 1% a month, about 12.7% a year).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``: ``probability_alive``,
        ``expected_purchases`` (over the horizon, undiscounted),
        ``expected_average_value`` and ``clv``.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import (BGNBDFitter, GammaGammaFitter, customer_lifetime_value,
    ...                             simulate_bgnbd, simulate_gamma_gamma)
    >>> rng = np.random.default_rng(4)
    >>> members = simulate_bgnbd(5_000, r=0.3, alpha=4.0, a=0.8, b=2.5, T=52.0, rng=rng)
    >>> members["monetary_value"] = simulate_gamma_gamma(members["frequency"], 6.0, 4.0, 15.0, rng)
    >>> clv = customer_lifetime_value(BGNBDFitter().fit(members), GammaGammaFitter().fit(members),
    ...                               members, margin=0.1)
    >>> list(clv.columns)
    ['probability_alive', 'expected_purchases', 'expected_average_value', 'clv']
    """
    for model, label, cls in ((purchases, "purchases", BGNBDFitter), (spend, "spend", GammaGammaFitter)):
        if not isinstance(model, cls):
            raise TypeError(f"{label}: expected a fitted {cls.__name__}; found {type(model).__name__}")
        model._require_fit()
    frame = _rfm_input(summary, None, None, None)
    check_frame(summary, {"monetary_value": "numeric"}, name="summary")
    margin = check_number(margin, "margin", low=0, high=1)
    horizon = int(check_number(horizon, "horizon", low=1, integer=True))
    period_length = check_number(period_length, "period_length", low=0, inclusive=False)
    discount_rate = check_number(discount_rate, "discount_rate", low=0)

    x, tx, T = (frame[c].to_numpy(dtype=float) for c in _RFM)
    theta = purchases.params_.to_numpy()
    alive = np.exp(-_softplus(_alive_logit(theta, x, tx, T)))
    # What a member alive at T buys later depends on (x, T) alone, and members
    # share few such pairs: evaluate the hypergeometric terms once per pair.
    pair = pd.DataFrame({"x": x, "T": T}).groupby(["x", "T"], sort=False).ngroup().to_numpy()
    pair_x, pair_T = np.empty(pair.max() + 1), np.empty(pair.max() + 1)
    pair_x[pair], pair_T[pair] = x, T
    ends = period_length * np.arange(1, horizon + 1)
    cumulative = _bgnbd_future(theta, ends[None, :], pair_x[:, None], pair_T[:, None])
    discount = (1.0 + discount_rate) ** -np.arange(1, horizon + 1)
    discounted = np.diff(cumulative, axis=1, prepend=0.0) @ discount
    value = spend.conditional_expected_average_value(x, summary["monetary_value"].to_numpy(dtype=float))
    return pd.DataFrame(
        {
            "probability_alive": alive,
            "expected_purchases": alive * cumulative[pair, -1],
            "expected_average_value": value,
            "clv": margin * value * alive * discounted[pair],
        },
        index=summary.index,
    )


def clv_contractual(margin: Any, retention: Any, discount: Any) -> Any:
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

    Returns
    -------
    float or numpy.ndarray
        Broadcast over the three inputs.

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
    if ((r == 1) & (d == 0)).any():
        raise ValueError(
            "discount: expected > 0 where retention is 1 (a customer who never leaves, undiscounted, "
            "is worth an infinite amount); found 0"
        )
    value = m * r / (1 + d - r)
    return float(value) if value.ndim == 0 else value


def clv_sensitivity(margin: Iterable[float] | float, retention: Iterable[float] | float,
                    discount: Iterable[float] | float) -> pd.DataFrame:
    """Contractual CLV over every combination of margins, retention rates and discount rates.

    Parameters
    ----------
    margin, retention, discount : float or iterable of float
        The values to try (see :func:`clv_contractual`).

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
    return pd.DataFrame({"margin": m, "retention": r, "discount": d, "clv": clv_contractual(m, r, d)})
