"""The student edition: solutions out, names kept, and every notebook still runs."""

from __future__ import annotations

import copy
import doctest
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from crm_kit import student
from crm_kit.student import BEGIN, build_student_edition, build_student_notebook, END, SolutionMarkerError

ROOT = Path(__file__).resolve().parents[1]
COURSE_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOT_ANSWERED = "not answered yet"


def code(source: str, *, tags=(), outputs=(), count=None):
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.outputs = list(outputs)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def markdown(source: str, *, tags=()):
    cell = nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def stdout(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def solution_lines(nb) -> set[str]:
    """Lines that only solutions contain: inside a marker block or in a removed cell.

    Lines that also occur in the rest of the lecturer notebook (``plt.show()``, a
    closing bracket) may rightly survive elsewhere and are left out.
    """
    secret, public = set(), set()
    for cell in nb.cells:
        removed = bool(student.REMOVED_TAGS & set(cell.metadata.get("tags", [])))
        inside = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if cell.cell_type == "code" and stripped in (BEGIN, END):
                inside = stripped == BEGIN
                continue
            if stripped:
                (secret if inside or removed else public).add(stripped)
    return secret - public


def all_lines(nb) -> set[str]:
    return {line.strip() for cell in nb.cells for line in cell.source.splitlines()}


# -- build_student_notebook ------------------------------------------------------


@pytest.fixture
def lecturer():
    return notebook([
        markdown("# Chapter 9\n\nExercise 9.1: compute the share."),
        code("import math\nx = 2", count=1, outputs=[stdout("kept output\n")]),
        code(
            "### BEGIN SOLUTION\n"
            "top10_share = math.sqrt(0.25)  # ZEBRA_TOKEN\n"
            "top10_share = round(top10_share, 2)\n"
            "### END SOLUTION\n"
            'print("checked", top10_share)',
            count=2,
            outputs=[stdout("checked 0.5 ZEBRA_OUTPUT\n")],
        ),
        markdown("The worked answer: ZEBRA_WORKED", tags=["solution"]),
        markdown("Lecturer: spend ten minutes. ZEBRA_NOTE", tags=["lecturer"]),
        code("ZEBRA_LECTURER_CODE = 1", tags=["lecturer"], count=3),
        code(
            "def double(v):\n"
            "    ### BEGIN SOLUTION\n"
            "    return v * 2  # ZEBRA_FUNCTION\n"
            "    ### END SOLUTION\n"
            "\n"
            "### BEGIN SOLUTION\n"
            "# a comment before the answer: ZEBRA_COMMENT\n"
            "a, b = divmod(7, 2)  # ZEBRA_TUPLE\n"
            "### END SOLUTION\n"
            "### BEGIN SOLUTION\n"
            "print(a == b)  # ZEBRA_EXPRESSION\n"
            "### END SOLUTION\n"
            "result = double(3)",
            count=4,
            outputs=[stdout("True\n")],
        ),
        code("y = x + 1\ny", count=5,
             outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=5)]),
    ])


def test_solution_code_and_solution_outputs_are_gone(lecturer):
    text = json.dumps(build_student_notebook(lecturer, name="ch09.ipynb"))
    assert "ZEBRA" not in text
    assert BEGIN not in text and END not in text


def test_names_are_kept_and_indentation_follows_the_marker(lecturer):
    cells = build_student_notebook(lecturer).cells
    assert cells[2].source == 'top10_share = ...\nprint("checked", top10_share)'
    assert cells[3].source == (
        "def double(v):\n"
        "    ...\n"
        "\n"
        "a = b = ...\n"
        "...\n"
        "result = double(3)"
    )


def test_tagged_cells_are_removed_and_other_cells_kept_with_outputs(lecturer):
    student_nb = build_student_notebook(lecturer)
    assert [c.source.splitlines()[0] for c in student_nb.cells] == [
        "# Chapter 9", "import math", "top10_share = ...", "def double(v):", "y = x + 1",
    ]
    plain, solved, later = student_nb.cells[1], student_nb.cells[2], student_nb.cells[4]
    assert plain.outputs == lecturer.cells[1].outputs and plain.execution_count == 1
    assert later.outputs == lecturer.cells[-1].outputs and later.execution_count == 5
    assert solved.outputs == [] and solved.execution_count is None
    assert student_nb.cells[3].outputs == [] and student_nb.cells[3].execution_count is None


