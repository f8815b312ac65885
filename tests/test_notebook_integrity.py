"""Every committed notebook was executed once, in order, in a fresh kernel.

nbval (run by ``make test`` on ``notebooks/``) compares outputs but skips cells
that were never executed; these tests make sure nothing slips through that
gap, and show that the harness catches both kinds of stale notebook.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from crm_kit.notebooks import integrity_problems

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Both editions: the Russian notebooks are committed executed too.
EDITIONS = NOTEBOOKS + sorted((ROOT / "notebooks" / "ru").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_committed_notebook_was_executed_in_order(path):
    nb = nbformat.read(path, as_version=4)
    assert integrity_problems(nb) == []


def _notebook(cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_unexecuted_cell_is_reported():
    nb = _notebook([nbformat.v4.new_code_cell("x = 1", execution_count=1), nbformat.v4.new_code_cell("x + 1")])
    problems = integrity_problems(nb)
    assert problems == ["code cell 2 was never executed (nbval would skip it silently)"]


def test_out_of_order_execution_is_reported():
    nb = _notebook([nbformat.v4.new_code_cell("x = 1", execution_count=2), nbformat.v4.new_code_cell("x", execution_count=1)])
    assert any("execution count 2; expected 1" in p for p in integrity_problems(nb))


def test_wrong_kernel_and_machine_path_are_reported():
    nb = _notebook([nbformat.v4.new_code_cell("open('/home/me/data.csv')", execution_count=1)])
    nb.metadata["kernelspec"]["name"] = "myenv"
    problems = integrity_problems(nb)
    assert any("kernel is 'myenv'" in p for p in problems)
    assert any("machine path" in p for p in problems)


def test_stale_output_fails_nbval_with_a_readable_diff(tmp_path):
    """A notebook whose stored output no longer matches a fresh run fails."""
    cell = nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="41\n")]
    path = tmp_path / "stale.ipynb"
    nbformat.write(_notebook([cell]), path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "41" in run.stdout and "42" in run.stdout  # both sides of the diff are shown
    # The same notebook with the right output passes: the failure was the stale output.
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    nbformat.write(_notebook([cell]), path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_notebook_opens_with_the_colab_setup_cell(path):
    from crm_kit.notebooks import colab_cell_problems

    assert colab_cell_problems(nbformat.read(path, as_version=4)) == []


def test_colab_cell_is_checked_and_the_repository_can_be_set(tmp_path):
    from crm_kit.notebooks import COLAB_CELL, colab_cell_problems, set_repository

    nb = _notebook([nbformat.v4.new_code_cell(COLAB_CELL, execution_count=1), nbformat.v4.new_code_cell("1", execution_count=2)])
    assert colab_cell_problems(nb) == []
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert set_repository(path, "https://example.com/me/crm-course.git") is True
    assert set_repository(path, "https://example.com/me/crm-course.git") is False
    changed = nbformat.read(path, as_version=4)
    assert 'COURSE_REPOSITORY = "https://example.com/me/crm-course.git"' in changed.cells[0].source
    assert colab_cell_problems(changed) == []
    with pytest.raises(ValueError, match="url: expected an https:// or git@ address"):
        set_repository(path, "not a url")
    other = _notebook([nbformat.v4.new_code_cell("import pandas", execution_count=1)])
    assert colab_cell_problems(other) != []
    # The cell runs silently outside Colab.
    namespace: dict = {}
    exec(COLAB_CELL, namespace)
    assert "REPLACE-WITH" in namespace["COURSE_REPOSITORY"]
