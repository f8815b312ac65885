"""The benchmark runner's pure helpers: discovery, selection and the tables.

Nothing here runs a notebook or a benchmark, and no timing is asserted.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", RUNNER)
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def test_scripts_are_found_by_name_in_order(run, tmp_path):
    _touch(tmp_path, "bench_world.py", "bench_clv.py", "run.py", "helpers.py", "bench_notes.md")
    (tmp_path / "bench_folder.py").mkdir()
    found = run.discover_scripts(tmp_path)
    assert list(found) == ["clv", "world"]
    assert found["clv"] == tmp_path / "bench_clv.py"


def test_notebooks_are_found_sorted_without_checkpoints(run, tmp_path):
    _touch(tmp_path, "02_b.ipynb", "00_a.ipynb", ".ipynb_checkpoints/00_a-checkpoint.ipynb", "notes.md")
    assert [p.name for p in run.discover_notebooks(tmp_path)] == ["00_a.ipynb", "02_b.ipynb"]
    assert run.discover_notebooks(tmp_path / "missing") == []


@pytest.mark.parametrize(
    "only, expected",
    [
        (None, (True, ["clv", "world"])),
        ([], (True, ["clv", "world"])),
        (["notebooks"], (True, [])),
        (["world"], (False, ["world"])),
        (["bench_world.py"], (False, ["world"])),
        (["bench_world"], (False, ["world"])),
        (["world,clv"], (False, ["clv", "world"])),
        (["world", "notebooks"], (True, ["world"])),
    ],
)
def test_only_selects_what_to_run(run, only, expected):
    assert run.plan(only, ["clv", "world"]) == expected


def test_only_with_an_unknown_name_lists_the_choices(run):
    with pytest.raises(ValueError, match="no benchmark named 'clvv'; choose from notebooks, clv, world"):
        run.plan(["clvv"], ["clv", "world"])


def test_markdown_table_shape_alignment_and_escaping(run):
    text = run.markdown_table(["name", "value"], [["a|b", "1.0"], ["c", "2.0"]], "lr")
    lines = text.split("\n")
    assert lines == ["| name | value |", "|:---|---:|", "| a\\|b | 1.0 |", "| c | 2.0 |"]
    for line in lines:
        assert len(re.findall(r"(?<!\\)\|", line)) == 3


def test_markdown_table_refuses_ragged_input(run):
    with pytest.raises(ValueError, match="align"):
        run.markdown_table(["a", "b"], [], "l")
    with pytest.raises(ValueError, match="expected 2"):
        run.markdown_table(["a", "b"], [["only one"]], "lr")


def test_notebook_table_has_a_total_row(run):
    runs = [
        run.NotebookRun("00_introduction.ipynb", 12.34, 300 * 2**20),
        run.NotebookRun("01_heterogeneity.ipynb", 40.0, 1536 * 2**20, error="cell 3: ValueError: x"),
        run.NotebookRun("02_crm_fit.ipynb", 7.66, None),
    ]
    lines = run.notebook_table(runs).split("\n")
    assert lines[0] == "| notebook | wall time (s) | peak kernel memory (MB) |"
    assert lines[1] == "|:---|---:|---:|"
    assert lines[2] == "| 00_introduction.ipynb | 12.3 | 300 |"
    assert lines[3] == "| 01_heterogeneity.ipynb (failed) | 40.0 | 1,536 |"
    assert lines[4] == "| 02_crm_fit.ipynb | 7.7 | n/a |"
    assert lines[5] == "| total | 60.0 | 1,536 (largest) |"


def test_vmhwm_is_read_in_bytes(run):
    status = "Name:\tpython\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n"
    assert run.parse_vmhwm(status) == 123456 * 1024
    assert run.parse_vmhwm("Name:\tpython\n") is None


def test_list_names_notebooks_and_scripts(run, tmp_path, capsys):
    _touch(tmp_path / "nb", "00_a.ipynb")
    _touch(tmp_path / "bench", "bench_clv.py")
    assert run.main(["--list", "--notebooks", str(tmp_path / "nb"), "--scripts", str(tmp_path / "bench")]) == 0
    out = capsys.readouterr().out
    assert "1 notebook(s): 00_a.ipynb" in out and re.search(r"^clv\s+\S*bench_clv\.py$", out, re.M)


def test_unknown_only_exits_with_usage_error(run, tmp_path, capsys):
    assert run.main(["--only", "nope", "--scripts", str(tmp_path), "--results", str(tmp_path / "r.md")]) == 2
    assert "no benchmark named 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "r.md").exists()
