"""The syllabus and the glossary: complete, consistent with the notebooks, and safe for the site.

The syllabus is handed to students and is also a page of the course site, where
it sits beside the glossary at the site root (see ``crm_kit.site``). The site
is built with warnings as errors, so these tests check that it makes no
relative Markdown link and that every MyST ``{doc}`` reference it makes resolves
in the site's staging layout.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm_kit import site

ROOT = Path(__file__).resolve().parents[1]
SYLLABUS = ROOT / "syllabus.md"
GLOSSARY = ROOT / "docs" / "glossary.md"

REQUIRED_SECTIONS = {
    "course description": ("description",),
    "audience and prerequisites": ("audience", "prerequisite"),
    "learning outcomes": ("learning outcome",),
    "session plan": ("session plan",),
    "readings": ("reading",),
    "assessment": ("assessment",),
    "how to run the course": ("how to run",),
}

# Sources the course relies on: (first author's surname, year) as cited.
REQUIRED_READINGS = [
    ("Lyantsevich", "c. 2002, year approximate"),
    ("Peppers", "1999"),
    ("Gilmore", "1997"),
    ("Pine", "1995"),
    ("Ahmed", "2002"),
    ("McDonald", "1997"),
    ("McDonald", "2000"),
    ("Hammer", "1990"),
    ("Reichheld", "1990"),
    ("Heskett", "1994"),
    ("Gupta", "2004"),
    ("Fader", "2005"),
    ("Harter", "2002"),
    ("Kamakura", "2002"),
    ("Rust", "2004"),
    ("Dowling", "1997"),
    ("Payne", "2005"),
    ("Rigby", "2002"),
    ("Reinartz", "2002"),
]

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
YEAR_IN_PARENTHESES = re.compile(r"\((?:c\.\s?)?\d{4}(?:, year approximate)?\)")


# --- helpers ---------------------------------------------------------------------------


def _text(path: Path) -> str:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def _sections(markdown: str) -> dict[str, str]:
    """Level-2 sections of a Markdown document: lower-cased heading -> body (with subsections)."""
    sections: dict[str, str] = {}
    heading = None
    body: list[str] = []
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and re.match(r"^## (?!#)", line):
            if heading is not None:
                sections[heading] = "\n".join(body)
            heading, body = line[3:].strip().lower(), []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        sections[heading] = "\n".join(body)
    return sections


def _section(markdown: str, *keywords: str) -> str:
    for heading, body in _sections(markdown).items():
        if all(k in heading for k in keywords):
            return body
    raise AssertionError(f"no section whose heading contains {' and '.join(map(repr, keywords))}")


def _table(body: str) -> tuple[list[str], list[list[str]]]:
    """The first pipe table in ``body``: its header cells and its rows of cells."""
    lines = [line.strip() for line in body.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    assert start is not None, "expected a Markdown table; found none"
    block = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        block.append(line)
    assert len(block) >= 2 and re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", block[1]), (
        "expected a header row and a |---| separator row"
    )

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]

    return cells(block[0]), [cells(line) for line in block[2:]]


def _list_items(body: str) -> list[str]:
    """Bullet items of a Markdown list, each with its continuation lines joined."""
    items: list[str] = []
    for line in body.splitlines():
        if re.match(r"^[-*] ", line):
            items.append(line[2:].strip())
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
        elif not line.strip() and items:
            items.append("")  # a blank line ends an item
    return [i for i in items if i]


def _notebook_stems() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


# --- the syllabus ----------------------------------------------------------------------


def test_syllabus_has_a_title_and_every_required_section():
    text = _text(SYLLABUS)
    assert re.match(r"# \S", text), "the syllabus should start with one level-1 title"
    headings = list(_sections(text))
    for name, keywords in REQUIRED_SECTIONS.items():
        assert any(any(k in h for k in keywords) for h in headings), (
            f"syllabus.md has no section for {name!r}; its level-2 headings are {headings}"
        )


def test_syllabus_has_between_six_and_eight_learning_outcomes():
    body = _section(_text(SYLLABUS), "learning outcome")
    outcomes = re.findall(r"^\d+\.\s+\S", body, flags=re.MULTILINE)
    assert 6 <= len(outcomes) <= 8, f"expected 6–8 numbered learning outcomes; found {len(outcomes)}"


def test_session_plan_is_a_table_of_ninety_minute_sessions():
    header, rows = _table(_section(_text(SYLLABUS), "session plan"))
    lowered = [h.lower() for h in header]
    assert "session" in lowered[0], f"the first column should number the sessions; found {header[0]!r}"
    assert any("notebook" in h for h in lowered), f"expected a notebook column; found {header}"
    assert any("prepar" in h or "reading" in h for h in lowered), f"expected a preparation column; found {header}"
    numbers = [int(r[0]) for r in rows]
    assert numbers == list(range(1, len(rows) + 1)), f"sessions should be numbered 1, 2, 3…; found {numbers}"
    assert 10 <= len(rows) <= 14, f"expected about twelve sessions; found {len(rows)}"
    in_class = next(i for i, h in enumerate(lowered) if "class" in h)
    for row in rows:
        minutes = [int(m) for m in re.findall(r"\((\d+) min\)", row[in_class])]
        assert minutes and sum(minutes) == 90, (
            f"session {row[0]}: the timed activities should add up to 90 minutes; found {minutes}"
        )


def test_every_notebook_is_in_the_session_plan():
    body = _section(_text(SYLLABUS), "session plan")
    missing = [stem for stem in _notebook_stems() if stem not in body]
    assert not missing, f"notebooks not mentioned in the session plan: {missing}"


def test_session_plan_follows_the_course_order():
    header, rows = _table(_section(_text(SYLLABUS), "session plan"))
    column = next(i for i, h in enumerate(header) if "notebook" in h.lower())
    numbers = [int(m.group(1)) for r in rows if (m := re.search(r"`(\d\d)_\w+`", r[column]))]
    assert numbers, "the notebook column should name notebooks by file stem, e.g. `00_introduction`"
    assert numbers == sorted(numbers), f"the sessions should take the notebooks in order; found {numbers}"
    assert set(numbers) == set(range(7)), f"the plan should cover notebooks 00–06; found {sorted(set(numbers))}"


def test_assessment_weights_add_up_to_one_hundred_percent():
    header, rows = _table(_section(_text(SYLLABUS), "assessment"))
    column = next((i for i, h in enumerate(header) if "weight" in h.lower()), None)
    assert column is not None, f"the assessment table needs a Weight column; found {header}"
    weights = []
    for row in rows:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", row[column])
        assert match, f"weight of {row[0]!r} should be a percentage such as '20%'; found {row[column]!r}"
        weights.append(float(match.group(1)))
    assert sum(weights) == pytest.approx(100), f"assessment weights add up to {sum(weights)}%, not 100%"


def test_capstone_memo_is_marked_with_the_lecturers_rubric():
    body = _section(_text(SYLLABUS), "assessment").lower()
    assert "capstone" in body and "rubric" in body


def test_every_reading_has_a_year_in_parentheses():
    items = _list_items(_section(_text(SYLLABUS), "reading"))
    assert len(items) >= 20, f"expected at least 20 readings; found {len(items)}"
    undated = [item[:60] for item in items if not YEAR_IN_PARENTHESES.search(item)]
    assert not undated, f"readings without a year in parentheses: {undated}"


@pytest.mark.parametrize(("author", "year"), REQUIRED_READINGS, ids=[f"{a}-{y}" for a, y in REQUIRED_READINGS])
def test_required_reading_is_cited(author, year):
    items = _list_items(_section(_text(SYLLABUS), "reading"))
    assert any(author in item and f"({year})" in item for item in items), (
        f"no reading by {author} ({year}) in the syllabus"
    )


def test_article_is_cited_with_its_russian_title_and_a_translation():
    items = _list_items(_section(_text(SYLLABUS), "reading"))
    article = next(item for item in items if item.startswith("Lyantsevich"))
    assert "Разработка стратегии CRM" in article
    assert "Developing a CRM strategy" in article


# --- links that must work in the site ---------------------------------------------------

INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
AUTOLINK = re.compile(r"<([A-Za-z][\w+.-]*:[^>\s]*)>")
DOC_ROLE = re.compile(r"\{doc\}`([^`]+)`")


def _without_code(markdown: str) -> str:
    """The Markdown with fenced blocks and inline code removed (links there are not links)."""
    markdown = re.sub(r"^(```|~~~).*?^\1", "", markdown, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`\n]*`", "", markdown)


def _link_targets(markdown: str) -> list[str]:
    text = _without_code(markdown)
    return INLINE_LINK.findall(text) + REFERENCE_DEFINITION.findall(text) + AUTOLINK.findall(text)


@pytest.mark.parametrize("path", [SYLLABUS, GLOSSARY], ids=["syllabus", "glossary"])
def test_markdown_links_only_go_to_the_web(path):
    bad = [t for t in _link_targets(_text(path)) if not re.match(r"https?://", t)]
    assert not bad, (
        f"{path.relative_to(ROOT)} links to {bad}: in the site these paths may not exist. "
        "Use a {doc} reference to a page of the site, or name the file in plain text."
    )


def test_link_checker_catches_relative_links():
    sample = "See [the glossary](docs/glossary.md), [x][1] and <notebooks/00_introduction.ipynb>.\n\n[1]: ../README.md\n"
    assert _link_targets(sample) == ["docs/glossary.md", "../README.md"]
    assert _link_targets("Fine: [site](https://example.org) and `[code](x.md)`.") == ["https://example.org"]


def test_doc_references_resolve_in_the_site_layout(tmp_path):
    text = _text(SYLLABUS)
    targets = [m.split("<")[-1].rstrip(">").strip() for m in DOC_ROLE.findall(text)]
    assert "glossary" in targets, "the syllabus should refer to the glossary with {doc}`glossary`"
    stage = site.stage_sources(tmp_path / "stage", ROOT)
    assert (stage / "syllabus.md").exists()
    for target in targets:
        page = stage / target.lstrip("/")
        assert page.with_suffix(".md").exists() or page.with_suffix(".ipynb").exists(), (
            f"{{doc}}`{target}` does not resolve in the site, where syllabus.md sits at the root"
        )


def test_glossary_is_named_for_readers_of_the_repository():
    assert "docs/glossary.md" in _text(SYLLABUS)


# --- the glossary ----------------------------------------------------------------------


def _glossary_rows() -> tuple[list[str], list[list[str]]]:
    return _table(_text(GLOSSARY))


def test_glossary_has_a_title_and_an_introduction():
    text = _text(GLOSSARY)
    assert re.match(r"# \S", text)
    intro = text.split("|", 1)[0]
    assert len(intro.split()) >= 30, "the glossary should open with a short introduction"


def test_glossary_table_has_the_four_columns():
    header, rows = _glossary_rows()
    assert [h.lower() for h in header] == ["english term", "russian term", "definition", "chapter"]
    for row in rows:
        assert len(row) == 4, f"row {row[0]!r} has {len(row)} cells, not 4"


def test_glossary_has_at_least_thirty_terms_each_with_a_russian_term_in_cyrillic():
    _, rows = _glossary_rows()
    assert len(rows) >= 30, f"expected at least 30 terms; found {len(rows)}"
    for english, russian, definition, chapter in rows:
        assert english, "a row without an English term"
        assert russian and CYRILLIC.search(russian), f"{english!r}: the Russian term should be written in Cyrillic"
        assert definition, f"{english!r}: the definition is empty"
        assert re.fullmatch(r"[0-6](, [0-6])*", chapter), f"{english!r}: chapter should be 0–6; found {chapter!r}"


def test_glossary_terms_are_unique():
    _, rows = _glossary_rows()
    english = [r[0].lower() for r in rows]
    assert len(english) == len(set(english)), "a term appears twice"


def test_glossary_uses_the_articles_spelling_of_its_key_terms():
    # The article writes е for ё, as most Russian print does; compare without the distinction.
    russian = " ".join(r[1] for r in _glossary_rows()[1]).replace("ё", "е")
    for term in (
        "внутренний маркетинг",
        "контактный персонал",
        "внутренний клиент",
        "увеличение автономии",
        "окупаемость инвестиций",
        "реинжиниринг",
        "удовлетворенность клиентов",
        "бюрократическая организация",
        "командная работа, ориентированная на бизнес-процессы",
        "внутренний сервис",
        "массовая персонализация",
        "маркетинг отношений",
        "«частность существования»",
        "«брак по расчету»",
    ):
        assert term in russian, f"the glossary lacks the article's term {term!r}"


# --- readings are assigned, with pages ------------------------------------------------------


def _assigned_readings() -> list[str]:
    body = _section(_text(SYLLABUS), "reading")
    part = body[body.index("### Readings assigned"):]
    return _list_items(part)


def _preparation_column() -> str:
    header, rows = _table(_section(_text(SYLLABUS), "session plan"))
    column = next(i for i, h in enumerate(header) if "preparation" in h.lower())
    return " ".join(row[column] for row in rows)


def test_every_assigned_reading_names_its_sessions():
    items = _assigned_readings()
    assert len(items) >= 15
    unassigned = [item[:60] for item in items if not re.search(r"Sessions? \d+", item)]
    assert not unassigned, f"readings with no session: {unassigned}"


def test_every_assigned_reading_is_in_the_session_plan_with_pages_or_a_chapter():
    prep = _preparation_column()
    missing = []
    for item in _assigned_readings():
        author = item.split(",")[0].strip()
        year = YEAR_IN_PARENTHESES.search(item).group(0).strip("()")
        mention = re.search(re.escape(author) + r"[^()]*\(" + re.escape(year) + r"\)(?P<after>[^;]*)", prep)
        if not mention or not re.search(r"pp?\. \d|chapter \d|in full|again", mention.group("after")):
            missing.append(f"{author} ({year})")
    assert not missing, f"not in the session plan with pages or a chapter: {missing}"


def test_the_six_session_plan_keeps_exercises_that_exist():
    body = _section(_text(SYLLABUS), "session plan")
    plan = body[body.index("six-session"):]
    header, rows = _table(plan)
    assert [r[0] for r in rows] == [str(i) for i in range(1, 7)]
    keep = next(i for i, h in enumerate(header) if "exercise" in h.lower())
    exercises = {e for row in rows for e in re.findall(r"\b\d\.\d\b", row[keep])}
    existing = set()
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        existing |= set(re.findall(r"\*\*Exercise (\d\.\d)", nb.read_text(encoding="utf-8")))
    assert exercises and exercises <= existing, exercises - existing
