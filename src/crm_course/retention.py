r"""Customer retention: cohort tables, period-on-period retention rates and what extra retention is worth.

Chapter 5 measures how many of Kopilka's members come back, and what keeping
more of them would be worth:

* :func:`cohort_retention` — the classic cohort table: the share of each
  cohort (month or quarter of the first order) that buys in each period of its
  life, with right-censoring handled member by member;
* :func:`retention_rate` — the share of the members active in one period who
  are active again in the next, with its binomial standard error
  :math:`\sqrt{r(1 - r)/n}`: the retention rate a contractual CLV formula needs,
  read off a non-contractual business;
* :func:`retention_lever` — what extra retention points are worth per
  customer by the contractual formula (Gupta, Lehmann & Stuart, 2004),

  .. math::

      \mathrm{CLV}(r) = \frac{m\,r}{1 + d - r},

  with margin :math:`m` per period and discount rate :math:`d`.

"Active" means at least one order in the period. Time until a member lapses is
in :mod:`crm_course.survival`; lifetime value per member in :mod:`crm_course.clv`.

Every function takes any transactions DataFrame with the column names as
arguments; Kopilka's names (``customer_id``, ``order_date``) are only the
defaults. Inputs are checked and never modified; money is in the unit of the
data (RUB for Kopilka).

References
----------
Gupta, S., Lehmann, D. R., & Stuart, J. A. (2004). Valuing customers.
*Journal of Marketing Research*, 41(1), 7–18.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.retention import retention_rate
>>> rate = retention_rate(load("transactions"), base=("2023-01-01", "2023-12-31"),
...                       following=("2024-01-01", "2024-12-31"))
>>> list(rate.index)
['members', 'retained', 'retention', 'std_error']
>>> round(float(rate["retention"]), 2)
0.53
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_frame, check_number, check_unique

__all__ = [
    "cohort_retention",
    "retention_lever",
    "retention_rate",
]


def _end_date(value: Any, name: str, default: pd.Timestamp) -> pd.Timestamp:
    if value is None:
        return pd.Timestamp(default).normalize()
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a date such as '2024-12-29'; found {value!r}") from None
    if pd.isna(stamp):
        raise ValueError(f"{name}: expected a date such as '2024-12-29'; found {value!r}")
    return stamp.normalize()


def _orders(transactions: pd.DataFrame, customer_col: str, date_col: str, name: str = "transactions") -> pd.DataFrame:
    """Validated (customer, day) pairs, one per customer and purchase day."""
    check_frame(transactions, {customer_col: "any", date_col: "datetime"}, name=name)
    n_missing = int(transactions[customer_col].isna().sum())
    if n_missing:
        raise ValueError(f"{name}: column {customer_col!r} has {n_missing} missing value(s)")
    days = pd.DataFrame(
        {"customer": transactions[customer_col].to_numpy(), "day": transactions[date_col].dt.normalize().to_numpy()}
    )
    return days.drop_duplicates().sort_values(["customer", "day"], kind="stable").reset_index(drop=True)


def cohort_retention(
    transactions: pd.DataFrame,
    *,
    cohort_freq: str = "Q",
    period_days: int = 30,
    observation_end: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    key: str | None = "order_id",
) -> pd.DataFrame:
    """Cohort retention table: the share of each cohort that buys in each period of its life.

    A member's cohort is the calendar month (``"M"``) or quarter (``"Q"``) of
    their first order. Their life is cut into periods of ``period_days``
    counted from that first order; period 0 contains the first order, so its
    retention is 1. A member counts toward period ``k`` only if the whole
    period lies on or before ``observation_end`` (right-censoring is handled
    member by member, so late joiners never count as lost).

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order with a customer identifier and an order date
        (datetime). Not modified.
    cohort_freq : {"Q", "M"}
        Group first orders by calendar quarter or month.
    period_days : int
        Length of a period of life in days (30: about a month).
    observation_end : date-like, optional
        Last day observed; defaults to the last order date.
    customer_col, date_col : str
        Column names.
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per cohort and period: ``cohort`` (e.g. ``"2023Q1"``),
        ``period`` (0, 1, ...), ``members`` (members of the cohort observed
        for the whole period), ``active`` (of them, those with at least one
        order in the period) and ``retention`` (``active / members``). Pivot
        it with ``.pivot(index="cohort", columns="period", values="retention")``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 1, 2, 3],
    ...     "order_date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-01-25"]),
    ... })
    >>> cohort_retention(orders, cohort_freq="M", observation_end="2024-04-30")
        cohort  period  members  active  retention
    0  2024-01       0        3       3   1.000000
    1  2024-01       1        3       1   0.333333
    2  2024-01       2        3       0   0.000000
    """
    if cohort_freq not in {"Q", "M"}:
        raise ValueError(f"cohort_freq: expected 'Q' (quarter) or 'M' (month); found {cohort_freq!r}")
    period_days = int(check_number(period_days, "period_days", low=1, integer=True))
    days = _orders(transactions, customer_col, date_col)
    check_unique(transactions, key, name="transactions")
    end = _end_date(observation_end, "observation_end", days["day"].max())
    days = days[days["day"] <= end]
    if days.empty:
        raise ValueError(f"transactions: expected orders on or before observation_end {end.date()}; found none")
    first = days.groupby("customer", sort=True)["day"].min()
    # Last period each member is observed in full: the one ending on or before `end`.
    last_full = ((end - first).dt.days + 1) // period_days - 1
    cohort = first.dt.to_period(cohort_freq).astype(str)
    members = pd.DataFrame({"cohort": cohort, "last_full": last_full})

    days = days.join(members, on="customer")
    days["period"] = (days["day"] - days["customer"].map(first)).dt.days // period_days
    days = days[days["period"] <= days["last_full"]]
    active = days.drop_duplicates(["customer", "period"]).groupby(["cohort", "period"]).size()

    # Members observed at period k: those whose last full period is >= k.
    observed = members[members["last_full"] >= 0]
    if observed.empty:
        raise ValueError(
            f"transactions: no member is observed for a whole period of {period_days} days before "
            f"observation_end {end.date()}"
        )
    counts = observed.groupby(["cohort", "last_full"]).size().rename("n").reset_index()
    grid = counts.groupby("cohort")["last_full"].max()
    rows = pd.DataFrame(
        {"cohort": np.repeat(grid.index.to_numpy(), grid.to_numpy() + 1),
         "period": np.concatenate([np.arange(k + 1) for k in grid.to_numpy()])}
    )
    # members(cohort, k) = sum over last_full >= k: a reversed cumulative sum within each cohort.
    full = rows.merge(counts.rename(columns={"last_full": "period"}), on=["cohort", "period"], how="left")
    full["n"] = full["n"].fillna(0)
    full["members"] = full.iloc[::-1].groupby("cohort")["n"].cumsum().iloc[::-1].astype(np.int64)
    full["active"] = (
        active.reindex(pd.MultiIndex.from_frame(full[["cohort", "period"]])).fillna(0).to_numpy().astype(np.int64)
    )
    full["retention"] = full["active"] / full["members"]
    return full[["cohort", "period", "members", "active", "retention"]].reset_index(drop=True)


def retention_rate(
    transactions: pd.DataFrame,
    *,
    base: tuple[Any, Any],
    following: tuple[Any, Any],
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    key: str | None = "order_id",
) -> pd.Series:
    """Share of the members active in one period who are active again in the next.

    "Active" means at least one order in the period. This is the period-on-
    period retention rate a contractual CLV formula needs, read off a
    non-contractual business. Its standard error is the binomial
    :math:`\\sqrt{r(1 - r)/n}`.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Orders with a customer identifier and an order date.
    base, following : tuple of two date-likes
        First and last day (inclusive) of the base period and of the
        following period, e.g. ``("2023-01-01", "2023-12-31")``.
    customer_col, date_col : str
        Column names.
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

    Returns
    -------
    pandas.Series
        ``members`` (active in the base period), ``retained`` (of them,
        active in the following period), ``retention`` and ``std_error``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 3],
    ...                        "order_date": pd.to_datetime(["2023-03-01", "2024-02-01", "2023-05-05", "2024-01-09"])})
    >>> retention_rate(orders, base=("2023-01-01", "2023-12-31"), following=("2024-01-01", "2024-12-31")).tolist()
    [2.0, 1.0, 0.5, 0.3535533905932738]
    """
    days = _orders(transactions, customer_col, date_col)
    check_unique(transactions, key, name="transactions")
    bounds = []
    for pair, label in ((base, "base"), (following, "following")):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"{label}: expected (first day, last day); found {pair!r}")
        lo = _end_date(pair[0], f"{label}[0]", pd.Timestamp(0))
        hi = _end_date(pair[1], f"{label}[1]", pd.Timestamp(0))
        if hi < lo:
            raise ValueError(f"{label}: expected the last day on or after the first day; found {pair!r}")
        bounds.append((lo, hi))
    (b0, b1), (f0, f1) = bounds
    if f0 <= b1:
        raise ValueError(f"following: expected it to start after the base period ends ({b1.date()}); found {f0.date()}")
    in_base = days.loc[days["day"].between(b0, b1), "customer"].unique()
    if in_base.size == 0:
        raise ValueError(f"transactions: no order between {b0.date()} and {b1.date()} (the base period)")
    in_next = days.loc[days["day"].between(f0, f1), "customer"].unique()
    n = float(in_base.size)
    kept = float(np.isin(in_base, in_next).sum())
    r = kept / n
    return pd.Series({"members": n, "retained": kept, "retention": r, "std_error": float(np.sqrt(r * (1 - r) / n))})




def retention_lever(margin: float, retention: Any, discount: float, *, points: float = 0.05) -> pd.DataFrame:
    r"""What ``points`` more retention is worth per customer, by the contractual CLV formula.

    With margin :math:`m` per period, retention :math:`r` and discount rate
    :math:`d`, :math:`\mathrm{CLV}(r) = m r / (1 + d - r)` (Gupta, Lehmann &
    Stuart, 2004; :func:`crm_course.clv.clv_contractual`). The lever is
    :math:`\mathrm{CLV}(r + \Delta) - \mathrm{CLV}(r)`, in money and as a
    share of :math:`\mathrm{CLV}(r)`. The money gain grows steeply with
    the base retention: the same five points are worth far more to a firm
    that already keeps most of its customers.

    Parameters
    ----------
    margin : float
        Margin per customer per period (> 0).
    retention : float or iterable of float
        Base retention rates per period, each in [0, 1 - points].
    discount : float
        Discount rate per period (>= 0).
    points : float
        Added retention as a share (0.05 = five percentage points).

    Returns
    -------
    pandas.DataFrame
        One row per base retention: ``retention``, ``improved``, ``clv``,
        ``clv_improved``, ``gain`` (money) and ``gain_share`` (gain / clv).

    Examples
    --------
    >>> retention_lever(100.0, [0.5, 0.9], 0.1).round(3)
       retention  improved      clv  clv_improved     gain  gain_share
    0        0.5      0.55   83.333       100.000   16.667       0.200
    1        0.9      0.95  450.000       633.333  183.333       0.407
    """
    from crm_course.clv import clv_contractual

    check_number(margin, "margin", low=0, inclusive=False)
    check_number(discount, "discount", low=0)
    check_number(points, "points", low=0, high=1, inclusive=False)
    r = np.atleast_1d(np.asarray(retention, dtype=float)) if not isinstance(retention, str) else None
    if r is None or r.ndim != 1 or r.size == 0 or not np.isfinite(r).all():
        raise ValueError(f"retention: expected a number or a list of numbers in [0, 1]; found {retention!r}")
    if (r < 0).any() or (r + points > 1 + 1e-12).any():
        bad = r[(r < 0) | (r + points > 1 + 1e-12)][0]
        raise ValueError(f"retention: expected values in [0, {1 - points:g}] so that retention + points <= 1; found {bad!r}")
    improved = np.minimum(r + points, 1.0)
    base = np.asarray(clv_contractual(margin, r, discount), dtype=float)
    better = np.asarray(clv_contractual(margin, improved, discount), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base > 0, (better - base) / base, np.nan)
    return pd.DataFrame({"retention": r, "improved": improved, "clv": base, "clv_improved": better,
                         "gain": better - base, "gain_share": share})
