"""Self-checks for the exercises: feedback that hints, never tells.

A student calls :func:`check` with the exercise's key and their answer::

    check("1.2", top10_share)

and reads one line of plain text: **correct**, **close** (with a hint),
**not yet right** (with a hint) or **not answered yet** (the answer is still
``...`` or ``None``, as in the student edition). The expected answer is never
printed, never part of the returned object's repr and never part of an
exception message; the student's own answer is not echoed either, because a
correct answer echoed back is the expected answer.

The self-checks help students learn; they are not a grader. The expected
answers ship with the package (``crm_course/answers/chNN.py``), so a student
who goes looking can find them.

Kinds of answer
---------------
``"number"``
    One number, compared with a tolerance: correct when
    ``|answer - expected| <= atol + rtol * |expected|``, close inside the wider
    band given by ``close_atol`` and ``close_rtol`` (10 % by default). Wrong
    answers are told whether they are too high or too low.
``"share"`` / ``"percent"``
    A number that is a share between 0 and 1 (or a percentage between 0 and
    100). An answer on the other scale (25 for 0.25, or 0.25 for 25 %) is
    recognised and gets a hint about the scale.
``"choice"``
    One label, compared ignoring case and surrounding or repeated spaces;
    ``choices`` lists the options, ``label_hints`` can hold a hint for each
    tempting wrong label.
``"labels"``
    A collection of labels (list, tuple, set, array, Index), in any order.
    One label missing, extra or swapped counts as close.
``"values"``
    Several numbers: a pandas Series or DataFrame, an array or a list, compared
    elementwise with the tolerances. A Series or DataFrame whose labels match
    the expected ones is aligned by label first, so its order does not matter;
    ``scale="share"`` or ``"percent"`` adds the scale hint.

Defining an exercise
--------------------
Each chapter's exercises live in ``crm_course/answers/chNN.py`` (see
:mod:`crm_kit.answers` for how to add a chapter), as a module-level list
``EXERCISES`` of :class:`Exercise` objects. ``expected`` is either a constant
or a function of no arguments that computes the answer from the course data;
it is called the first time a student's answer has to be compared, and its
result is cached for the session::

    def _top10_share() -> float:
        from crm_course.data import load
        ...

    EXERCISES = [
        Exercise("1.2", expected=_top10_share, kind="share",
                 hints={"high": "Too high: did you rank members by orders "
                                "rather than by revenue?"}),
    ]

``check("1.2", ...)`` imports ``crm_kit.answers.ch01`` on first use.

Hints
-----
``hints`` maps a situation to one or two sentences for the student:

``"correct"``  said after "correct." (default: "Well done.")
``"close"``    replaces the default close hint
``"high"``     replaces "Your answer is too high." (numbers)
``"low"``      replaces "Your answer is too low." (numbers)
``"wrong"``    added to every not-yet-right message
``"scale"``    replaces the default share/percentage hint
``"type"``     added when the answer is the wrong kind of object
``"missing"``  added when labels are missing (labels)
``"extra"``    added when labels do not belong (labels)

Write hints that point at the reasoning, never at the number.

Examples
--------
>>> from crm_kit.exercises import Exercise
>>> ex = Exercise("0.9", expected=0.25, kind="share")
>>> print(ex.feedback(25).message)
Exercise 0.9: close, but not quite. It looks like a percentage: give the answer as a share between 0 and 1.
>>> ex.feedback(...).status
'not answered'
"""

from __future__ import annotations

import importlib
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from crm_kit.answer_types import (
    _align,
    _count,
    _describe,
    _is_bool,
    _is_collection,
    _is_frame,
    _is_number,
    _is_numpy_number,
    _is_scalar,
    _is_series,
    _join,
    _key_order,
    _looks_numeric,
    _norm_label,
    _size_one,
    _within_array,
)

__all__ = [
    "CLOSE",
    "CORRECT",
    "NOT_ANSWERED",
    "WRONG",
    "CheckResult",
    "Exercise",
    "check",
    "clear_cache",
    "get_exercise",
    "known_keys",
    "register",
]

Kind = Literal["number", "share", "percent", "choice", "labels", "values"]
Status = Literal["correct", "close", "wrong", "not answered"]