def test_the_lecturer_notebook_is_not_modified(lecturer):
    before = copy.deepcopy(lecturer)
    build_student_notebook(lecturer)
    assert lecturer == before


def test_markers_in_markdown_are_left_alone():
    text = f"Solutions sit between `{BEGIN}` and `{END}`; an unclosed `{BEGIN}` is fine here."
    nb = notebook([markdown(text)])
    assert build_student_notebook(nb).cells[0].source == text


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (f"x = 1\n{BEGIN}\ny = 2", r"ch09\.ipynb: cell 2: '### BEGIN SOLUTION' on line 2 has no matching"),
        (f"y = 2\n{END}", r"ch09\.ipynb: cell 2: '### END SOLUTION' on line 2 has no '### BEGIN SOLUTION'"),
        (f"{BEGIN}\n{BEGIN}\ny = 2\n{END}", r"cell 2: .* on line 2 opens a block inside the one opened on line 1"),
        ("## BEGIN SOLUTION\ny = 2\n## END SOLUTION", r"cell 2: line 1 looks like a solution marker"),
        (f"### Begin Solution\ny = 2\n{END}", r"cell 2: line 1 looks like a solution marker"),
    ],
    ids=["begin-without-end", "end-without-begin", "nested", "two-hashes", "wrong-case"],
)
def test_malformed_markers_are_errors_naming_notebook_and_cell(source, match):
    nb = notebook([markdown("# Title"), code(source)])
    with pytest.raises(SolutionMarkerError, match=match):
        build_student_notebook(nb, name="ch09.ipynb")


def test_docstring_examples_run():
    outcome = doctest.testmod(student)
    assert outcome.attempted > 0 and outcome.failed == 0


# -- build_student_edition and the command line -------------------------------------------


