"""Self-checks that cannot give their answers back: salted hashes of the expected answers.

A student kit must let a student check an answer without carrying the
answer. For every exercise, :func:`seal` stores what the check compares
against as salted, key-stretched hashes (PBKDF2-HMAC-SHA256), never the
value; :class:`SealedExercise` hashes the student's answer the same way and
looks it up. The feedback flow is the one of :class:`crm_kit.feedback.Check`,
so a sealed check says what the lecturer's check says.

How a number is sealed
----------------------
A tolerance is a grid of cells (:func:`crm_kit.feedback.tolerance_grids`),
whose widths depend on the tolerance only, never on the answer's size. The
file holds the hashes of the expected answer's cell and of the two cells on
each side, in sorted order: every answer within the tolerance lands in one
of them, and none farther than one and a half tolerances does; the
lecturer's check uses the same cells, so kit and grader agree. The "close" band is sealed
the same way on its own, wider grid, and each known mistake
(:class:`crm_kit.exercises.Mistake`) on the correct grid with its hint. A
count that must be exact is hashed as the number itself. A label is hashed
after the normalisation the checks use (case and spaces ignored).

The hints, in every language
----------------------------
A record keeps its exercise's hints and description as the answer key
writes them, in English, each beside what it belongs to: a mistake's hint
beside the hashes of that mistake's cells, a label's hint under the hash of
the label. Their translations are sealed beside them, in the record's
``translations`` (language -> English -> translation), taken from the answer
key's catalogue when the kit is built; the self-check shows the hint in the
current language (:func:`crm_course.language.set_language`). So the Russian
hints are exactly where the English ones are: in the world's own
``selfchecks.json``, only those of its exercises, never in the kit's package.
Like the English, they name slips, never an answer (the kit's leak test
searches them, in Russian number style too).

What it protects against
------------------------
Reading: nothing in ``selfchecks.json`` (nor in the kit's package) is the
answer, at any rounding. It does not stop a student who calls the check in a
loop over candidate answers: a self-check that says "correct" is an oracle by
nature. Key stretching makes each try cost a few milliseconds, and the salt (taken
from the world's own ``datapackage.json``) makes every world's hashes
different, so a table of hashes computed for one kit is useless for another.
That is why the graded answers come from the grader (:mod:`crm_kit.grade`),
which runs the student's notebook on the student's own world.

Examples
--------
>>> from crm_kit.exercises import Exercise, Mistake
>>> ex = Exercise("9.1", expected=0.2345, kind="share", rtol=0, atol=0.0005,
...               mistakes=[Mistake(0.4, "That is the share of all members.")])
>>> record = seal([ex], salt=b"0123456789abcdef", iterations=1_000)
>>> "0.2345" in str(record) or "0.234" in str(record)
False
>>> sealed = checks_from(record)["9.1"]
>>> sealed.feedback(0.2347).status, sealed.feedback(23.45).status, sealed.feedback(0.5).status
('correct', 'close', 'wrong')
>>> print(sealed.feedback(0.4).message)
Exercise 9.1: not yet right. That is the share of all members.
>>> hasattr(sealed, "expected_value")
False
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_course.language import LANGUAGES, get_language, language, tr
from crm_kit.answer_types import _is_numpy_number, _norm_label
from crm_kit.feedback import NUMBER_KINDS, Check, cells_around, grid_cell, tolerance_grids

__all__ = ["DEFAULT_ITERATIONS", "SEALED_FILE", "SealedExercise", "checks_from", "load_sealed", "seal", "write_sealed"]

#: The file, in a world's data folder, that holds its sealed self-checks.
SEALED_FILE = "selfchecks.json"
FORMAT = "crm-kit-selfchecks/1"
#: PBKDF2 iterations: a few milliseconds a hash (about 6 ms on the machines the course was built on).
DEFAULT_ITERATIONS = 20_000


# -- hashing -----------------------------------------------------------------------------


class _Hasher:
    def __init__(self, salt: bytes, iterations: int) -> None:
        self.salt, self.iterations = salt, iterations
        self._memo: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        if text not in self._memo:
            raw = hashlib.pbkdf2_hmac("sha256", text.encode("utf-8"), self.salt, self.iterations)
            self._memo[text] = raw[:8].hex()
        return self._memo[text]


def _token(key: str, element: int | None, grid: list, cell: str) -> str:
    where = "" if element is None else f"{element}|"
    return f"{key}|{where}{grid[0]}:{grid[1]!r}|{cell}"


def _sealed_band(hasher, key, value, grids, element=None) -> list[str]:
    return sorted({hasher(_token(key, element, g, c)) for g in grids for c in cells_around(value, g)})


# -- sealing (the lecturer's side) ---------------------------------------------------------


def _finite(value: Any, what: str) -> float:
    if _is_numpy_number(value):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{what}: expected a finite number to seal; found {value!r}")
    return float(value)


def _seal_one(ex, hasher) -> dict:
    record: dict[str, Any] = {
        "kind": ex.kind,
        "what": ex.what,
        "hints": dict(ex.hints),
        "choices": list(ex.choices) if ex.choices is not None else None,
        "scale": ex.scale,
    }
    key = ex.key
    if ex.kind in NUMBER_KINDS:
        expected = _finite(ex.expected_value(), f"Exercise {key}")
        correct = tolerance_grids(ex.atol, ex.rtol, exact_if_none=True)
        close = tolerance_grids(ex.close_atol, ex.close_rtol, exact_if_none=False)
        record["correct"] = {"grids": correct, "cells": _sealed_band(hasher, key, expected, correct)}
        record["close"] = {"grids": close, "cells": _sealed_band(hasher, key, expected, close)}
        record["mistakes"] = [
            {"cells": _sealed_band(hasher, key, value, correct), "hint": hint} for value, hint in ex.mistake_values()
        ]
    elif ex.kind == "choice":
        label = _norm_label(ex._expected_checked(str, numbers.Integral))
        record["label"] = hasher(f"{key}|label|{label}")
        record["label_hints"] = {hasher(f"{key}|label|{k}"): v for k, v in sorted(ex.label_hints.items())}
    elif ex.kind == "labels":
        labels = ex._expected_labels()
        record["labels"] = sorted(hasher(f"{key}|label|{x}") for x in labels)
    else:
        record.update(_seal_values(ex, hasher))
    record["translations"] = _translations(record)
    return record


def _translations(record: dict) -> dict[str, dict[str, str]]:
    """The record's own texts (hints, description) in every other language, where the catalogue has them."""
    texts = [*record["hints"].values(), record["what"], *(m["hint"] for m in record.get("mistakes", ())),
             *record.get("label_hints", {}).values()]
    found: dict[str, dict[str, str]] = {}
    for code in LANGUAGES:
        if code == "en":
            continue
        with language(code):
            pairs = {text: tr(text) for text in texts if text}
        found[code] = {en: other for en, other in sorted(pairs.items()) if other != en}
    return found


