"""Input checks shared by every public helper of the course.

Each check raises :class:`ValueError` (or :class:`TypeError` for a wrong kind
of object) with a message that names the argument or column, what was
expected and what was found, so a student or researcher never meets a silent
NaN or a traceback from deep inside pandas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "check_categories",
    "check_frame",
    "check_number",
    "check_predictor",
    "check_range",
    "check_unique",
    "numbers_as_text",
]

#: Kinds a column can be required to have, and how each is tested.
_KINDS = {
    "numeric": (pd.api.types.is_numeric_dtype, "a numeric column"),
    "integer": (pd.api.types.is_integer_dtype, "an integer column"),
    "bool": (pd.api.types.is_bool_dtype, "a boolean (True/False) column"),
    "datetime": (pd.api.types.is_datetime64_any_dtype, "a datetime column (parse it with pd.to_datetime)"),
    "any": (lambda s: True, "a column"),
}


def _describe_dtype(series: pd.Series) -> str:
    return str(series.dtype)


def _require(df: pd.DataFrame, column: str, name: str) -> pd.Series:
    """``df[column]``, or a ValueError naming the missing column."""
    if column not in df.columns:
        shown = ", ".join(map(str, list(df.columns)[:12]))
        raise ValueError(f"{name}: missing column {column!r}; found columns: {shown}"
                         f"{' ...' if len(df.columns) > 12 else ''}")
    return df[column]


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, so messages read 2 rather than np.int64(2)."""
    return value.item() if isinstance(value, np.generic) else value


def check_frame(
    df: Any,
    columns: Mapping[str, str] | Iterable[str] = (),
    *,
    name: str = "data",
    min_rows: int = 1,
) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with the required columns and kinds.

    Parameters
    ----------
    df : object
        What the caller passed.
    columns : mapping of column name to kind, or iterable of names
        Kinds are ``"numeric"``, ``"integer"``, ``"bool"``, ``"datetime"`` or
        ``"any"``. A numeric check also rejects missing values; a 0/1 integer
        column passes a ``"bool"`` check.
    name : str
        The argument's name, used in messages.
    min_rows : int
        Fewest rows accepted.

    Returns
    -------
    pandas.DataFrame
        ``df`` itself (never modified).

    Examples
    --------
    >>> import pandas as pd
    >>> check_frame(pd.DataFrame({"spend": [1.0, 2.0]}), {"spend": "numeric"}).shape
    (2, 1)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame; found {type(df).__name__}")
    if len(df) < min_rows:
        raise ValueError(f"{name}: expected at least {min_rows} row(s); found {len(df)}")
    if not isinstance(columns, Mapping):
        columns = {c: "any" for c in columns}
    missing = [c for c in columns if c not in df.columns]
    if missing:
        shown = ", ".join(map(str, list(df.columns)[:12]))
        more = " ..." if len(df.columns) > 12 else ""
        raise ValueError(
            f"{name}: missing column(s) {', '.join(map(repr, missing))}; found columns: {shown}{more}"
        )
    for col, kind in columns.items():
        if kind not in _KINDS:
            raise ValueError(f"unknown column kind {kind!r} for {col!r}; use one of {sorted(_KINDS)}")
        series = df[col]
        test, wanted = _KINDS[kind]
        ok = test(series)
        if kind == "bool" and not ok and pd.api.types.is_numeric_dtype(series):
            ok = bool(series.dropna().isin([0, 1]).all())
        if kind == "bool" and not ok and series.dtype == object:
            ok = bool(series.dropna().map(lambda v: isinstance(v, (bool, np.bool_))).all())
        if not ok:
            raise ValueError(f"{name}: column {col!r} should be {wanted}; found dtype {_describe_dtype(series)}")
        if kind in {"numeric", "integer", "bool", "datetime"}:
            n_missing = int(series.isna().sum())
            if n_missing:
                raise ValueError(
                    f"{name}: column {col!r} has {n_missing} missing value(s); drop or fill them first"
                )
        if kind == "numeric" and not np.isfinite(series.to_numpy(dtype=float)).all():
            raise ValueError(f"{name}: column {col!r} has infinite value(s)")
    return df


def check_range(
    df: pd.DataFrame,
    column: str,
    *,
    low: float | None = None,
    high: float | None = None,
    name: str = "data",
    inclusive: bool = True,
) -> None:
    """Check that every value of ``df[column]`` lies in ``[low, high]``.

    Examples
    --------
    >>> import pandas as pd
    >>> check_range(pd.DataFrame({"csat": [1, 5]}), "csat", low=1, high=5)
    """
    values = _require(df, column, name)
    if not pd.api.types.is_numeric_dtype(values):
        raise ValueError(f"{name}: column {column!r} should be numeric; found dtype {_describe_dtype(values)}")
    bad = pd.Series(False, index=df.index)
    if low is not None:
        bad |= values < low if inclusive else values <= low
    if high is not None:
        bad |= values > high if inclusive else values >= high
    if bad.any():
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        brackets = ("[", "]") if inclusive else ("(", ")")
        example = values[bad].iloc[0]
        raise ValueError(
            f"{name}: column {column!r} should lie in {brackets[0]}{lo}, {hi}{brackets[1]}; "
            f"found {int(bad.sum())} value(s) outside, e.g. {example!r}"
        )