def test_edition_folder_readme_and_referenced_files(tmp_path, lecturer):
    source, dest = tmp_path / "notebooks", tmp_path / "student"
    (source / "figures").mkdir(parents=True)
    (source / "figures" / "model.svg").write_text("<svg/>")
    (source / "lecturer_notes.md").write_text("not for students")
    lecturer.cells.insert(1, markdown("![data model](figures/model.svg) and [chapter 1](01_x.ipynb), "
                                      "[the web](https://example.org/a.png)"))
    nbformat.write(lecturer, source / "09_demo.ipynb")
    nbformat.write(notebook([markdown("# Another")]), source / "01_x.ipynb")
    before = {p: p.read_bytes() for p in source.rglob("*") if p.is_file()}

    written = build_student_edition(source, dest)

    assert [p.name for p in written] == ["01_x.ipynb", "09_demo.ipynb"]
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        "01_x.ipynb", "09_demo.ipynb", "README.md", "figures/model.svg",
    ]
    assert "ZEBRA" not in (dest / "09_demo.ipynb").read_text()
    readme = (dest / "README.md").read_text()
    assert "- `09_demo.ipynb`: Chapter 9" in readme and "- `01_x.ipynb`: Another" in readme
    assert {p: p.read_bytes() for p in source.rglob("*") if p.is_file()} == before
    # Rebuilding gives the same files byte for byte.
    first = {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    build_student_edition(source, dest)
    assert {p: p.read_bytes() for p in dest.rglob("*") if p.is_file()} == first


def test_edition_refuses_its_own_source_and_an_empty_folder(tmp_path, lecturer):
    with pytest.raises(ValueError, match="found none"):
        build_student_edition(tmp_path, tmp_path / "student")
    nbformat.write(lecturer, tmp_path / "09_demo.ipynb")
    with pytest.raises(ValueError, match="must differ from source"):
        build_student_edition(tmp_path, tmp_path / ".")


def test_command_line_reports_a_bad_notebook_and_writes_nothing(tmp_path):
    source, dest = tmp_path / "notebooks", tmp_path / "student"
    source.mkdir()
    nbformat.write(notebook([code("x = 1")]), source / "00_ok.ipynb")
    nbformat.write(notebook([markdown("# T"), code(f"{BEGIN}\nx = 1")]), source / "01_bad.ipynb")
    run = subprocess.run([sys.executable, "-m", "crm_kit.student", str(source), str(dest)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "01_bad.ipynb: cell 2" in run.stderr and "Traceback" not in run.stderr
    assert not dest.exists()


# -- the edition runs -----------------------------------------------------------------------


def execute(path: Path, timeout: int = 900):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def text_of(cell) -> str:
    return "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])
    )


def test_student_edition_of_a_small_lecturer_notebook_runs_and_is_not_answered(tmp_path):
    source, dest = tmp_path / "notebooks", tmp_path / "student"
    source.mkdir()
    lecturer = notebook([
        markdown("# Introduction"),
        code("from crm_kit.exercises import check"),
        markdown("**Exercise 0.1.** How many members does Kopilka have?"),
        code(f"{BEGIN}\nn_members = 31337 * 2  # QUOKKA\n{END}\ncheck(\"0.1\", n_members)",
             count=2, outputs=[stdout("Exercise 0.1: not yet right. QUOKKA\n")]),
        markdown("Count the rows: QUOKKA", tags=["solution"]),
        markdown("**Exercise 0.2.** Write a function for the referral share."),
        code(f"def referral_share(table):\n    {BEGIN}\n    return 0.5  # QUOKKA\n    {END}\n\n"
             "check(\"0.2\", referral_share(None))"),
        code("print('after the exercises')"),
    ])
    nbformat.write(lecturer, source / "00_demo.ipynb")
    run = subprocess.run([sys.executable, "-m", "crm_kit.student", str(source), str(dest)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "QUOKKA" not in (dest / "00_demo.ipynb").read_text()

    executed = execute(dest / "00_demo.ipynb")

    exercise_cells = [c for c in executed.cells if "check(" in c.source]
    expected_lines = [
        "Exercise 0.1: not answered yet. Replace the ... with your answer and run the cell again.\n",
        "Exercise 0.2: not answered yet. Replace the ... with your answer and run the cell again.\n",
    ]
    # One printed line each: the returned result adds no second display.
    assert [c.outputs for c in exercise_cells] == [[stdout(line)] for line in expected_lines]
    assert text_of(executed.cells[-1]) == "after the exercises\n"


def test_course_student_edition_lists_every_notebook(tmp_path):
    if not COURSE_NOTEBOOKS:
        pytest.skip("notebooks/ holds no notebook yet")
    written = build_student_edition(ROOT / "notebooks", tmp_path)
    assert [p.name for p in written] == [p.name for p in COURSE_NOTEBOOKS]
    readme = (tmp_path / "README.md").read_text()
    assert all(f"`{p.name}`" in readme for p in COURSE_NOTEBOOKS)


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.name)
def test_every_course_notebook_student_edition_runs(path, tmp_path):
    """Each course notebook's student edition runs top to bottom and keeps no solution."""
    lecturer = nbformat.read(path, as_version=4)
    student_path = tmp_path / path.name
    nbformat.write(build_student_notebook(lecturer, name=path.name), student_path)

    leaked = solution_lines(lecturer) & all_lines(nbformat.read(student_path, as_version=4))
    assert not leaked, f"solution lines in the student edition: {sorted(leaked)}"

    executed = execute(student_path)  # raises CellExecutionError, naming the cell, on any error

    kept = [c for c in lecturer.cells if not student.REMOVED_TAGS & set(c.metadata.get("tags", []))]
    assert len(kept) == len(executed.cells)
    for original, cell in zip(kept, executed.cells):
        had_solution = cell.cell_type == "code" and BEGIN in {line.strip() for line in original.source.splitlines()}
        if had_solution and "check(" in cell.source:
            text = text_of(cell)
            assert NOT_ANSWERED in text and ": correct." not in text, (
                f"a self-check in the student edition did not say '{NOT_ANSWERED}':\n{cell.source}\n{text}"
            )