def _seal_values(ex, hasher) -> dict:
    import numpy as np

    template, shape, missing = ex._values_template()
    e = np.asarray(template, dtype=float).reshape(-1)
    correct = tolerance_grids(ex.atol, ex.rtol, exact_if_none=True)
    close = tolerance_grids(ex.close_atol, ex.close_rtol, exact_if_none=False)
    labels: dict[str, Any] = {"type": None}
    if hasattr(template, "index") and hasattr(template, "to_frame"):
        labels = {"type": "series", "index": [str(x) for x in template.index]}
    elif hasattr(template, "columns"):
        labels = {"type": "frame", "index": [str(x) for x in template.index],
                  "columns": [str(x) for x in template.columns]}
    return {
        "shape": list(shape),
        "missing": [bool(m) for m in missing.reshape(-1)],
        "labels": labels,
        "correct": {"grids": correct, "cells": [
            [] if math.isnan(v) else _sealed_band(hasher, ex.key, float(v), correct, i) for i, v in enumerate(e)]},
        "close": {"grids": close, "cells": [
            [] if math.isnan(v) else _sealed_band(hasher, ex.key, float(v), close, i) for i, v in enumerate(e)]},
    }


def seal(exercises: Iterable, *, salt: bytes, iterations: int = DEFAULT_ITERATIONS) -> dict:
    """The sealed self-checks of ``exercises`` on the active world, ready to write as JSON.

    Parameters
    ----------
    exercises : iterable of crm_kit.exercises.Exercise
        Their expected answers (and mistakes) are computed on the active world.
    salt : bytes
        At least 8 bytes; stored in the result (it is not a secret).
    iterations : int
        PBKDF2 iterations per hash.

    Returns
    -------
    dict
        ``{"format", "salt", "iterations", "checks": {key: record}}``; no
        record holds an expected value.
    """
    if not isinstance(salt, bytes) or len(salt) < 8:
        raise ValueError(f"salt: expected at least 8 bytes; found {salt!r}")
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"iterations: expected a whole number >= 1; found {iterations!r}")
    hasher = _Hasher(salt, iterations)
    checks = {ex.key: _seal_one(ex, hasher) for ex in exercises}
    return {"format": FORMAT, "salt": salt.hex(), "iterations": iterations, "checks": checks}


def world_salt(folder: str | Path) -> bytes:
    """The salt of a world's sealed checks: derived from its ``datapackage.json``, so every world differs."""
    descriptor = (Path(folder) / "datapackage.json").read_bytes()
    return hashlib.sha256(b"crm-kit selfchecks\0" + descriptor).digest()[:16]


