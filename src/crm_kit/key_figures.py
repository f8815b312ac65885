"""The key-figures sheet: the numbers a lecturer quotes, read from the executed notebooks.

A code cell whose output holds a number worth quoting in class carries the
tag ``key-figure`` and, in ``metadata.key_figure``, what to quote from it:

- a string: the figure's label; the number is the cell's printed text
  (its ``stdout``, at most three lines);
- or a list of entries, each a mapping with a ``label`` and one way to find
  the number in the cell's outputs:

  ``{"label": ..., "line": "peak of the whale curve"}``
      the first printed line (``stdout``, else the plain-text display) that
      contains the given text;
  ``{"label": ..., "row": "20", "column": "revenue_share"}``
      one value of the table (a DataFrame's HTML display) the cell shows,
      found by its row label and column name.

:func:`sheet` writes, per notebook, a table of label, the number(s) as
printed, and where they are printed (section heading and the cell's
execution count, the ``[7]`` JupyterLab shows beside it). Nothing is
retyped, so the sheet cannot drift from the notebooks: a test regenerates it
and compares it with the committed ``docs/key-figures.md``. A tagged cell
that lost its output, or a label whose line or table cell is gone, is an
error (:class:`KeyFigureError`) rather than an empty row, and a chapter with
fewer than :data:`MINIMUM_PER_NOTEBOOK` figures is one too, so a rewritten
chapter that dropped its tagged cells fails loudly.

Run as ``python -m crm_kit.key_figures [--out docs/key-figures.md]``
(``make key-figures``), or with ``--check`` to compare without writing.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["KeyFigure", "KeyFigureError", "MINIMUM_PER_NOTEBOOK", "TAG", "key_figures", "main", "sheet", "SHEETS"]

ROOT = Path(__file__).resolve().parents[2]
TAG = "key-figure"
MINIMUM_PER_NOTEBOOK = 5
MAX_PRINTED_LINES = 3
SHEET = Path("docs") / "key-figures.md"

_HEADING = re.compile(r"^(#{2,4})\s+(.+?)\s*$", re.MULTILINE)


class KeyFigureError(ValueError):
    """A cell tagged ``key-figure`` does not yield the figure its metadata names."""


@dataclass(frozen=True)
class KeyFigure:
    """One quotable figure: its label, the text as printed, and where it is printed."""

    label: str
    printed: str
    section: str
    execution_count: int


class _Table(HTMLParser):
    """Rows of the first HTML table, each a list of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._tables = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._tables += 1
        elif tag == "tr" and self._tables == 1:
            self.rows.append([])
        elif tag in ("td", "th") and self._tables == 1 and self.rows:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _printed_lines(cell) -> list[str]:
    """Printed lines of a cell: its stdout, then the plain-text display of its results."""
    stdout, plain = [], []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            stdout += _text(output.get("text", "")).splitlines()
        elif "text/plain" in output.get("data", {}):
            plain += _text(output["data"]["text/plain"]).splitlines()
    return [" ".join(line.split()) for line in stdout + plain if line.strip()]


def _table_value(cell, row: str, column: str, where: str) -> str:
    for output in cell.get("outputs", []):
        html = output.get("data", {}).get("text/html")
        if html is None:
            continue
        parser = _Table()
        parser.feed(_text(html))
        if not parser.rows:
            continue
        header = parser.rows[0]
        if column not in header:
            raise KeyFigureError(f"{where}: the table has no column {column!r}; its columns are {header[1:]}")
        for cells in parser.rows[1:]:
            if cells and cells[0] == row and len(cells) == len(header):
                return cells[header.index(column)]
        raise KeyFigureError(f"{where}: the table has no row {row!r}; its rows are {[r[0] for r in parser.rows[1:] if r]}")
    raise KeyFigureError(f"{where}: the cell shows no table (no text/html output) to read row {row!r} from")


