"""What a self-check says, decided once for both ways of knowing the answer.

A self-check compares a student's answer with the expected one and says
**correct**, **close** (with a hint), **not yet right** (with a hint) or
**not answered yet**. Two kinds of object know the expected answer:

* :class:`crm_kit.exercises.Exercise` (the lecturer's side) holds the value,
  or the code that computes it from the data;
* :class:`crm_kit.sealed.SealedExercise` (the student kit) holds only salted
  hashes of it, and cannot give it back.

Both inherit :class:`Check`, which holds the one decision procedure: how an
answer is read, in which order the tests are made, and which hint is shown.
Each subclass only answers a few yes/no questions about a value (is it
correct? close? the result of a known mistake?), so the student kit and the
lecturer's repository give the same feedback to the same answer.

What "within the tolerance" means
---------------------------------
A tolerance is a grid (:func:`tolerance_grids`). With an absolute tolerance
``atol`` the number line is cut into cells of width ``atol / 2``; with a
relative one ``rtol``, ``log |x|`` is cut into cells of width
``-log(1 - rtol) / 2`` (the sign kept apart); with neither, the answer must
be the expected number itself. An answer is within the tolerance when its
cell is the expected answer's cell or one of the two on either side: every
answer within ``atol`` of the expected one, or within a fraction ``rtol`` of
it, passes, and none farther than about one and a half times that does. Both kinds of check use the same grids, so the student
kit, whose sealed checks can only compare cells, and the grader, which
knows the answers, agree on every answer.

What the feedback never does
----------------------------
It never shows the expected answer, and it never says whether an answer is
too high or too low: that would let a student find a count by halving the
interval in a dozen tries. Hints are diagnostic instead: a *mistake* is a
wrong answer the lecturer expects (the Gini of all members instead of
buyers, the top 20% instead of the top 10%), computed by the answer code on
the same data; an answer that matches one gets that mistake's hint.

In which language
-----------------
Every message is written in the current language of
:func:`crm_course.language.set_language`: the strings of this module through
:func:`crm_course.language.tr` and the kit's catalogue
(:mod:`crm_kit.catalogue_ru`), the exercise's own hints and description
through :meth:`Check._tr`, which each kind of check answers from where it
keeps them (the answer key's hints catalogue, or the sealed record).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from crm_course.language import add_translations, tr, tr_noop
from crm_kit.answer_types import (
    _align,
    _describe,
    _is_bool,
    _is_collection,
    _is_frame,
    _is_number,
    _is_scalar,
    _is_series,
    _join,
    _looks_numeric,
    _norm_label,
    _size_one,
)

__all__ = ["CLOSE", "CORRECT", "NOT_ANSWERED", "RECORDED", "WRONG", "Check", "CheckResult"]

Kind = Literal["number", "share", "percent", "choice", "labels", "values"]
Status = Literal["correct", "close", "wrong", "not answered", "recorded"]

CORRECT: Status = "correct"
CLOSE: Status = "close"
WRONG: Status = "wrong"
NOT_ANSWERED: Status = "not answered"
#: A graded run: the answer was recorded for the grader, and nothing was compared.
RECORDED: Status = "recorded"

KINDS = ("number", "share", "percent", "choice", "labels", "values")
NUMBER_KINDS = ("number", "share", "percent")
HINT_KEYS = ("correct", "close", "wrong", "scale", "type", "missing", "extra")

_HEADLINES = {
    CORRECT: tr_noop("correct."),
    CLOSE: tr_noop("close, but not quite."),
    WRONG: tr_noop("not yet right."),
    NOT_ANSWERED: tr_noop("not answered yet."),
}

_WHAT = {
    "number": tr_noop("a single number"),
    "share": tr_noop("a share between 0 and 1 (a single number)"),
    "percent": tr_noop("a percentage between 0 and 100 (a single number)"),
    "choice": tr_noop("one label, as text in quotes"),
    "labels": tr_noop("a list of labels, such as [\"first\", \"second\"]"),
    "values": tr_noop("several numbers (a pandas Series, a DataFrame or an array)"),
}

_SCALE_HINT = {
    "share": tr_noop("It looks like a percentage: give the answer as a share between 0 and 1."),
    "percent": tr_noop("It looks like a share: give the answer as a percentage between 0 and 100."),
}
_SCALE_FACTOR = {"share": 0.01, "percent": 100.0}

DEFAULT_CLOSE = tr_noop("Your answer is near, but not near enough: check your rounding and which rows you included.")
DEFAULT_CHOICE = tr_noop("Not this one: look at the figures again.")
NOT_ANSWERED_HINT = tr_noop("Replace the ... with your answer and run the cell again.")

# "{right} of your {n} label(s) is/are right.", by (one label given, one right).
_RIGHT_OF_YOURS = {
    (True, True): tr_noop("{right} of your {n} label is right."),
    (True, False): tr_noop("{right} of your {n} label are right."),
    (False, True): tr_noop("{right} of your {n} labels is right."),
    (False, False): tr_noop("{right} of your {n} labels are right."),
}


def _register_catalogue() -> None:
    """Add the kit's own strings (:mod:`crm_kit.catalogue_ru`) to what :func:`~crm_course.language.tr` knows."""
    from crm_kit.catalogue_ru import RU

    add_translations("ru", RU)


