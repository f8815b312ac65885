"""Keep the Russian notebooks in step with the English ones.

``notebooks/ru/`` holds every notebook of ``notebooks/`` in Russian, under the
same file name and cell for cell: the same cells in the same order, of the
same types, with the same tags and slide types. A Russian code cell runs the
same code as its English cell. It may differ only in

* its comments,
* string literals that contain Cyrillic (text written for the reader), and
* the two lines of the first code cell after the Colab cell that switch the
  helpers' own strings to Russian: ``from crm_course import set_language`` and
  ``set_language("ru")``.

Every Russian cell records in its metadata (``translation.en``) a digest of
the English cell it was translated from. When an English cell changes, its
Russian cell is out of date until it is translated again and stamped
(``python -m crm_kit.translation stamp notebooks/ru/NN_name.ipynb``).

:func:`drift_problems` lists everything that breaks these rules, plus two
checks on numbers:

* the numbers in a Russian text cell are the numbers of its English cell
  (Russian writes ``0,18`` and ``129 000`` for ``0.18`` and ``129,000``), and
* the numbers in a Russian cell's outputs are those of the English cell's
  outputs (:func:`output_problems`).

Command line::

    python -m crm_kit.translation init notebooks/NN_name.ipynb      # a new Russian copy to translate
    python -m crm_kit.translation export notebooks/ru/NN_name.ipynb FILE   # the cells as editable text
    python -m crm_kit.translation import notebooks/ru/NN_name.ipynb FILE   # ... and back
    python -m crm_kit.translation stamp notebooks/ru/NN_name.ipynb  # record the English cells translated
    python -m crm_kit.translation check notebooks/ru/*.ipynb        # list drift, exit 1 if any
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import html
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
EN_DIR = ROOT / "notebooks"
RU_DIR = EN_DIR / "ru"

#: The lines a Russian notebook adds to its imports cell.
LANGUAGE_LINES = ("from crm_course import set_language", 'set_language("ru")')

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN_WORDS = re.compile(r"\b[A-Za-z]{3,}\b")
_MARKER = re.compile(r"^\s*###\s*(BEGIN|END)\s+(SOLUTION|HIDDEN TESTS)\b.*$", re.MULTILINE)
_CELL_LINE = re.compile(r"^<<<cell (\d+) (markdown|code|raw)>>>$")


def digest(source: str) -> str:
    """A short digest of an English cell's source, recorded in its Russian cell."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def english_of(ru_path: str | Path) -> Path:
    """The English notebook a Russian notebook translates (same name, one folder up)."""
    ru_path = Path(ru_path)
    return ru_path.parent.parent / ru_path.name


# --- numbers ----------------------------------------------------------------

# An English ordinal suffix ("2.5th", "1st") ends a number; other letters make it part of a word.
_EN_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!(?!(?:st|nd|rd|th)\b)\w)")
_RU_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[\u00a0\u202f\u2009]\d{3})+|\d+)([.,]\d+)?(?!(?!(?:st|nd|rd|th)\b)\w)")


def _normal(whole: str, fraction: str | None) -> str:
    digits = re.sub(r"[^\d]", "", whole)
    value = Decimal(digits + ("." + fraction[1:] if fraction else ""))
    text = format(value.normalize(), "f")
    return text


def numbers(text: str, lang: str) -> Counter:
    """The numbers written in ``text``, as normalised decimal strings, with their counts.

    English groups thousands with commas (``129,000``) and writes a decimal
    point; Russian groups them with a (narrow) no-break space (``129 000``)
    and writes a decimal comma (``0,18``), or a point inside formulas and
    section numbers. Signs are ignored: "−0.28" and "a loss of 0.28" both
    state 0.28. A digit run inside a word (``tau_1``, ``x2``) is not a number.
    Code spans in Russian text are read the English way: code is not translated.

    Examples
    --------
    >>> sorted(numbers("0.18 of 129,000 members; top 20%", "en"))
    ['0.18', '129000', '20']
    >>> sorted(numbers("0,18 из 129\u00a0000 участников; верхние 20 %", "ru"))
    ['0.18', '129000', '20']
    """
    if lang != "ru":
        return Counter(_normal(m.group(1), m.group(2)) for m in _EN_NUMBER.finditer(text))
    # Code (`CHAPTERS=1,3`, `0.05`) is the same in both languages: read it the English way.
    found: Counter = Counter()
    # A MyST role's text ({doc}`0,701 <key-figures>`) is prose, not code.
    for index, part in enumerate(re.split(r"((?<!\})`[^`\n]*`)", text)):
        pattern = _EN_NUMBER if index % 2 else _RU_NUMBER
        found.update(_normal(m.group(1), m.group(2)) for m in pattern.finditer(part))
    return found


