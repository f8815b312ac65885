"""The article is cited and paraphrased, never copied: no project file repeats a run of its sentences.

We hold one page of the article (``../shared/reference``, beside the project).
Its sentences are for reading and citing; the project may quote a short phrase
of it in «ёлочки», as both editions do («Клиент всегда прав», «частью
морального кодекса сотрудников»), but not a sentence. This test looks for any
run of :data:`RUN` consecutive words of the page's text in every file the
project tracks (notebook sources, Markdown, Python). The article's title and
its section titles, which every citation repeats, are allowed.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT.parent / "shared" / "reference" / "article-page-internal-marketing.ru.txt"
#: The longest run of the article's words a quotation may take: a phrase, not a sentence.
RUN = 8


def _words(text: str) -> list[str]:
    return re.findall(r"[а-яёa-z0-9]+", text.lower().replace("ё", "е"))


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


def copied_runs(text: str, page: str) -> list[str]:
    """Runs of ``RUN`` words of the page's body that ``text`` repeats (titles excepted)."""
    lines = page.splitlines()
    titles = [line for line in lines[:8] if "Разработка стратегии" in line or "|" in line]
    body = "\n".join(line for line in lines if line not in titles)
    forbidden = _runs(_words(body)) - _runs(_words(" ".join(titles)))
    found = _words(text)
    return [" ".join(found[i:i + RUN]) for i in range(len(found) - RUN + 1) if tuple(found[i:i + RUN]) in forbidden]


def _project_texts() -> dict[str, str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    texts = {}
    for name in files:
        path = ROOT / name
        if path.suffix not in {".md", ".ipynb", ".py", ".txt", ".yml", ".toml"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        texts[name] = text
    return texts


@pytest.fixture(scope="module")
def page() -> str:
    if not PAGE.exists():
        pytest.skip(f"the article's page is not beside the project ({PAGE})")
    return PAGE.read_text(encoding="utf-8")


def test_no_file_copies_a_sentence_of_the_article(page):
    copied = {name: runs for name, text in _project_texts().items() if (runs := copied_runs(text, page))}
    assert not copied, "sentences of the article copied into the project (quote a phrase, paraphrase the rest):\n" + \
        "\n".join(f"{name}: «{runs[0]} …» ({len(runs)} runs)" for name, runs in copied.items())


def test_the_check_finds_a_copied_sentence_and_lets_a_phrase_and_the_title_pass(page):
    body = [line for line in page.splitlines() if len(line) > 200 and "|" not in line][0]
    sentence = max(re.split(r"(?<=[.?!])\s+", body), key=len)
    assert copied_runs(f"Как пишет автор, {sentence}", page)
    phrase = " ".join(sentence.split()[:RUN - 1])
    assert copied_runs(f"Автор говорит о «{phrase}».", page) == []
    assert copied_runs("«Разработка стратегии CRM: В поисках сущности управления отношениями с клиентами»", page) == []
