"""Self-checks for the exercises: feedback that hints, never tells.

A student calls :func:`check` with the exercise's key and their answer::

    check("1.2", top10_share)

and reads one line of plain text: **correct**, **close** (with a hint),
**not yet right** (with a hint) or **not answered yet** (the answer is still
``...`` or ``None``, as in the student edition). The expected answer is never
printed, never part of the returned object's repr and never part of an
exception message; the student's own answer is not echoed either, because a
correct answer echoed back is the expected answer. Feedback never says "too
high" or "too low" (see :mod:`crm_kit.feedback`): its hints name the likely
mistake.

Where the expected answer comes from
------------------------------------
:func:`check` looks, in this order:

1. **A graded run.** When the environment variable ``CRM_KIT_RECORD`` names
   a file (the grader, :mod:`crm_kit.grade`, sets it), ``check`` appends the
   answer to that file and prints only that it was recorded: no comparison,
   no feedback.
2. **The sealed self-checks of the active world.** A student kit's data
   folder holds ``selfchecks.json`` (:mod:`crm_kit.sealed`): salted hashes of
   each expected answer on that world, never the value.
3. **The answer key** (``crm_kit/answers/chNN.py``), which computes each
   expected answer from the active world's data. It is the lecturer's: the
   student kit does not carry it.

Kinds of answer
---------------
``"number"``
    One number, compared with a tolerance: correct when within ``atol`` of the
    expected answer or within a fraction ``rtol`` of it (up to about one and a
    half times that, by the grid of :mod:`crm_kit.feedback`), close inside the
    wider band given by ``close_atol`` and ``close_rtol`` (10 % by default).
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
Each chapter's exercises live in ``crm_kit/answers/chNN.py`` (see
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
                 mistakes=[Mistake(_top20_share, "That is the share of the top 20%: "
                                                 "take the top 10%.")],
                 hints={"wrong": "Rank members by revenue, largest first."}),
    ]

``check("1.2", ...)`` imports ``crm_kit.answers.ch01`` on first use.

Hints
-----
``hints`` maps a situation to one or two sentences for the student:

``"correct"``  said after "correct." (default: "Well done.")
``"close"``    replaces the default close hint
``"wrong"``    said when an answer is not yet right and no mistake or
               scale hint applies
``"scale"``    replaces the default share/percentage hint
``"type"``     added when the answer is the wrong kind of object
``"missing"``  added when labels are missing (labels)
``"extra"``    added when labels do not belong (labels)

``mistakes`` (numbers only) lists :class:`Mistake` objects: a wrong answer a
student reaches by a known slip, computed like ``expected``, with the hint
for it. An answer within the exercise's tolerance of a mistake gets that
hint. Write hints that point at the reasoning, never at the number, and
never at the direction of the error.

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
import json
import math
import numbers
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from crm_course.language import tr
from crm_kit.answer_types import (
    _is_collection,
    _is_numpy_number,
    _key_order,
    _norm_label,
    encode_answer,
)
from crm_kit.feedback import (
    CLOSE,
    CORRECT,
    HINT_KEYS,
    KINDS,
    NOT_ANSWERED,
    NUMBER_KINDS,
    RECORDED,
    WRONG,
    Check,
    CheckResult,
    Kind,
    on_grids,
    tolerance_grids,
)

__all__ = [
    "CLOSE",
    "CORRECT",
    "NOT_ANSWERED",
    "RECORDED",
    "RECORD_ENV",
    "WRONG",
    "CheckResult",
    "Exercise",
    "Mistake",
    "check",
    "clear_cache",
    "get_exercise",
    "known_keys",
    "register",
]

#: The environment variable a graded run sets: the file each check() appends its answer to.
RECORD_ENV = "CRM_KIT_RECORD"

_KEY = re.compile(r"^(\d+)\.([0-9A-Za-z]+)$")


@dataclass(frozen=True)
class Mistake:
    """A wrong answer reached by a known slip, and the hint for it.

    Parameters
    ----------
    answer : number or callable
        The wrong answer, or a function of no arguments that computes it from
        the course data (like :attr:`Exercise.expected`).
    hint : str
        What to tell a student whose answer matches it. Name the slip, not the
        number or the direction of the error.

    Examples
    --------
    >>> ex = Exercise("0.9", expected=40, rtol=0, atol=0,
    ...               mistakes=[Mistake(120, "Count members, not orders.")])
    >>> print(ex.feedback(120).message)
    Exercise 0.9: not yet right. Count members, not orders.
    """

    answer: Any = field(repr=False)
    hint: str

    def __post_init__(self) -> None:
        if not isinstance(self.hint, str) or not self.hint.strip():
            raise ValueError(f"Mistake: hint should be a sentence for the student; found {self.hint!r}")


@dataclass(frozen=True, eq=False)
class Exercise(Check):
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
        Tolerance for "correct": every answer within ``atol`` of the expected
        one, or within a fraction ``rtol`` of it, passes, and none more than
        about one and a half times as far (the tolerance grid of
        :mod:`crm_kit.feedback`). Use ``rtol=0, atol=0`` for a count that must
        be exact, and a wider ``atol`` when the task asks for a rounded answer.
    close_rtol, close_atol : float
        The wider band counted as "close".
    hints : mapping of str to str
        Feedback for particular situations; keys are listed in the module
        docstring.
    mistakes : sequence of Mistake
        For numbers: known wrong answers and the hint for each.
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
    ...               mistakes=[Mistake(2400, "Count members, not orders.")],
    ...               hints={"wrong": "Count the rows of the members table."})
    >>> print(ex.feedback(1250).message)  # doctest: +NORMALIZE_WHITESPACE
    Exercise 0.9: close, but not quite. Your answer is near, but not near enough:
    check your rounding and which rows you included.
    >>> print(ex.feedback(2400).message)
    Exercise 0.9: not yet right. Count members, not orders.
    >>> print(ex.feedback(5000).message)
    Exercise 0.9: not yet right. Count the rows of the members table.
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
    mistakes: Sequence[Mistake] = field(default=(), repr=False)
    choices: Sequence[str] | None = field(default=None, repr=False)
    label_hints: Mapping[str, str] = field(default_factory=dict, repr=False)
    scale: Literal["share", "percent"] | None = field(default=None, repr=False)
    what: str | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not _KEY.match(self.key):
            raise ValueError(f"key: expected text such as '1.2' (chapter.number); found {self.key!r}")
        if self.kind not in KINDS:
            raise ValueError(f"Exercise {self.key}: kind should be one of {', '.join(KINDS)}; found {self.kind!r}")
        for name in ("rtol", "atol", "close_rtol", "close_atol"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
                raise ValueError(f"Exercise {self.key}: {name} should be a number >= 0; found {value!r}")
        unknown = sorted(set(self.hints) - set(HINT_KEYS))
        if unknown:
            direction = {"high", "low"} & set(unknown)
            tip = (
                " ('high' and 'low' are gone: telling a student the direction of the error lets them "
                "find the answer by halving; describe the slip with mistakes=[Mistake(...)] or in 'wrong')"
                if direction else ""
            )
            raise ValueError(
                f"Exercise {self.key}: unknown hint key(s) {', '.join(map(repr, unknown))}; "
                f"use {', '.join(HINT_KEYS)}{tip}"
            )
        if self.scale is not None and (self.kind != "values" or self.scale not in ("share", "percent")):
            raise ValueError(
                f"Exercise {self.key}: scale is 'share' or 'percent' and only for kind 'values' "
                "(use kind='share' or kind='percent' for a single number)"
            )
        if self.label_hints and self.kind != "choice":
            raise ValueError(f"Exercise {self.key}: label_hints are only for kind 'choice'")
        mistakes = tuple(self.mistakes)
        if mistakes and self.kind not in NUMBER_KINDS:
            raise ValueError(f"Exercise {self.key}: mistakes are only for numbers (kind number, share or percent)")
        if not all(isinstance(m, Mistake) for m in mistakes):
            raise ValueError(f"Exercise {self.key}: mistakes should be Mistake objects")
        object.__setattr__(self, "mistakes", mistakes)
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

    def mistake_values(self) -> list[tuple[float, str]]:
        """Return each mistake's wrong answer (computed on first use) with its hint.

        Mistakes whose answer is not a finite number on this data (a
        break-even that does not exist, say) are left out.
        """
        if "mistakes" not in self._cache:
            found = []
            for mistake in self.mistakes:
                value = mistake.answer() if callable(mistake.answer) else mistake.answer
                if _is_numpy_number(value):
                    value = value.item()
                if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
                    found.append((float(value), mistake.hint))
            self._cache["mistakes"] = found
        return self._cache["mistakes"]

    def clear_cache(self) -> None:
        """Forget a computed expected answer (after the course data changed)."""
        self._cache.clear()

    # -- the questions the feedback asks (crm_kit.feedback.Check) -------------------

    def _grids(self, band: str) -> list[list]:
        if band == "correct":
            return tolerance_grids(self.atol, self.rtol, exact_if_none=True)
        return tolerance_grids(self.close_atol, self.close_rtol, exact_if_none=False)

    def _is_correct(self, value: float) -> bool:
        return on_grids(value, self._expected_number(), self._grids("correct"))

    def _is_close(self, value: float) -> bool:
        return on_grids(value, self._expected_number(), self._grids("close"))

    def _mistake_hint(self, value: float) -> str | None:
        for wrong, hint in self.mistake_values():
            if on_grids(value, wrong, self._grids("correct")):
                return hint
        return None

    def _is_expected_label(self, label: str) -> bool:
        return label == _norm_label(self._expected_checked(str, numbers.Integral))

    def _label_hint(self, label: str) -> str | None:
        return self.label_hints.get(label)

    def _labels_right(self, given: set[str]) -> tuple[int, int]:
        expected = self._expected_labels()
        return len(given & expected), len(expected)

    def _values_template(self):
        import numpy as np

        expected = self.expected_value()
        try:
            e = np.asarray(expected, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"Exercise {self.key} is misconfigured: its expected answer is not numbers "
                f"({type(expected).__name__})"
            ) from None
        return expected, e.shape, np.isnan(e)

    def _values_within(self, a, band: str):
        import numpy as np

        e = np.asarray(self.expected_value(), dtype=float).reshape(-1)
        flat = np.asarray(a, dtype=float).reshape(-1)
        grids = self._grids(band)
        ok = [
            bool(grids) and not (math.isnan(x) or math.isnan(t)) and on_grids(float(x), float(t), grids)
            for x, t in zip(flat, e)
        ]
        return np.asarray(ok, dtype=bool).reshape(np.shape(a))

    # -- the expected answer, checked -----------------------------------------------

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
        raise TypeError(tr("key: expected the exercise number as text in quotes, e.g. \"1.2\"; found {key!r}", key=key))
    match = _KEY.match(key.strip())
    if not match:
        raise ValueError(tr("key: expected text such as \"1.2\" (chapter.number); found {key!r}", key=key))
    return int(match.group(1))


def _answer_key():
    """The lecturer's answer key (``crm_kit.answers``), or None where it is absent (the student kit)."""
    try:
        return importlib.import_module("crm_kit.answers")
    except ModuleNotFoundError as err:
        if err.name not in ("crm_kit.answers", "crm_kit"):
            raise
        return None


