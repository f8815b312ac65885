"""The key-figures sheet is the notebooks' own output, and the lecturer guide quotes it correctly.

``docs/key-figures.md`` is regenerated in memory from the executed notebooks
and must equal the committed file. The lecturer guide quotes a key figure as
a MyST reference to the sheet, {doc}`0.701 <key-figures>`; every such quote
must appear, as printed, among that chapter's figures on the sheet.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from crm_kit import key_figures as kf

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SHEET = ROOT / "docs" / "key-figures.md"
GUIDE = ROOT / "docs" / "lecturer-guide.md"
QUOTE = re.compile(r"\{doc\}`([^`<]+?)\s*<key-figures>`")


def _chapters(markdown: str) -> dict[str, str]:
    """Level-2 sections keyed by the notebook stem their heading names in backticks."""
    parts = re.split(r"^## ", markdown, flags=re.MULTILINE)
    found = {}
    for part in parts[1:]:
        match = re.search(r"`(\d\d_[a-z_]+)`", part.splitlines()[0])
        if match:
            found[match.group(1)] = part
    return found


def _printed(section: str) -> list[str]:
    """The 'As printed' column of a chapter's table on the sheet."""
    return [m.replace("\\|", "|") for m in re.findall(r"^\|[^|]+\| `(.*)` \|[^|]*\|$", section, flags=re.MULTILINE)]


def _appears(quote: str, line: str) -> bool:
    """The quote occurs in the printed line as a whole: '0.70' is not in '0.701', nor '1' in '12'."""
    return re.search(rf"(?<![\w.]){re.escape(quote)}(?![\w]|\.\d)", line) is not None


def _tagged(nb):
    return [c for c in nb.cells if kf.TAG in c.metadata.get("tags", [])]


def test_committed_sheet_matches_the_notebooks():
    regenerated = kf.sheet(NOTEBOOKS)
    assert SHEET.read_text(encoding="utf-8") == regenerated, "docs/key-figures.md is stale: run 'make key-figures'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_tagged_cell_has_a_text_output_holding_its_figures(path):
    nb = nbformat.read(path, as_version=4)
    tagged = _tagged(nb)
    assert tagged, f"{path.name}: no cell tagged {kf.TAG!r}"
    for cell in tagged:
        texts = [o for o in cell.outputs if o.get("output_type") == "stream" or "text/plain" in o.get("data", {})]
        assert texts, f"{path.name}: a cell tagged {kf.TAG!r} has no text output: {cell.source[:60]!r}"
    figures = kf.key_figures(nb, path.name)
    assert kf.MINIMUM_PER_NOTEBOOK <= len(figures) <= 12, f"{path.name}: {len(figures)} key figures"
    assert all(re.search(r"\d", f.printed) for f in figures), "every key figure prints a number"
    assert len({f.label for f in figures}) == len(figures), f"{path.name}: two key figures share a label"


def test_a_lost_output_or_a_vanished_figure_fails_loudly():
    path = ROOT / "notebooks" / "01_customer_particularity.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = _tagged(nb)[0]
    cell.outputs = []
    with pytest.raises(kf.KeyFigureError, match="not an executed code cell with outputs"):
        kf.key_figures(nb, "ch1")

    nb = nbformat.read(path, as_version=4)
    entry = next(e for c in _tagged(nb) for e in c.metadata["key_figure"] if "line" in e)
    entry["line"] = "a line no notebook prints"
    with pytest.raises(kf.KeyFigureError, match="no printed line contains"):
        kf.key_figures(nb, "ch1")

    nb = nbformat.read(path, as_version=4)
    entry = next(e for c in _tagged(nb) for e in c.metadata["key_figure"] if "row" in e)
    entry["row"] = "no such row"
    with pytest.raises(kf.KeyFigureError, match="has no row 'no such row'"):
        kf.key_figures(nb, "ch1")

    nb = nbformat.read(path, as_version=4)
    for cell in _tagged(nb):  # a rewrite that dropped the tags
        cell.metadata["tags"].remove(kf.TAG)
        cell.metadata.pop("key_figure")
    assert kf.key_figures(nb) == []  # and sheet() refuses such a chapter: the next test


