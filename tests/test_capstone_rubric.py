"""The capstone rubric: a marking scheme that holds in any group's world.

The marker's rubric (``docs/capstone-rubric.md``) and the students' version
(``docs/capstone-rubric-student.md``) share their criteria, weights, levels and
the rule for partial descriptors word for word; only the marker's carries the
anchor memos and the notes on what the shipped data show. The anchor memos'
marks must follow from their levels and the weights.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKER = ROOT / "docs" / "capstone-rubric.md"
STUDENT = ROOT / "docs" / "capstone-rubric-student.md"
LEVELS = ["4 Excellent", "3 Good", "2 Adequate", "1 Weak", "0 Absent"]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body of the level-2 section whose heading starts with ``heading``."""
    match = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def _rows(table_text: str) -> list[list[str]]:
    lines = [line for line in table_text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def _weights(text: str) -> dict[str, float]:
    block = text[text.index("| Criterion | Weight |"):]
    block = block[: block.index("\n\n")]
    return {name: float(weight) for name, weight in _rows(block)}


def _criteria(text: str) -> dict[str, list[list[str]]]:
    body = _section(text, "The criteria and their levels")
    found = {}
    for match in re.finditer(r"^### (\d+\. .*?) \((\d+)\)$(.*?)(?=^### |\Z)", body, flags=re.M | re.S):
        found[match.group(1)] = _rows(match.group(3)[match.group(3).index("| Level |"):])
    return found


def test_weights_add_up_to_one_hundred_over_seven_criteria_with_numerical_accuracy():
    weights = _weights(_text(MARKER))
    assert sum(weights.values()) == 100
    assert len(weights) == 7
    assert any("numerical accuracy" in name.lower() and "own case" in name.lower() for name in weights)


def test_every_criterion_has_levels_zero_to_four_with_cumulative_lettered_elements():
    text = _text(MARKER)
    criteria = _criteria(text)
    weights = _weights(text)
    assert list(criteria) == list(weights), "each criterion of the weights table has a section, in order"
    for name, rows in criteria.items():
        assert [r[0] for r in rows] == LEVELS, name
        letters = []
        for level, descriptor in reversed(rows[:-1]):  # level 1 up to level 4
            own = re.findall(r"\(([a-z])\)", descriptor)
            assert own, f"{name}, level {level}: the descriptor lists no lettered elements"
            letters += own
            if not level.startswith("1"):
                assert descriptor.startswith(f"Level {int(level[0]) - 1}, and:"), f"{name}, level {level}"
        assert letters == [chr(ord("a") + i) for i in range(len(letters))], f"{name}: elements {letters}"


def test_no_criterion_names_the_conclusion_a_memo_must_reach():
    """The descriptors judge reasoning against the group's numbers; they never require a finding."""
    for name, rows in _criteria(_text(MARKER)).items():
        for level, descriptor in rows:
            lowered = descriptor.lower()
            for phrase in ("for the shipped data", "on the shipped data", "reject the programme",
                           "beats universal", "selective empowerment wins", "a changed programme rather"):
                assert phrase not in lowered, f"{name}, level {level} names a conclusion: {phrase!r}"
        if not name.startswith("7."):  # clarity is judged the same way in every world
            assert any("group's" in d for _, d in rows), f"{name}: no descriptor refers to the group's own case"


def test_the_marking_rules_give_an_empty_memo_zero_and_say_how_to_mark_part_of_a_descriptor():
    text = _text(MARKER)
    marking = " ".join(_section(text, "How to mark").split())
    assert "weight × level, divided by 4" in marking and "An empty memo scores 0" in marking
    assert "level from **0 to 4**" in marking
    partial = " ".join(_section(text, "Marking a memo that meets part of a descriptor").split())
    assert "add half a level" in partial and "at least half of the elements of the next level up" in partial
    assert "every element of the levels below" in partial and "A missing lower element caps the level" in partial


ANCHORS = re.compile(r"^### Anchor (\w): (\w+) \((.*?)\)$(.*?)(?=^### |^## |\Z)", flags=re.M | re.S)


def _anchors() -> list[tuple[str, str, str]]:
    return [(m.group(1), m.group(2), m.group(4)) for m in ANCHORS.finditer(_section(_text(MARKER), "Anchor memos"))]


def test_three_anchor_memos_at_three_levels():
    anchors = _anchors()
    assert [kind for _, kind, _ in anchors] == ["excellent", "adequate", "weak"]


@pytest.mark.parametrize("anchor", ["A", "B", "C"])
def test_an_anchor_memos_mark_follows_from_its_levels_and_the_weights(anchor):
    weights = _weights(_text(MARKER))
    body = next(b for letter, _, b in _anchors() if letter == anchor)
    memo = "\n".join(line[2:] for line in body.splitlines() if line.startswith(">"))
    assert 60 <= len(re.sub(r"[*>]", " ", memo).split()) <= 550, "an anchor memo fits on one page"
    rows = _rows(body[body.index("| Criterion | Level | Why |"):])
    levels = {}
    for criterion, level, why in rows:
        number = criterion.split(".")[0]
        name = next(n for n in weights if n.startswith(number + "."))
        assert float(level) * 2 == int(float(level) * 2) and 0 <= float(level) <= 4, (criterion, level)
        assert why, f"anchor {anchor}: {criterion} has no reason"
        levels[name] = float(level)
    assert list(levels) == list(weights), f"anchor {anchor} marks every criterion once"
    expected = sum(weights[n] * levels[n] for n in weights) / 4
    stated = float(re.search(r"^Mark: .*= (\d+(?:\.\d+)?)\.?$", body, flags=re.M).group(1))
    assert stated == pytest.approx(expected), f"anchor {anchor}: stated {stated}, levels give {expected}"


def _words(text: str) -> int:
    return len(re.sub(r"[*>#]", " ", text).split())


def test_the_notebooks_model_memo_respects_its_own_limit_of_450_to_550_words():
    """Section 5 of notebook 06 and the rubric ask for about 450-550 words; the model answer to 6.6 keeps to it."""
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "06_capstone.ipynb", as_version=4)
    memos = [c.source for c in notebook.cells if c.cell_type == "markdown" and "**To the board of Kopilka" in c.source]
    assert len(memos) == 1, "one model memo in notebook 06"
    memo = memos[0][memos[0].index("**To the board of Kopilka"):]
    memo = memo[: memo.index("*Why this is a model answer.*")]
    assert 450 <= _words(memo) <= 550, f"the model memo has {_words(memo)} words"
    assert "450–550 words" in _text(MARKER)


