"""What a student's answer is: recognising numbers, labels, Series and arrays, and comparing them.

The self-checks in :mod:`crm_kit.exercises` accept an answer in whatever form a
student is likely to produce it (a float, a NumPy number, a one-element Series,
a list of labels, a DataFrame column); these helpers tell those forms apart,
describe them in feedback, and compare them with the expected answer. pandas is
imported only when an answer is a pandas object, so that importing the
self-checks stays fast.
"""

from __future__ import annotations

import numbers
import re
import sys
from collections.abc import Iterable
from typing import Any

from crm_course.language import language, tr


def _join(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def _key_order(key: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key) if p not in ("", "."))


def _norm_label(label: Any) -> str:
    if isinstance(label, str):
        return " ".join(label.split()).casefold()
    if _is_numpy_number(label):
        label = label.item()
    if isinstance(label, float) and label.is_integer():
        label = int(label)
    return str(label)


def _looks_numeric(text: str) -> bool:
    try:
        float(text.strip().rstrip("%").replace(",", "."))
    except ValueError:
        return False
    return True


def _pandas():
    # pandas can only be in play if the student already imported it.
    return sys.modules.get("pandas")


def _is_series(obj: Any) -> bool:
    pd = _pandas()
    return pd is not None and isinstance(obj, pd.Series)


def _is_frame(obj: Any) -> bool:
    pd = _pandas()
    return pd is not None and isinstance(obj, pd.DataFrame)


def _is_numpy_number(obj: Any) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(obj, np.number)


def _is_number(obj: Any) -> bool:
    """A single real number: int, float, Decimal, numpy scalar or 0-d array."""
    if _is_bool(obj):
        return False
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, (np.ndarray, np.generic)):
        return obj.ndim == 0 and (np.issubdtype(obj.dtype, np.integer) or np.issubdtype(obj.dtype, np.floating))
    return isinstance(obj, numbers.Number) and not isinstance(obj, complex)


def _is_bool(obj: Any) -> bool:
    np = sys.modules.get("numpy")
    return isinstance(obj, bool) or (np is not None and isinstance(obj, np.bool_))


def _is_collection(obj: Any) -> bool:
    return isinstance(obj, Iterable) and not isinstance(obj, (str, bytes)) and not _is_scalar(obj)


def _is_scalar(obj: Any) -> bool:
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.ndarray):
        return obj.ndim == 0
    return isinstance(obj, (numbers.Number, str, bytes)) or _is_bool(obj) or _is_numpy_number(obj)


def _size_one(obj: Any) -> bool:
    np = sys.modules.get("numpy")
    if _is_series(obj) or _is_frame(obj) or (np is not None and isinstance(obj, np.ndarray)):
        return obj.size == 1
    return isinstance(obj, (list, tuple)) and len(obj) == 1


def _describe(obj: Any) -> str:
    """What kind of object ``obj`` is, in words of the current language ("a list", "a number")."""
    if isinstance(obj, str):
        return tr("text (a string)")
    if _is_bool(obj):
        return "True/False"
    if _is_frame(obj):
        return tr("a table (a pandas DataFrame)")
    if _is_series(obj):
        return tr("a column of values (a pandas Series)")
    np = sys.modules.get("numpy")
    if np is not None and isinstance(obj, np.ndarray):
        return tr("an array")
    if isinstance(obj, complex) or (np is not None and np.iscomplexobj(obj) and np.ndim(obj) == 0):
        return tr("a complex number")
    if isinstance(obj, numbers.Number) or _is_numpy_number(obj):
        return tr("a number")
    for kind, words in ((list, tr("a list")), (tuple, tr("a tuple")), ((set, frozenset), tr("a set")),
                        (dict, tr("a dictionary"))):
        if isinstance(obj, kind):
            return words
    return tr("an object of type {name}", name=type(obj).__name__)


def _align(answer: Any, expected: Any) -> Any:
    """Line a pandas answer up with a pandas expected value by label.

    Students reach the same numbers in a different row or column order, or as
    a one-column DataFrame instead of a Series; when the labels match as sets,
    the order is not what the exercise is about.
    """
    pd = _pandas()
    if pd is None:
        return answer
    labelled = (pd.Series, pd.DataFrame)
    if not isinstance(answer, labelled) or not isinstance(expected, labelled):
        return answer
    if isinstance(expected, pd.Series) and isinstance(answer, pd.DataFrame) and answer.shape[1] == 1:
        answer = answer.iloc[:, 0]
    if isinstance(expected, pd.DataFrame) and expected.shape[1] == 1 and isinstance(answer, pd.Series):
        answer = answer.to_frame(name=expected.columns[0])
    if not isinstance(answer, type(expected)):
        return answer
    if _same_labels(answer.index, expected.index):
        answer = answer.reindex(expected.index)
    if isinstance(expected, pd.DataFrame) and _same_labels(answer.columns, expected.columns):
        answer = answer.reindex(columns=expected.columns)
    return answer


def _same_labels(a, b) -> bool:
    return len(a) == len(b) and a.is_unique and b.is_unique and set(a) == set(b)