def _chapter(chapter: int) -> dict[str, Exercise]:
    """The exercises of ``chapter``, importing its answers module on first use."""
    if chapter not in _REGISTRY:
        exercises: dict[str, Exercise] = {}
        key_package = _answer_key()
        if key_package is not None:
            name = key_package.module_name(chapter)
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


def _sealed_checks() -> dict:
    """The sealed self-checks of the active world (empty where it has none)."""
    from crm_kit.sealed import load_sealed

    return load_sealed()


def register(exercise: Exercise, *, replace: bool = False) -> Exercise:
    """Add an exercise to the registry outside the chapter modules.

    Meant for tests and for trying out a new exercise before it moves into
    ``crm_kit/answers/chNN.py``. Not for notebooks: a notebook that defines
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
    keys = set(_chapter(chapter)) | {k for k in _sealed_checks() if _chapter_of(k) == chapter}
    return sorted(keys, key=_key_order)


def get_exercise(key: str) -> Check:
    """Return the self-check of exercise ``key``.

    The sealed check of the active world when it has one (a student kit),
    else the exercise of the answer key.

    Raises
    ------
    ValueError
        For an unknown key, listing the chapter's known keys.
    """
    chapter = _chapter_of(key)
    key = key.strip()
    sealed = _sealed_checks()
    if key in sealed:
        return sealed[key]
    exercises = _chapter(chapter)
    if key in exercises:
        return exercises[key]
    known = known_keys(chapter)
    if known:
        raise ValueError(tr("There is no exercise {key!r}. Chapter {chapter} has exercises: {known}.", key=key,
                            chapter=chapter, known=", ".join(known)))
    key_package = _answer_key()
    if key_package is None and not sealed:
        raise ValueError(tr(
            "There are no self-checks here for exercise {key!r}: open the notebooks from your course kit's "
            "folder (the one with kopilka.toml and data/), so that they read the kit's data and its self-checks.",
            key=key,
        ))
    chapters = set(key_package.available_chapters()) if key_package is not None else set()
    chapters |= {_chapter_of(k) for k in sealed}
    have = ", ".join(map(str, sorted(chapters))) or tr("none")
    raise ValueError(tr(
        "There is no exercise {key!r}: chapter {chapter} has no self-checks (chapters with self-checks: {have}).",
        key=key, chapter=chapter, have=have,
    ))


def clear_cache() -> None:
    """Forget every computed expected answer, e.g. after the active world changed.

    Also empties the caches of the answer modules' own helpers (the loaded
    tables of chapter 4, the board cases of chapter 6), which would otherwise
    keep answering for the previous world.
    """
    import sys

    for exercises in _REGISTRY.values():
        for ex in exercises.values():
            ex.clear_cache()
    for name, module in list(sys.modules.items()):
        if name.startswith("crm_kit.answers.") and module is not None:
            for ex in getattr(module, "EXERCISES", ()):
                if isinstance(ex, Exercise):
                    ex.clear_cache()
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


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
        ``"not answered"`` (``"recorded"`` in a graded run). In a notebook it
        displays nothing more than the printed line.

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
    record = os.environ.get(RECORD_ENV)
    if record:
        result = _record(key, answer, record)
    else:
        result = get_exercise(key).feedback(answer)
    print(result.message)
    return result


def _record(key: Any, answer: Any, path: str) -> CheckResult:
    """A graded run: append the answer to the grader's file; compare nothing."""
    _chapter_of(key)  # a malformed key is still an error the student should see
    key = key.strip()
    line = json.dumps({"key": key, "answer": encode_answer(answer)}, ensure_ascii=False, default=str)
    with open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")
    return CheckResult(key=key, status=RECORDED, message=tr("Exercise {key}: answer recorded for grading.", key=key))
