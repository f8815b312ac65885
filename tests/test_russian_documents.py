"""The Russian documents say what the English ones say: same headings, tables, references and numbers.

Each Russian page (``syllabus.ru.md``, ``docs/*.ru.md``) is compared with its
English original by :func:`crm_kit.translation.document_problems`, section by
section. The English pages have their own tests (timings that add up,
readings that are cited, ...); a Russian page that keeps the English page's
structure and numbers inherits what those tests established. The Russian
key-figures sheet is generated from the Russian notebooks, like the English.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_kit import key_figures as kf
from crm_kit.translation import document_problems, numbers

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [
    ("syllabus.md", "syllabus.ru.md"),
    ("docs/index.md", "docs/index.ru.md"),
    ("docs/lecturer-guide.md", "docs/lecturer-guide.ru.md"),
    ("docs/capstone-rubric.md", "docs/capstone-rubric.ru.md"),
    ("docs/capstone-rubric-student.md", "docs/capstone-rubric-student.ru.md"),
]
RU_SHEET = ROOT / kf.SHEETS["ru"]
QUOTE = re.compile(r"\{doc\}`([^`<]+?)\s*<key-figures>`")


@pytest.mark.parametrize(("english", "russian"), PAIRS, ids=[p[1] for p in PAIRS])
def test_russian_page_corresponds_to_the_english(english, russian):
    en, ru = ROOT / english, ROOT / russian
    assert ru.exists(), f"{russian} is missing"
    problems = document_problems(en.read_text(encoding="utf-8"), ru.read_text(encoding="utf-8"))
    assert not problems, f"{russian} has drifted from {english}:\n" + "\n".join(problems[:30])


def test_every_english_page_has_its_russian_page():
    english = {p.relative_to(ROOT).as_posix() for p in [ROOT / "syllabus.md", *(ROOT / "docs").glob("*.md")]}
    english = {name for name in english if not name.endswith(".ru.md")}
    # The glossary is one page in both languages; the key-figures sheets are generated.
    expected = english - {"docs/glossary.md", "docs/key-figures.md"}
    assert expected == {en for en, _ in PAIRS}


def test_russian_key_figures_sheet_is_the_russian_notebooks_own_output():
    notebooks = sorted((ROOT / kf.NOTEBOOKS["ru"]).glob("*.ipynb"))
    regenerated = kf.sheet(notebooks, lang="ru")
    assert RU_SHEET.read_text(encoding="utf-8") == regenerated, "docs/key-figures.ru.md is stale: run 'make key-figures'"
    english = (ROOT / kf.SHEETS["en"]).read_text(encoding="utf-8")
    # The same figures, printed the same way: the numbers of the two sheets' rows agree.
    en_rows = [line for line in english.splitlines() if line.startswith("| ") and "`" in line]
    ru_rows = [line for line in regenerated.splitlines() if line.startswith("| ") and "`" in line]
    assert len(en_rows) == len(ru_rows)
    for en_row, ru_row in zip(en_rows, ru_rows):
        en_printed, ru_printed = en_row.split("`")[1], ru_row.split("`")[1]
        assert numbers(en_printed, "en") == numbers(ru_printed, "en"), (en_row, ru_row)


def test_russian_guide_quotes_only_what_the_russian_sheet_prints():
    guide = (ROOT / "docs" / "lecturer-guide.ru.md").read_text(encoding="utf-8")
    sheet = RU_SHEET.read_text(encoding="utf-8")
    printed = [line.split("`")[1] for line in sheet.splitlines() if line.startswith("| ") and "`" in line]
    quotes = QUOTE.findall(guide)
    assert quotes, "the Russian guide quotes no key figure"
    # A quote is written as printed ("3,625", "0.701") or the Russian way ("0,701").
    wrong = [q for q in quotes if not any(set(numbers(q, lang)) <= set(numbers(p, "en"))
                                          for p in printed for lang in ("en", "ru"))]
    assert not wrong, f"the Russian guide quotes numbers the Russian key-figures sheet does not print: {wrong}"


# --- the check bites --------------------------------------------------------------------------


EN = """# Guide

Three sessions of 90 min.

## Chapter 1

| Activity | Minutes |
|---|---|
| Lecture | 20 |
| Lab | 70 |

See {doc}`the syllabus <syllabus>`.
"""
RU = """# Руководство

Три занятия по 90 мин.

## Глава 1

| Вид работы | Минуты |
|---|---|
| Лекция | 20 |
| Практикум | 70 |

См. {doc}`программу курса <syllabus>`.
"""


def test_a_faithful_page_passes_and_each_kind_of_drift_is_caught():
    assert document_problems(EN, RU) == []
    assert document_problems(EN, RU.replace("## Глава 1", "### Глава 1"))[0].startswith("the headings differ")
    assert any("tables of [3] rows" in p for p in document_problems(EN, RU.replace("| Практикум | 70 |\n", "")))
    assert any("{doc} references" in p for p in document_problems(EN, RU.replace("<syllabus>", "<glossary>")))
    assert any("missing 70" in p for p in document_problems(EN, RU.replace("| 70 |", "| 60 |")))
    assert any("not translated" in p for p in document_problems(EN, RU.replace("Три занятия по 90 мин.", "Three sessions of 90 min.").replace("Руководство", "Guide")))


def _russian_texts() -> dict[str, str]:
    texts = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
             for p in [ROOT / "syllabus.ru.md", *sorted((ROOT / "docs").glob("*.ru.md"))]}
    import nbformat

    for path in sorted((ROOT / "notebooks" / "ru").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        texts[path.relative_to(ROOT).as_posix()] = "\n".join(cell.source for cell in nb.cells)
    return texts


def test_the_russian_edition_uses_the_glossarys_terms():
    """The same forbidden calques and off-glossary words as the helpers' catalogues (tests/test_language.py)."""
    from test_language import FORBIDDEN

    found = [(name, word) for name, text in _russian_texts().items() for word in FORBIDDEN if word in text.lower()]
    assert not found, "\n".join(f"{name}: «{word}» (use {FORBIDDEN[word]})" for name, word in found)