_register_catalogue()


# -- tolerance grids ------------------------------------------------------------------------

#: Cells on each side of the expected answer's cell that still count as within the tolerance.
GRID_SIDE = 2
#: An absolute tolerance at or below this is "none" (the default of Exercise.atol).
NO_ATOL = 1e-9


def tolerance_grids(atol: float, rtol: float, *, exact_if_none: bool) -> list[list]:
    """The grids that stand for a tolerance: ``[kind, width]`` for kind ``abs``, ``log`` or ``exact``.

    Examples
    --------
    >>> tolerance_grids(0.001, 0, exact_if_none=True)
    [['abs', 0.0005]]
    >>> tolerance_grids(0, 0, exact_if_none=True)
    [['exact', 0.0]]
    >>> tolerance_grids(0, 0, exact_if_none=False)
    []
    """
    grids: list[list] = []
    if atol > NO_ATOL:
        grids.append(["abs", atol / GRID_SIDE])
    if rtol > 0:
        # -log(1 - rtol) >= log(1 + rtol): the cells then hold every ratio from 1 - rtol to 1 + rtol.
        grids.append(["log", (-math.log1p(-rtol) if rtol < 1 else math.log1p(rtol)) / GRID_SIDE])
    if not grids and exact_if_none:
        grids.append(["exact", 0.0])
    return grids


def grid_cell(value: float, grid: list) -> str:
    """The cell of ``value`` on ``grid``, as text."""
    kind, width = grid
    if kind == "abs":
        return str(math.floor(value / width))
    if kind == "log":
        if value == 0:
            return "0"
        return f"{'+' if value > 0 else '-'}{math.floor(math.log(abs(value)) / width)}"
    return repr(float(value) + 0.0)


def cells_around(value: float, grid: list) -> list[str]:
    """The cells that count as within the tolerance of ``value`` on ``grid``."""
    kind, width = grid
    if kind == "abs":
        k = math.floor(value / width)
        return [str(k + d) for d in range(-GRID_SIDE, GRID_SIDE + 1)]
    if kind == "log":
        if value == 0:
            return ["0"]
        sign = "+" if value > 0 else "-"
        k = math.floor(math.log(abs(value)) / width)
        return [f"{sign}{k + d}" for d in range(-GRID_SIDE, GRID_SIDE + 1)]
    return [grid_cell(value, grid)]


def on_grids(value: float, target: float, grids: list[list]) -> bool:
    """Whether ``value`` lies within the tolerance of ``target`` on any of ``grids``.

    Examples
    --------
    >>> grids = tolerance_grids(0.0005, 0, exact_if_none=True)
    >>> on_grids(0.2347, 0.2345, grids), on_grids(0.2360, 0.2345, grids)
    (True, False)
    """
    return any(grid_cell(value, g) in cells_around(target, g) for g in grids)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a self-check.

    Attributes
    ----------
    key : str
        The exercise, e.g. ``"1.2"``.
    status : {"correct", "close", "wrong", "not answered", "recorded"}
        What :func:`~crm_kit.exercises.check` concluded (``"recorded"`` in a
        graded run, which compares nothing).
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