def _within_array(a, e, atol: float, rtol: float):
    import numpy as np

    with np.errstate(invalid="ignore"):
        ok = np.abs(a - e) <= atol + rtol * np.abs(e)
    return ok | (np.isnan(a) & np.isnan(e))


# -- answers carried from a graded run to the grader ------------------------------------------


def encode_answer(answer: Any) -> dict:
    """A JSON-ready description of a student's answer, from which :func:`decode_answer` rebuilds it.

    A graded run (``CRM_KIT_RECORD``) writes answers to a file for the grader
    instead of comparing them, so the answer must survive the trip: numbers,
    text, True/False, lists and sets of those, arrays, and pandas Series and
    DataFrames (with their labels). Anything else is recorded by its
    description only, and the grader reads it as the wrong kind of object.

    Examples
    --------
    >>> encode_answer(0.25)
    {'type': 'number', 'value': 0.25}
    >>> decode_answer(encode_answer(["a", 2]))
    ['a', 2]
    >>> encode_answer(...)
    {'type': 'none'}
    """
    np = sys.modules.get("numpy")
    if answer is ... or answer is None:
        return {"type": "none"}
    if _is_bool(answer):
        return {"type": "bool", "value": bool(answer)}
    if _is_number(answer):
        value = answer.item() if hasattr(answer, "item") else answer
        if isinstance(value, numbers.Integral):
            return {"type": "number", "value": int(value)}
        return {"type": "number", "value": _json_float(float(value))}
    if isinstance(answer, str):
        return {"type": "text", "value": answer}
    if _is_series(answer):
        return {
            "type": "series",
            "index": [_plain(x) for x in answer.index],
            "values": [_plain(x) for x in answer.tolist()],
            "name": _plain(answer.name),
        }
    if _is_frame(answer):
        return {
            "type": "frame",
            "index": [_plain(x) for x in answer.index],
            "columns": [_plain(x) for x in answer.columns],
            "data": [[_plain(x) for x in row] for row in answer.itertuples(index=False, name=None)],
        }
    if np is not None and isinstance(answer, np.ndarray):
        return {"type": "array", "value": _plain_nested(answer.tolist())}
    if isinstance(answer, (list, tuple, set, frozenset)):
        kind = "set" if isinstance(answer, (set, frozenset)) else type(answer).__name__
        return {"type": kind, "value": [_plain(x) for x in answer]}
    if _is_collection(answer) and not isinstance(answer, dict):
        try:
            return {"type": "list", "value": [_plain(x) for x in list(answer)]}
        except TypeError:
            pass
    with language("en"):  # the grader translates what it reads, so the record is in English
        return {"type": "unreadable", "description": _describe(answer)}


def decode_answer(record: dict) -> Any:
    """The answer described by :func:`encode_answer`.

    An unreadable answer becomes an :class:`UnreadableAnswer`, which every
    self-check reads as the wrong kind of object.
    """
    kind = record.get("type")
    if kind == "none":
        return None
    if kind in ("number", "text", "bool"):
        value = record["value"]
        return float(value) if kind == "number" and isinstance(value, str) else value
    if kind in ("list", "tuple", "set"):
        values = [_unjson(x) for x in record["value"]]
        return {"list": list, "tuple": tuple, "set": set}[kind](values)
    if kind == "array":
        import numpy as np

        return np.asarray(_unjson_nested(record["value"]), dtype=object if _has_text(record["value"]) else float)
    if kind == "series":
        import pandas as pd

        return pd.Series([_unjson(x) for x in record["values"]], index=record["index"], name=record.get("name"))
    if kind == "frame":
        import pandas as pd

        data = [[_unjson(x) for x in row] for row in record["data"]]
        return pd.DataFrame(data, index=record["index"], columns=record["columns"])
    return UnreadableAnswer(record.get("description", "an object the grader could not read"))


class UnreadableAnswer:
    """Stands in for an answer a graded run could not record (a model, a function...)."""

    def __init__(self, description: str) -> None:
        self.description = description

    def __repr__(self) -> str:
        return f"UnreadableAnswer({self.description!r})"


def _json_float(value: float):
    # JSON has no NaN or infinity: keep them as text the decoder turns back.
    return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)


def _plain(x: Any) -> Any:
    np = sys.modules.get("numpy")
    if np is not None and isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return _json_float(x)
    if x is None or isinstance(x, (bool, int, str)):
        return x
    return str(x)


def _plain_nested(x: Any) -> Any:
    return [_plain_nested(v) for v in x] if isinstance(x, list) else _plain(x)


def _unjson(x: Any) -> Any:
    if isinstance(x, str) and x in ("nan", "inf", "-inf"):
        return float(x)
    return x


def _unjson_nested(x: Any) -> Any:
    return [_unjson_nested(v) for v in x] if isinstance(x, list) else _unjson(x)


def _has_text(x: Any) -> bool:
    if isinstance(x, list):
        return any(_has_text(v) for v in x)
    return isinstance(x, str) and x not in ("nan", "inf", "-inf")
