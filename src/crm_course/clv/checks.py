"""Input checks shared by the CLV models (private): customer summaries, spend, weights, arrays and time units.

The fitters and helpers of :mod:`crm_course.clv` call these so that a wrong
summary fails early with a message that names the column, what was expected and
what was found, never deep inside scipy:

* ``_rfm_input`` and ``_check_rfm`` — a (frequency, recency, T) frame from a
  summary DataFrame or from arrays, with the constraints that tie the three
  together (whole repeat purchases, ``recency <= T``, ``recency = 0`` when there
  is no repeat purchase);
* ``_spend_input`` and ``_check_spend`` — the same for (frequency,
  monetary_value): positive spend wherever there is a repeat purchase;
* ``_weights_input``, ``_array``, ``_check_generator`` — weights per row,
  bounded numeric arrays and a :class:`numpy.random.Generator`;
* ``_wrap`` — return a Series, an array or a float, following the input;
* :data:`TIME_UNITS`, ``_unit_days`` and ``_day`` — the supported time units
  (days, weeks, average months) and dates.

Not part of the public interface: import from :mod:`crm_course.clv` instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_course.validation import check_frame, check_number

#: Length of each supported time unit in days; a month is an average month.
TIME_UNITS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12}


_RFM = ("frequency", "recency", "T")


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


def _simulation_inputs(n: Any, params: dict[str, Any], T: Any, rng: Any, period: Any) -> tuple[int, np.ndarray]:
    """Check a continuous-time simulator's inputs; return ``n`` and ``T`` as one value per customer.

    Shared by :func:`simulate_bgnbd`, :func:`simulate_mbgnbd` and :func:`simulate_pareto_nbd`:
    ``n`` a positive whole number, every parameter > 0, ``rng`` a Generator, ``T`` > 0 (one value
    or ``n``), ``period`` > 0 if given.
    """
    n = int(check_number(n, "n", low=1, integer=True))
    for label, value in params.items():
        check_number(value, label, low=0, inclusive=False)
    _check_generator(rng)
    T_arr = _array(T, "T", low=0, inclusive_low=False)
    if T_arr.ndim > 1 or (T_arr.ndim == 1 and T_arr.shape != (n,)):
        raise ValueError(f"T: expected a number or an array of {n} values; found shape {T_arr.shape}")
    T_arr = np.broadcast_to(T_arr, (n,)).astype(float)
    if period is not None:
        check_number(period, "period", low=0, inclusive=False)
    return n, T_arr
