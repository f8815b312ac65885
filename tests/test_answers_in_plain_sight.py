"""No exercise's answer may be printed in the student edition.

The student edition keeps the lecturer's outputs (tables, printed figures)
outside the exercise cells, so that students can compare their run with
them. An output that prints an exercise's answer gives it away: a student
reads it off and copies it. This test builds the student edition of every
notebook, computes every self-checked answer on the shipped world with the
answer key, and searches the outputs the edition keeps, and the data
dictionary (``data/README.md``) that every kit ships, for the answer as a
student would read it.

What counts as the answer in plain sight
----------------------------------------
A number printed in an output of the exercise's own chapter (or in the data
dictionary), with at least two significant digits (the zeros closing a whole
number, as in "top 20%", do not count), that equals the expected
answer rounded to the printed number of decimals; for a share, also a
printed percentage (``51.5%`` for 0.515); for an answer that is not a whole
count, only numbers printed with decimals or a percent sign (a table index
"1" is not a probability of 1.0). So ``0.034`` and ``+3.4 pp`` expose a
lift of 0.0339, and so does ``0.78`` a weight of 0.776 in a table row, while
``0.03`` does not: it stands for too many numbers.

The known exposures
-------------------
The chapter rewrites that remove today's exposures are separate issues.
Until they land, :data:`KNOWN_EXPOSURES` lists each exposed exercise with
the issue that removes it, and the test is strict both ways: it fails when a
new exposure appears, and when a listed one is gone (then delete its line),
so the list can only shrink.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from crm_kit.answers import chapter_exercises
from crm_kit.exercises import _chapter_of
from crm_kit.student import build_student_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Exercises whose answer the student edition prints today, with the issue that removes the exposure.
KNOWN_EXPOSURES = {
}

NUMBER = re.compile(r"(?<![\w.])([-\u2212+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?)(%?)(?![\w]|\.\d)")


@dataclass(frozen=True)
class Printed:
    """A number a student reads: where, and how it is written."""

    where: str
    text: str
    value: float
    decimals: int
    percent: bool
    context: str


def _output_texts(cell) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append(output["text"])
        plain = output.get("data", {}).get("text/plain")
        if plain:
            texts.append("".join(plain) if isinstance(plain, list) else plain)
    return texts


def _numbers(text: str, where: str) -> list[Printed]:
    found = []
    for match in NUMBER.finditer(text):
        raw, decimals, percent = match.group(1), match.group(2) or "", match.group(3)
        context = text[max(0, match.start() - 50): match.end() + 20].replace("\n", " ")
        found.append(Printed(where, match.group(0), float(raw.replace("\u2212", "-").replace(",", "")),
                             len(decimals), bool(percent), context))
    return found


def printed_numbers(lecturer_notebooks: list[Path]) -> dict[int | str, list[Printed]]:
    """The numbers a student reads in the student edition's outputs, by chapter, and in the data dictionary."""
    by_chapter: dict[int | str, list[Printed]] = {}
    for path in lecturer_notebooks:
        student = build_student_notebook(nbformat.read(path, as_version=4), name=path.name)
        numbers = []
        for index, cell in enumerate(student.cells, start=1):
            for text in _output_texts(cell):
                numbers += _numbers(text, f"{path.name}, cell {index}")
        by_chapter[int(path.name[:2])] = numbers
    readme = ROOT / "data" / "README.md"
    by_chapter["data"] = _numbers(readme.read_text(encoding="utf-8"), "data/README.md")
    return by_chapter


def _significant(text: str) -> int:
    # Zeros at the end of a whole number ("20%", "100") are not significant; after a decimal point they are.
    digits = re.sub(r"[^0-9.]", "", text)
    if "." not in digits:
        digits = digits.rstrip("0")
    return len(digits.replace(".", "").lstrip("0"))