def check_unique(df: pd.DataFrame, key: str | Iterable[str] | None, *, name: str = "data") -> None:
    """Check that ``key`` (a column, or several together) identifies each row of ``df`` once.

    A repeated key means a row was loaded or joined twice, and every sum or
    mean built on the table would count it twice. ``key=None``, or a key
    column the table does not have, skips the check: a helper's default key
    (``order_id``, ``contact_id``, ``customer_id``) is checked whenever the
    caller's table carries it.

    Examples
    --------
    >>> import pandas as pd
    >>> check_unique(pd.DataFrame({"order_id": [1, 2, 2]}), "order_id", name="transactions")
    Traceback (most recent call last):
    ...
    ValueError: transactions: column 'order_id' should identify each row once (a key); found 1 repeated value(s), the first 2
    """
    if key is None or not isinstance(df, pd.DataFrame):
        return  # a non-frame is reported by the caller's check_frame
    columns = [key] if isinstance(key, str) else list(key)
    if not columns or any(c not in df.columns for c in columns):
        return
    repeated = df.duplicated(columns)
    if not repeated.any():
        return
    first = [_plain(v) for v in df.loc[repeated, columns].iloc[0]]
    if len(columns) == 1:
        raise ValueError(
            f"{name}: column {columns[0]!r} should identify each row once (a key); found "
            f"{int(repeated.sum())} repeated value(s), the first {first[0]!r}"
        )
    shown = ", ".join(f"{c}={v!r}" for c, v in zip(columns, first, strict=True))
    raise ValueError(
        f"{name}: columns {columns} should identify each row once (a key); found {int(repeated.sum())} "
        f"repeated combination(s), the first {shown}"
    )


def numbers_as_text(series: pd.Series) -> bool:
    """Whether a text (object or string) column holds numbers, or text that reads as a number.

    Such a column is almost always a numeric column that was read or joined
    as text (``"4.5"``, or numbers mixed with a stray label); a formula would
    silently turn it into one dummy per distinct value. Categorical dtypes
    and columns of genuine labels (``"email"``, ``"18-24"``) are not flagged.

    Examples
    --------
    >>> import pandas as pd
    >>> numbers_as_text(pd.Series(["4.5", "3"])), numbers_as_text(pd.Series(["email", "app"]))
    (True, False)
    >>> numbers_as_text(pd.Series([1.0, 2.0]))
    False
    """
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return False
    if isinstance(series.dtype, pd.CategoricalDtype):
        return False
    values = series.dropna()
    if values.empty:
        return False
    is_number = values.map(lambda v: isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool))
    if is_number.any():
        return True
    text = values[values.map(lambda v: isinstance(v, str))]
    return bool(pd.to_numeric(text, errors="coerce").notna().any())


def check_predictor(
    df: pd.DataFrame,
    column: str,
    *,
    name: str = "data",
    categorical: bool = False,
    hint: str | None = None,
) -> None:
    """Check that a model's right-hand-side column has a kind a model can use.

    Numeric and True/False columns enter as numbers; categorical and text
    label columns as categories. Refused: numbers stored as text (see
    :func:`numbers_as_text`) unless the column is declared a category
    (``categorical=True``, e.g. ``C(column)`` in a formula), dates, and
    infinite values. Missing values are the caller's to report.
    ``hint`` says how to declare a category (default: ``C(column)`` in the
    formula).

    Examples
    --------
    >>> import pandas as pd
    >>> check_predictor(pd.DataFrame({"csat": ["4", "5"]}, dtype=object), "csat")
    Traceback (most recent call last):
    ...
    ValueError: data: column 'csat' should be numeric; found numbers stored as text (dtype object, e.g. '4'): convert it with pd.to_numeric, or write C(csat) in the formula if it is a category
    """
    series = _require(df, column, name)
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        raise ValueError(
            f"{name}: column {column!r} should be numeric, True/False or categorical to enter a model; "
            f"found dtype {series.dtype} (use e.g. the number of days instead)"
        )
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        if not np.isfinite(series.to_numpy(dtype=float, na_value=np.nan)[series.notna().to_numpy()]).all():
            raise ValueError(f"{name}: column {column!r} has infinite value(s)")
    if not categorical and numbers_as_text(series):
        example = _plain(series.dropna().iloc[0])
        raise ValueError(
            f"{name}: column {column!r} should be numeric; found numbers stored as text (dtype {series.dtype}, "
            f"e.g. {example!r}): convert it with pd.to_numeric, or "
            f"{hint or f'write C({column}) in the formula'} if it is a category"
        )


def check_categories(df: pd.DataFrame, column: str, allowed: Iterable[Any], *, name: str = "data") -> None:
    """Check that ``df[column]`` holds only the ``allowed`` labels."""
    allowed = list(allowed)
    found = pd.unique(_require(df, column, name).dropna())
    unknown = [v for v in found if v not in allowed]
    if unknown:
        raise ValueError(
            f"{name}: column {column!r} should hold only {allowed}; found unknown label(s) {unknown[:5]}"
        )
    if df[column].isna().any():
        raise ValueError(f"{name}: column {column!r} has {int(df[column].isna().sum())} missing value(s)")


def check_number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    inclusive: bool = True,
) -> float:
    """Check a scalar argument such as a size, a probability or a rate.

    Examples
    --------
    >>> check_number(0.3, "p", low=0, high=1)
    0.3
    >>> check_number(-1, "n_members", low=1, integer=True)
    Traceback (most recent call last):
    ...
    ValueError: n_members: expected an integer in [1, inf]; found -1
    """
    kind = "an integer" if integer else "a number"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    brackets = ("[", "]") if inclusive else ("(", ")")
    expected = f"{kind} in {brackets[0]}{lo}, {hi}{brackets[1]}"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: expected {expected}; found {value!r} ({type(value).__name__})")
    if integer and not float(value).is_integer():
        raise ValueError(f"{name}: expected {expected}; found {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name}: expected {expected}; found {value!r}")
    too_low = low is not None and (value < low if inclusive else value <= low)
    too_high = high is not None and (value > high if inclusive else value >= high)
    if too_low or too_high:
        raise ValueError(f"{name}: expected {expected}; found {value!r}")
    return value