def _difference(en: Counter, ru: Counter) -> str:
    missing = sorted((en - ru).elements())
    extra = sorted((ru - en).elements())
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if extra:
        parts.append(f"not in the English {', '.join(extra)}")
    return "; ".join(parts)


# --- code -------------------------------------------------------------------

def _python(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _strip_language_lines(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if line.strip() not in LANGUAGE_LINES)


class _Texts(ast.NodeTransformer):
    """Replace every string constant and f-string by a placeholder, keeping them in order."""

    def __init__(self) -> None:
        self.found: list[tuple[str, object]] = []

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        fields = sorted(ast.dump(v) for v in node.values if isinstance(v, ast.FormattedValue))
        self.found.append((text, fields))
        return ast.Constant(value="<text>")

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            self.found.append((node.value, None))
            return ast.Constant(value="<text>")
        return node


def _shape(source: str) -> tuple[str, list[tuple[str, object]]]:
    tree = ast.parse(_python(source))
    texts = _Texts()
    tree = texts.visit(tree)
    return ast.dump(tree), texts.found


def code_problems(en_source: str, ru_source: str) -> list[str]:
    """How the Russian code differs from the English beyond comments and reader text.

    Examples
    --------
    >>> code_problems('plt.title("Revenue")  # note', 'plt.title("Выручка")  # заметка')
    []
    >>> code_problems('df["revenue"].sum()', 'df["выручка"].sum()')
    []
    >>> code_problems('df["revenue"].sum()', 'df["revenue"].mean()')
    ['the code differs from the English cell']
    >>> code_problems('check("1.1", x)', 'check("1.2", x)')
    ["a string differs from the English and is not Russian text: '1.2' for '1.1'"]
    """
    try:
        en_shape, en_texts = _shape(en_source)
        ru_shape, ru_texts = _shape(_strip_language_lines(ru_source))
    except SyntaxError as error:
        return [f"the code does not parse: {error.msg} (line {error.lineno})"]
    if en_shape != ru_shape:
        return ["the code differs from the English cell"]
    problems = []
    for (en_text, en_fields), (ru_text, ru_fields) in zip(en_texts, ru_texts, strict=True):
        if en_fields != ru_fields:
            problems.append(f"an f-string's fields differ from the English: {ru_text!r}")
        elif ru_text != en_text and not _CYRILLIC.search(ru_text):
            problems.append(f"a string differs from the English and is not Russian text: {ru_text!r} for {en_text!r}")
    return problems


# --- outputs ----------------------------------------------------------------

_VOLATILE = [
    (re.compile(r"Date:\s+\w{3}, \d{2} \w{3} \d{4}"), "Date: DATE"),
    (re.compile(r"Time:\s+\d{2}:\d{2}:\d{2}"), "Time: TIME"),
    (re.compile(r"0x[0-9a-fA-F]+"), "0xADDRESS"),
    (re.compile(r"<style[^>]*>.*?</style>", re.DOTALL), " "),
    (re.compile(r"<[^>]+>"), " "),
]


def output_text(cell) -> str:
    """The text a code cell's outputs show (plain text, HTML without tags, streams), volatile parts removed."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        data = output.get("data", {})
        for kind in ("text/plain", "text/html", "text/markdown", "text/latex"):
            if kind in data:
                text = data[kind] if isinstance(data[kind], str) else "".join(data[kind])
                parts.append(text)
        if output.get("output_type") == "error":
            parts.append(" ".join(output.get("traceback", [])))
    text = "\n".join(parts)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return html.unescape(text)


def output_problems(en_nb, ru_nb) -> list[str]:
    """Code cells whose outputs state different numbers in the two editions."""
    problems = []
    for index, (en, ru) in enumerate(zip(en_nb.cells, ru_nb.cells)):
        if en.cell_type != "code" or ru.cell_type != "code":
            continue
        en_numbers = numbers(output_text(en), "en")
        ru_numbers = numbers(output_text(ru), "en")
        if en_numbers != ru_numbers:
            problems.append(f"cell {index}: its outputs' numbers differ from the English: {_difference(en_numbers, ru_numbers)}")
        en_images = sum("image/png" in o.get("data", {}) for o in en.get("outputs", []))
        ru_images = sum("image/png" in o.get("data", {}) for o in ru.get("outputs", []))
        if en_images != ru_images:
            problems.append(f"cell {index}: {ru_images} figures against {en_images} in the English")
    return problems


# --- the whole notebook -----------------------------------------------------

def _tags(cell) -> list[str]:
    return sorted(cell.get("metadata", {}).get("tags", []))


def _slide(cell) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def _key_figure_entries(cell) -> list:
    spec = cell.get("metadata", {}).get("key_figure")
    return spec if isinstance(spec, list) else [] if spec is None else [spec]


def _key_figure_problems(en, ru) -> list[str]:
    """The Russian cell quotes the same key figures, under Russian labels."""
    en_entries, ru_entries = _key_figure_entries(en), _key_figure_entries(ru)
    if len(en_entries) != len(ru_entries):
        return [f"{len(ru_entries)} key figures against {len(en_entries)} in the English"]
    labels = [e["label"] if isinstance(e, dict) else e for e in ru_entries]
    return [f"key figure {label!r} has no Russian label" for label in labels if not _CYRILLIC.search(str(label))]


def drift_problems(en_nb, ru_nb, *, outputs: bool = True) -> list[str]:
    """Everything that keeps a Russian notebook from corresponding to its English one.

    Returns an empty list when they correspond: same cells, same types, tags
    and slide types, same solution markers, the same code (see
    :func:`code_problems`), every cell translated from the current English
    cell (its recorded digest), the same numbers in the text, and, if
    ``outputs``, the same numbers in the outputs.
    """
    if len(en_nb.cells) != len(ru_nb.cells):
        return [f"{len(ru_nb.cells)} cells against {len(en_nb.cells)} in the English"]
    problems = []
    for index, (en, ru) in enumerate(zip(en_nb.cells, ru_nb.cells)):
        where = f"cell {index}"
        if en.cell_type != ru.cell_type:
            problems.append(f"{where}: a {ru.cell_type} cell where the English has a {en.cell_type} cell")
            continue
        if _tags(en) != _tags(ru):
            problems.append(f"{where}: tags {_tags(ru)} against {_tags(en)} in the English")
        if _slide(en) != _slide(ru):
            problems.append(f"{where}: slide type {_slide(ru)!r} against {_slide(en)!r} in the English")
        recorded = ru.get("metadata", {}).get("translation", {}).get("en")
        if recorded != digest(en.source):
            problems.append(f"{where}: the English cell changed since it was translated (translate it, then stamp)")
        problems += [f"{where}: {p}" for p in _key_figure_problems(en, ru)]
        if en.cell_type == "code":
            if _MARKER.findall(en.source) != _MARKER.findall(ru.source):
                problems.append(f"{where}: its solution markers differ from the English")
            problems += [f"{where}: {p}" for p in code_problems(en.source, ru.source)]
        elif en.cell_type == "markdown":
            if len(_LATIN_WORDS.findall(en.source)) >= 3 and not _CYRILLIC.search(ru.source):
                problems.append(f"{where}: not translated")
            en_numbers, ru_numbers = numbers(en.source, "en"), numbers(ru.source, "ru")
            if en_numbers != ru_numbers:
                problems.append(f"{where}: its numbers differ from the English: {_difference(en_numbers, ru_numbers)}")
    first_code = [i for i, c in enumerate(ru_nb.cells) if c.cell_type == "code"][1:2]
    if first_code and not all(line in ru_nb.cells[first_code[0]].source.splitlines() for line in LANGUAGE_LINES):
        problems.append(f"cell {first_code[0]}: the imports cell does not switch to Russian ({'; '.join(LANGUAGE_LINES)})")
    if outputs:
        problems += output_problems(en_nb, ru_nb)
    return problems


# --- documents --------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_HEADING_LINE = re.compile(r"^(#{1,6}) (.*)$", re.MULTILINE)
_DOC_ROLE = re.compile(r"\{doc\}`([^`]+)`")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)


def _sections(markdown: str) -> list[tuple[str, str]]:
    """(heading line, body) pairs of a Markdown text, fenced blocks left out; the text before the first heading comes first."""
    text = _FENCE.sub("", markdown)
    sections, start, heading = [], 0, ""
    for match in _HEADING_LINE.finditer(text):
        sections.append((heading, text[start:match.start()]))
        heading, start = match.group(0), match.end()
    sections.append((heading, text[start:]))
    return sections


def _doc_targets(body: str) -> list[str]:
    """The pages a text's ``{doc}`` references point to (the text shown may be translated)."""
    targets = []
    for role in _DOC_ROLE.findall(body):
        match = re.search(r"<([^>]+)>\s*$", role)
        targets.append(match.group(1) if match else role.strip())
    return sorted(targets)


def _table_shapes(body: str) -> list[int]:
    """The number of pipe-table rows in each run of table lines."""
    shapes, run = [], 0
    for line in body.splitlines() + [""]:
        if _TABLE_ROW.match(line):
            run += 1
        elif run:
            shapes.append(run)
            run = 0
    return shapes


def document_problems(en_text: str, ru_text: str) -> list[str]:
    r"""How a Russian Markdown document fails to correspond to its English original.

    The two must have the same headings (levels, in order), the same pipe
    tables (rows per table) and the same ``{doc}`` references in each section,
    and each section must state the same numbers (see :func:`numbers`); a
    section with English prose must have Russian in it.

    Examples
    --------
    >>> en = "# Guide\n\nThree sessions of 90 min.\n\n## Chapter 1\n\nLecture (20 min), lab (70 min)."
    >>> ru = "# Руководство\n\nТри занятия по 90 мин.\n\n## Глава 1\n\nЛекция (20 мин), практикум (70 мин)."
    >>> document_problems(en, ru)
    []
    >>> document_problems(en, ru.replace("70", "60"))
    ["section 2 ('## Глава 1'): its numbers differ from the English: missing 70; not in the English 60"]
    """
    en_sections, ru_sections = _sections(en_text), _sections(ru_text)
    en_levels = [h.split(" ", 1)[0] for h, _ in en_sections]
    ru_levels = [h.split(" ", 1)[0] for h, _ in ru_sections]
    if en_levels != ru_levels:
        for index, (a, b) in enumerate(zip(en_levels + [""] * len(ru_levels), ru_levels + [""] * len(en_levels))):
            if a != b:
                heading = ru_sections[index][0] if index < len(ru_sections) else "(none)"
                english = en_sections[index][0] if index < len(en_sections) else "(none)"
                return [f"the headings differ from the English from section {index}: {heading!r} against {english!r}"]
    problems = []
    for index, ((en_heading, en_body), (ru_heading, ru_body)) in enumerate(zip(en_sections, ru_sections)):
        where = f"section {index} ({ru_heading!r})" if ru_heading else "the text before the first heading"
        en_all, ru_all = en_heading + "\n" + en_body, ru_heading + "\n" + ru_body
        en_numbers, ru_numbers = numbers(en_all, "en"), numbers(ru_all, "ru")
        if en_numbers != ru_numbers:
            problems.append(f"{where}: its numbers differ from the English: {_difference(en_numbers, ru_numbers)}")
        if _table_shapes(en_body) != _table_shapes(ru_body):
            problems.append(f"{where}: tables of {_table_shapes(ru_body)} rows against {_table_shapes(en_body)} in the English")
        if _doc_targets(en_body) != _doc_targets(ru_body):
            problems.append(f"{where}: its {{doc}} references differ from the English")
        if len(_LATIN_WORDS.findall(re.sub(r"`[^`]*`", "", en_all))) >= 3 and not _CYRILLIC.search(ru_all):
            problems.append(f"{where}: not translated")
    return problems


# --- tools for the translator -----------------------------------------------

def stamp(ru_path: str | Path) -> int:
    """Record, in each Russian cell, the digest of the English cell it now translates.

    Returns the number of cells whose record changed. Run it after translating.
    """
    ru_path = Path(ru_path)
    en_nb = nbformat.read(english_of(ru_path), as_version=4)
    ru_nb = nbformat.read(ru_path, as_version=4)
    if len(en_nb.cells) != len(ru_nb.cells):
        raise ValueError(f"{ru_path}: {len(ru_nb.cells)} cells against {len(en_nb.cells)} in the English; cannot stamp")
    changed = 0
    for en, ru in zip(en_nb.cells, ru_nb.cells):
        record = ru.metadata.setdefault("translation", {})
        if record.get("en") != digest(en.source):
            record["en"] = digest(en.source)
            changed += 1
    _write(ru_nb, ru_path)
    return changed


def init(en_path: str | Path) -> Path:
    """Start a Russian notebook: a copy of the English one, stamped, with the language lines added."""
    en_path = Path(en_path)
    ru_path = en_path.parent / "ru" / en_path.name
    if ru_path.exists():
        raise ValueError(f"{ru_path} exists already; translate it in place")
    nb = nbformat.read(en_path, as_version=4)
    for cell in nb.cells:
        cell.metadata["translation"] = {"en": digest(cell.source)}
    code = [c for c in nb.cells if c.cell_type == "code"]
    if len(code) > 1:
        code[1].source = "\n".join(LANGUAGE_LINES) + "\n" + code[1].source
    ru_path.parent.mkdir(parents=True, exist_ok=True)
    _write(nb, ru_path)
    return ru_path


def export_cells(ru_path: str | Path, out: str | Path) -> None:
    """Write the notebook's cells to a text file, each after a ``<<<cell N type>>>`` line."""
    nb = nbformat.read(ru_path, as_version=4)
    with open(out, "w", encoding="utf-8") as f:
        for index, cell in enumerate(nb.cells):
            f.write(f"<<<cell {index} {cell.cell_type}>>>\n{cell.source}\n")


def import_cells(ru_path: str | Path, text_file: str | Path) -> int:
    """Read cells written by :func:`export_cells` back into the notebook; returns how many changed.

    Only the cells present in the file are replaced, so a file may hold a few
    cells. The cell numbers and types must match the notebook's.
    """
    nb = nbformat.read(ru_path, as_version=4)
    current: tuple[int, str] | None = None
    lines: list[str] = []
    found: dict[int, tuple[str, str]] = {}

    def close() -> None:
        if current is not None:
            found[current[0]] = (current[1], "\n".join(lines).rstrip("\n"))

    for line in Path(text_file).read_text(encoding="utf-8").splitlines():
        match = _CELL_LINE.match(line)
        if match:
            close()
            current, lines = (int(match.group(1)), match.group(2)), []
        elif current is not None:
            lines.append(line)
    close()
    changed = 0
    for index, (kind, source) in found.items():
        if index >= len(nb.cells) or nb.cells[index].cell_type != kind:
            raise ValueError(f"{text_file}: cell {index} is not a {kind} cell of {ru_path}")
        if nb.cells[index].source != source:
            nb.cells[index].source = source
            changed += 1
    _write(nb, ru_path)
    return changed


def _write(nb, path: Path) -> None:
    """Write as the executed notebooks are written (nbformat: sources as lists of lines)."""
    nbformat.write(nb, str(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_kit.translation", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init").add_argument("english", nargs="+")
    for name in ("export", "import"):
        p = sub.add_parser(name)
        p.add_argument("russian")
        p.add_argument("text_file")
    sub.add_parser("stamp").add_argument("russian", nargs="+")
    check = sub.add_parser("check")
    check.add_argument("russian", nargs="+")
    check.add_argument("--no-outputs", action="store_true", help="skip the comparison of the outputs")
    args = parser.parse_args(argv)
    if args.command == "init":
        for path in args.english:
            print(init(path))
    elif args.command == "export":
        export_cells(args.russian, args.text_file)
    elif args.command == "import":
        print(f"{import_cells(args.russian, args.text_file)} cells changed")
    elif args.command == "stamp":
        for path in args.russian:
            print(f"{path}: {stamp(path)} cells stamped")
    else:
        failed = False
        for path in args.russian:
            en_nb = nbformat.read(english_of(path), as_version=4)
            ru_nb = nbformat.read(path, as_version=4)
            problems = drift_problems(en_nb, ru_nb, outputs=not args.no_outputs)
            for problem in problems:
                print(f"{path}: {problem}")
            failed |= bool(problems)
        return int(failed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
