"""The course site builds from the executed notebooks, with no warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from crm_kit import site

ROOT = Path(__file__).resolve().parents[1]


def _tiny_root(tmp_path: Path, extra_markdown: str = "") -> Path:
    root = tmp_path / "course"
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "notebooks").mkdir()
    cell = nbformat.v4.new_code_cell("print(2)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A chapter\n" + extra_markdown), cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "notebooks" / "00_chapter.ipynb")
    return root


def test_table_of_contents_lists_notebooks_in_course_order(tmp_path):
    root = _tiny_root(tmp_path)
    nbformat.write(nbformat.v4.new_notebook(), root / "notebooks" / "01_next.ipynb")
    stage = site.stage_sources(tmp_path / "stage", root)
    toc = (stage / "_toc.yml").read_text()
    assert toc.index("notebooks/00_chapter") < toc.index("notebooks/01_next")
    assert toc.startswith("format: jb-book\nroot: index\n")


def test_a_broken_link_fails_the_build(tmp_path):
    root = _tiny_root(tmp_path, "\nSee [the missing page](missing_page.md).\n")
    assert site.build(tmp_path / "out", root) == 1
    assert not (tmp_path / "out").exists()


def test_course_site_builds_with_a_page_per_notebook(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    for name in ("docs", "notebooks"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("syllabus.md",):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, root / name)
    out = tmp_path / "site"
    assert site.build(out, root) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = out / "notebooks" / f"{nb.stem}.html"
        assert page.exists(), page
        assert f"notebooks/{nb.stem}.html" in index
