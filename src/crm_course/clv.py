r"""Customer lifetime value: contractual formula, BG/NBD and Gamma–Gamma (chapter 5).

Two settings call for two kinds of model.

**Contractual** (a subscription: the firm sees the customer leave). With a
margin :math:`m` per period, a retention rate :math:`r` and a discount rate
:math:`d`, the value of a customer who has just paid is (Gupta, Lehmann &
Stuart, 2004)

.. math::

    \mathrm{CLV} = \sum_{t=1}^{\infty} \frac{m\,r^{t}}{(1+d)^{t}}
                 = \frac{m\,r}{1 + d - r}.

**Non-contractual** (a cashback service: nobody announces that they have
stopped buying). The BG/NBD model (Fader, Hardie & Lee, 2005a) says that,
while alive, a customer buys at the times of a Poisson process with rate
:math:`\lambda`, and after every repeat purchase drops out for good with
probability :math:`p`; across customers
:math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` (shape :math:`r`, rate
:math:`\alpha`) and :math:`p \sim \mathrm{Beta}(a, b)`. A customer observed for
:math:`T` periods after the first purchase who made :math:`x` repeat
purchases, the last at :math:`t_x`, has likelihood

.. math::

    L = \frac{B(a, b + x)}{B(a, b)}
        \frac{\Gamma(r + x)\,\alpha^{r}}{\Gamma(r)\,(\alpha + T)^{r + x}}
      + \delta_{x > 0}\,\frac{B(a + 1, b + x - 1)}{B(a, b)}
        \frac{\Gamma(r + x)\,\alpha^{r}}{\Gamma(r)\,(\alpha + t_x)^{r + x}}.

The first term is "still alive at :math:`T`", the second "dropped out right
after the purchase at :math:`t_x`"; their ratio gives the probability of being
alive,

.. math::

    P(\text{alive} \mid x, t_x, T) = \Bigl[1 + \delta_{x>0}\,\frac{a}{b + x - 1}
        \Bigl(\frac{\alpha + T}{\alpha + t_x}\Bigr)^{r + x}\Bigr]^{-1},

which is exactly 1 for :math:`x = 0` (in this model a customer can only drop
out just after a repeat purchase). The expected number of purchases of a new
customer in :math:`(0, t]` and of a customer with history :math:`(x, t_x, T)`
in :math:`(T, T + t]` are

.. math::

    E[X(t)] = \frac{a + b - 1}{a - 1}\Bigl[1 - \Bigl(\frac{\alpha}{\alpha + t}\Bigr)^{r}
              {}_2F_1\bigl(r, b; a + b - 1; \tfrac{t}{\alpha + t}\bigr)\Bigr],

.. math::

    E[Y(t) \mid x, t_x, T] = P(\text{alive} \mid x, t_x, T)\,
        \frac{a + b + x - 1}{a - 1}\Bigl[1 - \Bigl(\frac{\alpha + T}{\alpha + T + t}\Bigr)^{r + x}
        {}_2F_1\bigl(r + x, b + x; a + b + x - 1; \tfrac{t}{\alpha + T + t}\bigr)\Bigr].

**Spend** (Fader, Hardie & Lee, 2005b; Fader & Hardie, 2013). The value of
each repeat purchase is :math:`\mathrm{Gamma}(p, \nu)` with a customer-specific
rate :math:`\nu \sim \mathrm{Gamma}(q, \gamma)`, independent of the purchase
process. The mean :math:`\bar z` of :math:`x` purchases then has density

.. math::

    f(\bar z \mid x) = \frac{\Gamma(px + q)}{\Gamma(px)\,\Gamma(q)}
        \frac{\gamma^{q}\,x^{px}\,\bar z^{\,px - 1}}{(\gamma + x \bar z)^{px + q}},

and the expected value of a customer's future purchases is the weighted mean
of the population mean :math:`p\gamma/(q - 1)` and the customer's own mean,

.. math::

    E[Z \mid x, \bar z] = \frac{p\,(\gamma + x \bar z)}{p x + q - 1}.

**CLV per member** combines the two: with a margin share :math:`m`, a
discounting period of length :math:`L` (in the summary's time unit), a rate
:math:`d` per period and a horizon of :math:`H` periods,

.. math::

    \mathrm{CLV}_i = m\,E[Z_i \mid x_i, \bar z_i] \sum_{k=1}^{H}
        \frac{E[Y_i(kL)] - E[Y_i((k - 1)L)]}{(1 + d)^{k}}.

Both fitters maximise the likelihood over the *distinct* rows of the data,
each weighted by how many members share it: a million CDNOW-like members with
dates recorded to the day share about 150,000 distinct (frequency, recency, T)
rows, and the BG/NBD fit takes well under a second
(``benchmarks/bench_clv.py``).

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using
iso-value curves for customer base analysis. *Journal of Marketing Research*,
42(4), 415–430.

Fader, P. S., & Hardie, B. G. S. (2013). *The Gamma-Gamma model of monetary
value*. Technical note.

Gupta, S., Lehmann, D. R., & Stuart, J. A. (2004). Valuing customers.
*Journal of Marketing Research*, 41(1), 7–18.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_frame, check_number

__all__ = [
    "BGNBDFitter",
    "GammaGammaFitter",
    "calibration_holdout",
    "clv_contractual",
    "clv_sensitivity",
    "customer_lifetime_value",
    "rfm_summary",
    "simulate_bgnbd",
    "simulate_gamma_gamma",
]

#: Length of each supported time unit in days; a month is an average month.
TIME_UNITS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}

#: How the standard errors of both fitters are computed (shown in every summary).
SE_KIND = "inverse observed information (numerical Hessian at the MLE)"

_Z95 = 1.959963984540054
_RFM = ("frequency", "recency", "T")


# --------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------


def _frame_from_arrays(arrays: dict[str, Any], *, name: str) -> pd.DataFrame:
    """Stack 1-D array-likes (scalars broadcast) into a frame, naming bad ones."""
    values = {}
    for key, value in arrays.items():
        if value is None:
            raise ValueError(f"{key}: required when no summary DataFrame is given; found None")
        arr = np.asarray(value)
        if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.number)):
            raise ValueError(f"{key}: expected numbers; found dtype {arr.dtype}")
        if arr.ndim > 1:
            raise ValueError(f"{key}: expected a scalar or a 1-D array; found shape {arr.shape}")
        values[key] = arr.astype(float)
    try:
        columns = np.broadcast_arrays(*values.values())
    except ValueError:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in values.items())
        raise ValueError(f"{name}: expected arrays of one length; found shapes {shapes}") from None
    frame = pd.DataFrame({k: np.atleast_1d(c) for k, c in zip(values, columns, strict=True)})
    return check_frame(frame, {k: "numeric" for k in values}, name=name)


def _first_bad(values: np.ndarray, bad: np.ndarray) -> str:
    return f"{int(bad.sum())} value(s), e.g. {float(values[bad][0])!r}"


def _check_whole(frame: pd.DataFrame, column: str, *, name: str) -> None:
    values = frame[column].to_numpy(dtype=float)
    bad = (values < 0) | (values != np.floor(values))
    if bad.any():
        raise ValueError(
            f"{name}: column {column!r} should hold whole numbers >= 0 (a count of repeat purchases); "
            f"found {_first_bad(values, bad)}"
        )


def _check_rfm(frame: pd.DataFrame, *, name: str) -> None:
    """Check the logical constraints that tie frequency, recency and T together."""
    _check_whole(frame, "frequency", name=name)
    x = frame["frequency"].to_numpy(dtype=float)
    tx = frame["recency"].to_numpy(dtype=float)
    T = frame["T"].to_numpy(dtype=float)
    if (bad := tx < 0).any():
        raise ValueError(f"{name}: column 'recency' should be >= 0; found {_first_bad(tx, bad)}")
    if (bad := T < 0).any():
        raise ValueError(
            f"{name}: column 'T' should be >= 0 (time from the first purchase to the end of "
            f"observation); found {_first_bad(T, bad)}"
        )
    # Summaries are often rounded to a few decimals, so allow rounding noise.
    if (bad := tx > T * (1 + 1e-9) + 1e-12).any():
        raise ValueError(
            f"{name}: column 'recency' should be <= 'T' (the last purchase happens before the end of "
            f"observation); found {int(bad.sum())} row(s), "
            f"e.g. recency {float(tx[bad][0])!r} with T {float(T[bad][0])!r}"
        )
    if (bad := (x == 0) & (tx > 0)).any():
        raise ValueError(
            f"{name}: column 'recency' should be 0 where 'frequency' is 0 (no repeat purchase, so no "
            f"time of the last one); found {int(bad.sum())} row(s), e.g. recency {float(tx[bad][0])!r}"
        )


def _rfm_input(
    summary: pd.DataFrame | None,
    frequency: Any,
    recency: Any,
    T: Any,
    *,
    name: str = "summary",
) -> pd.DataFrame:
    """Validated (frequency, recency, T) frame from a summary or from arrays."""
    if summary is not None:
        if any(v is not None for v in (frequency, recency, T)):
            raise ValueError(
                f"{name}: pass either a summary DataFrame or the arrays frequency=, recency=, T=; found both"
            )
        check_frame(summary, {c: "numeric" for c in _RFM}, name=name)
        frame = summary.loc[:, list(_RFM)]
    else:
        frame = _frame_from_arrays({"frequency": frequency, "recency": recency, "T": T}, name=name)
    _check_rfm(frame, name=name)
    return frame


def _weights_input(weights: Any, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights)
    if w.dtype == bool or not np.issubdtype(w.dtype, np.number):
        raise ValueError(f"weights: expected numbers (how many members share each row); found dtype {w.dtype}")
    w = np.broadcast_to(w.astype(float), (n,)) if w.ndim == 0 else w.astype(float)
    if w.shape != (n,):
        raise ValueError(f"weights: expected {n} value(s), one per row; found shape {w.shape}")
    if (bad := ~np.isfinite(w) | (w < 0)).any():
        raise ValueError(f"weights: expected finite numbers >= 0; found {_first_bad(w, bad)}")
    if w.sum() <= 0:
        raise ValueError("weights: expected a positive total; found all zero")
    return w


def _array(value: Any, name: str, *, low: float | None = None, high: float | None = None,
           inclusive_low: bool = True) -> np.ndarray:
    """A finite numeric array (or scalar) within bounds, with a message naming it."""
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{name}: expected a number or an array of numbers; found {value!r}")
    arr = arr.astype(float)
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= arr < low if inclusive_low else arr <= low
    if high is not None:
        bad |= arr > high
    if bad.any():
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        bracket = "[" if inclusive_low else "("
        found = float(arr[bad].flat[0])
        raise ValueError(f"{name}: expected numbers in {bracket}{lo}, {hi}]; found {found!r}")
    return arr


def _wrap(values: np.ndarray, *templates: Any) -> Any:
    """Return a Series if any input was one (keeping its index), a float for scalar input."""
    for tpl in templates:
        if isinstance(tpl, pd.Series) and len(tpl) == np.size(values):
            return pd.Series(np.reshape(values, -1), index=tpl.index)
    if all(np.ndim(t) == 0 for t in templates):
        return float(np.reshape(values, -1)[0])
    return values


def _check_generator(rng: Any) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)); found {type(rng).__name__}"
        )


# --------------------------------------------------------------------------
# From transactions to the per-member summary
# --------------------------------------------------------------------------


def _unit_days(time_unit: str) -> float:
    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit: expected one of {sorted(TIME_UNITS)}; found {time_unit!r}")
    return TIME_UNITS[time_unit]


def _day(value: Any, name: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a date (e.g. '2024-12-31'); found {value!r}") from None
    if pd.isna(stamp):
        raise ValueError(f"{name}: expected a date (e.g. '2024-12-31'); found {value!r}")
    return stamp.normalize()


def _daily(transactions: pd.DataFrame, customer_col: str, date_col: str, value_col: str | None) -> pd.DataFrame:
    """Validated orders collapsed to one row per customer and purchase day."""
    columns = {customer_col: "any", date_col: "datetime"}
    if value_col is not None:
        columns[value_col] = "numeric"
    check_frame(transactions, columns, name="transactions")
    if (n_missing := int(transactions[customer_col].isna().sum())):
        raise ValueError(f"transactions: column {customer_col!r} has {n_missing} missing value(s)")
    values = transactions[value_col] if value_col is not None else pd.Series(0.0, index=transactions.index)
    if value_col is not None and (bad := values.to_numpy(dtype=float) < 0).any():
        raise ValueError(
            f"transactions: column {value_col!r} should be >= 0; found {_first_bad(values.to_numpy(float), bad)}"
        )
    orders = pd.DataFrame(
        {"customer": transactions[customer_col].to_numpy(), "day": transactions[date_col].dt.normalize().to_numpy(),
         "value": values.to_numpy(dtype=float)}
    )
    # Several orders on one day are one purchase occasion (the CDNOW convention).
    return orders.groupby(["customer", "day"], as_index=False, sort=True)["value"].sum()


def _summarise_days(daily: pd.DataFrame, end: pd.Timestamp, unit: float) -> pd.DataFrame:
    per = daily.groupby("customer", sort=True).agg(
        first=("day", "min"), last=("day", "max"), days=("day", "size"),
        total=("value", "sum"), first_value=("value", "first"),
    )
    frequency = per["days"].to_numpy() - 1
    repeat_value = (per["total"] - per["first_value"]).to_numpy()
    return pd.DataFrame(
        {
            "frequency": frequency.astype(np.int64),
            "recency": (per["last"] - per["first"]).dt.days.to_numpy() / unit,
            "T": (end - per["first"]).dt.days.to_numpy() / unit,
            "monetary_value": np.divide(repeat_value, frequency, out=np.zeros(len(per)), where=frequency > 0),
        },
        index=per.index,
    )


def rfm_summary(
    transactions: pd.DataFrame,
    observation_end: Any,
    *,
    time_unit: str = "W",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str | None = "order_value",
) -> pd.DataFrame:
    """Summarise a transactions table into one (frequency, recency, T) row per customer.

    Orders on the same calendar day form one purchase occasion and their
    values are added up (the convention of the CDNOW data of Fader, Hardie &
    Lee, 2005). The first day is the customer's "birth"; the repeat purchases
    are the later days.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order, with a customer identifier, a datetime column and
        (unless ``value_col`` is None) an order value >= 0.
    observation_end : date-like
        Last day observed (inclusive). Later orders are ignored, and so are
        customers whose first order is later.
    time_unit : {"W", "D", "M"}
        Unit of ``recency`` and ``T``: weeks (default), days or average months
        (365.25 / 12 days).
    customer_col, date_col, value_col : str
        Column names; ``value_col=None`` skips the spend.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, with ``frequency`` (repeat purchase days),
        ``recency`` (time from the first to the last purchase day), ``T`` (time
        from the first purchase day to ``observation_end``) and
        ``monetary_value`` (mean value of the repeat purchase days; 0 for a
        customer without repeat purchases).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-08"]),
    ...     "order_value": [10.0, 20.0, 40.0, 5.0],
    ... })
    >>> rfm_summary(orders, "2024-01-29")
                 frequency  recency    T  monetary_value
    customer_id
    1                    2      2.0  4.0            30.0
    2                    0      0.0  3.0             0.0
    """
    unit = _unit_days(time_unit)
    end = _day(observation_end, "observation_end")
    daily = _daily(transactions, customer_col, date_col, value_col)
    daily = daily[daily["day"] <= end]
    if daily.empty:
        raise ValueError(
            f"transactions: expected orders on or before observation_end {end.date()}; found none "
            f"(earliest order {transactions[date_col].min()})"
        )
    out = _summarise_days(daily, end, unit)
    out.index.name = customer_col
    if value_col is None:
        out = out.drop(columns="monetary_value")
    return out


def calibration_holdout(
    transactions: pd.DataFrame,
    calibration_end: Any,
    observation_end: Any,
    *,
    time_unit: str = "W",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str | None = "order_value",
) -> pd.DataFrame:
    """Split transactions into a calibration summary and the holdout outcome.

    The calibration summary is :func:`rfm_summary` up to ``calibration_end``
    (customers whose first order is later are left out); the holdout columns
    count what the same customers did in the following days up to
    ``observation_end``, so a model fitted on the calibration columns can be
    checked against what actually happened.

    Parameters
    ----------
    transactions : pandas.DataFrame
        As for :func:`rfm_summary`.
    calibration_end : date-like
        Last day of the calibration period (inclusive).
    observation_end : date-like
        Last day of the holdout period (inclusive); after ``calibration_end``.
    time_unit, customer_col, date_col, value_col
        As for :func:`rfm_summary`.

    Returns
    -------
    pandas.DataFrame
        The calibration columns ``frequency``, ``recency``, ``T`` and
        ``monetary_value``, then ``frequency_holdout`` (purchase days in the
        holdout), ``monetary_value_holdout`` (their mean value, 0 if none) and
        ``duration_holdout`` (length of the holdout, in ``time_unit``).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-22", "2024-01-08"]),
    ...     "order_value": [10.0, 20.0, 40.0, 5.0],
    ... })
    >>> calibration_holdout(orders, "2024-01-15", "2024-01-29")[["frequency", "frequency_holdout", "duration_holdout"]]
                 frequency  frequency_holdout  duration_holdout
    customer_id
    1                    1                  1               2.0
    2                    0                  0               2.0
    """
    unit = _unit_days(time_unit)
    cal_end = _day(calibration_end, "calibration_end")
    obs_end = _day(observation_end, "observation_end")
    if obs_end <= cal_end:
        raise ValueError(
            f"observation_end: expected a day after calibration_end {cal_end.date()}; found {obs_end.date()}"
        )
    daily = _daily(transactions, customer_col, date_col, value_col)
    calibration = daily[daily["day"] <= cal_end]
    if calibration.empty:
        raise ValueError(
            f"transactions: expected orders on or before calibration_end {cal_end.date()}; found none"
        )
    out = _summarise_days(calibration, cal_end, unit)
    holdout = daily[(daily["day"] > cal_end) & (daily["day"] <= obs_end)]
    per = holdout.groupby("customer")["value"].agg(["size", "mean"]).reindex(out.index)
    out["frequency_holdout"] = per["size"].fillna(0).to_numpy(dtype=np.int64)
    out["monetary_value_holdout"] = per["mean"].fillna(0.0).to_numpy(dtype=float)
    out["duration_holdout"] = (obs_end - cal_end).days / unit
    out.index.name = customer_col
    if value_col is None:
        out = out.drop(columns=["monetary_value", "monetary_value_holdout"])
    return out


# --------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------


def simulate_bgnbd(
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray,
    rng: np.random.Generator,
    *,
    period: float | None = None,
    latent: bool = False,
) -> pd.DataFrame:
    """Simulate the per-member summary of a BG/NBD customer base.

    Each member makes a first purchase at time 0, then buys at the times of a
    Poisson process with rate ``lambda ~ Gamma(r, rate alpha)`` and drops out
    just after each repeat purchase with probability ``p ~ Beta(a, b)``. With
    ``N`` the Poisson count on ``(0, T]`` and ``J`` the (geometric) purchase
    after which the member drops out, the member makes ``x = min(J, N)``
    repeat purchases, and the last of them is the ``x``-th of ``N`` uniform
    order statistics on ``(0, T)``, that is ``T`` times a
    ``Beta(x, N - x + 1)`` draw. No loop over members.

    Parameters
    ----------
    n : int
        Number of members.
    r, alpha, a, b : float
        Model parameters, all > 0.
    T : float or array of shape (n,)
        Observation time after each member's first purchase.
    rng : numpy.random.Generator
        Source of every random draw.
    period : float, optional
        Record ``recency`` and ``T`` to the nearest multiple of this length
        (``1 / 7`` for days when the unit is a week), as a database records
        dates, so that many members share a (frequency, recency, T) row.
        Purchases are still counted one by one: merging those that fall in
        one period, as :func:`rfm_summary` does for days, would make the data
        drift from the model. By default times are exact.
    latent : bool
        Also return each member's ``purchase_rate``, ``dropout_probability``
        and whether they are ``alive`` at ``T``.

    Returns
    -------
    pandas.DataFrame
        ``frequency``, ``recency`` and ``T`` (and the latent columns).

    Examples
    --------
    >>> import numpy as np
    >>> members = simulate_bgnbd(3, r=0.5, alpha=5.0, a=0.8, b=2.5, T=39.0, rng=np.random.default_rng(3))
    >>> list(members.columns), members["T"].tolist()
    (['frequency', 'recency', 'T'], [39.0, 39.0, 39.0])
    """
    n = int(check_number(n, "n", low=1, integer=True))
    for value, label in ((r, "r"), (alpha, "alpha"), (a, "a"), (b, "b")):
        check_number(value, label, low=0, inclusive=False)
    _check_generator(rng)
    T_arr = _array(T, "T", low=0, inclusive_low=False)
    if T_arr.ndim > 1 or (T_arr.ndim == 1 and T_arr.shape != (n,)):
        raise ValueError(f"T: expected a number or an array of {n} values; found shape {T_arr.shape}")
    T_arr = np.broadcast_to(T_arr, (n,)).astype(float)
    if period is not None:
        check_number(period, "period", low=0, inclusive=False)

    lam = rng.gamma(r, 1.0 / alpha, n)
    # A Beta draw can underflow to 0 for small a; the geometric needs p > 0.
    p = np.clip(rng.beta(a, b, n), 1e-300, 1.0)
    n_poisson = rng.poisson(lam * T_arr)
    n_until_dropout = rng.geometric(p)
    x = np.minimum(n_until_dropout, n_poisson)
    buys = x > 0
    recency = np.zeros(n)
    recency[buys] = T_arr[buys] * rng.beta(x[buys], n_poisson[buys] - x[buys] + 1)
    if period is not None:
        # Rounding to the nearest period keeps recency unbiased; rounding down would not.
        recency = period * np.round(recency / period)
        T_arr = period * np.round(T_arr / period)

    out = pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": T_arr})
    if latent:
        out["purchase_rate"] = lam
        out["dropout_probability"] = p
        out["alive"] = n_until_dropout > n_poisson
    return out


def simulate_gamma_gamma(
    frequency: Any,
    p: float,
    q: float,
    gamma: float,
    rng: np.random.Generator,
) -> Any:
    """Simulate each member's mean spend per repeat purchase under the Gamma–Gamma model.

    A member's purchases are ``Gamma(p, rate nu)`` with
    ``nu ~ Gamma(q, rate gamma)``, so the mean of ``x`` of them is
    ``Gamma(p x, rate x nu)``.

    Parameters
    ----------
    frequency : array-like of int
        Repeat purchases per member (0 gives a mean spend of 0).
    p, q, gamma : float
        Model parameters, all > 0.
    rng : numpy.random.Generator
        Source of every random draw.

    Returns
    -------
    numpy.ndarray or pandas.Series
        Mean spend per repeat purchase (a Series with the index of a Series
        ``frequency``).

    Examples
    --------
    >>> import numpy as np
    >>> spend = simulate_gamma_gamma([0, 2, 5], p=6.0, q=4.0, gamma=15.0, rng=np.random.default_rng(0))
    >>> spend[0], bool((spend[1:] > 0).all())
    (np.float64(0.0), True)
    """
    for value, label in ((p, "p"), (q, "q"), (gamma, "gamma")):
        check_number(value, label, low=0, inclusive=False)
    _check_generator(rng)
    frame = _frame_from_arrays({"frequency": frequency}, name="frequency")
    _check_whole(frame, "frequency", name="frequency")
    x = frame["frequency"].to_numpy()
    nu = rng.gamma(q, 1.0 / gamma, x.size)
    buys = x > 0
    spend = np.zeros(x.size)
    spend[buys] = rng.gamma(p * x[buys], 1.0 / (x[buys] * nu[buys]))
    return _wrap(spend, frequency) if isinstance(frequency, pd.Series) else spend


# --------------------------------------------------------------------------
# Maximum likelihood machinery shared by both fitters
# --------------------------------------------------------------------------


def _distinct(columns: dict[str, np.ndarray], weights: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Collapse identical rows into one, adding up their weights."""
    frame = pd.DataFrame(columns)
    frame["_w"] = weights
    frame = frame[frame["_w"] > 0]
    grouped = frame.groupby(list(columns), sort=False, as_index=False)["_w"].sum()
    return {k: grouped[k].to_numpy(dtype=float) for k in columns}, grouped["_w"].to_numpy(dtype=float)


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    """Inner product of two 1-D arrays without BLAS.

    A BLAS dot of a few hundred thousand elements may hand the work to a
    thread pool, and on a small or busy machine waking the pool costs far more
    than the sum itself; these sums run dozens of times per fit.
    """
    return float(np.einsum("i,i->", u, v))