def test_anchor_marks_are_ordered_excellent_adequate_weak():
    marks = [float(re.search(r"^Mark: .*= (\d+(?:\.\d+)?)", b, flags=re.M).group(1)) for _, _, b in _anchors()]
    assert marks[0] >= 85 and 35 <= marks[1] <= 65 and marks[2] <= 30, marks


# --- the students' version ------------------------------------------------------------------


def test_student_version_shares_criteria_weights_levels_and_rules_word_for_word():
    marker, student = _text(MARKER), _text(STUDENT)
    assert _weights(student) == _weights(marker)
    assert _section(student, "The criteria and their levels").strip() == _section(marker, "The criteria and their levels").strip()
    rule = "Marking a memo that meets part of a descriptor"
    assert _section(student, rule).strip() == _section(marker, rule).strip()


def test_student_version_carries_no_anchor_no_notes_for_markers_and_no_figure_of_a_case():
    student = _text(STUDENT)
    for lecturer_only in ("Anchor", "Notes for markers", "What the shipped data show", "model answer to exercise"):
        assert lecturer_only not in student
    # Numbers a rubric needs: weights, levels, criterion and section numbers, page length,
    # the exercise and notebook, a citation year, the worked rounding example.
    allowed = {"0", "1", "2", "3", "4", "5", "6", "7", "10", "15", "20", "30", "100", "450", "550",
               "06", "6.6", "2.5", "2002", "1.23", "1.2", "1,234,567"}
    numbers = set(re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", student))
    assert numbers <= allowed, f"numbers that may come from a case: {sorted(numbers - allowed)}"


def test_students_and_lecturers_are_pointed_to_their_version():
    assert "{doc}`the capstone rubric <capstone-rubric-student>`" in _text(ROOT / "syllabus.md")
    guide = _text(ROOT / "docs" / "lecturer-guide.md")
    assert "<capstone-rubric-student>" in guide and "<capstone-rubric>" in guide
    assert "{doc}`the student version of the rubric\n<capstone-rubric-student>`" in _text(MARKER)
