"""The grader: full marks for the lecturer's solutions, none for the untouched student edition,
partial marks and a clear note for a notebook that fails or runs out of time, on each student's world.

One real chapter (the introduction, whose self-checks run on any world) is
graded for four students on 2,000-member worlds: two from the personal kits of
``conftest.personal_kits``, two regenerated from the lecturer's secret.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import KIT_MEMBERS, SECRET
from crm_kit.grade import grade_submissions
from crm_kit.personal import using_world

ROOT = Path(__file__).resolve().parents[1]
INTRO = "00_introduction.ipynb"
CELL_TIMEOUT = 40


def _insert_after_check(nb, key: str, source: str):
    index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and f'check("{key}"' in c.source
                 and "BEGIN SOLUTION" in c.source)
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return nb


@pytest.fixture(scope="module")
def graded(personal_kits, tmp_path_factory, monkeypatch_module):
    submissions = tmp_path_factory.mktemp("submissions")
    lecturer = nbformat.read(ROOT / "notebooks" / INTRO, as_version=4)
    s001, s002, s003, s004 = (submissions / s for s in ("s001", "s002", "s003", "s004"))
    for folder in (s001, s002, s003, s004):
        folder.mkdir()
    # s001 hands in the lecturer's edition; s002 the student edition untouched.
    nbformat.write(lecturer, s001 / INTRO)
    (s002 / INTRO).write_bytes((personal_kits / "s002" / "notebooks" / INTRO).read_bytes())
    # s003: the lecturer's edition with an error right after exercise 0.2.
    failing = _insert_after_check(nbformat.read(ROOT / "notebooks" / INTRO, as_version=4), "0.2",
                                  "ratio = 1 / 0  # a slip")
    nbformat.write(failing, s003 / INTRO)
    # s004: a short notebook that copies s001's answer to 0.2, reports whether it can see the
    # lecturer's secret, then loops for ever.
    with using_world(personal_kits / "s001" / "data"):
        from crm_kit.answers import chapter_exercises

        copied = chapter_exercises(0)["0.2"].expected_value()
    short = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import os\nfrom crm_course.data import load\nfrom crm_kit.exercises import check"),
        nbformat.v4.new_code_cell('check("0.1", load("transactions")["customer_id"].nunique())'),
        nbformat.v4.new_code_cell(f'referral_share = {copied!r}\ncheck("0.2", referral_share)'),
        nbformat.v4.new_code_cell('check("0.3", float("CRM_KIT_SECRET" in os.environ))'),
        nbformat.v4.new_code_cell("while True:\n    pass"),
        nbformat.v4.new_code_cell('check("0.4", 1.0)'),
    ])
    short.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(short, s004 / "00_my_work.ipynb")
    monkeypatch_module.setenv("CRM_KIT_SECRET", SECRET)  # the grader has it; the students' kernels must not
    out = tmp_path_factory.mktemp("grades")
    grades = grade_submissions(submissions, out, kits=personal_kits, secret=SECRET.encode(), members=KIT_MEMBERS,
                               cell_timeout=CELL_TIMEOUT)
    return {g.student_id: g for g in grades}, out, copied


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_lecturer_edition_gets_full_marks_and_the_student_edition_none(graded):
    grades, out, _ = graded
    assert grades["s001"].total == 4 and set(grades["s001"].marks.values()) == {1}
    assert grades["s002"].total == 0
    assert {r.status for r in grades["s002"].results.values()} == {"not answered"}
    assert [run.status for run in grades["s001"].runs] == ["ok"] and not grades["s001"].notes
    assert "own world (from the personal kit)" in grades["s001"].world


def test_an_error_keeps_the_marks_earned_before_it_and_is_named(graded):
    grades, out, _ = graded
    s003 = grades["s003"]
    assert s003.marks == {"0.1": 1, "0.2": 1, "0.3": 0, "0.4": 0}
    assert "regenerated from the secret" in s003.world and (out / "worlds" / "s003" / "datapackage.json").is_file()
    (note,) = [n for n in s003.notes if "raised" in n]
    assert "raised ZeroDivisionError: division by zero" in note and "did not run" in note
    cell = int(note.split("cell ")[1].split()[0])
    nb = nbformat.read(ROOT / "notebooks" / INTRO, as_version=4)
    assert cell == next(i for i, c in enumerate(nb.cells) if 'check("0.2"' in c.source and "BEGIN" in c.source) + 2
    feedback = (out / "feedback" / "s003.md").read_text()
    assert "stopped at an error" in feedback and "division by zero" in feedback and "**2 of 4**" in feedback


def test_a_timeout_is_handled_and_a_copied_answer_earns_nothing(graded, personal_answers):
    grades, out, copied = graded
    s004 = grades["s004"]
    (run,) = s004.runs
    assert run.status == "timeout" and run.name == "00_my_work.ipynb"
    assert any("cell 5 was still running" in n and f"{CELL_TIMEOUT} s" in n for n in s004.notes)
    assert s004.marks["0.1"] == 1 and s004.marks["0.4"] == 0
    assert s004.results["0.4"].status == "not answered"
    # s001's referral share is not s004's: copying a neighbour's number is useless.
    assert s004.marks["0.2"] == 0 and copied == personal_answers["s001"]["0.2"]
    assert any("typed in as a number" in n and "0.2" in n for n in s004.notes)
    # The student's kernel never saw the lecturer's secret.
    assert run.answers["0.3"] == {"type": "number", "value": 0.0}


def test_the_gradebooks_have_one_row_per_student_one_column_per_exercise_and_a_total(graded):
    grades, out, _ = graded
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Student ID", "Exercise 0.1", "Exercise 0.2", "Exercise 0.3", "Exercise 0.4", "Total"]
    assert [r[0] for r in rows[1:]] == ["s001", "s002", "s003", "s004"]
    assert rows[1][1:] == ["1", "1", "1", "1", "4"] and rows[2][1:] == ["0", "0", "0", "0", "0"]
    assert all(int(r[-1]) == sum(map(int, r[1:-1])) for r in rows[1:])
    with (out / "gradebook-canvas.csv").open(newline="", encoding="utf-8") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[0][5:] == rows[0][1:] and [r[2] for r in canvas[1:]] == ["s001", "s002", "s003", "s004"]
    assert sorted(p.name for p in (out / "feedback").iterdir()) == [f"{s}.md" for s in ("s001", "s002", "s003", "s004")]


def test_bad_submission_folders_are_reported_without_a_traceback(tmp_path):
    (tmp_path / "a b").mkdir()
    run = subprocess.run([sys.executable, "-m", "crm_kit.grade", str(tmp_path), "--out", str(tmp_path / "g")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "cannot be a student id" in run.stderr and "Traceback" not in run.stderr
    empty = tmp_path / "empty"
    (empty / "s1").mkdir(parents=True)
    with pytest.raises(ValueError, match="no notebook of a chapter with self-checks"):
        grade_submissions(empty, tmp_path / "g")
    with pytest.raises(ValueError, match=r"chapters: expected chapters with self-checks"):
        grade_submissions(empty, tmp_path / "g", chapters=[42])
