"""Every timing a notebook gives the lecturer agrees with the syllabus, session by session.

Each notebook carries one lecturer note with its timing, one line a session
("- Session 2: lecture 20 min, lab 55 min, discussion 15 min."); no other
lecturer note states minutes, so no second figure can drift. The lecturer
guide's tables are checked against the syllabus in ``test_lecturer_guide.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_lecturer_guide import _session_minutes, _syllabus_sessions

ROOT = Path(__file__).resolve().parents[1]
STEMS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
SESSION_LINE = re.compile(r"^- Session (\d+): (.+)\.$", re.MULTILINE)
ACTIVITY = re.compile(r"([a-z]+) (\d+) min")
MINUTES = re.compile(r"\b\d+\s*(?:-|–)?\s*min(?:ute)?s?\b")


def _lecturer_notes(stem: str) -> list[str]:
    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if "lecturer" in c.get("metadata", {}).get("tags", [])]


def notebook_sessions(notes: list[str]) -> dict[int, dict[str, int]]:
    sessions: dict[int, dict[str, int]] = {}
    for note in notes:
        for number, activities in SESSION_LINE.findall(note):
            sessions[int(number)] = {name: int(m) for name, m in ACTIVITY.findall(activities)}
    return sessions


@pytest.mark.parametrize("stem", STEMS)
def test_notebook_timing_agrees_with_the_syllabus(stem):
    planned = _syllabus_sessions(stem)
    assert planned, f"the syllabus teaches no session from {stem}"
    assert notebook_sessions(_lecturer_notes(stem)) == planned


@pytest.mark.parametrize("stem", STEMS)
def test_no_other_lecturer_note_states_minutes(stem):
    stray = []
    for note in _lecturer_notes(stem):
        # "a 90-minute session" is the session length, not a timing
        text = re.sub(rf"\b{_session_minutes()}-minute\b", "", SESSION_LINE.sub("", note))
        stray += MINUTES.findall(text)
    assert not stray, f"{stem}: minutes outside the timing lines: {stray}"


def test_the_checks_see_a_disagreement():
    notes = ["**Timing.**\n\n- Session 1: lecture 20 min, discussion 15 min, lab 35 min.", "about 20 minutes on the tour"]
    assert notebook_sessions(notes) == {1: {"lecture": 20, "discussion": 15, "lab": 35}}
    assert notebook_sessions(notes) != _syllabus_sessions("00_introduction")
    assert MINUTES.findall(notes[1]) == ["20 minutes"]
