"""Build the student edition of the course notebooks.

Run ``python -m crm_kit.student notebooks DESTINATION``. For every
``*.ipynb`` in the source folder a student copy is written to the
destination, with a short ``README.md``; the source notebooks are never
modified. ``make student`` builds the whole student kit (:mod:`crm_kit.kit`),
whose notebooks are made by :func:`build_student_notebook`.

What changes in a student copy
------------------------------
- In code cells, the lines between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` (markers included) become one placeholder line at the
  marker's indentation. If the first solution line assigns a name
  (``top10_share = pareto.loc[10, "revenue_share"]``) the student sees
  ``top10_share = ...``, so the ``check("1.1", top10_share)`` after it runs
  and says "not answered yet"; otherwise the placeholder is a bare ``...``
  (a valid statement, also as the body of a function). A cell may hold
  several blocks.
- Cells tagged ``solution`` (worked answers) or ``lecturer`` (teaching notes)
  are removed.
- A cell that held a solution loses its outputs and execution count: they
  show the answer, or the self-check saying "correct". Every other output is
  kept. Students open the edition to read it as much as to run it, and the
  lecturer's tables and figures are what they compare their own run with;
  clearing them would leave a notebook of empty cells until it has been run
  top to bottom, for no gain in secrecy, since only solution cells reveal
  answers.
- Files that the notebooks' Markdown refers to by a relative path inside the
  source folder (a diagram, say) are copied along; nothing else is needed to
  run them, since notebooks read the data through :mod:`crm_course.data`.

Marker lines are matched exactly (surrounding spaces aside). A line that
looks like a marker but is spelled differently (``## BEGIN SOLUTION``,
``### Begin solution``) is an error rather than ordinary code, because
reading it as code would ship the solution to students. So is a block that
is opened and never closed, closed without being opened, or opened twice.
All notebooks are built in memory before any file is written, so an error
leaves the destination as it was.
"""

from __future__ import annotations

import copy
import keyword
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import unquote

__all__ = ["SolutionMarkerError", "build_student_edition", "build_student_notebook", "main"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
REMOVED_TAGS = frozenset({"solution", "lecturer"})

_MARKER_LIKE = re.compile(r"^\s*#+\s*(begin|end)[\s_-]*solution\b", re.IGNORECASE)
_NAME = r"[A-Za-z_]\w*"
_ASSIGNMENT = re.compile(
    rf"^\s*\(?\s*(?P<targets>{_NAME}(?:\s*,\s*{_NAME})*)\s*,?\s*\)?\s*(?::[^=]*)?=(?!=)"
)
# Markdown images and links, and HTML src/href attributes.
_REFERENCE = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^)]*)?\)|(?:src|href)\s*=\s*[\"']([^\"']+)[\"']")


class SolutionMarkerError(ValueError):
    """A notebook's solution markers do not form proper blocks."""


def build_student_notebook(nb, name: str = "notebook"):
    """Return the student copy of a lecturer notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The lecturer notebook (not modified).
    name : str
        How to refer to the notebook in error messages, e.g. its file name.

    Returns
    -------
    nbformat.NotebookNode
        A new notebook: solution blocks replaced by placeholders, cells tagged
        ``solution`` or ``lecturer`` removed, outputs of solution cells
        cleared.

    Raises
    ------
    SolutionMarkerError
        When a code cell's markers are unbalanced or misspelled; the message
        names the notebook, the cell (counting every cell from 1) and the line.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell(
    ...     '### BEGIN SOLUTION\\nshare = 3 / 4\\n### END SOLUTION\\ncheck("0.2", share)')
    >>> print(build_student_notebook(nbformat.v4.new_notebook(cells=[cell])).cells[0].source)
    share = ...
    check("0.2", share)
    """
    student = copy.deepcopy(nb)
    kept = []
    for number, cell in enumerate(student.cells, start=1):
        if REMOVED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            source, blocks = _replace_solutions(cell.source, f"{name}: cell {number}")
            if blocks:
                cell.source = source
                cell.outputs = []
                cell.execution_count = None
        kept.append(cell)
    student.cells = kept
    return student


def _replace_solutions(source: str, where: str) -> tuple[str, int]:
    """Replace each solution block of a cell's source; count the blocks."""
    out: list[str] = []
    block: list[str] | None = None
    indent = ""
    opened_at = 0
    blocks = 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if block is not None:
                raise SolutionMarkerError(
                    f"{where}: {BEGIN!r} on line {number} opens a block inside the one opened on line {opened_at}"
                )
            block, opened_at = [], number
            indent = line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if block is None:
                raise SolutionMarkerError(f"{where}: {END!r} on line {number} has no {BEGIN!r} before it")
            newline = "\n" if line.endswith("\n") else ""
            out.append(indent + _placeholder(block) + newline)
            block = None
            blocks += 1
        elif _MARKER_LIKE.match(line):
            raise SolutionMarkerError(
                f"{where}: line {number} looks like a solution marker but is not one; "
                f"write exactly {BEGIN!r} or {END!r}: {stripped!r}"
            )
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise SolutionMarkerError(f"{where}: {BEGIN!r} on line {opened_at} has no matching {END!r}")
    return "".join(out), blocks