def _entry(cell, entry, where: str) -> tuple[str, str]:
    """(label, printed text) for one entry of a cell's ``key_figure`` metadata."""
    if isinstance(entry, str):
        lines = [" ".join(line.split()) for output in cell.get("outputs", []) if output.get("name") == "stdout"
                 for line in _text(output.get("text", "")).splitlines() if line.strip()]
        if not lines:
            raise KeyFigureError(f"{where}: the cell printed nothing to stdout; run the notebook, "
                                 "or name a 'line' or a table 'row' and 'column' to quote")
        if len(lines) > MAX_PRINTED_LINES:
            raise KeyFigureError(f"{where}: the cell prints {len(lines)} lines; quote one with a 'line' entry")
        return entry, " · ".join(lines)
    if not isinstance(entry, dict) or not isinstance(entry.get("label"), str) or not entry["label"].strip():
        raise KeyFigureError(f"{where}: each key figure needs a 'label' (a non-empty string); found {entry!r}")
    label = entry["label"]
    if "line" in entry:
        found = [line for line in _printed_lines(cell) if entry["line"] in line]
        if not found:
            raise KeyFigureError(f"{where}: {label!r}: no printed line contains {entry['line']!r}")
        return label, found[0]
    if "row" in entry and "column" in entry:
        return label, _table_value(cell, str(entry["row"]), str(entry["column"]), f"{where}: {label!r}")
    raise KeyFigureError(f"{where}: {label!r} needs either a 'line' or a 'row' and a 'column'")


def key_figures(nb, name: str = "notebook") -> list[KeyFigure]:
    """The key figures of one executed notebook, in notebook order.

    Raises
    ------
    KeyFigureError
        When a tagged cell is not an executed code cell with outputs, has no
        ``key_figure`` metadata, or a figure it names is not in its outputs;
        the message names the notebook, the cell (counting from 1) and the label.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell("print(...)", execution_count=3, metadata={
    ...     "tags": ["key-figure"], "key_figure": [{"label": "Members", "line": "members:"}]})
    >>> cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="members: 20,000\\n")]
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## 2 The data"), cell])
    >>> key_figures(nb)
    [KeyFigure(label='Members', printed='members: 20,000', section='2 The data', execution_count=3)]
    """
    figures: list[KeyFigure] = []
    section = ""
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown":
            # Slides-only cells (tagged lecturer) have headings of their own that are not sections.
            headings = [] if "lecturer" in cell.get("metadata", {}).get("tags", []) else _HEADING.findall(cell.source)
            if headings:
                section = headings[-1][1]
            continue
        metadata = cell.get("metadata", {})
        where = f"{name}: cell {number}"
        if TAG not in metadata.get("tags", []):
            if "key_figure" in metadata:
                raise KeyFigureError(f"{where} has key_figure metadata but not the tag {TAG!r}")
            continue
        if cell.cell_type != "code" or cell.get("execution_count") is None or not cell.get("outputs"):
            raise KeyFigureError(f"{where} is tagged {TAG!r} but is not an executed code cell with outputs")
        spec = metadata.get("key_figure")
        entries = spec if isinstance(spec, list) else [spec] if isinstance(spec, str) else None
        if not entries:
            raise KeyFigureError(f"{where} is tagged {TAG!r} but has no metadata.key_figure label")
        for entry in entries:
            label, printed = _entry(cell, entry, where)
            figures.append(KeyFigure(label, printed, section, cell.execution_count))
    return figures


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|")


