"""The article is cited in one form everywhere the course gives a reference to it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The one form of the reference: author in Latin and Cyrillic, then a master's student at
#: SPbU's Faculty (School) of Management; title in Russian and English; the site the article
#: names; the year marked as approximate.
CITATION = (
    "Lyantsevich, M. (Лянцевич, М.) (c. 2002, year approximate). «Разработка стратегии CRM: В поисках "
    "сущности управления отношениями с клиентами» [Razrabotka strategii CRM: v poiskakh sushchnosti "
    "upravleniya otnosheniyami s klientami; Developing a CRM strategy: in search of the essence of "
    "customer relationship management]. Faculty (School) of Management, St Petersburg State University, "
    "www.som.pu.ru. In Russian. Miroslav Lyantsevich (Мирослав Лянцевич) was then a master's student at "
    "the Faculty."
)

DOCUMENTS = ["README.md", "syllabus.md", "docs/glossary.md", "docs/lecturer-guide.md"]
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))


def _plain(text: str) -> str:
    """Markdown to plain words: no quote marks of blocks, list bullets, emphasis or line breaks."""
    text = re.sub(r"(?m)^\s*(> ?|- )", "", text)
    return " ".join(text.replace("*", "").split())


def _text(path: str) -> str:
    file = ROOT / path
    if file.suffix == ".ipynb":
        cells = json.loads(file.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return file.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", DOCUMENTS + NOTEBOOKS)
def test_the_article_is_cited_in_its_one_form(path):
    assert _plain(CITATION) in _plain(_text(path)), f"{path} lacks the article's reference in its one form"


@pytest.mark.parametrize("path", DOCUMENTS + NOTEBOOKS)
def test_no_other_form_of_the_reference_survives(path):
    plain = _plain(_text(path))
    starts = [m.start() for m in re.finditer(r"Lyantsevich, M\. ", plain)]
    for start in starts:
        assert plain.startswith(_plain(CITATION), start), plain[start:start + 200]


def test_the_check_sees_a_stale_form():
    stale = "- Lyantsevich, M. (c. 2002). Razrabotka strategii CRM. School of Management."
    assert _plain(CITATION) not in _plain(stale)