def _softplus(d: np.ndarray) -> np.ndarray:
    """log(1 + exp(d)) without overflow; exact 0 at d = -inf."""
    return np.maximum(d, 0.0) + np.log1p(np.exp(-np.abs(d)))


def _maximise(
    loglik: Callable[[np.ndarray, bool], tuple[float, np.ndarray]],
    start: np.ndarray,
    total_weight: float,
) -> tuple[np.ndarray, Any]:
    """Maximise ``loglik`` over positive parameters, searching on their logs with BFGS."""
    from scipy.optimize import minimize

    edge = 30.0

    def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
        # Beyond exp(+-30) the parameter is degenerate anyway; clipping keeps the search finite.
        theta = np.exp(np.clip(u, -edge, edge))
        ll, grad = loglik(theta, True)
        # Per member, so that the tolerance means the same for any number of members.
        return -ll / total_weight, -grad * theta * (np.abs(u) < edge) / total_weight

    # BFGS rather than L-BFGS-B: with three or four parameters its dense update
    # is tiny, while L-BFGS-B's compiled core, not the likelihood, took most of
    # the time of a fit in the benchmark (benchmarks/bench_clv.py).
    result = minimize(objective, np.log(start), jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 1000})
    theta = np.exp(np.clip(result.x, -edge, edge))
    if np.any(np.abs(result.x) >= edge):
        warnings.warn("a parameter ran off to 0 or infinity (beyond exp(+-30)); the model does not fit these "
                      "data, and its standard errors are meaningless", RuntimeWarning, stacklevel=3)
    return theta, result