def reveals(printed: Printed, expected: float, kind: str) -> bool:
    """Whether ``printed`` is ``expected`` as a student would read it (see the module docstring)."""
    digits = printed.text.rstrip("%")
    if _significant(digits) < 2:
        return False
    whole_count = kind == "number" and float(expected).is_integer()
    if not whole_count and printed.decimals == 0 and not printed.percent:
        return False
    scales = [1.0] + ([100.0] if kind == "share" and printed.percent else [])
    return any(round(float(expected) * scale, printed.decimals) == printed.value for scale in scales)


def exposures(answers: dict[str, object], numbers: dict[int | str, list[Printed]]) -> dict[str, list[Printed]]:
    """For every exercise whose answer is printed: where."""
    found = {}
    for key, expected in answers.items():
        exercise = chapter_exercises(_chapter_of(key))[key]
        if exercise.kind not in ("number", "share", "percent"):
            continue  # a label answer is one of the options the exercise lists
        places = [p for p in numbers.get(exercise.chapter, []) + numbers["data"]
                  if reveals(p, float(expected), exercise.kind)]
        if places:
            found[key] = places
    return found


@pytest.fixture(scope="module")
def found(shipped_answers) -> dict[str, list[Printed]]:
    return exposures(shipped_answers, printed_numbers(NOTEBOOKS))


def _describe(places: list[Printed]) -> str:
    return "; ".join(f"{p.where}: ...{p.context}..." for p in places[:3])


def test_no_answer_is_printed_in_the_student_edition_beyond_the_known_exposures(found):
    new = {key: places for key, places in found.items() if key not in KNOWN_EXPOSURES}
    gone = sorted(set(KNOWN_EXPOSURES) - set(found))
    problems = [f"exercise {key}'s answer is printed in the student edition: {_describe(places)}"
                for key, places in sorted(new.items())]
    problems += [f"exercise {key} is no longer exposed ({KNOWN_EXPOSURES[key]}): delete it from KNOWN_EXPOSURES"
                 for key in gone]
    assert not problems, "\n".join(problems)


def test_the_search_finds_a_lift_printed_in_the_tables_of_chapter_3():
    """The issue's example: the generic offer's lift, once exercise 3.1's answer, is printed by section 4.3.

    Computed here with plain pandas from the shipped data, it must be found in chapter 3's student
    edition, written as the table writes it: that is how the search caught the old exercise.
    """
    from crm_course.data import load

    campaign = load("offer_experiment")
    rates = campaign.groupby(campaign["arm"].astype(str))["converted"].mean()
    lift = float(rates["generic"] - rates["none"])
    places = [p for p in printed_numbers([ROOT / "notebooks" / "03_mass_personalisation.ipynb"])[3]
              if reveals(p, lift, "share")]
    assert any(p.text == f"{lift:.3f}" for p in places), [p.text for p in places]


def test_the_search_tells_a_printed_answer_from_a_coincidence():
    numbers = {1: _numbers("lift 0.034   share 51.5%   weight 0.78   rows 3,625   index 1   rough 0.03   "
                           "top 20% of members   arm 0.060", "x"), "data": []}
    def hit(value, kind="share", text=None):
        return [p.text for p in numbers[1] if reveals(p, value, kind) and (text is None or p.text == text)]
    assert hit(0.0339) == ["0.034"]
    assert hit(0.5150) == ["51.5%"]
    assert hit(0.776) == ["0.78"]
    assert hit(3625, "number") == ["3,625"]
    assert hit(1.0) == []          # the "1" of an index is not a probability of 1.0
    assert hit(0.0312) == []       # "0.03" has one significant digit: it stands for too many numbers
    assert hit(0.0349) == []       # a different lift
    assert hit(0.20235) == []      # "20%" of a "top 20%" is a whole number with a zero at the end
    assert hit(0.0605) == ["0.060"]  # after a decimal point, a final zero counts


def test_every_known_exposure_names_the_issue_that_removes_it():
    assert all(re.match(r"issue 1[4-6]: \S", why) for why in KNOWN_EXPOSURES.values())
    chapters = {"issue 14": {1, 2}, "issue 15": {3, 4}, "issue 16": {5, 6}}
    for key, why in KNOWN_EXPOSURES.items():
        assert _chapter_of(key) in chapters[why.split(":")[0]], key
