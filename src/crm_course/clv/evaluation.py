"""Checks of a fitted BG/NBD model against a holdout period: predicted against actual repeat purchases.

The standard check of a buy-till-you-die model (Fader, Hardie & Lee, 2005a):
fit on a calibration period, predict the holdout period, and compare with what
members actually did. Chapter 5 runs it on Kopilka before trusting the CLV.

* :func:`holdout_validation` — mean predicted against mean actual holdout
  purchases, by number of repeat purchases in calibration and in total;
* :func:`repeat_purchase_tracking` — cumulative repeat purchases week by week:
  actual against what the fitted model (in weeks) expects.

Both take a fitted :class:`crm_course.clv.BGNBDFitter` and any DataFrame with
the column names as arguments: the summary of
:func:`crm_course.clv.calibration_holdout` (``frequency_holdout``,
``duration_holdout``) or a transactions table (Kopilka's ``customer_id`` and
``order_date`` are only the defaults). Inputs are checked and never modified.

References
----------
Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005a). "Counting your customers"
the easy way: An alternative to the Pareto/NBD model. *Marketing Science*,
24(2), 275–284.

Examples
--------
>>> from crm_course.clv import BGNBDFitter, calibration_holdout
>>> from crm_course.clv.evaluation import holdout_validation
>>> from crm_course.data import load
>>> data = calibration_holdout(load("transactions"), "2024-06-30", "2024-12-29")
>>> table = holdout_validation(BGNBDFitter().fit(data), data, max_frequency=3)
>>> table.index.tolist()
['0', '1', '2', '3+', 'all']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.retention import _end_date, _orders
from crm_course.validation import check_frame, check_number, check_range, check_unique

__all__ = [
    "repeat_purchase_tracking",
    "holdout_validation",
]


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
        ``recency``, ``T``, ``frequency_holdout`` and ``duration_holdout``,
        one row per member. It has no key column, so a repeated member is
        not detected and would count twice in both the actual and the
        predicted totals.
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
    key: str | None = "order_id",
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
    key : str or None, default "order_id"
        Column of ``transactions`` that identifies an order: a repeated value
        is an error (it would be counted twice). Checked when the table has the
        column; ``None`` skips the check.

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
    check_unique(transactions, key, name="transactions")
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