def _covariance(grad: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, message: str) -> np.ndarray:
    """Inverse of the numerical Hessian of the negative log-likelihood at ``theta``.

    Also checks convergence: the optimiser's line search may stop on a flat
    ridge with the gradient not quite zero, which is harmless when the Newton
    step still to go is a small fraction of a standard error.
    """
    k = theta.size
    hessian = np.empty((k, k))
    for j in range(k):  # k parameters, not members: a loop of 3 or 4
        step = 1e-4 * theta[j]
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        hessian[:, j] = -(grad(up) - grad(down)) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        warnings.warn("the Hessian at the estimate is not positive definite; standard errors are NaN",
                      RuntimeWarning, stacklevel=3)
        return np.full((k, k), np.nan)
    cov = np.linalg.inv(hessian)
    remaining = np.abs(cov @ grad(theta)) / np.sqrt(np.diag(cov))
    if np.any(remaining > 0.01):
        warnings.warn(f"the likelihood maximisation did not converge ({message}): the estimate is still "
                      f"{remaining.max():.2g} standard errors from the optimum", RuntimeWarning, stacklevel=3)
    return cov


def _summary_table(names: tuple[str, ...], theta: np.ndarray, cov: np.ndarray) -> pd.DataFrame:
    se = np.sqrt(np.diag(cov))
    table = pd.DataFrame(
        {"estimate": theta, "std_error": se, "lower_95": theta - _Z95 * se, "upper_95": theta + _Z95 * se},
        index=pd.Index(names, name="parameter"),
    )
    table.attrs["standard_errors"] = SE_KIND
    return table