class Check:
    """The decision procedure shared by every self-check.

    Subclasses are dataclasses with the attributes ``key``, ``kind``,
    ``hints``, ``choices`` and ``what``, and answer the questions below; they
    never decide a status or choose a hint themselves.

    Numbers (kinds ``number``, ``share``, ``percent``)
        ``_is_correct(v)``, ``_is_close(v)``, ``_mistake_hint(v)``.
    One label (``choice``)
        ``_is_expected_label(label)``, ``_label_hint(label)``.
    Labels (``labels``)
        ``_labels_right(given) -> (right, n_expected)``.
    Several numbers (``values``)
        ``_values_template() -> (template, shape, missing)`` and
        ``_values_within(a, band) -> bool array`` for ``band`` ``"correct"``
        or ``"close"``.
    """

    key: str
    kind: str
    hints: Mapping[str, str]
    choices: tuple | None
    what: str | None
    scale: str | None

    # -- the flow ---------------------------------------------------------------

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
            return self._result(NOT_ANSWERED, tr(NOT_ANSWERED_HINT))
        compare = getattr(self, f"_compare_{'number' if self.kind in NUMBER_KINDS else self.kind}")
        try:
            status, hint = compare(answer)
        except _AnswerError as err:
            return self._result(WRONG, _join(str(err), self._hint("type")))
        if status == CORRECT:
            hint = self._hint("correct", tr_noop("Well done."))
        elif status == WRONG and not hint:
            hint = self._hint("wrong")
        return self._result(status, hint)

    def _hint(self, key: str, default: str | None = None) -> str:
        """The exercise's hint for ``key``, else ``default`` (an English string of this module), translated."""
        text = self.hints.get(key)
        if text:
            return self._tr(text)
        return tr(default) if default else ""

    def _tr(self, text: str) -> str:
        """One of the exercise's own strings (a hint, its ``what``) in the current language."""
        return tr(text)

    def _compare_number(self, answer: Any) -> tuple[Status, str]:
        value = self._to_number(answer)
        if self._is_correct(value):
            return CORRECT, ""
        mistake = self._mistake_hint(value)
        if mistake:
            return WRONG, self._tr(mistake)
        scale = self.kind if self.kind in _SCALE_FACTOR else None
        if scale is not None and self._is_correct(value * _SCALE_FACTOR[scale]):
            return CLOSE, self._hint("scale", _SCALE_HINT[scale])
        if scale == "share" and 1 < value <= 100:
            return WRONG, self._hint("scale", _SCALE_HINT["share"])
        if self._is_close(value):
            return CLOSE, self._hint("close", DEFAULT_CLOSE)
        return WRONG, ""

    def _compare_choice(self, answer: Any) -> tuple[Status, str]:
        if _is_collection(answer) and not isinstance(answer, Mapping):
            items = list(answer)
            if len(items) == 1 and isinstance(items[0], str):
                raise _AnswerError(tr("Your answer is {described}; give the label itself, not a list.",
                                      described=_describe(answer)))
        if not isinstance(answer, (str, numbers.Integral)) or isinstance(answer, bool):
            raise _AnswerError(self._expects(answer))
        label = _norm_label(answer)
        if self.choices is not None and label not in {_norm_label(c) for c in self.choices}:
            return WRONG, tr("That label is not one of the options: {options}.",
                             options=", ".join(map(str, self.choices)))
        if self._is_expected_label(label):
            return CORRECT, ""
        hint = self._label_hint(label)
        return WRONG, self._tr(hint) if hint else self._hint("wrong", DEFAULT_CHOICE)

    def _compare_labels(self, answer: Any) -> tuple[Status, str]:
        given = self._to_labels(answer)
        if self.choices is not None:
            options = {_norm_label(c) for c in self.choices}
            unknown = given - options
            if unknown:
                template = (tr_noop("{n} label of yours is not among the options: {options}.") if len(unknown) == 1
                            else tr_noop("{n} labels of yours are not among the options: {options}."))
                return WRONG, tr(template, n=len(unknown), options=", ".join(map(str, self.choices)))
        right, n_expected = self._labels_right(given)
        missing, extra = n_expected - right, len(given) - right
        if not missing and not extra:
            return CORRECT, ""
        if missing + extra == 1 or (missing == 1 and extra == 1):
            if missing and extra:
                default = tr_noop("One label is wrong: swap it for another.")
            elif missing:
                default = tr_noop("One label is missing.")
            else:
                default = tr_noop("One label does not belong.")
            return CLOSE, self._hint("close", default)
        parts = [tr(_RIGHT_OF_YOURS[len(given) == 1, right == 1], right=right, n=len(given))]
        if missing:
            parts.append(self._hint("missing", tr_noop("Some labels are missing.")))
        if extra:
            parts.append(self._hint("extra", tr_noop("Some labels do not belong.")))
        return WRONG, " ".join(parts)

    def _compare_values(self, answer: Any) -> tuple[Status, str]:
        import numpy as np

        template, shape, missing = self._values_template()
        given = _align(answer, template) if template is not None else answer
        if _is_scalar(given):
            raise _AnswerError(self._expects(answer))
        try:
            a = np.asarray(given, dtype=float)
        except (TypeError, ValueError):
            raise _AnswerError(tr("Your answer holds something other than numbers; this exercise expects {what}.",
                                  what=self._what())) from None
        squeezed = tuple(d for d in shape if d != 1)
        if a.shape != shape and a.squeeze().shape == squeezed:
            a = a.reshape(shape)
        if a.shape != shape:
            if a.ndim <= 1:
                template = (tr_noop("Your answer has {n} value, a different shape from what the exercise asks for.")
                            if a.size == 1 else
                            tr_noop("Your answer has {n} values, a different shape from what the exercise asks for."))
                return WRONG, tr(template, n=a.size)
            return WRONG, tr("Your answer has {rows} rows and {columns} columns, a different shape from what the "
                             "exercise asks for.", rows=a.shape[0], columns=a.shape[1])
        if np.isnan(a[~missing]).any():
            return WRONG, tr("Your answer has missing values (NaN): check for empty groups or a failed merge.")
        ok = self._values_within(a, "correct") | (np.isnan(a) & missing)
        if ok.all():
            return CORRECT, ""
        factor = _SCALE_FACTOR.get(self.scale)
        if factor is not None and (self._values_within(a * factor, "correct") | (np.isnan(a) & missing)).all():
            return CLOSE, self._hint("scale", _SCALE_HINT[self.scale])
        if (self._values_within(a, "close") | (np.isnan(a) & missing)).all():
            default = tr_noop("Every value is near, but not all are exact: check your rounding and which rows you "
                              "included.")
            return CLOSE, self._hint("close", default)
        off = int((~ok).sum())
        if off == a.size:
            return WRONG, tr("None of the values is right yet.")
        template = (tr_noop("{off} of the {n} values is not right yet.") if off == 1
                    else tr_noop("{off} of the {n} values are not right yet."))
        return WRONG, tr(template, off=off, n=a.size)

    # -- what subclasses answer ----------------------------------------------------

    def _is_correct(self, value: float) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _is_close(self, value: float) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _mistake_hint(self, value: float) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _is_expected_label(self, label: str) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def _label_hint(self, label: str) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _labels_right(self, given: set[str]) -> tuple[int, int]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _values_template(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _values_within(self, a, band: str):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- reading the answer -----------------------------------------------------------

    def _result(self, status: Status, hint: str) -> CheckResult:
        message = _join(tr("Exercise {key}: {headline}", key=self.key, headline=tr(_HEADLINES[status])), hint)
        return CheckResult(key=self.key, status=status, message=message)

    def _what(self) -> str:
        if self.what:
            return self._tr(self.what)
        if self.kind == "choice" and self.choices:
            return tr("one label, as text in quotes: one of {choices}", choices=", ".join(map(str, self.choices)))
        return tr(_WHAT[self.kind])

    def _expects(self, answer: Any) -> str:
        return tr("Your answer is {described}; this exercise expects {what}.", described=_describe(answer),
                  what=self._what())

    def _to_number(self, answer: Any) -> float:
        what = self._what()
        if isinstance(answer, str):
            tip = tr(" Remove the quotes around the number.") if _looks_numeric(answer) else ""
            raise _AnswerError(tr("Your answer is text (a string); this exercise expects {what}.{tip}", what=what,
                                  tip=tip))
        if _is_bool(answer):
            raise _AnswerError(tr("Your answer is True/False; this exercise expects {what}.", what=what))
        if _is_number(answer):
            value = float(answer)
        elif _size_one(answer):
            if _is_frame(answer):
                tip = tr("with .iloc[0, 0]")
            elif isinstance(answer, (list, tuple)):
                tip = tr("with [0]")
            else:
                tip = tr("with .item()")
            raise _AnswerError(tr(
                "Your answer is {described} holding one value; this exercise expects {what}. "
                "Take the value out, for example {tip}.", described=_describe(answer), what=what, tip=tip
            ))
        else:
            raise _AnswerError(self._expects(answer))
        if math.isnan(value):
            raise _AnswerError(tr("Your answer is NaN (not a number): check for missing values or an empty "
                                  "selection."))
        if math.isinf(value):
            raise _AnswerError(tr("Your answer is infinite: check for a division by zero."))
        return value

    def _to_labels(self, answer: Any) -> set[str]:
        what = self._what()
        if isinstance(answer, str):
            raise _AnswerError(tr("Your answer is one piece of text; this exercise expects {what}.", what=what))
        if _is_series(answer):
            import pandas as pd

            if pd.api.types.is_numeric_dtype(answer.dtype):
                raise _AnswerError(tr(
                    "Your answer is a pandas Series of numbers; give the labels as a list: "
                    "list(s.index) for its index labels, or list(s) for its values."
                ))
            answer = list(answer)
        if _is_frame(answer) or isinstance(answer, Mapping) or not _is_collection(answer):
            raise _AnswerError(self._expects(answer))
        items = list(answer)
        if not all(isinstance(x, (str, numbers.Integral)) and not _is_bool(x) for x in items):
            raise _AnswerError(tr("Your answer holds something other than labels; this exercise expects {what}.",
                                  what=what))
        return {_norm_label(x) for x in items}
