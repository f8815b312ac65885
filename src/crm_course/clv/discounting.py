r"""Time units and discount rates for customer lifetime values, checked so they cannot be mixed up.

A lifetime value needs two things the model does not know: the time unit its
parameters were fitted in (a BG/NBD fitted on a summary in weeks predicts
purchases per week) and a discount rate *per* some period. Mixing them up is
the classic mistake: a yearly cost of capital of 15% used as a weekly rate
makes every future purchase nearly worthless (1.15 to the 52nd power is
1,400). So every CLV function of :mod:`crm_course.clv` takes

* ``time_unit`` -- the unit of the model's time, one of :data:`PERIODS`
  ("D", "W", "M", "Q", "Y");
* ``discount_rate`` and ``period`` -- the rate, and the period it is per (also
  the step of discounting), from the same list;

converts between them itself, states both in its output, and refuses a rate
that compounds to more than 100% a year over a period shorter than a year:
such a rate is almost always a yearly rate given per week or per month by
mistake, and the error message says how to convert it,

.. math::

    d_{\text{to}} = (1 + d_{\text{per}})^{\,\text{days(to)} / \text{days(per)}} - 1

(:func:`periodic_rate`). A month is an average month, 365.25 / 12 days.

Examples
--------
>>> from crm_course.clv.discounting import periodic_rate
>>> round(periodic_rate(0.15, "Y", "M"), 5)
0.01171
>>> round(periodic_rate(0.01171, "M", "Y"), 3)
0.15
"""

from __future__ import annotations

from typing import Any

import numpy as np

from crm_course.clv.checks import TIME_UNITS
from crm_course.validation import check_number

__all__ = [
    "PERIODS",
    "periodic_rate",
]

#: Length of each period in days: the time units of :func:`crm_course.clv.rfm_summary` (a month is an
#: average month) and an average quarter and year.
PERIODS = {**TIME_UNITS, "Q": 365.25 / 4, "Y": 365.25}

_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}

#: A rate compounding to more than this a year, over a period shorter than a year, is refused.
_MAX_ANNUAL = 1.0


def _days(unit: Any, name: str) -> float:
    if not isinstance(unit, str) or unit not in PERIODS:
        raise ValueError(f"{name}: expected one of {list(PERIODS)} (day, week, average month, quarter, year); "
                         f"found {unit!r}")
    return PERIODS[unit]


def periodic_rate(rate: float, per: str, to: str) -> float:
    """Convert a discount rate per one period into the equivalent rate per another.

    ``(1 + rate) ** (days(to) / days(per)) - 1``: the rate that compounds to
    the same discounting over the same time.

    Parameters
    ----------
    rate : float
        The discount rate per ``per``, > -1.
    per, to : {"D", "W", "M", "Q", "Y"}
        The period of ``rate`` and the period wanted.

    Returns
    -------
    float

    Examples
    --------
    >>> round(periodic_rate(0.15, "Y", "W"), 5)
    0.00268
    """
    rate = check_number(rate, "rate", low=-1, inclusive=False)
    return float((1.0 + rate) ** (_days(to, "to") / _days(per, "per")) - 1.0)


def _discounting(time_unit: Any, discount_rate: Any, period: Any) -> dict[str, Any]:
    """Validated units: the discounting period's length in model units, the rate and its yearly equivalent."""
    unit_days = _days(time_unit, "time_unit")
    period_days = _days(period, "period")
    rate = check_number(discount_rate, "discount_rate", low=0)
    annual = rate if period == "Y" else (1.0 + rate) ** (PERIODS["Y"] / period_days) - 1.0
    if period_days < PERIODS["Y"] and annual > _MAX_ANNUAL:
        name = _NAMES[period]
        shown = f"{annual:,.0%}" if np.isfinite(annual) else "an unbounded rate"
        raise ValueError(
            f"discount_rate: {rate:g} a {name} compounds to {shown} a year, far above any cost of capital; "
            f"if {rate:g} is a yearly rate, say so with period='Y', or convert it to the discounting period: "
            f"periodic_rate({rate:g}, 'Y', {period!r}) = {periodic_rate(rate, 'Y', period):.4g} a {name}"
        )
    return {"time_unit": time_unit, "period": period, "discount_rate": float(rate),
            "annual_discount_rate": float(annual), "period_length": period_days / unit_days}


def _same_period(units: dict[str, Any], model: str) -> None:
    """Discrete-time models discount once per opportunity or renewal: the period must be the model's unit."""
    if units["period"] != units["time_unit"]:
        per, unit = units["period"], units["time_unit"]
        raise ValueError(
            f"period: the {model} moves in steps of one {_NAMES[unit]} (time_unit={unit!r}), so it discounts once a "
            f"{_NAMES[unit]}; found a rate per {_NAMES[per]} (period={per!r}). Convert it: "
            f"discount_rate=periodic_rate({units['discount_rate']:g}, {per!r}, {unit!r}) = "
            f"{periodic_rate(units['discount_rate'], per, unit):.4g}, period={unit!r}"
        )


def _stated(units: dict[str, Any], **more: Any) -> dict[str, Any]:
    """What a CLV output states about its units (its ``attrs``)."""
    return {"time_unit": units["time_unit"], "period": units["period"], "discount_rate": units["discount_rate"],
            "annual_discount_rate": units["annual_discount_rate"], **more}