class _Fitter:
    """What both fitters share: parameters, covariance, summary."""

    _names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.params_: pd.Series | None = None

    @classmethod
    def from_params(cls, **params: float) -> Any:
        """A model with the given parameters instead of fitted ones.

        For predictions under a planted truth or a "what if" scenario; it has
        no standard errors (NaN) and no log-likelihood.

        Examples
        --------
        >>> BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426).probability_alive(0, 0.0, 39.0)
        1.0
        """
        if sorted(params) != sorted(cls._names):
            raise ValueError(f"params: expected exactly {', '.join(cls._names)}; found {', '.join(params) or 'none'}")
        theta = np.array([float(check_number(params[k], k, low=0, inclusive=False)) for k in cls._names])
        model = cls()
        k = len(cls._names)
        model._store(theta, np.full((k, k), np.nan), np.nan, None, np.nan, 0)
        return model

    def _require_fit(self) -> np.ndarray:
        if self.params_ is None:
            raise ValueError(f"{type(self).__name__} is not fitted yet: call fit() first")
        return self.params_.to_numpy()

    @property
    def summary(self) -> pd.DataFrame:
        """Estimates, standard errors and Wald 95% intervals, one row per parameter.

        The standard errors are the square roots of the diagonal of the
        inverse observed information (``summary.attrs["standard_errors"]``).
        """
        theta = self._require_fit()
        return _summary_table(self._names, theta, self.variance_matrix_.to_numpy())

    def _store(self, theta: np.ndarray, cov: np.ndarray, ll: float, result: Any,
               n_members: float, n_distinct: int) -> None:
        self.params_ = pd.Series(theta, index=self._names, name="estimate")
        self.variance_matrix_ = pd.DataFrame(cov, index=self._names, columns=self._names)
        self.standard_errors_ = pd.Series(np.sqrt(np.diag(cov)), index=self._names, name="std_error")
        self.log_likelihood_ = float(ll)
        self.n_members_ = float(n_members)
        self.n_distinct_ = int(n_distinct)
        self.optimizer_result_ = result
        self.standard_errors_kind = SE_KIND

    def __repr__(self) -> str:
        if self.params_ is None:
            return f"<{type(self).__name__}: not fitted>"
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"<{type(self).__name__}: {shown}; log-likelihood {self.log_likelihood_:.2f}; n={self.n_members_:g}>"