_SHEET_TEXT = {
    "en": {
        "intro": [
            "# Key figures",
            "",
            "The numbers a lecturer quotes in class, chapter by chapter, exactly as the executed",
            "notebooks print them, each with the section and the code cell (the number in brackets",
            "JupyterLab shows beside it) where it is printed. This page is generated from the",
            "notebooks' cells tagged `key-figure` by `make key-figures`; do not edit it by hand. A",
            "test regenerates it and fails when it differs, so it always agrees with the notebooks.",
        ],
        "chapter": "Chapter {n}: `{stem}`",
        "header": "| Key figure | As printed | Where |",
        "cell": "cell [{n}]",
    },
    "ru": {
        "intro": [
            "# Ключевые показатели",
            "",
            "Числа, которые преподаватель приводит на занятиях, по главам, в точности так, как их",
            "печатают выполненные блокноты, с разделом и ячейкой кода (номер в квадратных скобках,",
            "который JupyterLab показывает рядом с ней), где они напечатаны. Страница создаётся",
            "командой `make key-figures` из ячеек русских блокнотов с тегом `key-figure`; не правьте",
            "её вручную. Тест создаёт её заново и падает при расхождении, поэтому она всегда",
            "совпадает с блокнотами.",
        ],
        "chapter": "Глава {n}: `{stem}`",
        "header": "| Ключевой показатель | Как напечатано | Где |",
        "cell": "ячейка [{n}]",
    },
}

#: The sheet of each language, and the notebooks it is read from.
SHEETS = {"en": SHEET, "ru": Path("docs") / "key-figures.ru.md"}
NOTEBOOKS = {"en": Path("notebooks"), "ru": Path("notebooks") / "ru"}


def sheet(notebooks: list[Path], minimum: int = MINIMUM_PER_NOTEBOOK, lang: str = "en") -> str:
    """The Markdown key-figures sheet for the given notebooks, in the order given.

    ``lang`` ("en" or "ru") is the language of the sheet's own words; the
    labels and sections come from the notebooks.

    Raises
    ------
    KeyFigureError
        When a notebook's key figures cannot be read, or it has fewer than ``minimum``.
    """
    import nbformat

    if lang not in _SHEET_TEXT:
        raise ValueError(f"lang: expected one of {', '.join(_SHEET_TEXT)}; found {lang!r}")
    text = _SHEET_TEXT[lang]
    parts = list(text["intro"])
    for path in notebooks:
        path = Path(path)
        figures = key_figures(nbformat.read(path, as_version=4), path.name)
        if len(figures) < minimum:
            raise KeyFigureError(f"{path.name}: {len(figures)} key figures; expected at least {minimum} "
                                 f"(cells tagged {TAG!r} with a metadata.key_figure label)")
        chapter = int(path.stem.split("_", 1)[0]) if path.stem[:2].isdigit() else None
        title = text["chapter"].format(n=chapter, stem=path.stem) if chapter is not None else f"`{path.stem}`"
        parts += ["", f"## {title}", "", text["header"], "|---|---|---|"]
        for figure in figures:
            cell = text["cell"].format(n=figure.execution_count)
            where = f"{figure.section}, {cell}" if figure.section else cell
            parts.append(f"| {_cell_text(figure.label)} | `{_cell_text(figure.printed)}` | {_cell_text(where)} |")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_kit.key_figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=sorted(SHEETS), default="en",
                        help="the edition: en (notebooks/, docs/key-figures.md) or ru (notebooks/ru/, docs/key-figures.ru.md)")
    parser.add_argument("--out", type=Path, help="where to write the sheet (default: the edition's sheet in docs/)")
    parser.add_argument("--check", action="store_true", help="compare with the file at --out instead of writing it")
    parser.add_argument("notebooks", nargs="*", type=Path, help="executed notebooks (default: notebooks/*.ipynb)")
    args = parser.parse_args(argv)
    args.out = args.out or ROOT / SHEETS[args.lang]
    notebooks = args.notebooks or sorted((ROOT / NOTEBOOKS[args.lang]).glob("*.ipynb"))
    try:
        text = sheet(notebooks, lang=args.lang)
    except KeyFigureError as error:
        print(error, file=sys.stderr)
        return 1
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: run 'make key-figures'", file=sys.stderr)
            return 1
        print(f"{args.out} agrees with the notebooks")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