def test_a_chapter_without_enough_figures_is_refused(tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "01_customer_particularity.ipynb", as_version=4)
    for cell in _tagged(nb):
        cell.metadata["tags"].remove(kf.TAG)
        cell.metadata.pop("key_figure")
    path = tmp_path / "01_rewritten.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(kf.KeyFigureError, match="01_rewritten.ipynb: 0 key figures; expected at least"):
        kf.sheet([path])


def test_tables_and_lines_are_read_as_printed():
    html = ('<table><thead><tr><th></th><th>share</th></tr><tr><th>top</th><th></th></tr></thead>'
            '<tbody><tr><th>20</th><td>0.701</td></tr></tbody></table>')
    cell = nbformat.v4.new_code_cell("x", execution_count=4, metadata={
        "tags": [kf.TAG], "key_figure": [{"label": "Top 20%", "row": "20", "column": "share"},
                                          {"label": "Gini", "line": "Gini"}]})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Gini   of revenue: 0.68\n"),
                    nbformat.v4.new_output("execute_result", data={"text/html": html, "text/plain": "..."},
                                           execution_count=4)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("### 3.2 Concentration"), cell])
    assert [(f.label, f.printed, f.section, f.execution_count) for f in kf.key_figures(nb)] == [
        ("Top 20%", "0.701", "3.2 Concentration", 4), ("Gini", "Gini of revenue: 0.68", "3.2 Concentration", 4)]


def test_the_check_command_reports_a_stale_sheet(tmp_path, capsys):
    stale = tmp_path / "key-figures.md"
    stale.write_text("# Key figures\n", encoding="utf-8")
    assert kf.main(["--check", "--out", str(stale), *map(str, NOTEBOOKS)]) == 1
    assert "stale" in capsys.readouterr().err
    assert kf.main(["--out", str(stale), *map(str, NOTEBOOKS)]) == 0
    assert kf.main(["--check", "--out", str(stale), *map(str, NOTEBOOKS)]) == 0


# --- the lecturer guide quotes the sheet -----------------------------------------------------------


def test_guide_quotes_only_numbers_the_sheet_prints_for_that_chapter():
    sheet = _chapters(SHEET.read_text(encoding="utf-8"))
    guide = _chapters(GUIDE.read_text(encoding="utf-8"))
    wrong = []
    for stem, body in guide.items():
        printed = _printed(sheet.get(stem, ""))
        for quote in QUOTE.findall(body):
            if not any(_appears(quote, line) for line in printed):
                wrong.append(f"{stem}: {quote!r}")
    assert not wrong, f"the lecturer guide quotes numbers the key-figures sheet does not print: {wrong}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_guide_quotes_the_numbers_rather_than_pointing_at_them(path):
    body = _chapters(GUIDE.read_text(encoding="utf-8"))[path.stem]
    assert QUOTE.search(body), f"the guide's section on {path.stem} quotes no key figure"
    assert not re.search(r"the (?:figure|share|ratio|number|comparison) printed in section", body), (
        f"{path.stem}: the guide points at a printed figure; quote it from docs/key-figures.md instead")


def test_the_quote_check_sees_a_wrong_number():
    sheet = "## Chapter 1: `01_x`\n\n| Key figure | As printed | Where |\n|---|---|---|\n| Top | `0.701` | s |\n"
    assert _printed(_chapters(sheet)["01_x"]) == ["0.701"]
    assert QUOTE.findall("rises to {doc}`0.71 <key-figures>` of revenue") == ["0.71"]
    assert not _appears("0.70", "0.701") and not _appears("1", "12 of 3") and not _appears("5.5", "15.5")
    assert _appears("0.701", "0.701") and _appears("126%", "peak: 126% of total") and _appears("-6.8", "-6.8 (-18.7 to +5.2)")