# --------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------


class _BGNBDLikelihood:
    """Weighted BG/NBD log-likelihood and its gradient in (r, alpha, a, b), on distinct rows.

    With ``D = log a - log(b + x - 1) + (r + x) log((alpha + T) / (alpha + t_x))``
    the two-term likelihood is ``exp(A) (1 + exp(D))``, so its log is
    ``A + softplus(D)``: neither term is exponentiated on its own, and
    ``expit(D)`` is the weight of the "dropped out" term (1 - P(alive)).

    Every term of ``A`` depends on x alone or on T alone, and a customer base
    has few distinct values of each, so those terms are evaluated once per
    distinct value and summed with precomputed weights; only ``D`` is computed
    per row, and only for rows with repeat purchases.
    """

    def __init__(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.total = float(w.sum())
        self.ux, ix = np.unique(x, return_inverse=True)
        self.w_x = np.bincount(ix, weights=w)
        self.uT, iT = np.unique(T, return_inverse=True)
        self.w_T = np.bincount(iT, weights=w)
        self.wx_T = np.bincount(iT, weights=w * x)
        rep = x > 0
        self.x_rep, self.w_rep, self.iT_rep = x[rep], w[rep], iT[rep]
        self.utx, self.itx_rep = np.unique(tx[rep], return_inverse=True)
        self.ix_rep = ix[rep]

    def __call__(self, theta: np.ndarray, gradient: bool = False) -> tuple[float, np.ndarray | None]:
        from scipy.special import digamma, gammaln

        r, alpha, a, b = theta
        ux, W = self.ux, self.total
        log_aT = np.log(alpha + self.uT)
        log_atx = np.log(alpha + self.utx)
        log_bx1 = np.log(np.maximum(b + ux - 1.0, 1e-300))  # only used where x >= 1, where it is >= log b
        gap = log_aT[self.iT_rep] - log_atx[self.itx_rep]
        r_x = r + self.x_rep
        d = np.log(a) - log_bx1[self.ix_rep] + r_x * gap
        softplus = _softplus(d)
        ll = (
            _dot(self.w_x, gammaln(r + ux) + gammaln(b + ux) - gammaln(a + b + ux))
            + W * (r * np.log(alpha) - gammaln(r) - gammaln(b) + gammaln(a + b))
            - _dot(r * self.w_T + self.wx_T, log_aT)
            + _dot(self.w_rep, softplus)
        )
        if not gradient:
            return float(ll), None
        dead_w = self.w_rep * np.exp(d - softplus)  # weight times expit(d)
        inv_aT = 1.0 / (alpha + self.uT)
        psi_abx = digamma(a + b + ux)
        g_r = (_dot(self.w_x, digamma(r + ux)) + W * (np.log(alpha) - digamma(r))
               - _dot(self.w_T, log_aT) + _dot(dead_w, gap))
        g_alpha = (W * r / alpha - _dot(r * self.w_T + self.wx_T, inv_aT)
                   + _dot(dead_w, r_x * (inv_aT[self.iT_rep] - (1.0 / (alpha + self.utx))[self.itx_rep])))
        g_a = W * digamma(a + b) - _dot(self.w_x, psi_abx) + dead_w.sum() / a
        g_b = (W * (digamma(a + b) - digamma(b)) + _dot(self.w_x, digamma(b + ux) - psi_abx)
               - _dot(dead_w, np.exp(-log_bx1)[self.ix_rep]))
        return float(ll), np.array([g_r, g_alpha, g_a, g_b])


def _alive_logit(theta: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log[(1 - P(alive)) / P(alive)]; -inf where x = 0."""
    r, alpha, a, b = theta
    repeat = x > 0
    b_x1 = b + np.where(repeat, x, 1.0) - 1.0
    return np.where(repeat, np.log(a) - np.log(b_x1) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx)), -np.inf)


def _bgnbd_future(theta: np.ndarray, t: np.ndarray, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Expected purchases in (T, T + t] of a customer alive at T with x repeat purchases.

    Uses Euler's transformation of the hypergeometric function,
    ``(1 - z)^(r + x) 2F1(r + x, b + x; c; z) = (1 - z)^(a - 1) 2F1(c - r - x, a - 1; c; z)``
    with ``c = a + b + x - 1``: its series stays well behaved when z is near 1
    or x is large.
    """
    from scipy.special import hyp2f1

    r, alpha, a, b = theta
    c = a + b + x - 1
    z = t / (alpha + T + t)
    one_minus_z = (alpha + T) / (alpha + T + t)
    bracket = 1.0 - one_minus_z ** (a - 1) * hyp2f1(c - r - x, a - 1, c, z)
    return c / (a - 1) * bracket


class BGNBDFitter(_Fitter):
    r"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee, 2005a).

    Purchases follow a Poisson process with rate
    :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)` while a customer is alive;
    after each repeat purchase the customer drops out with probability
    :math:`p \sim \mathrm{Beta}(a, b)`. See the module docstring for the
    likelihood and the expectations.

    ``fit`` maximises the exact log-likelihood (computed with ``gammaln`` and
    a softplus of the log-ratio of its two terms) over the distinct
    (frequency, recency, T) rows, weighted by their counts, searching on the
    log of the parameters with BFGS and the analytic gradient. Standard
    errors come from the numerical Hessian of the log-likelihood at the
    estimate, in the natural parameters; intervals are Wald intervals.

    Attributes
    ----------
    params_ : pandas.Series
        Estimates of ``r``, ``alpha``, ``a``, ``b``.
    standard_errors_, variance_matrix_ : pandas.Series, pandas.DataFrame
        Their standard errors and covariance.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_members_, n_distinct_ : float, int
        Members fitted (sum of weights) and distinct rows the fit used.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import BGNBDFitter, simulate_bgnbd
    >>> members = simulate_bgnbd(20_000, r=0.25, alpha=4.0, a=0.8, b=2.5, T=52.0,
    ...                          rng=np.random.default_rng(1), period=1 / 7)
    >>> model = BGNBDFitter().fit(members)
    >>> model.summary.round(2)
               estimate  std_error  lower_95  upper_95
    parameter
    r              0.25       0.00      0.24      0.26
    alpha          4.00       0.10      3.80      4.19
    a              0.75       0.04      0.67      0.83
    b              2.30       0.16      1.98      2.62
    >>> model.probability_alive(0, 0.0, 52.0)
    1.0
    """

    _names = ("r", "alpha", "a", "b")

    def fit(
        self,
        summary: pd.DataFrame | None = None,
        /,
        *,
        frequency: Any = None,
        recency: Any = None,
        T: Any = None,
        weights: Any = None,
    ) -> BGNBDFitter:
        """Fit (r, alpha, a, b) by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            One row per member with columns ``frequency`` (repeat purchases),
            ``recency`` (time of the last repeat purchase after the first
            purchase; 0 if none) and ``T`` (time from the first purchase to the
            end of observation), e.g. from :func:`rfm_summary`. Not modified.
        frequency, recency, T : array-like, optional
            The same as arrays, when no ``summary`` is given.
        weights : array-like, optional
            How many members each row stands for (default 1 each).

        Returns
        -------
        BGNBDFitter
            ``self``, fitted.
        """
        frame = _rfm_input(summary, frequency, recency, T)
        w = _weights_input(weights, len(frame))
        x_all = frame["frequency"].to_numpy(dtype=float)
        if not (w[x_all > 0] > 0).any():
            raise ValueError(
                "summary: column 'frequency' is 0 for every member; the model needs some repeat purchases to fit"
            )
        rows, counts = _distinct(
            {"x": x_all, "tx": frame["recency"].to_numpy(dtype=float), "T": frame["T"].to_numpy(dtype=float)}, w
        )
        x, tx, T_ = rows["x"], rows["tx"], rows["T"]
        total = counts.sum()

        exposure = _dot(counts, T_)
        if exposure <= 0:
            raise ValueError("summary: column 'T' is 0 for every member; the model needs time observed to fit")
        # Start from r = 1 with alpha matched to the mean purchase rate, and a uniform dropout probability.
        mean_rate = max(_dot(counts, x) / exposure, 1e-6)
        start = np.array([1.0, 1.0 / mean_rate, 1.0, 1.0])

        loglik = _BGNBDLikelihood(x, tx, T_, counts)
        theta, result = _maximise(loglik, start, total)
        cov = _covariance(lambda th: loglik(th, True)[1], theta, result.message)
        self._store(theta, cov, loglik(theta, False)[0], result, total, len(counts))
        return self

    def expected_purchases(self, t: Any) -> Any:
        """Expected repeat purchases E[X(t)] of a new customer in (0, t].

        Parameters
        ----------
        t : float or array-like
            Length of the period, >= 0, in the fitted time unit.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Same shape as ``t``.

        Examples
        --------
        >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.expected_purchases(39.0), 3)
        1.197
        """
        theta = self._require_fit()
        t_arr = _array(t, "t", low=0)
        zeros = np.zeros_like(t_arr)
        return _wrap(_bgnbd_future(theta, t_arr, zeros, zeros), t)

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """Probability that a customer with history (frequency, recency, T) is still alive at T.

        Exactly 1 when ``frequency`` is 0: in the BG/NBD model dropping out can
        only happen just after a repeat purchase.

        Parameters
        ----------
        frequency, recency, T : float or array-like
            Repeat purchases, time of the last one, and length of observation.

        Returns
        -------
        float, numpy.ndarray or pandas.Series
            Probabilities in [0, 1].

        Examples
        --------
        >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> model.probability_alive([0, 2, 2], [0.0, 30.43, 5.0], [38.86, 38.86, 38.86]).round(3)
        array([1.   , 0.727, 0.124])
        """
        theta = self._require_fit()
        frame = _rfm_input(None, frequency, recency, T, name="history")
        d = _alive_logit(theta, *(frame[c].to_numpy() for c in _RFM))
        return _wrap(np.exp(-_softplus(d)), frequency, recency, T)

    def conditional_expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> Any:
        """Expected purchases in the next ``t`` periods of a customer with history (frequency, recency, T).

        This is E[Y(t) | x, t_x, T] of Fader, Hardie & Lee (2005a, eq. 10):
        the probability of being alive times what a customer alive at T with
        x repeat purchases is expected to buy.

        Parameters
        ----------
        t : float or array-like
            Length of the future period, >= 0 (broadcast against the history).
        frequency, recency, T : float or array-like
            The customer's history.

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> model = BGNBDFitter.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> round(model.conditional_expected_purchases(39.0, 2, 30.43, 38.86), 3)
        1.226
        """
        theta = self._require_fit()
        frame = _rfm_input(None, frequency, recency, T, name="history")
        t_arr = _array(t, "t", low=0)
        # One customer's history with several horizons is as valid as one horizon for many customers.
        shape = (len(frame),) if len(frame) > 1 else np.broadcast_shapes(*map(np.shape, (frequency, recency, T)))
        x, tx, T_ = (frame[c].to_numpy().reshape(shape) for c in _RFM)
        try:
            np.broadcast_shapes(t_arr.shape, shape)
        except ValueError:
            raise ValueError(f"t: expected a number or {len(frame)} values, one per customer; "
                             f"found shape {t_arr.shape}") from None
        alive = np.exp(-_softplus(_alive_logit(theta, x, tx, T_)))
        return _wrap(alive * _bgnbd_future(theta, t_arr, x, T_), frequency, recency, T, t)

    def predict(self, t: Any, summary: pd.DataFrame) -> pd.Series:
        """Expected purchases in the next ``t`` periods for every row of a summary.

        Parameters
        ----------
        t : float or array-like
            Length of the future period (one value, or one per row).
        summary : pandas.DataFrame
            Columns ``frequency``, ``recency`` and ``T``.

        Returns
        -------
        pandas.Series
            Indexed like ``summary``.
        """
        frame = _rfm_input(summary, None, None, None)
        values = self.conditional_expected_purchases(
            t.to_numpy() if isinstance(t, pd.Series) else t,
            *(frame[c].to_numpy() for c in _RFM),
        )
        return pd.Series(np.broadcast_to(values, (len(frame),)), index=summary.index, name="expected_purchases")


# --------------------------------------------------------------------------
# Gamma–Gamma
# --------------------------------------------------------------------------


class _GammaGammaLikelihood:
    """Weighted log-density of the mean spend z of x purchases, and its gradient in (p, q, gamma).

    The gamma-function terms depend on x alone and are evaluated once per
    distinct x; only ``log(gamma + x z)`` is computed per row.
    """

    def __init__(self, x: np.ndarray, z: np.ndarray, w: np.ndarray) -> None:
        self.total = float(w.sum())
        self.ux, ix = np.unique(x, return_inverse=True)
        self.w_x = np.bincount(ix, weights=w)
        self.log_ux = np.log(self.ux)
        self.x, self.w, self.xz = x, w, x * z
        self.wx = w * x
        log_z = np.log(z)
        self.sum_w_log_z = _dot(w, log_z)
        self.sum_wx_log_z = _dot(self.wx, log_z)

    def __call__(self, theta: np.ndarray, gradient: bool = False) -> tuple[float, np.ndarray | None]:
        from scipy.special import digamma, gammaln

        p, q, gamma = theta
        ux, W = self.ux, self.total
        pux = p * ux
        log_gxz = np.log(gamma + self.xz)
        sum_w_log_gxz = _dot(self.w, log_gxz)
        sum_wx_log_gxz = _dot(self.wx, log_gxz)
        ll = (
            _dot(self.w_x, gammaln(pux + q) - gammaln(pux) + pux * self.log_ux)
            + W * (q * np.log(gamma) - gammaln(q))
            + p * self.sum_wx_log_z - self.sum_w_log_z
            - p * sum_wx_log_gxz - q * sum_w_log_gxz
        )
        if not gradient:
            return float(ll), None
        psi_pxq = digamma(pux + q)
        g_p = (_dot(self.w_x * ux, psi_pxq - digamma(pux) + self.log_ux)
               + self.sum_wx_log_z - sum_wx_log_gxz)
        g_q = _dot(self.w_x, psi_pxq) + W * (np.log(gamma) - digamma(q)) - sum_w_log_gxz
        g_gamma = W * q / gamma - _dot(p * self.wx + q * self.w, 1.0 / (gamma + self.xz))
        return float(ll), np.array([g_p, g_q, g_gamma])


class GammaGammaFitter(_Fitter):
    r"""The Gamma–Gamma model of spend per purchase (Fader, Hardie & Lee, 2005b; Fader & Hardie, 2013).

    Each purchase of a customer is worth :math:`\mathrm{Gamma}(p, \nu)` and
    :math:`\nu \sim \mathrm{Gamma}(q, \gamma)` across customers, independent
    of how often they buy (check that the correlation of frequency and mean
    spend is small before relying on it). Fitted by maximum likelihood on the
    members with at least one repeat purchase; standard errors from the
    numerical Hessian at the estimate; Wald 95% intervals.

    Attributes
    ----------
    params_ : pandas.Series
        Estimates of ``p``, ``q``, ``gamma``.
    standard_errors_, variance_matrix_, log_likelihood_, n_members_, n_distinct_
        As for :class:`BGNBDFitter`.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import GammaGammaFitter, simulate_gamma_gamma
    >>> rng = np.random.default_rng(2)
    >>> frequency = rng.integers(1, 10, 5_000)
    >>> spend = simulate_gamma_gamma(frequency, p=6.0, q=4.0, gamma=15.0, rng=rng)
    >>> model = GammaGammaFitter().fit(frequency=frequency, monetary_value=spend)
    >>> model.summary.round(2)
               estimate  std_error  lower_95  upper_95
    parameter
    p              7.09       0.93      5.27      8.91
    q              3.86       0.10      3.65      4.06
    gamma         11.95       1.84      8.36     15.55
    """

    _names = ("p", "q", "gamma")

    def fit(
        self,
        summary: pd.DataFrame | None = None,
        /,
        *,
        frequency: Any = None,
        monetary_value: Any = None,
        weights: Any = None,
    ) -> GammaGammaFitter:
        """Fit (p, q, gamma) by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            Columns ``frequency`` (repeat purchases) and ``monetary_value``
            (their mean value, > 0 where frequency > 0). Members with
            frequency 0 carry no information about spend and are left out.
            Not modified.
        frequency, monetary_value : array-like, optional
            The same as arrays, when no ``summary`` is given.
        weights : array-like, optional
            How many members each row stands for.

        Returns
        -------
        GammaGammaFitter
            ``self``, fitted.
        """
        frame = _spend_input(summary, frequency, monetary_value)
        w = _weights_input(weights, len(frame))
        x_all = frame["frequency"].to_numpy(dtype=float)
        keep = (x_all > 0) & (w > 0)
        if not keep.any():
            raise ValueError(
                "summary: column 'frequency' is 0 for every member; the spend model needs repeat purchases"
            )
        rows, counts = _distinct(
            {"x": x_all[keep], "z": frame["monetary_value"].to_numpy(dtype=float)[keep]}, w[keep]
        )
        x, z = rows["x"], rows["z"]
        # Start where the population mean p * gamma / (q - 1) equals the sample mean.
        start = np.array([1.0, 2.0, _dot(counts, z) / counts.sum()])

        loglik = _GammaGammaLikelihood(x, z, counts)
        theta, result = _maximise(loglik, start, counts.sum())
        cov = _covariance(lambda th: loglik(th, True)[1], theta, result.message)
        self._store(theta, cov, loglik(theta, False)[0], result, counts.sum(), len(counts))
        return self

    def conditional_expected_average_value(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected value of a customer's future purchases given x purchases with mean spend z.

        ``p (gamma + x z) / (p x + q - 1)``: a weighted mean of the population
        mean ``p gamma / (q - 1)`` (returned for x = 0) and the customer's own
        mean. Infinite where the population mean does not exist (q <= 1).

        Parameters
        ----------
        frequency : float or array-like
            Repeat purchases, whole numbers >= 0.
        monetary_value : float or array-like
            Mean value of those purchases, >= 0 (ignored where frequency is 0).

        Returns
        -------
        float, numpy.ndarray or pandas.Series

        Examples
        --------
        >>> model = GammaGammaFitter.from_params(p=6.25, q=3.74, gamma=15.44)
        >>> model.conditional_expected_average_value([0, 1, 10], [0.0, 50.0, 50.0]).round(2)
        array([35.22, 45.49, 49.38])
        """
        p, q, gamma = self._require_fit()
        frame = _frame_from_arrays({"frequency": frequency, "monetary_value": monetary_value}, name="history")
        _check_spend(frame, name="history")
        x = frame["frequency"].to_numpy()
        z = np.where(x > 0, frame["monetary_value"].to_numpy(), 0.0)
        denominator = p * x + q - 1
        safe = np.where(denominator > 0, denominator, 1.0)
        value = np.where(denominator > 0, p * (gamma + x * z) / safe, np.inf)
        return _wrap(value, frequency, monetary_value)


def _check_spend(frame: pd.DataFrame, *, name: str) -> None:
    _check_whole(frame, "frequency", name=name)
    z = frame["monetary_value"].to_numpy(dtype=float)
    if (bad := z < 0).any():
        raise ValueError(f"{name}: column 'monetary_value' should be >= 0; found {_first_bad(z, bad)}")


def _spend_input(summary: pd.DataFrame | None, frequency: Any, monetary_value: Any) -> pd.DataFrame:
    if summary is not None:
        if frequency is not None or monetary_value is not None:
            raise ValueError(
                "summary: pass either a summary DataFrame or the arrays frequency=, monetary_value=; found both"
            )
        check_frame(summary, {"frequency": "numeric", "monetary_value": "numeric"}, name="summary")
        frame = summary.loc[:, ["frequency", "monetary_value"]]
    else:
        frame = _frame_from_arrays({"frequency": frequency, "monetary_value": monetary_value}, name="summary")
    _check_spend(frame, name="summary")
    x = frame["frequency"].to_numpy(dtype=float)
    z = frame["monetary_value"].to_numpy(dtype=float)
    if (bad := (x > 0) & (z <= 0)).any():
        raise ValueError(
            f"summary: column 'monetary_value' should be > 0 where 'frequency' > 0 (the model is for positive "
            f"spend); found {int(bad.sum())} row(s), e.g. {float(z[bad][0])!r}"
        )
    return frame


# --------------------------------------------------------------------------
# Customer lifetime value
# --------------------------------------------------------------------------


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
        Columns ``frequency``, ``recency``, ``T`` and ``monetary_value``.
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