def write_sealed(folder: str | Path, exercises: Iterable, *, iterations: int = DEFAULT_ITERATIONS) -> Path:
    """Seal ``exercises`` on the world in ``folder`` and write ``folder/selfchecks.json``.

    The expected answers are computed on that world: the caller makes it the
    active one (see :func:`crm_kit.personal.using_world`).
    """
    folder = Path(folder)
    content = seal(exercises, salt=world_salt(folder), iterations=iterations)
    path = folder / SEALED_FILE
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return path


# -- checking (the student's side) ----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SealedExercise(Check):
    """A self-check that knows its expected answer only as hashes.

    Made by :func:`checks_from` from a sealed record; it has the
    :meth:`~crm_kit.feedback.Check.feedback` of every check and nothing that
    gives the answer back.
    """

    key: str
    kind: str
    hints: Mapping[str, str] = field(repr=False)
    choices: tuple | None = field(repr=False)
    what: str | None = field(repr=False)
    scale: str | None = field(repr=False)
    _record: Mapping[str, Any] = field(repr=False)
    _hash: Any = field(repr=False)

    def _tr(self, text: str) -> str:
        code = get_language()
        if code != "en":
            sealed = self._record.get("translations", {}).get(code, {}).get(text)
            if sealed:
                return sealed
        return tr(text)

    def _hits(self, value: float, band: Mapping[str, Any], element: int | None = None, cells=None) -> bool:
        cells = set(band["cells"] if cells is None else cells)
        return any(self._hash(_token(self.key, element, g, grid_cell(value, g))) in cells for g in band["grids"])

    def _is_correct(self, value: float) -> bool:
        return self._hits(value, self._record["correct"])

    def _is_close(self, value: float) -> bool:
        return self._hits(value, self._record["close"])

    def _mistake_hint(self, value: float) -> str | None:
        grids = self._record["correct"]
        for mistake in self._record["mistakes"]:
            if self._hits(value, grids, cells=mistake["cells"]):
                return mistake["hint"]
        return None

    def _is_expected_label(self, label: str) -> bool:
        return self._hash(f"{self.key}|label|{label}") == self._record["label"]

    def _label_hint(self, label: str) -> str | None:
        return self._record["label_hints"].get(self._hash(f"{self.key}|label|{label}"))

    def _labels_right(self, given: set[str]) -> tuple[int, int]:
        expected = set(self._record["labels"])
        return sum(self._hash(f"{self.key}|label|{x}") in expected for x in given), len(expected)

    def _values_template(self):
        import numpy as np

        shape = tuple(self._record["shape"])
        missing = np.asarray(self._record["missing"], dtype=bool).reshape(shape)
        labels = self._record["labels"]
        template = None
        if labels["type"] is not None:
            import pandas as pd

            if labels["type"] == "series":
                template = pd.Series(np.nan, index=labels["index"])
            else:
                template = pd.DataFrame(np.nan, index=labels["index"], columns=labels["columns"])
        return template, shape, missing

    def _values_within(self, a, band: str):
        import numpy as np

        sealed = self._record[band]
        flat = np.asarray(a, dtype=float).reshape(-1)
        ok = [
            bool(cells) and not math.isnan(v) and self._hits(float(v), sealed, i, cells)
            for i, (v, cells) in enumerate(zip(flat, sealed["cells"]))
        ]
        return np.asarray(ok, dtype=bool).reshape(np.shape(a))


def checks_from(content: Mapping[str, Any]) -> dict[str, SealedExercise]:
    """The sealed checks held by the content of a ``selfchecks.json``."""
    if not isinstance(content, Mapping) or content.get("format") != FORMAT:
        found = content.get("format") if isinstance(content, Mapping) else type(content).__name__
        raise ValueError(f"{SEALED_FILE}: expected format {FORMAT!r}; found {found!r}")
    hasher = _Hasher(bytes.fromhex(content["salt"]), int(content["iterations"]))
    return {
        key: SealedExercise(
            key=key,
            kind=record["kind"],
            hints=dict(record.get("hints") or {}),
            choices=tuple(record["choices"]) if record.get("choices") is not None else None,
            what=record.get("what"),
            scale=record.get("scale"),
            _record=record,
            _hash=hasher,
        )
        for key, record in content["checks"].items()
    }


_LOADED: dict[tuple[str, int], dict[str, SealedExercise]] = {}


def load_sealed(folder: str | Path | None = None) -> dict[str, SealedExercise]:
    """The sealed checks of a world (default: the active one); empty if it has none.

    Examples
    --------
    >>> load_sealed()   # the shipped world of the repository has none: the answer key answers
    {}
    """
    if folder is None:
        from crm_course.data import active_data_dir

        folder = active_data_dir()
    path = Path(folder) / SEALED_FILE
    if not path.is_file():
        return {}
    stamp = (str(path.resolve()), path.stat().st_mtime_ns)
    if stamp not in _LOADED:
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path} is damaged (not valid JSON: {exc})") from None
        _LOADED[stamp] = checks_from(content)
    return _LOADED[stamp]
