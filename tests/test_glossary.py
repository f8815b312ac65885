"""The glossary's Russian terms: standard usage, no look-alike letters, the article's wording beside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"


def _rows() -> dict[str, str]:
    rows = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("English term", "---"):
            rows[cells[0]] = cells[1]
    return rows


# English term -> what its Russian column must contain (standard usage in Russian marketing and
# management texts); the article's own wording, where it differs, is given beside it in the glossary.
STANDARD = {
    "B2B marketing": "B2B-маркетинг",
    "return on investment (ROI)": "рентабельность инвестиций (ROI)",
    "profitability": "рентабельность",
    "empowerment": "делегирование полномочий",
    "mass customisation": "массовая кастомизация",
    "carrot and stick": "политика (метод) кнута и пряника",
    "process teams": "процессные команды",
    "customer equity": "клиентский капитал",
    "relationship marketing": "маркетинг взаимоотношений",
}


@pytest.mark.parametrize("english", sorted(STANDARD))
def test_standard_russian_term(english):
    rows = _rows()
    assert english in rows, f"the glossary has no row for {english!r}"
    assert STANDARD[english] in rows[english], f"{english!r}: expected {STANDARD[english]!r}, found {rows[english]!r}"


def _mixed_script(text: str) -> list[str]:
    """Words that mix Cyrillic with Latin letters or digits (e.g. a Cyrillic 'В' in 'B2B')."""
    bad = []
    for word in re.findall(r"[\w]+", text):
        cyrillic = re.search(r"[А-Яа-яЁё]", word)
        other = re.search(r"[A-Za-z0-9]", word)
        if cyrillic and other:
            bad.append(word)
    return bad


def test_no_word_mixes_cyrillic_with_latin_letters_or_digits():
    bad = {en: _mixed_script(ru) for en, ru in _rows().items() if _mixed_script(ru)}
    assert not bad, bad


def test_the_mixed_script_check_sees_a_cyrillic_b():
    assert _mixed_script("В2В маркетинг") == ["В2В"]
    assert _mixed_script("B2B-маркетинг") == []