def _placeholder(block: list[str]) -> str:
    """``name = ...`` when the solution starts by assigning names, else ``...``."""
    code = [line for line in block if line.strip() and not line.lstrip().startswith("#")]
    if code:
        match = _ASSIGNMENT.match(code[0])
        if match:
            names = [n.strip() for n in match.group("targets").split(",")]
            if not any(keyword.iskeyword(n) for n in names):
                # `a = b = ...` rather than `a, b = ...`: Ellipsis cannot be unpacked.
                return " = ".join(names) + " = ..."
    return "..."


def _referenced_files(nb, source: Path) -> set[Path]:
    """Local files the notebook's Markdown points to, relative to ``source``."""
    root = source.resolve()
    found: set[Path] = set()
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for match in _REFERENCE.finditer(cell.source):
            target = unquote((match.group(1) or match.group(2)).split("#")[0].split("?")[0])
            if not target or ":" in target or target.startswith("/") or target.endswith(".ipynb"):
                continue
            path = (root / target).resolve()
            if path.is_file() and path.is_relative_to(root):
                found.add(path.relative_to(root))
    return found


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _readme(titles: list[tuple[str, str]]) -> str:
    listing = "\n".join(f"- `{name}`: {title}" for name, title in titles)
    return f"""# CRM strategy: student edition

These are the course notebooks with the worked solutions taken out. They are
generated from the lecturer's notebooks
(`python -m crm_kit.student notebooks FOLDER`); edit those, not these, as
this folder is overwritten when the edition is rebuilt.

## What is different from the lecturer's notebooks

- In each exercise, the solution code is replaced by `...`. Where the
  solution computed a named answer, the name is kept (`top10_share = ...`).
- Worked explanations and notes for the lecturer are left out.
- Exercise cells have no output. Every other output, tables and figures
  included, is the lecturer's, so you can compare your own run with it.

## Working on an exercise

1. Replace `...` with your code; keep the name on the left of `=`.
2. Run the cell. The self-check below it, such as `check("1.2", top10_share)`,
   says **correct**, **close** or **not yet right** (with a hint), or **not
   answered yet**. It never shows the answer.
3. Open exercises have no self-check: discuss your answer in class.

## Running the notebooks

These are the notebooks only. To run them, students need the course package,
the data and the self-checks: the student kit that `make student` writes
(`python -m crm_kit.kit`) holds all of them, with a README that gives the
one command to open the course. Hand out the kit, not this folder.

## Notebooks

{listing}
"""


def build_student_edition(source: str | Path, destination: str | Path) -> list[Path]:
    """Write the student edition of every notebook in ``source`` to ``destination``.

    Parameters
    ----------
    source : str or Path
        Folder of lecturer notebooks (``*.ipynb``, not searched recursively).
    destination : str or Path
        Folder for the student edition; created if missing. Files of an
        earlier build are overwritten, other files left alone.

    Returns
    -------
    list of Path
        The notebooks written, in name order.

    Raises
    ------
    ValueError
        If ``source`` holds no notebook or ``destination`` is ``source``.
    SolutionMarkerError
        If a notebook's solution markers are malformed; nothing is written.
    """
    import nbformat

    source, destination = Path(source), Path(destination)
    if not source.is_dir():
        raise ValueError(f"source: expected a folder of notebooks; found {str(source)!r}, which is not a folder")
    paths = sorted(source.glob("*.ipynb"))
    if not paths:
        raise ValueError(f"source: expected notebooks (*.ipynb) in {str(source)!r}; found none")
    if destination.resolve() == source.resolve():
        raise ValueError("destination: must differ from source, whose notebooks are never modified")

    built = []
    extras: set[Path] = set()
    for path in paths:
        student = build_student_notebook(nbformat.read(path, as_version=4), name=path.name)
        nbformat.validate(student)
        extras |= _referenced_files(student, source)
        built.append((path.name, student))

    destination.mkdir(parents=True, exist_ok=True)
    written = []
    for name, student in built:
        nbformat.write(student, destination / name)
        written.append(destination / name)
    for relative in sorted(extras):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
    titles = [(name, _title(student, Path(name).stem)) for name, student in built]
    (destination / "README.md").write_text(_readme(titles), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m crm_kit.student SOURCE DESTINATION``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 2:
        print("usage: python -m crm_kit.student SOURCE DESTINATION", file=sys.stderr)
        return 2
    try:
        written = build_student_edition(argv[0], argv[1])
    except ValueError as err:
        print(f"student edition not built: {err}", file=sys.stderr)
        return 1
    print(f"student edition: {len(written)} notebook(s) written to {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
