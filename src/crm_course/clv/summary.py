"""Customer summaries for buy-till-you-die models: frequency, recency, T and mean spend from a transactions table.

The BG/NBD and Gamma–Gamma models (:mod:`crm_course.clv`, chapter 5) need one
row per customer, not one per order:

* :func:`rfm_summary` — ``frequency`` (repeat purchase days), ``recency`` (time
  of the last repeat purchase after the first), ``T`` (time from the first
  purchase to the end of observation) and ``monetary_value`` (mean value of the
  repeat purchases), in days, weeks or months;
* :func:`calibration_holdout` — the same summary up to a calibration date, and
  what the same customers did in the holdout period after it, to check a fitted
  model against.

Orders on the same calendar day form one purchase occasion and their values are
added up (the convention of the CDNOW data of Fader, Hardie & Lee, 2005a); the
first day is the customer's "birth" and the repeat purchases are the later days.

Both take any transactions DataFrame with the column names as arguments;
Kopilka's names (``customer_id``, ``order_date``, ``order_value``) are only the
defaults. Inputs are checked and never modified. :func:`rfm_summary` also takes
a path, a glob or a list of Parquet or CSV files and summarises them out of
core in DuckDB, with the SQL of ``rfm_summary_sql``
(the same text runs on Spark SQL or a warehouse).

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Examples
--------
>>> from crm_course.data import load
>>> from crm_course.clv.summary import rfm_summary
>>> summary = rfm_summary(load("transactions"), "2024-12-29")
>>> list(summary.columns)
['frequency', 'recency', 'T', 'monetary_value']
>>> bool((summary["recency"] <= summary["T"]).all())
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crm_course.clv.checks import _day, _first_bad, _unit_days
from crm_course.clv.summary_sql import _is_files, _summarise_files
from crm_course.validation import check_frame, check_unique

__all__ = [
    "calibration_holdout",
    "rfm_summary",
]


def _daily(transactions: pd.DataFrame, customer_col: str, date_col: str, value_col: str | None) -> pd.DataFrame:
    """Validated orders collapsed to one row per customer and purchase day."""
    columns = {customer_col: "any", date_col: "datetime"}
    if value_col is not None:
        columns[value_col] = "numeric"
    check_frame(transactions, columns, name="transactions")
    for column in (customer_col, date_col):
        if (n_missing := int(transactions[column].isna().sum())):
            raise ValueError(f"transactions: column {column!r} has {n_missing} missing value(s)")
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
    transactions: pd.DataFrame | str | os.PathLike | Sequence[str | os.PathLike],
    observation_end: Any,
    *,
    time_unit: str = "W",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    value_col: str | None = "order_value",
    key: str | None = "order_id",
    duckdb_config: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Summarise a transactions table into one (frequency, recency, T) row per customer.

    Orders on the same calendar day form one purchase occasion and their
    values are added up (the convention of the CDNOW data of Fader, Hardie &
    Lee, 2005). The first day is the customer's "birth"; the repeat purchases
    are the later days.

    Given files instead of a DataFrame, the summary runs out of core in
    DuckDB (install ``crm-course[scale]``): the SQL of
    ``rfm_summary_sql`` reads the files in
    streams; beyond 6.25 million orders the log is first split by customer
    into a temporary folder (about the size of the log on disk) and
    summarised part by part, so memory stays about flat: 100 million orders
    took 52 s and 1 GB on two cores (``benchmarks/bench_rfm.py``). The
    result is the same, row for row, as the DataFrame path's.

    Parameters
    ----------
    transactions : pandas.DataFrame, path, glob or list of paths
        One row per order, with a customer identifier, a date or datetime
        column and (unless ``value_col`` is None) an order value >= 0: a
        DataFrame, or Parquet or CSV files (``"orders/*.parquet"``, a list of
        paths; CSV dates written as YYYY-MM-DD).
    observation_end : date-like
        Last day observed (inclusive). Later orders are ignored, and so are
        customers whose first order is later.
    time_unit : {"W", "D", "M"}
        Unit of ``recency`` and ``T``: weeks (default), days or average months
        (365.25 / 12 days).
    customer_col, date_col, value_col : str
        Column names; ``value_col=None`` skips the spend.
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when a DataFrame has
        the column (files are not checked); ``None`` skips the check.
    duckdb_config : dict, optional
        DuckDB settings for files, e.g. ``{"threads": 2, "memory_limit":
        "2GB"}``; DuckDB's own defaults otherwise.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer (sorted), with ``frequency`` (repeat purchase days),
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
    if _is_files(transactions):
        return _summarise_files(transactions, observation_end, time_unit=time_unit, customer_col=customer_col,
                                date_col=date_col, value_col=value_col, duckdb_config=duckdb_config)
    if duckdb_config is not None:
        raise ValueError("duckdb_config: only used when transactions are files; found a "
                         f"{type(transactions).__name__}")
    unit = _unit_days(time_unit)
    end = _day(observation_end, "observation_end")
    daily = _daily(transactions, customer_col, date_col, value_col)
    check_unique(transactions, key, name="transactions")
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
    key: str | None = "order_id",
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
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

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
    check_unique(transactions, key, name="transactions")
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
