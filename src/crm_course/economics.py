r"""The economics of customer relationships (chapter 5).

Helpers that turn Kopilka's tables into the numbers a CRM business case
needs, and the business case itself:

* **Retention.** :func:`cohort_retention` (the classic cohort table),
  :func:`retention_rate` (year-on-year retention of active members),
  :func:`lapse_durations` (an observable "lapsed" event for survival
  analysis), :func:`kaplan_meier`, :func:`survival_at`, :func:`logrank_test`
  and :func:`cox_model` with :func:`hazard_ratios`.
* **Support experience and drop-out.** :func:`support_experience` (each
  member's contacts and CSAT) and :func:`contact_dropout_logit` (drop-out
  after a contact, where drop-out is observed, e.g. in the simulation's
  hidden truth via :func:`contacts_at_risk`).
* **Model checks.** :func:`holdout_validation` and
  :func:`repeat_purchase_tracking` compare a fitted BG/NBD model
  (:mod:`crm_course.clv`) with what members actually did in a holdout period.
* **Value.** :func:`retention_lever` (what extra retention points are worth),
  :func:`programme_cash_flows`, :func:`npv_monte_carlo`, :func:`npv_summary`
  and :func:`break_even` (the NPV of a CRM programme and its uncertainty), and
  :func:`relationship_value` with :func:`switching_share` (the relationship
  seen from both sides).

Money is in roubles (RUB) in the Kopilka data; nothing here assumes a
currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_frame, check_number, check_range

__all__ = [
    "COST_NAMES",
    "INPUT_NAMES",
    "break_even",
    "cohort_retention",
    "contact_dropout_logit",
    "contacts_at_risk",
    "cox_model",
    "hazard_ratios",
    "holdout_validation",
    "kaplan_meier",
    "lapse_durations",
    "logrank_test",
    "npv_monte_carlo",
    "npv_summary",
    "programme_cash_flows",
    "relationship_value",
    "repeat_purchase_tracking",
    "retention_lever",
    "retention_rate",
    "support_experience",
    "survival_at",
    "switching_share",
]

_Z95 = 1.959963984540054


# --------------------------------------------------------------------------
# Small shared checks
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Cohorts
# --------------------------------------------------------------------------


def cohort_retention(
    transactions: pd.DataFrame,
    *,
    cohort_freq: str = "Q",
    period_days: int = 30,
    observation_end: Any = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
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


# --------------------------------------------------------------------------
# Survival: an observable event, Kaplan-Meier, log-rank, Cox
# --------------------------------------------------------------------------


def lapse_durations(
    transactions: pd.DataFrame,
    *,
    lapse_weeks: float = 26,
    observation_end: Any = None,
    origin: pd.Series | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
) -> pd.DataFrame:
    """Time until a member lapses: an observable stand-in for the unobservable drop-out.

    In a non-contractual business nobody announces that they have left. This
    function uses a common working definition: a member has **lapsed** at the
    last order after which ``lapse_weeks`` passed with no order. The
    *duration* runs from the member's ``origin`` (by default the first
    order) to that last order, so a member who never orders again after the
    origin lapses at duration 0.

    A lapse at time ``s`` is confirmed only once ``s + lapse_weeks`` is
    observed, so every member is censored at ``observation_end - lapse_weeks
    - origin``: later lapses cannot yet be seen. This censoring depends only
    on the origin date, never on the member's behaviour (independent,
    administrative censoring). Members whose origin is later than
    ``observation_end - lapse_weeks`` cannot be followed and are left out.

    Parameters
    ----------
    transactions : pandas.DataFrame
        One row per order with a customer identifier and an order date.
    lapse_weeks : float
        Weeks without an order that count as a lapse (26: half a year).
    observation_end : date-like, optional
        Last day observed; defaults to the last order date.
    origin : pandas.Series, optional
        Start of follow-up per member: datetimes indexed by customer
        identifier (e.g. the date of the first support contact). Orders on or
        before the origin are ignored. Default: each member's first order.
    customer_col, date_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer: ``origin``, ``duration`` (weeks from the origin
        to the lapse or to censoring) and ``lapsed`` (True if the lapse was
        observed).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "customer_id": [1, 1, 1, 2],
    ...     "order_date": pd.to_datetime(["2023-01-02", "2023-01-16", "2023-12-25", "2023-02-06"]),
    ... })
    >>> lapse_durations(orders, lapse_weeks=26, observation_end="2024-06-30")  # doctest: +NORMALIZE_WHITESPACE
                    origin  duration  lapsed
    customer_id
    1           2023-01-02       2.0    True
    2           2023-02-06       0.0    True
    """
    lapse_weeks = check_number(lapse_weeks, "lapse_weeks", low=0, inclusive=False)
    days = _orders(transactions, customer_col, date_col)
    end = _end_date(observation_end, "observation_end", days["day"].max())
    window = pd.Timedelta(days=7 * float(lapse_weeks))
    if origin is None:
        start = days.groupby("customer", sort=True)["day"].min()
    else:
        if not isinstance(origin, pd.Series):
            raise TypeError(f"origin: expected a pandas Series of dates indexed by customer; found {type(origin).__name__}")
        if not pd.api.types.is_datetime64_any_dtype(origin):
            raise ValueError(f"origin: expected datetime values (parse them with pd.to_datetime); found dtype {origin.dtype}")
        if origin.isna().any():
            raise ValueError(f"origin: has {int(origin.isna().sum())} missing date(s); drop those members first")
        if origin.index.has_duplicates:
            raise ValueError("origin: expected one date per customer; found a duplicated customer in its index")
        if origin.empty:
            raise ValueError("origin: expected at least one customer; found an empty Series")
        start = origin.dt.normalize().sort_index()
    start = start.rename("origin").rename_axis("customer")
    censor = end - window - start
    start = start[censor >= pd.Timedelta(0)]
    if start.empty:
        raise ValueError(
            f"origin: every member starts after observation_end - lapse_weeks ({(end - window).date()}); "
            "nobody can be followed long enough to see a lapse"
        )

    # Anchors: the origin, then every purchase day after it. A lapse is the
    # first anchor followed by more than `lapse_weeks` without an order.
    later = days.join(start, on="customer", how="inner")
    later = later.loc[later["day"] > later["origin"], ["customer", "day"]]
    anchors = pd.concat([pd.DataFrame({"customer": start.index.to_numpy(), "day": start.to_numpy()}), later])
    anchors = anchors.sort_values(["customer", "day"], kind="stable").reset_index(drop=True)
    nxt = anchors.groupby("customer", sort=False)["day"].shift(-1)
    gap_known = nxt.notna()
    lapse_here = np.where(gap_known, (nxt - anchors["day"]) > window, (end - anchors["day"]) >= window)
    lapse_day = anchors[lapse_here].groupby("customer", sort=True)["day"].min().reindex(start.index)

    lapsed = lapse_day.notna().to_numpy()
    follow = np.where(lapsed, (lapse_day - start).dt.days, (end - window - start).dt.days)
    out = pd.DataFrame({"origin": start.to_numpy(), "duration": follow / 7.0, "lapsed": lapsed},
                       index=start.index.rename(customer_col))
    return out


def support_experience(
    contacts: pd.DataFrame,
    transactions: pd.DataFrame | None = None,
    *,
    customer_col: str = "customer_id",
    date_col: str = "contact_date",
    csat_col: str = "csat",
    order_date_col: str = "order_date",
    first_columns: Iterable[str] = ("payout_received", "first_contact_resolution", "reason"),
) -> pd.DataFrame:
    """Each member's support experience: how many contacts, how satisfied, and the first contact.

    Parameters
    ----------
    contacts : pandas.DataFrame
        One row per support contact with a customer identifier, a contact
        date and a CSAT score (1-5).
    transactions : pandas.DataFrame, optional
        Orders; if given, adds ``orders_before`` (the member's orders on or
        before the day of the first contact), a measure of how established
        the member was when they first needed help.
    customer_col, date_col, csat_col, order_date_col : str
        Column names.
    first_columns : iterable of str
        Other columns of the first contact to keep, prefixed ``first_``.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer: ``contacts``, ``mean_csat``, ``min_csat``,
        ``first_contact_date``, ``first_csat``, the ``first_*`` columns and,
        with ``transactions``, ``orders_before``.

    Examples
    --------
    >>> import pandas as pd
    >>> contacts = pd.DataFrame({
    ...     "customer_id": [7, 7, 8],
    ...     "contact_date": pd.to_datetime(["2024-03-01", "2024-01-10", "2024-02-02"]),
    ...     "csat": [5, 2, 4],
    ... })
    >>> support_experience(contacts, first_columns=())  # doctest: +NORMALIZE_WHITESPACE
                 contacts  mean_csat  min_csat first_contact_date  first_csat
    customer_id
    7                   2        3.5         2         2024-01-10           2
    8                   1        4.0         4         2024-02-02           4
    """
    first_columns = list(first_columns)
    check_frame(contacts, {customer_col: "any", date_col: "datetime", csat_col: "numeric",
                           **{c: "any" for c in first_columns}}, name="contacts")
    check_range(contacts, csat_col, low=1, high=5, name="contacts")
    if contacts[customer_col].isna().any():
        raise ValueError(f"contacts: column {customer_col!r} has {int(contacts[customer_col].isna().sum())} missing value(s)")
    ordered = contacts.sort_values([customer_col, date_col], kind="stable")
    grouped = ordered.groupby(customer_col, sort=True, observed=True)
    out = pd.DataFrame(
        {
            "contacts": grouped.size(),
            "mean_csat": grouped[csat_col].mean(),
            "min_csat": grouped[csat_col].min(),
            "first_contact_date": grouped[date_col].first(),
            "first_csat": grouped[csat_col].first(),
        }
    )
    for col in first_columns:
        out[f"first_{col}"] = grouped[col].first()
    if transactions is not None:
        check_frame(transactions, {customer_col: "any", order_date_col: "datetime"}, name="transactions")
        # Count orders, not purchase days: several orders on one day each count.
        orders = transactions[[customer_col, order_date_col]].join(
            out["first_contact_date"].dt.normalize().rename("first"), on=customer_col, how="inner"
        )
        counts = orders[orders[order_date_col].dt.normalize() <= orders["first"]].groupby(customer_col).size()
        out["orders_before"] = counts.reindex(out.index).fillna(0).astype(np.int64)
    out.index.name = customer_col
    return out


def _survival_frame(data: Any, duration: str, event: str, extra: dict[str, str], name: str = "data") -> pd.DataFrame:
    check_frame(data, {duration: "numeric", event: "bool", **extra}, name=name)
    check_range(data, duration, low=0, name=name)
    return data


def kaplan_meier(
    data: pd.DataFrame,
    *,
    duration: str = "duration",
    event: str = "lapsed",
    group: str | None = None,
) -> pd.DataFrame:
    r"""Kaplan–Meier survival curves, overall or by group, with 95% confidence bands.

    :math:`\hat S(t) = \prod_{t_j \le t} (1 - d_j / n_j)` with :math:`d_j`
    events among :math:`n_j` members at risk at time :math:`t_j`
    (statsmodels ``SurvfuncRight``). Standard errors by Greenwood's formula;
    the 95% band is computed on the log(-log) scale so it stays inside
    [0, 1]. Assumes censoring is unrelated to the chance of the event
    (true for the administrative censoring of :func:`lapse_durations`).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member with a duration (>= 0) and an event flag.
    duration, event : str
        Column names; ``event`` True (or 1) if the event was observed, False
        if censored.
    group : str, optional
        Column to split the curves by (e.g. acquisition channel).

    Returns
    -------
    pandas.DataFrame
        Tidy: ``group`` ("all" without a group), ``time``, ``at_risk``,
        ``events``, ``survival``, ``std_error``, ``lower_95``, ``upper_95``.
        Each group starts with a row at time 0 and survival 1, so the
        curve can be drawn as a step plot (``drawstyle="steps-post"``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"duration": [1.0, 2.0, 2.0, 3.0], "lapsed": [True, True, False, True]})
    >>> kaplan_meier(d)[["time", "at_risk", "events", "survival"]]
       time  at_risk  events  survival
    0   0.0        4       0      1.00
    1   1.0        4       1      0.75
    2   2.0        3       1      0.50
    3   3.0        1       1      0.00
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    extra = {group: "any"} if group is not None else {}
    _survival_frame(data, duration, event, extra)
    if group is not None and data[group].isna().any():
        raise ValueError(f"data: column {group!r} has {int(data[group].isna().sum())} missing value(s)")
    labels = data[group] if group is not None else pd.Series("all", index=data.index)
    frames = []
    for label, part in data.groupby(labels, sort=True, observed=True):
        fit = SurvfuncRight(part[duration].to_numpy(dtype=float), part[event].to_numpy(dtype=float))
        s = np.asarray(fit.surv_prob, dtype=float)
        # Greenwood's variance is undefined once everyone has had the event; the curve is then exactly 0.
        se = np.where(s > 0, np.asarray(fit.surv_prob_se, dtype=float), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.log(s)
            theta = se / (s * np.abs(log_s))
            lower = np.where((s > 0) & (s < 1), s ** np.exp(_Z95 * theta), np.where(s >= 1, 1.0, 0.0))
            upper = np.where((s > 0) & (s < 1), s ** np.exp(-_Z95 * theta), np.where(s >= 1, 1.0, 0.0))
        frames.append(
            pd.DataFrame(
                {
                    "group": label,
                    "time": np.r_[0.0, fit.surv_times],
                    "at_risk": np.r_[len(part), fit.n_risk].astype(np.int64),
                    "events": np.r_[0, fit.n_events].astype(np.int64),
                    "survival": np.r_[1.0, s],
                    "std_error": np.r_[0.0, se],
                    "lower_95": np.r_[1.0, lower],
                    "upper_95": np.r_[1.0, upper],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def survival_at(curves: pd.DataFrame, times: float | Iterable[float]) -> pd.DataFrame:
    """Read Kaplan–Meier curves at given times.

    Parameters
    ----------
    curves : pandas.DataFrame
        The output of :func:`kaplan_meier`.
    times : float or iterable of float
        Times (same unit as the durations, >= 0).

    Returns
    -------
    pandas.DataFrame
        One row per group and time: ``group``, ``time``, ``survival``,
        ``std_error``, ``lower_95``, ``upper_95`` (the value of the step
        function at that time).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"duration": [1.0, 2.0, 2.0, 3.0], "lapsed": [True, True, False, True]})
    >>> survival_at(kaplan_meier(d), 2.5)[["group", "time", "survival"]]
      group  time  survival
    0   all   2.5       0.5
    """
    check_frame(curves, {"group": "any", "time": "numeric", "survival": "numeric", "std_error": "numeric",
                         "lower_95": "numeric", "upper_95": "numeric"}, name="curves")
    t = np.atleast_1d(np.asarray(times, dtype=float))
    if t.ndim != 1 or not np.isfinite(t).all() or (t < 0).any():
        raise ValueError(f"times: expected one or more numbers >= 0; found {times!r}")
    rows = []
    for label, part in curves.groupby("group", sort=False, observed=True):
        part = part.sort_values("time", kind="stable")
        idx = np.searchsorted(part["time"].to_numpy(), t, side="right") - 1
        picked = part.iloc[np.maximum(idx, 0)]
        rows.append(pd.DataFrame({"group": label, "time": t,
                                  **{c: picked[c].to_numpy() for c in ("survival", "std_error", "lower_95", "upper_95")}}))
    return pd.concat(rows, ignore_index=True)


def logrank_test(data: pd.DataFrame, *, group: str, duration: str = "duration", event: str = "lapsed") -> pd.Series:
    """Log-rank test that the survival curves of the groups are the same.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member.
    group : str
        Column with the groups (at least two).
    duration, event : str
        As for :func:`kaplan_meier`.

    Returns
    -------
    pandas.Series
        ``statistic`` (chi-squared), ``df`` (groups - 1) and ``p_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"duration": [1.0, 2, 3, 4, 5, 6], "lapsed": [True] * 6,
    ...                   "channel": ["a", "a", "a", "b", "b", "b"]})
    >>> round(float(logrank_test(d, group="channel")["p_value"]), 3)
    0.025
    """
    from statsmodels.duration.survfunc import survdiff

    _survival_frame(data, duration, event, {group: "any"})
    if data[group].isna().any():
        raise ValueError(f"data: column {group!r} has {int(data[group].isna().sum())} missing value(s)")
    labels = data[group].astype(str).to_numpy()
    k = len(np.unique(labels))
    if k < 2:
        raise ValueError(f"data: column {group!r} should hold at least two groups; found {k}")
    stat, p = survdiff(data[duration].to_numpy(dtype=float), data[event].to_numpy(dtype=float), labels)
    return pd.Series({"statistic": float(stat), "df": float(k - 1), "p_value": float(p)})


def cox_model(
    data: pd.DataFrame,
    covariates: str,
    *,
    duration: str = "duration",
    event: str = "lapsed",
    ties: str = "efron",
):
    r"""Cox proportional-hazards model of the time to an event (statsmodels ``PHReg``).

    .. math::

        h_i(t) = h_0(t)\,\exp(\beta' x_i)

    The baseline hazard :math:`h_0(t)` is left unspecified; each
    :math:`\exp(\beta_k)` is a **hazard ratio**: how much one more unit of
    :math:`x_k` multiplies the chance of the event at any moment, other
    covariates held fixed. Assumes proportional hazards (the ratio is the
    same at every duration) and censoring unrelated to the event given the
    covariates. Standard errors are model-based (inverse information of the
    partial likelihood); tied times by Efron's method.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per member. Not modified.
    covariates : str
        Right-hand side of a formula, e.g. ``"first_csat + C(channel)"``.
    duration, event : str
        Columns with the time (>= 0) and the event flag (True if observed).
    ties : {"efron", "breslow"}
        How tied event times are handled.

    Returns
    -------
    statsmodels PHRegResults
        Coefficients are log hazard ratios (see :func:`hazard_ratios`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2_000)
    >>> d = pd.DataFrame({"x": x, "duration": rng.exponential(1 / np.exp(0.5 * x)), "lapsed": True})
    >>> round(float(cox_model(d, "x").params[0]), 1)
    0.5
    """
    import patsy

    if not isinstance(covariates, str) or not covariates.strip():
        raise ValueError(f"covariates: expected the right-hand side of a formula such as 'csat + C(channel)'; found {covariates!r}")
    if "~" in covariates:
        raise ValueError(f"covariates: give only the right-hand side (no '~'); found {covariates!r}")
    if ties not in {"efron", "breslow"}:
        raise ValueError(f"ties: expected 'efron' or 'breslow'; found {ties!r}")
    _survival_frame(data, duration, event, {})
    if data[event].astype(float).sum() == 0:
        raise ValueError(f"data: column {event!r} has no observed event; a hazard model needs some")
    from statsmodels.duration.hazard_regression import PHReg

    frame = data.assign(_event_=data[event].astype(float))
    try:
        model = PHReg.from_formula(f"Q({duration!r}) ~ {covariates}", frame, status=frame["_event_"].to_numpy(),
                                   ties=ties, missing="raise")
    except patsy.PatsyError as exc:
        raise ValueError(f"covariates: could not build {covariates!r} from the columns of data ({exc.message})") from None
    return model.fit()


def hazard_ratios(result: Any, level: float = 0.95) -> pd.DataFrame:
    """Hazard ratios of a fitted Cox model with confidence intervals.

    Parameters
    ----------
    result : statsmodels PHRegResults
        From :func:`cox_model`.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by term: ``log_hr``, ``std_error``, ``hazard_ratio``,
        ``lower``, ``upper`` (interval of the hazard ratio) and ``p_value``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=2_000)
    >>> d = pd.DataFrame({"x": x, "duration": rng.exponential(1 / np.exp(0.5 * x)), "lapsed": True})
    >>> list(hazard_ratios(cox_model(d, "x")).columns)
    ['log_hr', 'std_error', 'hazard_ratio', 'lower', 'upper', 'p_value']
    """
    from statsmodels.duration.hazard_regression import PHRegResults

    if not isinstance(getattr(result, "_results", result), PHRegResults):
        raise TypeError(f"result: expected a fitted Cox model from cox_model(); found {type(result).__name__}")
    check_number(level, "level", low=0, high=1, inclusive=False)
    conf = np.asarray(result.conf_int(alpha=1 - level), dtype=float)
    params = np.asarray(result.params, dtype=float)
    return pd.DataFrame(
        {
            "log_hr": params,
            "std_error": np.asarray(result.bse, dtype=float),
            "hazard_ratio": np.exp(params),
            "lower": np.exp(conf[:, 0]),
            "upper": np.exp(conf[:, 1]),
            "p_value": np.asarray(result.pvalues, dtype=float),
        },
        index=pd.Index(result.model.exog_names, name="term"),
    )


# --------------------------------------------------------------------------
# Drop-out after a support contact (where drop-out is observed)
# --------------------------------------------------------------------------


def contact_dropout_logit(
    contacts: pd.DataFrame,
    *,
    dropped_col: str = "dropped_out_after",
    csat_col: str = "csat",
    top_score: int = 5,
):
    r"""Logit of drop-out right after a support contact on how far its CSAT fell short of the top score.

    .. math::

        \Pr(\text{drop out} \mid \text{contact}) =
            \operatorname{logistic}\bigl(\beta_0 + \beta_1\,(\text{top} - \text{CSAT})\bigr)

    :math:`\beta_1` (term ``csat_shortfall``) is the change in the log-odds
    of leaving per CSAT point below the top score. It needs an **observed**
    drop-out flag: a contractual business sees cancellations; Kopilka does
    not, so in this course it is fitted on the simulation's hidden truth
    (:func:`contacts_at_risk`) to show what was planted. Each row should be
    a contact of a member who could still leave (active before it).
    Standard errors are model-based; each contact's drop-out draw is
    independent given its CSAT in the simulation.

    Parameters
    ----------
    contacts : pandas.DataFrame
        One row per contact with a drop-out flag and a CSAT score.
    dropped_col, csat_col : str
        Column names.
    top_score : int
        The best CSAT score (5).

    Returns
    -------
    statsmodels LogitResults
        Terms ``Intercept`` and ``csat_shortfall``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> csat = rng.integers(1, 6, 20_000)
    >>> dropped = rng.random(20_000) < 1 / (1 + np.exp(3.5 - 0.55 * (5 - csat)))
    >>> fit = contact_dropout_logit(pd.DataFrame({"csat": csat, "dropped_out_after": dropped}))
    >>> fit.params.round(1).tolist()
    [-3.5, 0.5]
    """
    import statsmodels.formula.api as smf

    top_score = int(check_number(top_score, "top_score", low=2, integer=True))
    check_frame(contacts, {dropped_col: "bool", csat_col: "numeric"}, name="contacts")
    check_range(contacts, csat_col, low=1, high=top_score, name="contacts")
    y = contacts[dropped_col].astype(float)
    if y.nunique() < 2:
        raise ValueError(f"contacts: column {dropped_col!r} should hold both outcomes (some drop-outs, some not); found only {y.iloc[0]:g}")
    frame = pd.DataFrame({"dropped": y.to_numpy(), "csat_shortfall": top_score - contacts[csat_col].to_numpy(dtype=float)})
    return smf.logit("dropped ~ csat_shortfall", frame).fit(disp=0)


def contacts_at_risk(world: Any) -> pd.DataFrame:
    """The contacts of a simulated Kopilka world, with the hidden drop-out flag, among members still active.

    Uses the world's hidden truth (``world.truth``), which a real firm never
    sees: ``dropped_out_after`` says whether the member dropped out right
    after the contact. A contact counts as *at risk* if the member had not
    yet dropped out when it was handled (drop-out after an order in the
    same week comes first in the simulation). Use it to check the planted
    ``SupportParams.dropout_per_csat_point`` with :func:`contact_dropout_logit`.

    Parameters
    ----------
    world : crm_course.world.World
        A simulated world (``crm_course.world.simulate``).

    Returns
    -------
    pandas.DataFrame
        The at-risk contacts: the ``contacts`` table's columns plus
        ``week`` and ``dropped_out_after``.

    Examples
    --------
    >>> from crm_course.world import simulate
    >>> at_risk = contacts_at_risk(simulate(2_000, seed=1))
    >>> bool(at_risk["dropped_out_after"].any())
    True
    """
    from crm_course.world import World

    if not isinstance(world, World):
        raise TypeError(f"world: expected a World from crm_course.world.simulate; found {type(world).__name__}")
    contacts = world.tables["contacts"].merge(world.truth["contacts"], on="contact_id", how="left", validate="1:1")
    members = world.truth["members"].set_index("customer_id")
    start = pd.Timestamp(world.params.members.start)
    week = ((contacts["contact_date"] - start).dt.days // 7).to_numpy()
    dropout_week = members["dropout_week"].reindex(contacts["customer_id"]).to_numpy(dtype=float, na_value=np.nan)
    cause = members["dropout_cause"].reindex(contacts["customer_id"]).to_numpy()
    active = np.isnan(dropout_week) | (dropout_week > week) | ((dropout_week == week) & (cause == "after contact"))
    out = contacts.assign(week=week)
    return out.loc[active].reset_index(drop=True)


# --------------------------------------------------------------------------
# Checking a BG/NBD model on a holdout period
# --------------------------------------------------------------------------


def holdout_validation(
    model: Any,
    data: pd.DataFrame,
    *,
    max_frequency: int = 7,
    frequency_col: str = "frequency",
    holdout_col: str = "frequency_holdout",
    duration_col: str = "duration_holdout",
) -> pd.DataFrame:
    """Predicted against actual holdout purchases, by calibration frequency and in total.

    The standard check of a buy-till-you-die model (Fader, Hardie & Lee,
    2005): fit on a calibration period, predict each member's purchases in
    the holdout period with the conditional expectation, and compare the
    mean prediction with what members actually did, for groups of members
    with 0, 1, 2, ... repeat purchases in calibration.

    Parameters
    ----------
    model : crm_course.clv.BGNBDFitter
        Fitted on the calibration columns of ``data`` (anything with
        ``predict(t, summary)`` works).
    data : pandas.DataFrame
        From :func:`crm_course.clv.calibration_holdout`: ``frequency``,
        ``recency``, ``T``, ``frequency_holdout`` and ``duration_holdout``.
    max_frequency : int
        Calibration frequencies from this value up are pooled ("7+").
    frequency_col, holdout_col, duration_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per frequency group and a last row ``"all"``: ``members``,
        ``actual`` and ``predicted`` (mean holdout purchases per member),
        ``actual_total`` and ``predicted_total``.

    Examples
    --------
    >>> import numpy as np
    >>> from crm_course.clv import BGNBDFitter, simulate_bgnbd
    >>> cal = simulate_bgnbd(3_000, r=0.5, alpha=5.0, a=0.8, b=3.0, T=30.0, rng=np.random.default_rng(5))
    >>> cal["frequency_holdout"], cal["duration_holdout"] = 1, 10.0
    >>> table = holdout_validation(BGNBDFitter().fit(cal), cal, max_frequency=3)
    >>> table.index.tolist()
    ['0', '1', '2', '3+', 'all']
    """
    if not hasattr(model, "predict"):
        raise TypeError(f"model: expected a fitted BGNBDFitter; found {type(model).__name__}")
    max_frequency = int(check_number(max_frequency, "max_frequency", low=1, integer=True))
    check_frame(data, {frequency_col: "numeric", holdout_col: "numeric", duration_col: "numeric",
                       "recency": "numeric", "T": "numeric"}, name="data")
    check_range(data, holdout_col, low=0, name="data")
    check_range(data, duration_col, low=0, inclusive=False, name="data")
    summary = data.rename(columns={frequency_col: "frequency"})[["frequency", "recency", "T"]]
    predicted = np.asarray(model.predict(data[duration_col].to_numpy(dtype=float), summary), dtype=float)
    freq = data[frequency_col].to_numpy(dtype=float)
    capped = np.minimum(freq, max_frequency).astype(np.int64)
    labels = np.array([str(k) for k in range(max_frequency)] + [f"{max_frequency}+"])
    frame = pd.DataFrame({"group": labels[capped], "order": capped, "actual": data[holdout_col].to_numpy(dtype=float),
                          "predicted": predicted})
    by = frame.groupby(["order", "group"], sort=True).agg(
        members=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean"),
        actual_total=("actual", "sum"), predicted_total=("predicted", "sum"),
    ).reset_index(level="order", drop=True)
    total = pd.DataFrame(
        {"members": [len(frame)], "actual": [frame["actual"].mean()], "predicted": [frame["predicted"].mean()],
         "actual_total": [frame["actual"].sum()], "predicted_total": [frame["predicted"].sum()]},
        index=["all"],
    )
    out = pd.concat([by, total])
    out.index.name = "calibration_frequency"
    return out


def repeat_purchase_tracking(
    model: Any,
    transactions: pd.DataFrame,
    calibration_end: Any,
    observation_end: Any,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
) -> pd.DataFrame:
    """Cumulative repeat purchases week by week: actual against what a fitted BG/NBD expects.

    For the members whose first purchase falls on or before
    ``calibration_end`` (the ones a model fitted with
    :func:`crm_course.clv.calibration_holdout` saw), the expected number of
    repeat purchases by week ``w`` is the sum over members of
    ``model.expected_purchases(w - first purchase)`` (Fader, Hardie & Lee,
    2005, Figure 2). Purchase days are counted as in
    :func:`crm_course.clv.rfm_summary` (one per member and day); the
    model's time unit must be weeks.

    Parameters
    ----------
    model : crm_course.clv.BGNBDFitter
        Fitted in weeks.
    transactions : pandas.DataFrame
        Orders with a customer identifier and an order date.
    calibration_end, observation_end : date-like
        End of the calibration period and of the data.
    customer_col, date_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per week end: ``week_end`` (date), ``actual`` and
        ``predicted`` cumulative repeat purchases, and ``calibration``
        (True up to ``calibration_end``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from crm_course.clv import BGNBDFitter, simulate_bgnbd
    >>> model = BGNBDFitter().fit(simulate_bgnbd(2_000, 0.5, 5.0, 0.8, 3.0, 30.0, np.random.default_rng(5)))
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2],
    ...                        "order_date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-01-03"])})
    >>> repeat_purchase_tracking(model, orders, "2024-01-14", "2024-01-28")["actual"].tolist()
    [0, 0, 1, 1]
    """
    if not hasattr(model, "expected_purchases"):
        raise TypeError(f"model: expected a fitted BGNBDFitter; found {type(model).__name__}")
    days = _orders(transactions, customer_col, date_col)
    cal_end = _end_date(calibration_end, "calibration_end", days["day"].max())
    obs_end = _end_date(observation_end, "observation_end", days["day"].max())
    if obs_end <= cal_end:
        raise ValueError(f"observation_end: expected a day after calibration_end {cal_end.date()}; found {obs_end.date()}")
    first = days.groupby("customer", sort=True)["day"].min()
    first = first[first <= cal_end]
    if first.empty:
        raise ValueError(f"transactions: expected first orders on or before calibration_end {cal_end.date()}; found none")
    days = days[days["customer"].isin(first.index) & (days["day"] <= obs_end)]
    repeat_days = days.loc[days["day"] > days["customer"].map(first), "day"]

    start = first.min()
    n_weeks = int(np.ceil(((obs_end - start).days + 1) / 7))
    week_end = start + pd.to_timedelta(7 * np.arange(1, n_weeks + 1) - 1, unit="D")
    week_end = pd.DatetimeIndex(np.minimum(week_end.to_numpy(), obs_end.to_datetime64()))
    actual = np.searchsorted(np.sort(repeat_days.to_numpy()), week_end.to_numpy(), side="right")
    # Members born on the same day share one curve: evaluate per distinct birth day.
    births = first.value_counts().sort_index()
    elapsed = (week_end.to_numpy()[None, :] - births.index.to_numpy()[:, None]) / np.timedelta64(7, "D")
    expected = np.asarray(model.expected_purchases(np.clip(elapsed, 0, None).ravel()), dtype=float).reshape(elapsed.shape)
    predicted = births.to_numpy(dtype=float) @ expected
    return pd.DataFrame(
        {"week_end": week_end, "actual": actual.astype(np.int64), "predicted": predicted,
         "calibration": week_end <= cal_end}
    )


# --------------------------------------------------------------------------
# The retention lever
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# ROI and NPV of a CRM programme
# --------------------------------------------------------------------------

#: Inputs of the programme model, with their meaning and unit.
INPUT_NAMES: dict[str, str] = {
    "members": "active members the programme reaches each year",
    "margin_per_member": "net margin per active member per year (RUB)",
    "retention": "share of active members still active a year later",
    "campaigns_per_year": "personalised campaigns sent per year",
    "targeted_share": "share of active members targeted in each campaign",
    "campaign_lift": "extra margin net of offer cost per targeted member per campaign (RUB)",
    "contacted_share": "share of active members who contact support in a year",
    "engagement_gain": "rise in agents' engagement score bought by the people investment (points)",
    "csat_per_engagement": "CSAT points per engagement point",
    "log_hr_per_csat": "change in the log hazard of lapsing per CSAT point (Cox coefficient)",
}

#: Costs of the programme (RUB).
COST_NAMES: dict[str, str] = {
    "process_upfront": "one-off investment in processes and systems, paid at the start (RUB)",
    "process_annual": "yearly cost of running the new processes (RUB)",
    "people_annual": "yearly cost of the people investment: training, pay, empowerment (RUB)",
}

_SHARES = ("retention", "targeted_share", "contacted_share")
_NON_NEGATIVE = ("members", "campaigns_per_year")


def _check_keys(given: Mapping, expected: Sequence[str], name: str) -> None:
    """The dict ``given`` has exactly the ``expected`` keys, or a message naming the difference."""
    missing = [k for k in expected if k not in given]
    unknown = [k for k in given if k not in expected]
    if missing:
        raise ValueError(f"{name}: missing {missing}; expected the keys {list(expected)}")
    if unknown:
        raise ValueError(f"{name}: unknown key(s) {unknown}; expected the keys {list(expected)}")


def _inputs(inputs: Any) -> dict[str, tuple[float, float]]:
    """Validated {name: (estimate, standard error)}; a plain number has a standard error of 0."""
    if not isinstance(inputs, Mapping):
        raise TypeError(f"inputs: expected a dict of name -> (estimate, standard error); found {type(inputs).__name__}")
    _check_keys(inputs, INPUT_NAMES, "inputs")
    out = {}
    for key, value in inputs.items():
        pair = (value, 0.0) if np.isscalar(value) else tuple(value)
        if len(pair) != 2:
            raise ValueError(f"inputs[{key!r}]: expected a number or an (estimate, standard error) pair; found {value!r}")
        est = float(check_number(pair[0], f"inputs[{key!r}] estimate"))
        se = float(check_number(pair[1], f"inputs[{key!r}] standard error", low=0))
        if key in _SHARES:
            check_number(est, f"inputs[{key!r}] estimate", low=0, high=1)
        if key in _NON_NEGATIVE:
            check_number(est, f"inputs[{key!r}] estimate", low=0)
        if key == "retention" and se > 0 and not 0 < est < 1:
            raise ValueError(f"inputs['retention']: an uncertain retention must lie strictly between 0 and 1; found {est!r}")
        out[key] = (est, se)
    return out


def _costs(costs: Any) -> dict[str, float]:
    if not isinstance(costs, Mapping):
        raise TypeError(f"costs: expected a dict of name -> RUB; found {type(costs).__name__}")
    _check_keys(costs, COST_NAMES, "costs")
    return {k: float(check_number(v, f"costs[{k!r}]", low=0)) for k, v in costs.items()}


def _horizon_discount(horizon: Any, discount: Any) -> tuple[int, float]:
    horizon = int(check_number(horizon, "horizon", low=1, high=100, integer=True))
    discount = float(check_number(discount, "discount", low=0, high=1))
    return horizon, discount


def _yearly(v: Mapping[str, np.ndarray], discount: float) -> dict[str, np.ndarray]:
    """Yearly benefits of the programme (vectorised over draws)."""
    personalisation = v["members"] * v["targeted_share"] * v["campaigns_per_year"] * v["campaign_lift"]
    delta_csat = v["engagement_gain"] * v["csat_per_engagement"]
    hazard_ratio = np.exp(v["log_hr_per_csat"] * delta_csat)
    r = v["retention"]
    # Proportional hazards: a yearly survival S becomes S ** hazard_ratio.
    retained = v["members"] * v["contacted_share"] * (r**hazard_ratio - r)
    # A member kept one more year brings m in each following year while they stay: m / (1 + d - r).
    value_kept = v["margin_per_member"] / (1.0 + discount - r)
    return {"personalisation": personalisation, "retention": retained * value_kept,
            "extra_members_retained": retained, "hazard_ratio": hazard_ratio}


def programme_cash_flows(inputs: Mapping[str, Any], costs: Mapping[str, float], *, horizon: int = 3,
                         discount: float = 0.15) -> pd.DataFrame:
    r"""Year-by-year cash flows of a CRM programme at the point estimates of its inputs.

    The programme invests in **processes** (``process_upfront`` at year 0,
    ``process_annual`` after) and in **people** (``people_annual``). Each
    year it earns two benefits:

    * personalisation: ``members * targeted_share * campaigns_per_year *
      campaign_lift``;
    * retention through the service-profit chain: the people investment
      raises engagement by ``engagement_gain`` points, so CSAT rises by
      :math:`\Delta = ` ``engagement_gain * csat_per_engagement`` and the
      contacted members' hazard of lapsing is multiplied by
      :math:`h = \exp(\beta\,\Delta)` with :math:`\beta` =
      ``log_hr_per_csat``. Their yearly retention :math:`r` becomes
      :math:`r^{h}` (proportional hazards), so
      ``members * contacted_share * (r**h - r)`` more members stay, each
      worth :math:`m / (1 + d - r)` (the discounted margin of a member
      kept one more year, who then stays with probability :math:`r` a year).

    Assumptions: a steady state (the same number of active members every
    year), benefits and costs at the end of each year, independent
    effects that add up, and the estimates from the earlier chapters
    carry over to the programme.

    Parameters
    ----------
    inputs : mapping
        Every key of :data:`INPUT_NAMES`; each value a number or an
        (estimate, standard error) pair (only the estimate is used here).
    costs : mapping
        Every key of :data:`COST_NAMES`, in RUB.
    horizon : int
        Years the programme runs.
    discount : float
        Yearly discount rate (cost of capital).

    Returns
    -------
    pandas.DataFrame
        One row per year 0..horizon: ``personalisation``, ``retention``
        (benefits), ``costs``, ``cash_flow``, ``discounted`` and
        ``cumulative`` (discounted, running total: the NPV so far).

    Examples
    --------
    >>> inputs = dict(members=10_000, margin_per_member=300.0, retention=0.6, campaigns_per_year=4,
    ...               targeted_share=0.5, campaign_lift=3.0, contacted_share=0.3, engagement_gain=8.0,
    ...               csat_per_engagement=0.03, log_hr_per_csat=-0.1)
    >>> costs = dict(process_upfront=50_000, process_annual=10_000, people_annual=5_000)
    >>> programme_cash_flows(inputs, costs, horizon=2)["cumulative"].round(0).tolist()
    [-50000.0, -464.0, 42610.0]
    """
    values = {k: np.array([est]) for k, (est, _se) in _inputs(inputs).items()}
    c = _costs(costs)
    horizon, discount = _horizon_discount(horizon, discount)
    yearly = _yearly(values, discount)
    years = np.arange(horizon + 1)
    pers = np.where(years > 0, yearly["personalisation"][0], 0.0)
    ret = np.where(years > 0, yearly["retention"][0], 0.0)
    cost = np.where(years > 0, c["process_annual"] + c["people_annual"], c["process_upfront"])
    flow = pers + ret - cost
    disc = flow / (1.0 + discount) ** years
    return pd.DataFrame({"year": years, "personalisation": pers, "retention": ret, "costs": cost,
                         "cash_flow": flow, "discounted": disc, "cumulative": np.cumsum(disc)}).set_index("year")


def _draw(inputs: dict[str, tuple[float, float]], n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    draws = {}
    for key, (est, se) in inputs.items():  # ten named inputs, not rows
        if se == 0:
            draws[key] = np.full(n, est)
        elif key == "retention":
            # On the log-odds scale (delta method), so every draw stays inside (0, 1).
            logit = np.log(est / (1 - est))
            draws[key] = 1.0 / (1.0 + np.exp(-(logit + rng.standard_normal(n) * se / (est * (1 - est)))))
        else:
            z = est + rng.standard_normal(n) * se
            draws[key] = np.clip(z, 0.0, 1.0) if key in _SHARES else (np.maximum(z, 0.0) if key in _NON_NEGATIVE else z)
    return draws


def _present_values(draws: Mapping[str, np.ndarray], costs: dict[str, float], horizon: int,
                    discount: float) -> dict[str, np.ndarray]:
    annuity = float(np.sum((1.0 + discount) ** -np.arange(1, horizon + 1)))
    yearly = _yearly(draws, discount)
    pv_pers = yearly["personalisation"] * annuity
    pv_ret = yearly["retention"] * annuity
    pv_costs = costs["process_upfront"] + (costs["process_annual"] + costs["people_annual"]) * annuity
    npv = pv_pers + pv_ret - pv_costs
    return {"pv_personalisation": pv_pers, "pv_retention": pv_ret, "pv_costs": np.full_like(npv, pv_costs),
            "npv": npv, "roi": npv / pv_costs if pv_costs > 0 else np.full_like(npv, np.nan)}


def npv_monte_carlo(
    inputs: Mapping[str, Any],
    costs: Mapping[str, float],
    *,
    horizon: int = 3,
    discount: float = 0.15,
    n_draws: int = 10_000,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Monte Carlo distribution of a CRM programme's NPV and ROI.

    Each uncertain input is drawn from a normal distribution with its
    estimate as mean and its standard error as standard deviation (the
    large-sample sampling distribution), independently of the others;
    retention is drawn on the log-odds scale so it stays in (0, 1), shares
    are kept in [0, 1] and counts at 0 or more. The programme model is the
    one of :func:`programme_cash_flows`. The spread reflects **sampling
    uncertainty only**: if an estimate is biased (an observational
    estimate read as causal) or the programme works differently at scale,
    the distribution does not show it.

    Parameters
    ----------
    inputs : mapping
        Every key of :data:`INPUT_NAMES`: a number (known) or an
        (estimate, standard error) pair.
    costs : mapping
        Every key of :data:`COST_NAMES`, in RUB (taken as known).
    horizon : int
        Years the programme runs.
    discount : float
        Yearly discount rate.
    n_draws : int
        Number of simulated programmes.
    rng : numpy.random.Generator
        Source of every draw (``np.random.default_rng(seed)``).

    Returns
    -------
    pandas.DataFrame
        One row per draw: the drawn inputs, ``pv_personalisation``,
        ``pv_retention``, ``pv_costs``, ``npv`` and ``roi`` (NPV per
        rouble of discounted cost). Summarise with :func:`npv_summary`.

    Examples
    --------
    >>> import numpy as np
    >>> inputs = dict(members=10_000, margin_per_member=(300.0, 10.0), retention=(0.6, 0.02),
    ...               campaigns_per_year=4, targeted_share=0.5, campaign_lift=(3.0, 1.5),
    ...               contacted_share=0.3, engagement_gain=(8.0, 2.0), csat_per_engagement=(0.03, 0.01),
    ...               log_hr_per_csat=(-0.1, 0.03))
    >>> costs = dict(process_upfront=50_000, process_annual=10_000, people_annual=5_000)
    >>> draws = npv_monte_carlo(inputs, costs, n_draws=2_000, rng=np.random.default_rng(7))
    >>> draws.shape
    (2000, 15)
    """
    checked = _inputs(inputs)
    c = _costs(costs)
    horizon, discount = _horizon_discount(horizon, discount)
    n_draws = int(check_number(n_draws, "n_draws", low=1, integer=True))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)); found {type(rng).__name__}")
    draws = _draw(checked, n_draws, rng)
    values = _present_values(draws, c, horizon, discount)
    return pd.DataFrame({**draws, **values})


def npv_summary(draws: pd.DataFrame, *, level: float = 0.90) -> pd.Series:
    """Summarise Monte Carlo draws of a programme's NPV.

    Parameters
    ----------
    draws : pandas.DataFrame
        From :func:`npv_monte_carlo` (columns ``npv`` and ``roi``).
    level : float
        Coverage of the reported interval (0.90: from the 5th to the 95th
        percentile).

    Returns
    -------
    pandas.Series
        ``mean_npv``, ``median_npv``, ``npv_low`` and ``npv_high`` (the
        interval), ``probability_loss`` (share of draws with NPV < 0),
        ``mean_roi`` and ``expected_loss_if_loss`` (mean NPV of the losing
        draws; 0 if none lose).

    Examples
    --------
    >>> import pandas as pd
    >>> npv_summary(pd.DataFrame({"npv": [-10.0, 5.0, 20.0, 25.0], "roi": [-0.1, 0.05, 0.2, 0.25]}))["probability_loss"]
    np.float64(0.25)
    """
    check_frame(draws, {"npv": "numeric", "roi": "numeric"}, name="draws")
    check_number(level, "level", low=0, high=1, inclusive=False)
    npv = draws["npv"].to_numpy(dtype=float)
    tail = (1 - level) / 2
    losing = npv[npv < 0]
    return pd.Series(
        {
            "mean_npv": npv.mean(),
            "median_npv": float(np.median(npv)),
            "npv_low": float(np.quantile(npv, tail)),
            "npv_high": float(np.quantile(npv, 1 - tail)),
            "probability_loss": float(np.mean(npv < 0)),
            "mean_roi": float(draws["roi"].mean()),
            "expected_loss_if_loss": float(losing.mean()) if losing.size else 0.0,
        }
    )


def break_even(inputs: Mapping[str, Any], costs: Mapping[str, float], parameter: str, *, horizon: int = 3,
               discount: float = 0.15) -> float:
    """The value of one input at which the programme's NPV is exactly zero (the others at their estimates).

    The NPV is linear in ``members``, ``campaigns_per_year``,
    ``targeted_share``, ``campaign_lift``, ``contacted_share`` and
    ``margin_per_member``, and monotone in the others over their usual
    range; the root is found by bisection (``scipy.optimize.brentq``) on a
    widening bracket around the estimate.

    A break-even value need not exist. The NPV rises one for one with
    ``campaign_lift`` as long as some members are targeted, so a break-even
    campaign effect exists whenever ``members``, ``targeted_share`` and
    ``campaigns_per_year`` are positive. A break-even number of ``members``
    exists only if each member adds a positive present value (the
    programme's costs are fixed): if the campaign effect is negative enough,
    the programme loses money at any size. Ask for a parameter whose break-
    even exists, or check the benefit per member first.

    Parameters
    ----------
    inputs, costs, horizon, discount
        As for :func:`programme_cash_flows`.
    parameter : str
        One key of :data:`INPUT_NAMES`, or ``"costs"`` for the multiple of
        all costs the programme can bear (1 = as planned).

    Returns
    -------
    float
        The break-even value.

    Raises
    ------
    ValueError
        If no allowed value of ``parameter`` makes the NPV zero. The message
        says why in a manager's terms, e.g. that the programme loses money
        at any number of members because each member adds a negative
        present value, or that it makes money even at zero cost.

    Examples
    --------
    >>> inputs = dict(members=10_000, margin_per_member=300.0, retention=0.6, campaigns_per_year=4,
    ...               targeted_share=0.5, campaign_lift=3.0, contacted_share=0.3, engagement_gain=8.0,
    ...               csat_per_engagement=0.03, log_hr_per_csat=-0.1)
    >>> costs = dict(process_upfront=50_000, process_annual=10_000, people_annual=5_000)
    >>> round(break_even(inputs, costs, "campaign_lift", horizon=2), 3)
    1.689

    When each member brings a negative margin, no size of the member base
    breaks even, and the error says so:

    >>> break_even({**inputs, "campaign_lift": -1.0}, costs, "members", horizon=2)
    Traceback (most recent call last):
    ...
    ValueError: parameter: no value of 'members' brings the NPV to zero: the programme loses money at any number of members, because each member adds a negative present value (-1.31 RUB over 2 years: personalisation -3.25, retention +1.95) while the costs (present value 74,386 RUB) do not shrink with fewer members. Raise what each member brings (e.g. campaign_lift) before asking how many members are needed.
    """
    from scipy.optimize import brentq

    checked = _inputs(inputs)
    c = _costs(costs)
    horizon, discount = _horizon_discount(horizon, discount)
    if parameter != "costs" and parameter not in INPUT_NAMES:
        raise ValueError(f"parameter: expected 'costs' or one of {list(INPUT_NAMES)}; found {parameter!r}")
    point = {k: np.array([est]) for k, (est, _se) in checked.items()}

    def npv(value: float) -> float:
        if parameter == "costs":
            return float(_present_values(point, {k: v * value for k, v in c.items()}, horizon, discount)["npv"][0])
        trial = dict(point)
        trial[parameter] = np.array([value])
        return float(_present_values(trial, c, horizon, discount)["npv"][0])

    if parameter in _SHARES:
        low, high = 0.0, 1.0 - 1e-12
        if parameter == "retention":
            low = 1e-12
        if np.sign(npv(low)) == np.sign(npv(high)):
            raise ValueError(_no_break_even(parameter, point, c, horizon, discount, npv, low, high))
        return float(brentq(npv, low, high, xtol=1e-12))
    centre = checked[parameter][0] if parameter != "costs" else 1.0
    span = max(abs(centre), 1.0)
    lower_bound = 0.0 if parameter in _NON_NEGATIVE + ("costs",) else -np.inf
    for _ in range(60):  # widen the bracket until the sign changes
        low, high = max(centre - span, lower_bound), centre + span
        if np.sign(npv(low)) != np.sign(npv(high)):
            return float(brentq(npv, low, high, xtol=1e-10 * span, maxiter=500))
        span *= 2
    raise ValueError(_no_break_even(parameter, point, c, horizon, discount, npv, low, high))


def _no_break_even(parameter: str, point: Mapping[str, np.ndarray], costs: dict[str, float], horizon: int,
                   discount: float, npv: Any, low: float, high: float) -> str:
    """Why no value of ``parameter`` brings the NPV to zero, in a manager's words."""
    head = f"parameter: no value of {parameter!r} brings the NPV to zero: "
    years = f"{horizon} year{'s' if horizon != 1 else ''}"
    values = _present_values(point, costs, horizon, discount)
    pv_costs = float(values["pv_costs"][0])
    if parameter == "members":
        n = float(point["members"][0])
        per = {k: float(values[f"pv_{k}"][0]) / n if n > 0 else np.nan for k in ("personalisation", "retention")}
        if n <= 0:  # the benefit per member cannot be read off a base of zero: evaluate one member
            one = _present_values({**point, "members": np.array([1.0])}, costs, horizon, discount)
            per = {k: float(one[f"pv_{k}"][0]) for k in ("personalisation", "retention")}
        total = per["personalisation"] + per["retention"]
        if total <= 0:
            kind = "negative" if total < 0 else "zero"
            return head + (
                f"the programme loses money at any number of members, because each member adds a {kind} "
                f"present value ({total:+,.2f} RUB over {years}: personalisation {per['personalisation']:+,.2f}, "
                f"retention {per['retention']:+,.2f}) while the costs (present value {pv_costs:,.0f} RUB) do not "
                "shrink with fewer members. Raise what each member brings (e.g. campaign_lift) before asking how "
                "many members are needed."
            )
    if parameter == "costs":
        benefits = float(values["pv_personalisation"][0] + values["pv_retention"][0])
        if benefits <= 0:
            return head + (
                f"the programme loses money even at zero cost, because its benefits are not positive "
                f"(present value {benefits:+,.0f} RUB over {years}); no cost the programme could bear exists."
            )
        return head + (
            f"the programme's costs are zero, so it makes money (present value {benefits:,.0f} RUB over "
            f"{years}) whatever multiple of them it bears."
        )
    if parameter in ("campaign_lift", "campaigns_per_year", "targeted_share"):
        reach = float(point["members"][0] * point["targeted_share"][0] * point["campaigns_per_year"][0]) \
            if parameter == "campaign_lift" else float(point["members"][0])
        if reach == 0:
            return head + (
                f"the NPV does not depend on it, because no member is reached (members, targeted_share or "
                f"campaigns_per_year is zero); the NPV is {npv(low):+,.0f} RUB at any value."
            )
    at_low, at_high = npv(low), npv(high)
    if at_low < 0 and at_high < 0:
        verdict = "loses money"
    elif at_low > 0 and at_high > 0:
        verdict = "makes money"
    else:
        verdict = "never crosses zero"
    if verdict == "never crosses zero":
        return head + f"the NPV does not change sign between {low:.3g} and {high:.3g} (NPV {at_low:+,.0f} to {at_high:+,.0f} RUB)."
    return head + (
        f"the programme {verdict} at every value of it from {low:.3g} to {high:.3g} (NPV from {at_low:+,.0f} to "
        f"{at_high:+,.0f} RUB over {years}), with the other inputs at their estimates; changing {parameter!r} "
        "alone cannot make it break even."
    )


# --------------------------------------------------------------------------
# The member's side of the marriage
# --------------------------------------------------------------------------


def relationship_value(
    transactions: pd.DataFrame,
    contacts: pd.DataFrame,
    *,
    start: Any = None,
    end: Any = None,
    cost_per_contact: float = 180.0,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str = "order_value",
    commission_col: str = "commission",
    cashback_col: str = "cashback",
    contact_date_col: str = "contact_date",
) -> pd.DataFrame:
    """What the relationship brings each side over a period: the member's cashback and the firm's margin.

    For every member with an order or a support contact between ``start``
    and ``end``: the member receives ``cashback``; the firm keeps
    ``margin = commission - cashback`` and pays ``cost_per_contact`` for each
    contact, leaving ``net_margin``. Pending orders count at their current
    commission and cashback; declined orders bring neither, but their
    contacts still cost.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Orders with customer, date, value, commission and cashback columns.
    contacts : pandas.DataFrame
        Support contacts with customer and date columns.
    start, end : date-like, optional
        The period (inclusive); default the whole data.
    cost_per_contact : float
        Fully loaded cost of handling a contact (Kopilka: 180 RUB,
        ``SupportParams.cost_per_contact``).
    customer_col, date_col, value_col, commission_col, cashback_col, contact_date_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer: ``orders``, ``spend``, ``cashback``,
        ``commission``, ``margin``, ``contacts``, ``support_cost``,
        ``net_margin`` and ``cashback_rate`` (cashback / spend; NaN
        without spend).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2], "order_date": pd.to_datetime(["2024-01-02"] * 3),
    ...                        "order_value": [1000.0, 500.0, 200.0], "commission": [60.0, 30.0, 0.0],
    ...                        "cashback": [40.0, 20.0, 0.0]})
    >>> contacts = pd.DataFrame({"customer_id": [2], "contact_date": pd.to_datetime(["2024-01-05"])})
    >>> relationship_value(orders, contacts)[["cashback", "margin", "support_cost", "net_margin"]]  # doctest: +NORMALIZE_WHITESPACE
                 cashback  margin  support_cost  net_margin
    customer_id
    1                60.0    30.0           0.0        30.0
    2                 0.0     0.0         180.0      -180.0
    """
    cost_per_contact = float(check_number(cost_per_contact, "cost_per_contact", low=0))
    money = {value_col: "numeric", commission_col: "numeric", cashback_col: "numeric"}
    check_frame(transactions, {customer_col: "any", date_col: "datetime", **money}, name="transactions")
    for col in money:
        check_range(transactions, col, low=0, name="transactions")
    check_frame(contacts, {customer_col: "any", contact_date_col: "datetime"}, name="contacts", min_rows=0)
    dates = pd.concat([transactions[date_col], contacts[contact_date_col]])
    lo = _end_date(start, "start", dates.min())
    hi = _end_date(end, "end", dates.max())
    if hi < lo:
        raise ValueError(f"end: expected a day on or after start {lo.date()}; found {hi.date()}")
    tr = transactions[(transactions[date_col] >= lo) & (transactions[date_col] < hi + pd.Timedelta(days=1))]
    ct = contacts[(contacts[contact_date_col] >= lo) & (contacts[contact_date_col] < hi + pd.Timedelta(days=1))]
    if tr.empty and ct.empty:
        raise ValueError(f"transactions: no order or contact between {lo.date()} and {hi.date()}")
    per = tr.groupby(customer_col, sort=True, observed=True).agg(
        orders=(value_col, "size"), spend=(value_col, "sum"), cashback=(cashback_col, "sum"),
        commission=(commission_col, "sum"),
    )
    n_contacts = ct.groupby(customer_col, sort=True, observed=True).size().rename("contacts")
    out = per.join(n_contacts, how="outer")
    out[["orders", "contacts"]] = out[["orders", "contacts"]].fillna(0).astype(np.int64)
    out[["spend", "cashback", "commission"]] = out[["spend", "cashback", "commission"]].fillna(0.0)
    out["margin"] = out["commission"] - out["cashback"]
    out["support_cost"] = cost_per_contact * out["contacts"]
    out["net_margin"] = out["margin"] - out["support_cost"]
    spend = out["spend"].to_numpy()
    out["cashback_rate"] = np.divide(out["cashback"].to_numpy(), spend, out=np.full(len(out), np.nan), where=spend > 0)
    out.index.name = customer_col
    return out[["orders", "spend", "cashback", "commission", "margin", "contacts", "support_cost", "net_margin",
                "cashback_rate"]]


def switching_share(
    values: pd.DataFrame,
    *,
    extra_rate: float | Iterable[float],
    switching_cost: float | Iterable[float],
    spend_col: str = "spend",
    margin_col: str = "net_margin",
) -> pd.DataFrame:
    """Which members a rival could lure: the extra cashback they would earn exceeds their cost of switching.

    A member who spends ``S`` a year gains ``extra_rate * S`` by moving to a
    rival that pays ``extra_rate`` more cashback, and pays a one-off
    ``switching_cost`` (time to re-register, learning a new app, cashback
    still pending here). The member switches when the gain exceeds the cost
    (a deliberately simple, one-year view of the member's side).

    Parameters
    ----------
    values : pandas.DataFrame
        One row per member, e.g. from :func:`relationship_value` over a year.
    extra_rate : float or iterable of float
        The rival's extra cashback as a share of spend (0.01 = one point).
    switching_cost : float or iterable of float
        The member's cost of switching (RUB).
    spend_col, margin_col : str
        Columns with the member's yearly spend and the firm's margin on them.

    Returns
    -------
    pandas.DataFrame
        One row per combination: ``extra_rate``, ``switching_cost``,
        ``share_switching`` (of members), ``margin_at_risk`` (the firm's
        margin on them) and ``margin_share_at_risk`` (of the total margin;
        NaN if the total is not positive).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"spend": [1_000.0, 10_000.0, 50_000.0], "net_margin": [10.0, 100.0, 500.0]})
    >>> switching_share(v, extra_rate=0.01, switching_cost=[50.0, 200.0])[["switching_cost", "share_switching",
    ...                                                                   "margin_at_risk"]]
       switching_cost  share_switching  margin_at_risk
    0            50.0         0.666667           600.0
    1           200.0         0.333333           500.0
    """
    check_frame(values, {spend_col: "numeric", margin_col: "numeric"}, name="values")
    check_range(values, spend_col, low=0, name="values")
    rates = np.atleast_1d(np.asarray(extra_rate, dtype=float))
    costs = np.atleast_1d(np.asarray(switching_cost, dtype=float))
    if rates.ndim != 1 or rates.size == 0 or not np.isfinite(rates).all() or (rates < 0).any() or (rates > 1).any():
        raise ValueError(f"extra_rate: expected one or more shares in [0, 1]; found {extra_rate!r}")
    if costs.ndim != 1 or costs.size == 0 or not np.isfinite(costs).all() or (costs < 0).any():
        raise ValueError(f"switching_cost: expected one or more amounts >= 0; found {switching_cost!r}")
    spend = values[spend_col].to_numpy(dtype=float)
    margin = values[margin_col].to_numpy(dtype=float)
    rr, cc = (g.ravel() for g in np.meshgrid(rates, costs, indexing="ij"))
    switch = rr[:, None] * spend[None, :] > cc[:, None]
    at_risk = switch @ margin
    total = margin.sum()
    return pd.DataFrame(
        {
            "extra_rate": rr,
            "switching_cost": cc,
            "share_switching": switch.mean(axis=1),
            "margin_at_risk": at_risk,
            "margin_share_at_risk": at_risk / total if total > 0 else np.full(rr.size, np.nan),
        }
    )