CORRECT: Status = "correct"
CLOSE: Status = "close"
WRONG: Status = "wrong"
NOT_ANSWERED: Status = "not answered"

_KINDS = ("number", "share", "percent", "choice", "labels", "values")
_HINT_KEYS = ("correct", "close", "high", "low", "wrong", "scale", "type", "missing", "extra")
_KEY = re.compile(r"^(\d+)\.([0-9A-Za-z]+)$")

_HEADLINES = {
    CORRECT: "correct.",
    CLOSE: "close, but not quite.",
    WRONG: "not yet right.",
    NOT_ANSWERED: "not answered yet.",
}

_WHAT = {
    "number": "a single number",
    "share": "a share between 0 and 1 (a single number)",
    "percent": "a percentage between 0 and 100 (a single number)",
    "choice": "one label, as text in quotes",
    "labels": "a list of labels, such as [\"first\", \"second\"]",
    "values": "several numbers (a pandas Series, a DataFrame or an array)",
}

_SCALE_HINT = {
    "share": "It looks like a percentage: give the answer as a share between 0 and 1.",
    "percent": "It looks like a share: give the answer as a percentage between 0 and 100.",
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a self-check.

    Attributes
    ----------
    key : str
        The exercise, e.g. ``"1.2"``.
    status : {"correct", "close", "wrong", "not answered"}
        What :func:`check` concluded.
    message : str
        The feedback printed for the student (never contains the expected
        answer).
    """

    key: str
    status: Status
    message: str

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CheckResult(key={self.key!r}, status={self.status!r})"

    def _ipython_display_(self) -> None:
        # check() has printed the feedback already; when it is the last line
        # of a cell, a second rendering of the result would only repeat it.
        return None


class _AnswerError(Exception):
    """The student's answer cannot be compared; carries the hint to show."""


@dataclass(frozen=True, eq=False)
class Exercise:
    """One self-checked exercise and its expected answer.

    Parameters
    ----------
    key : str
        ``"<chapter>.<number>"``, e.g. ``"1.2"``; the chapter picks the module
        ``crm_kit.answers.chNN`` the exercise lives in.
    expected : object or callable
        The answer, or a function of no arguments that computes it from the
        course data (called once, on the first comparison, then cached).
    kind : {"number", "share", "percent", "choice", "labels", "values"}
        What kind of answer is expected (see the module docstring).
    rtol, atol : float
        Tolerance for "correct": ``|answer - expected| <= atol + rtol * |expected|``.
        Use ``rtol=0, atol=0`` for a count that must be exact, and a wider
        ``atol`` when the task asks for a rounded answer.
    close_rtol, close_atol : float
        The wider band counted as "close".
    hints : mapping of str to str
        Feedback for particular situations; keys are listed in the module
        docstring.
    choices : sequence of str, optional
        For ``"choice"`` and ``"labels"``: the labels a student can choose from.
    label_hints : mapping of str to str
        For ``"choice"``: a hint for each tempting wrong label.
    scale : {"share", "percent"}, optional
        For ``"values"``: the scale of the numbers, to recognise answers given
        on the other one.
    what : str, optional
        How to describe the expected answer when the student gives the wrong
        kind of object, e.g. ``"the number of members (a whole number)"``.

    Examples
    --------
    >>> ex = Exercise("0.9", expected=1200, rtol=0, atol=0,
    ...               hints={"high": "Too high: count members, not orders."})
    >>> print(ex.feedback(1250).message)  # doctest: +NORMALIZE_WHITESPACE
    Exercise 0.9: close, but not quite. Your answer is slightly too high:
    check your rounding and which rows you included.
    >>> print(ex.feedback(2400).message)
    Exercise 0.9: not yet right. Too high: count members, not orders.
    >>> ex
    Exercise(key='0.9', kind='number')
    """

    key: str
    expected: Any = field(repr=False)
    kind: Kind = "number"
    rtol: float = field(default=1e-3, repr=False)
    atol: float = field(default=1e-9, repr=False)
    close_rtol: float = field(default=0.10, repr=False)
    close_atol: float = field(default=0.0, repr=False)
    hints: Mapping[str, str] = field(default_factory=dict, repr=False)
    choices: Sequence[str] | None = field(default=None, repr=False)
    label_hints: Mapping[str, str] = field(default_factory=dict, repr=False)
    scale: Literal["share", "percent"] | None = field(default=None, repr=False)
    what: str | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise ValueError(f"key: expected text such as '1.2' (chapter.number); found {self.key!r}")
        if self.kind not in _KINDS:
            raise ValueError(f"Exercise {self.key}: kind should be one of {', '.join(_KINDS)}; found {self.kind!r}")
        for name in ("rtol", "atol", "close_rtol", "close_atol"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
                raise ValueError(f"Exercise {self.key}: {name} should be a number >= 0; found {value!r}")
        unknown = sorted(set(self.hints) - set(_HINT_KEYS))
        if unknown:
            raise ValueError(
                f"Exercise {self.key}: unknown hint key(s) {', '.join(map(repr, unknown))}; "
                f"use {', '.join(_HINT_KEYS)}"
            )
        if self.scale is not None and (self.kind != "values" or self.scale not in ("share", "percent")):
            raise ValueError(
                f"Exercise {self.key}: scale is 'share' or 'percent' and only for kind 'values' "
                "(use kind='share' or kind='percent' for a single number)"
            )
        if self.label_hints and self.kind != "choice":
            raise ValueError(f"Exercise {self.key}: label_hints are only for kind 'choice'")
        if self.choices is not None:
            if isinstance(self.choices, str) or not isinstance(self.choices, Iterable):
                raise ValueError(f"Exercise {self.key}: choices should be a list of labels; found {self.choices!r}")
            object.__setattr__(self, "choices", tuple(self.choices))
        # Normalised once so that "Referral " and "referral" find the same hint.
        object.__setattr__(self, "label_hints", {_norm_label(k): v for k, v in self.label_hints.items()})

    @property
    def chapter(self) -> int:
        """The chapter number, taken from the key."""
        return int(self.key.split(".")[0])

    def expected_value(self) -> Any:
        """Return the expected answer, computing it on first use."""
        if "value" not in self._cache:
            value = self.expected() if callable(self.expected) else self.expected
            self._cache["value"] = value
        return self._cache["value"]

    def clear_cache(self) -> None:
        """Forget a computed expected answer (after the course data changed)."""
        self._cache.clear()

    def feedback(self, answer: Any) -> CheckResult:
        """Compare ``answer`` with the expected answer, without printing.

        Parameters
        ----------
        answer : object
            What the student computed; ``...`` or ``None`` means not answered.

        Returns
        -------
        CheckResult
        """
        if answer is ... or answer is None:
            return self._result(NOT_ANSWERED, "Replace the ... with your answer and run the cell again.")
        compare = getattr(self, f"_compare_{'number' if self.kind in ('share', 'percent') else self.kind}")
        try:
            status, hint = compare(answer)
        except _AnswerError as err:
            return self._result(WRONG, _join(str(err), self.hints.get("type")))
        if status == CORRECT:
            hint = self.hints.get("correct", "Well done.")
        elif status == WRONG:
            hint = _join(hint, self.hints.get("wrong"))
        return self._result(status, hint)

    # -- comparisons: each returns (status, hint) or raises _AnswerError -----

    def _compare_number(self, answer: Any) -> tuple[Status, str]:
        value = self._to_number(answer)
        expected = self._expected_number()
        scale = self.kind if self.kind in ("share", "percent") else None
        if self._within(value, expected, self.atol, self.rtol):
            return CORRECT, ""
        factor = {"share": 0.01, "percent": 100.0}.get(scale)
        if factor is not None and self._within(value * factor, expected, self.atol, self.rtol):
            return CLOSE, self.hints.get("scale", _SCALE_HINT[scale])
        if scale == "share" and 1 < value <= 100:
            return WRONG, self.hints.get("scale", _SCALE_HINT["share"])
        direction = "high" if value > expected else "low"
        if self._within(value, expected, self.close_atol, self.close_rtol):
            default = f"Your answer is slightly too {direction}: check your rounding and which rows you included."
            return CLOSE, self.hints.get("close", default)
        return WRONG, self.hints.get(direction, f"Your answer is too {direction}.")

    def _compare_choice(self, answer: Any) -> tuple[Status, str]:
        if _is_collection(answer) and not isinstance(answer, Mapping):
            items = list(answer)
            if len(items) == 1 and isinstance(items[0], str):
                raise _AnswerError(f"Your answer is {_describe(answer)}; give the label itself, not a list.")
        if not isinstance(answer, (str, numbers.Integral)) or isinstance(answer, bool):
            raise _AnswerError(f"Your answer is {_describe(answer)}; this exercise expects {self._what()}.")
        label = _norm_label(answer)
        if self.choices is not None and label not in {_norm_label(c) for c in self.choices}:
            return WRONG, f"That label is not one of the options: {', '.join(map(str, self.choices))}."
        if label == _norm_label(self._expected_checked(str, numbers.Integral)):
            return CORRECT, ""
        return WRONG, self.label_hints.get(label, "Not this one: look at the figures again.")

    def _compare_labels(self, answer: Any) -> tuple[Status, str]:
        given = self._to_labels(answer)
        expected = self._expected_labels()
        if self.choices is not None:
            options = {_norm_label(c) for c in self.choices}
            unknown = given - options
            if unknown:
                return WRONG, (
                    f"{_count(len(unknown), 'label')} of yours {'is' if len(unknown) == 1 else 'are'} "
                    f"not among the options: {', '.join(map(str, self.choices))}."
                )
        missing, extra = expected - given, given - expected
        if not missing and not extra:
            return CORRECT, ""
        if len(missing) + len(extra) == 1 or (len(missing) == 1 and len(extra) == 1):
            if missing and extra:
                default = "One label is wrong: swap it for another."
            elif missing:
                default = "One label is missing."
            else:
                default = "One label does not belong."
            return CLOSE, self.hints.get("close", default)
        right = len(given & expected)
        parts = [f"{right} of your {_count(len(given), 'label')} {'is' if right == 1 else 'are'} right."]
        if missing:
            parts.append(self.hints.get("missing", "Some labels are missing."))
        if extra:
            parts.append(self.hints.get("extra", "Some labels do not belong."))
        return WRONG, " ".join(parts)

    def _compare_values(self, answer: Any) -> tuple[Status, str]:
        import numpy as np

        expected = self.expected_value()
        given = _align(answer, expected)
        try:
            e = np.asarray(expected, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"Exercise {self.key} is misconfigured: its expected answer is not numbers "
                f"({type(expected).__name__})"
            ) from None
        if _is_scalar(given):
            raise _AnswerError(f"Your answer is {_describe(answer)}; this exercise expects {self._what()}.")
        try:
            a = np.asarray(given, dtype=float)
        except (TypeError, ValueError):
            raise _AnswerError(
                f"Your answer holds something other than numbers; this exercise expects {self._what()}."
            ) from None
        if a.shape != e.shape and a.squeeze().shape == e.squeeze().shape:
            a, e = a.squeeze(), e.squeeze()
        if a.shape != e.shape:
            if a.ndim <= 1:
                shape = _count(a.size, "value")
            else:
                shape = f"{a.shape[0]} rows and {a.shape[1]} columns"
            return WRONG, f"Your answer has {shape}, a different shape from what the exercise asks for."
        if np.isnan(a[~np.isnan(e)]).any():
            return WRONG, "Your answer has missing values (NaN): check for empty groups or a failed merge."
        if self._all_within(a, e, self.atol, self.rtol):
            return CORRECT, ""
        factor = {"share": 0.01, "percent": 100.0}.get(self.scale)
        if factor is not None and self._all_within(a * factor, e, self.atol, self.rtol):
            return CLOSE, self.hints.get("scale", _SCALE_HINT[self.scale])
        if self._all_within(a, e, self.close_atol, self.close_rtol):
            default = "Every value is near, but not all are exact: check your rounding and which rows you included."
            return CLOSE, self.hints.get("close", default)
        off = int((~_within_array(a, e, self.atol, self.rtol)).sum())
        if off == a.size:
            return WRONG, "None of the values is right yet."
        return WRONG, f"{off} of the {a.size} values {'is' if off == 1 else 'are'} not right yet."

    # -- helpers ---------------------------------------------------------------

    def _result(self, status: Status, hint: str) -> CheckResult:
        message = _join(f"Exercise {self.key}: {_HEADLINES[status]}", hint)
        return CheckResult(key=self.key, status=status, message=message)

    def _what(self) -> str:
        if self.what:
            return self.what
        if self.kind == "choice" and self.choices:
            return f"one label, as text in quotes: one of {', '.join(map(str, self.choices))}"
        return _WHAT[self.kind]

    @staticmethod
    def _within(a: float, e: float, atol: float, rtol: float) -> bool:
        return abs(a - e) <= atol + rtol * abs(e)

    @staticmethod
    def _all_within(a, e, atol: float, rtol: float) -> bool:
        return bool(_within_array(a, e, atol, rtol).all())

    def _to_number(self, answer: Any) -> float:
        what = self._what()
        if isinstance(answer, str):
            tip = " Remove the quotes around the number." if _looks_numeric(answer) else ""
            raise _AnswerError(f"Your answer is text (a string); this exercise expects {what}.{tip}")
        if _is_bool(answer):
            raise _AnswerError(f"Your answer is True/False; this exercise expects {what}.")
        if _is_number(answer):
            value = float(answer)
        elif _size_one(answer):
            if _is_frame(answer):
                tip = "with .iloc[0, 0]"
            elif isinstance(answer, (list, tuple)):
                tip = "with [0]"
            else:
                tip = "with .item()"
            raise _AnswerError(
                f"Your answer is {_describe(answer)} holding one value; this exercise expects {what}. "
                f"Take the value out, for example {tip}."
            )
        else:
            raise _AnswerError(f"Your answer is {_describe(answer)}; this exercise expects {what}.")
        if math.isnan(value):
            raise _AnswerError("Your answer is NaN (not a number): check for missing values or an empty selection.")
        if math.isinf(value):
            raise _AnswerError("Your answer is infinite: check for a division by zero.")
        return value

    def _expected_number(self) -> float:
        value = self._expected_checked(numbers.Real)
        return float(value)

    def _expected_checked(self, *types: type) -> Any:
        value = self.expected_value()
        if _is_numpy_number(value):
            value = value.item()
        if isinstance(value, bool) or not isinstance(value, types):
            raise TypeError(
                f"Exercise {self.key} is misconfigured: kind {self.kind!r} needs "
                f"{' or '.join(t.__name__ for t in types)}, but the expected answer is a "
                f"{type(value).__name__}"
            )
        return value

    def _to_labels(self, answer: Any) -> set[str]:
        what = self._what()
        if isinstance(answer, str):
            raise _AnswerError(f"Your answer is one piece of text; this exercise expects {what}.")
        if _is_series(answer):
            import pandas as pd

            if pd.api.types.is_numeric_dtype(answer.dtype):
                raise _AnswerError(
                    "Your answer is a pandas Series of numbers; give the labels as a list: "
                    "list(s.index) for its index labels, or list(s) for its values."
                )
            answer = list(answer)
        if _is_frame(answer) or isinstance(answer, Mapping) or not _is_collection(answer):
            raise _AnswerError(f"Your answer is {_describe(answer)}; this exercise expects {what}.")
        items = list(answer)
        if not all(isinstance(x, (str, numbers.Integral)) and not _is_bool(x) for x in items):
            raise _AnswerError(f"Your answer holds something other than labels; this exercise expects {what}.")
        return {_norm_label(x) for x in items}

    def _expected_labels(self) -> set[str]:
        value = self.expected_value()
        if isinstance(value, str) or not _is_collection(value):
            raise TypeError(
                f"Exercise {self.key} is misconfigured: kind 'labels' needs a collection of labels, "
                f"but the expected answer is a {type(value).__name__}"
            )
        return {_norm_label(x) for x in value}


# -- the registry --------------------------------------------------------------

_REGISTRY: dict[int, dict[str, Exercise]] = {}


def _chapter_of(key: Any) -> int:
    if not isinstance(key, str):
        raise TypeError(f"key: expected the exercise number as text in quotes, e.g. \"1.2\"; found {key!r}")
    match = _KEY.match(key.strip())
    if not match:
        raise ValueError(f"key: expected text such as \"1.2\" (chapter.number); found {key!r}")
    return int(match.group(1))


def _chapter(chapter: int) -> dict[str, Exercise]:
    """The exercises of ``chapter``, importing its answers module on first use."""
    if chapter not in _REGISTRY:
        from crm_kit.answers import module_name

        exercises: dict[str, Exercise] = {}
        name = module_name(chapter)
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise
        else:
            for ex in getattr(module, "EXERCISES", ()):
                _add(exercises, ex, chapter, source=name)
        _REGISTRY[chapter] = exercises
    return _REGISTRY[chapter]


def _add(exercises: dict[str, Exercise], ex: Any, chapter: int, *, source: str, replace: bool = False) -> None:
    if not isinstance(ex, Exercise):
        raise TypeError(f"{source}: expected Exercise objects; found {type(ex).__name__}")
    if ex.chapter != chapter:
        raise ValueError(f"{source}: exercise {ex.key} belongs to chapter {ex.chapter}, not chapter {chapter}")
    if ex.key in exercises and not replace:
        raise ValueError(f"{source}: exercise {ex.key} is defined twice")
    exercises[ex.key] = ex


def register(exercise: Exercise, *, replace: bool = False) -> Exercise:
    """Add an exercise to the registry outside the chapter modules.

    Meant for tests and for trying out a new exercise before it moves into
    ``crm_course/answers/chNN.py``. Not for notebooks: a notebook that defines
    its own expected answer shows it to every student.

    Parameters
    ----------
    exercise : Exercise
    replace : bool
        Allow replacing an exercise with the same key.

    Returns
    -------
    Exercise
        ``exercise`` itself.

    Examples
    --------
    >>> ex = register(Exercise("0.99", expected=3, kind="number"), replace=True)
    >>> check("0.99", 3).status
    Exercise 0.99: correct. Well done.
    'correct'
    """
    _add(_chapter(exercise.chapter), exercise, exercise.chapter, source="register()", replace=replace)
    return exercise


def known_keys(chapter: int) -> list[str]:
    """Return the keys of ``chapter``'s exercises, in order.

    Examples
    --------
    >>> "0.1" in known_keys(0)
    True
    """
    return sorted(_chapter(chapter), key=_key_order)


def get_exercise(key: str) -> Exercise:
    """Return the exercise registered under ``key``.

    Raises
    ------
    ValueError
        For an unknown key, listing the chapter's known keys.
    """
    chapter = _chapter_of(key)
    exercises = _chapter(chapter)
    key = key.strip()
    if key in exercises:
        return exercises[key]
    if exercises:
        raise ValueError(
            f"There is no exercise {key!r}. Chapter {chapter} has exercises: {', '.join(known_keys(chapter))}."
        )
    from crm_kit.answers import available_chapters

    have = ", ".join(map(str, available_chapters())) or "none"
    raise ValueError(
        f"There is no exercise {key!r}: chapter {chapter} has no self-checks "
        f"(chapters with self-checks: {have})."
    )


def clear_cache() -> None:
    """Forget every computed expected answer, e.g. after regenerating the data."""
    for exercises in _REGISTRY.values():
        for ex in exercises.values():
            ex.clear_cache()


def check(key: str, answer: Any) -> CheckResult:
    """Print feedback on the answer to exercise ``key`` and return it.

    Parameters
    ----------
    key : str
        The exercise, e.g. ``"1.2"``, as given in the notebook.
    answer : object
        Your answer; ``...`` or ``None`` means "not answered yet".

    Returns
    -------
    CheckResult
        With ``status`` one of ``"correct"``, ``"close"``, ``"wrong"`` and
        ``"not answered"``. In a notebook it displays nothing more than the
        printed line.

    Raises
    ------
    ValueError
        For an unknown exercise key.

    Examples
    --------
    >>> result = check("0.1", ...)
    Exercise 0.1: not answered yet. Replace the ... with your answer and run the cell again.
    >>> result.status
    'not answered'
    """
    result = get_exercise(key).feedback(answer)
    print(result.message)
    return result


# -- small helpers ---------------------------------------------------------------
