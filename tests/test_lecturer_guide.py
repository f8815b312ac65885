"""The lecturer guide: a section per notebook, timed sessions that agree with the syllabus, safe links.

The guide (``docs/lecturer-guide.md``) is a page of the course site, where it
sits at the site root beside the syllabus and the glossary, with the
notebooks under ``notebooks/`` (see ``crm_kit.site``). The site is built
with warnings as errors, so these tests check that the guide makes no
relative Markdown link, that every MyST ``{doc}`` reference it makes points
to a page that exists, and that its headings never skip a level.

The chapters are found at test time from ``notebooks/*.ipynb``: a new
notebook needs its own section in the guide, named by its file stem.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "lecturer-guide.md"
SYLLABUS = ROOT / "syllabus.md"

SET_UPS = {
    "local machines": ("local",),
    "JupyterHub": ("jupyterhub",),
    "Binder": ("binder",),
    "Colab": ("colab",),
}

INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
AUTOLINK = re.compile(r"<([A-Za-z][\w+.-]*:[^>\s]*)>")
DOC_ROLE = re.compile(r"\{doc\}`([^`]+)`")
ACTIVITY_IN_SYLLABUS = re.compile(r"([A-Z][a-z]+) \((\d+) min\)")
SECTION_REFERENCE = re.compile(r"\bsections?\s+(\d+(?:\.\d+)?(?:\s*(?:–|-|,|and|to)\s*\d+(?:\.\d+)?)*)")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


# --- helpers ---------------------------------------------------------------------------


def _text(path: Path) -> str:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def _without_fences(markdown: str) -> str:
    return re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", markdown, flags=re.MULTILINE | re.DOTALL)


def _without_code(markdown: str) -> str:
    """The Markdown with fenced blocks and inline code removed (links there are not links)."""
    return re.sub(r"`[^`\n]*`", "", _without_fences(markdown))


def _split(markdown: str, level: int) -> dict[str, str]:
    """Sections at one heading level: heading text -> body (subsections included)."""
    marker = re.compile(rf"^{'#' * level} (?!#)(.*)$")
    sections: dict[str, str] = {}
    heading, body, in_fence = None, [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else marker.match(line)
        if match:
            if heading is not None:
                sections[heading] = "\n".join(body)
            heading, body = match.group(1).strip(), []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        sections[heading] = "\n".join(body)
    return sections


def _headings(markdown: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2).strip())
            for m in re.finditer(r"^(#{1,6}) (.*)$", _without_fences(markdown), flags=re.MULTILINE)]


def _subsection(body: str, *keywords: str) -> str:
    for heading, text in _split(body, 3).items():
        if any(k in heading.lower() for k in keywords):
            return text
    raise AssertionError(f"no subsection whose heading contains any of {keywords}; found {list(_split(body, 3))}")


def _tables(body: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every pipe table in ``body``: header cells and rows of cells."""
    tables, block = [], []
    for line in [*body.splitlines(), ""]:
        if line.strip().startswith("|"):
            block.append(line.strip())
            continue
        if len(block) >= 2 and re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", block[1]):
            cells = [[c.strip() for c in row.strip("|").split("|")] for row in block]
            tables.append((cells[0], cells[2:]))
        block = []
    return tables


def _numbered_items(body: str) -> list[str]:
    """Items of a numbered Markdown list, each with its continuation lines."""
    items: list[str] = []
    for line in body.splitlines():
        if re.match(r"^\d+\.\s", line):
            items.append(line)
        elif items and (line.startswith("   ") or not line.strip()):
            items[-1] += "\n" + line
        elif items:
            break
    return items


def _bullets(body: str) -> list[str]:
    items: list[str] = []
    for line in body.splitlines():
        if re.match(r"^[-*] ", line):
            items.append(line[2:])
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
    return items


def _notebook_stems() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def _chapter(stem: str) -> str:
    for heading, body in _split(_text(GUIDE), 2).items():
        if stem in heading:
            return body
    raise AssertionError(f"the guide has no level-2 section naming {stem!r} in its heading")


def _session_minutes() -> int:
    """The session length the syllabus states in its session plan ("In class (90 minutes)"), else 90."""
    match = re.search(r"In class \((\d+) minutes\)", _text(SYLLABUS)) if SYLLABUS.exists() else None
    return int(match.group(1)) if match else 90


def _syllabus_sessions(stem: str) -> dict[int, dict[str, int]]:
    """Session number -> {activity: minutes} for the syllabus rows that teach ``stem``."""
    plan = next((body for heading, body in _split(_text(SYLLABUS), 2).items() if "session plan" in heading.lower()), "")
    sessions: dict[int, dict[str, int]] = {}
    for header, rows in _tables(plan):
        lowered = [h.lower() for h in header]
        if not lowered or "session" not in lowered[0] or not any("notebook" in h for h in lowered):
            continue
        notebook = next(i for i, h in enumerate(lowered) if "notebook" in h)
        in_class = next(i for i, h in enumerate(lowered) if "class" in h)
        for row in rows:
            if f"`{stem}`" in row[notebook]:
                activities: dict[str, int] = {}
                for name, minutes in ACTIVITY_IN_SYLLABUS.findall(row[in_class]):
                    activities[name.lower()] = activities.get(name.lower(), 0) + int(minutes)
                sessions[int(row[0])] = activities
    return sessions


def _timing_rows(stem: str) -> list[dict[str, str]]:
    """Rows of the chapter's timing table(s): those with Session and Minutes columns."""
    rows = []
    for header, body_rows in _tables(_chapter(stem)):
        lowered = [h.lower() for h in header]
        if "session" in lowered and "minutes" in lowered:
            rows += [dict(zip(lowered, row)) for row in body_rows]
    assert rows, f"the section on {stem} has no timing table with 'Session' and 'Minutes' columns"
    return rows


def _notebook_section_numbers(stem: str) -> set[str]:
    """Numbers of the notebook's numbered headings: '3', '3.1', ... (a trailing dot dropped)."""
    nb = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
    numbers = set()
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            numbers |= set(re.findall(r"^#{2,4}\s+(\d+(?:\.\d+)?)\.?\s", source, flags=re.MULTILINE))
    return numbers


def _link_targets(markdown: str) -> list[str]:
    text = _without_code(markdown)
    return INLINE_LINK.findall(text) + REFERENCE_DEFINITION.findall(text) + AUTOLINK.findall(text)


def _doc_targets(markdown: str) -> list[str]:
    return [m.split("<")[-1].rstrip(">").strip() for m in DOC_ROLE.findall(markdown)]


def _resolves(target: str) -> bool:
    """A {doc} target as the site sees it from its root: docs/*.md, syllabus.md or notebooks/*.ipynb."""
    target = target.lstrip("/")
    if target.startswith("notebooks/"):
        return (ROOT / f"{target}.ipynb").exists()
    if "/" in target:
        return False
    return (ROOT / "docs" / f"{target}.md").exists() or (target == "syllabus" and SYLLABUS.exists())


# --- the page as a whole -------------------------------------------------------------------


def test_guide_exists_with_one_title_and_no_skipped_heading_levels():
    headings = _headings(_text(GUIDE))
    assert headings and headings[0][0] == 1, "the guide should start with one level-1 title"
    assert [level for level, _ in headings].count(1) == 1, "the guide should have exactly one level-1 title"
    for (before, _), (level, text) in zip(headings, headings[1:]):
        assert level <= before + 1, f"heading {text!r} skips a level (MyST warns, and the site treats warnings as errors)"


def test_guide_says_who_it_is_for_and_how_the_course_is_built():
    text = _text(GUIDE).lower()
    intro = text.split("\n## ", 1)[0]
    assert "lecturer" in intro and len(intro.split()) >= 40, "the guide should open by saying whom it is for"
    for phrase in ("make student", "make site", "self-check", "make test"):
        assert phrase in text, f"the guide should explain {phrase!r}"


@pytest.mark.parametrize("name", list(SET_UPS))
def test_guide_covers_each_way_of_setting_up_a_class(name):
    setup = next((body for heading, body in _split(_text(GUIDE), 2).items() if "prepar" in heading.lower()), None)
    assert setup is not None, "the guide needs a level-2 section on preparing a class"
    headings = [h.lower() for h in _split(setup, 3)]
    assert any(any(k in h for k in SET_UPS[name]) for h in headings), (
        f"the section on preparing a class has no subsection on {name}; its subsections are {headings}"
    )


def test_set_up_instructions_name_the_commands_that_do_the_work():
    setup = next(body for heading, body in _split(_text(GUIDE), 2).items() if "prepar" in heading.lower())
    for command in ("make lab", "make test", "pip install .", "ipykernel install", "binder/", "postBuild", "!pip install"):
        assert command in setup, f"the set-up instructions should mention {command!r}"


def test_assessment_section_says_self_checks_are_not_for_grading():
    body = next((b for h, b in _split(_text(GUIDE), 2).items() if "assessment" in h.lower()), None)
    assert body is not None, "the guide needs a level-2 section on assessment"
    lowered = body.lower()
    assert "self-check" in lowered and "grad" in lowered and "answers" in lowered


def test_capstone_section_covers_groups_worlds_marking_and_timeline():
    if "06_capstone" not in _notebook_stems():
        pytest.skip("notebooks/06_capstone.ipynb is not there yet")
    body = _chapter("06_capstone").lower()
    for word in ("group", "world", "rubric", "timeline"):
        assert word in body, f"the capstone section should cover {word!r}"


# --- one section per notebook ------------------------------------------------------------------

STEMS = _notebook_stems()


@pytest.mark.parametrize("stem", STEMS)
def test_every_notebook_has_a_section_named_by_its_stem(stem):
    assert _chapter(stem).strip()


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_has_a_two_sentence_key_message(stem):
    message = _subsection(_chapter(stem), "key message").strip()
    sentences = re.findall(r"[^.!?]+[.!?](?=\s|$)", " ".join(message.split()))
    assert len(sentences) == 2, f"{stem}: the key message should be two sentences; found {len(sentences)}"


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_has_three_to_five_discussion_questions_with_model_answers(stem):
    items = _numbered_items(_subsection(_chapter(stem), "discussion question"))
    assert 3 <= len(items) <= 5, f"{stem}: expected 3–5 numbered discussion questions; found {len(items)}"
    for item in items:
        assert "?" in item.split("Model answer")[0], f"{stem}: item {item[:50]!r} does not ask a question"
        assert "*Model answer.*" in item, f"{stem}: question {item[:50]!r} has no '*Model answer.*'"
        answer = item.split("*Model answer.*", 1)[1]
        assert len(answer.split()) >= 30, f"{stem}: the model answer to {item[:50]!r} is too short"


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_lists_common_mistakes_and_how_to_address_them(stem):
    items = _bullets(_subsection(_chapter(stem), "mistake"))
    assert len(items) >= 3, f"{stem}: expected at least three common mistakes; found {len(items)}"
    for item in items:
        assert item.startswith("**"), f"{stem}: start each mistake with the mistake in bold: {item[:50]!r}"
        assert len(item.split("**")[-1].split()) >= 12, f"{stem}: say how to address {item[:50]!r}"


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_says_what_to_set_as_homework_and_how_long_it_takes(stem):
    homework = _subsection(_chapter(stem), "homework")
    assert re.search(r"\d+\s*(?:–\d+\s*)?min", homework), f"{stem}: homework should say how long it takes"


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_says_what_to_do_if_the_class_is_ahead_or_behind(stem):
    pace = _subsection(_chapter(stem), "ahead or behind").lower()
    assert "ahead" in pace and "behind" in pace


@pytest.mark.parametrize("stem", STEMS)
def test_timing_table_adds_up_to_the_session_length_in_every_session(stem):
    minutes: dict[str, int] = {}
    for row in _timing_rows(stem):
        assert row["minutes"].isdigit(), f"{stem}: minutes should be a whole number; found {row['minutes']!r}"
        minutes[row["session"]] = minutes.get(row["session"], 0) + int(row["minutes"])
    length = _session_minutes()
    wrong = {session: total for session, total in minutes.items() if total != length}
    assert not wrong, f"{stem}: sessions should add up to {length} minutes; found {wrong}"


@pytest.mark.parametrize("stem", STEMS)
def test_timing_agrees_with_the_syllabus_session_by_session(stem):
    planned = _syllabus_sessions(stem)
    if not planned:
        pytest.skip(f"the syllabus has no session for {stem}")
    guide: dict[int, dict[str, int]] = {}
    for row in _timing_rows(stem):
        activity = row.get("activity", "").lower()
        session = guide.setdefault(int(row["session"]), {})
        session[activity] = session.get(activity, 0) + int(row["minutes"])
    assert sorted(guide) == sorted(planned), (
        f"{stem}: the guide times sessions {sorted(guide)}, the syllabus teaches it in {sorted(planned)}"
    )
    for number, activities in planned.items():
        assert guide[number] == activities, (
            f"{stem}, session {number}: the guide's minutes per activity {guide[number]} differ from the "
            f"syllabus's {activities}"
        )


@pytest.mark.parametrize("stem", STEMS)
def test_sections_the_guide_names_exist_in_the_notebook(stem):
    body = _chapter(stem)
    named = set()
    for match in SECTION_REFERENCE.finditer(_without_code(body)):
        named |= set(NUMBER.findall(match.group(1)))
    for row in _timing_rows(stem):
        named |= set(NUMBER.findall(row.get("notebook section", "")))
    present = _notebook_section_numbers(stem)
    missing = sorted(n for n in named if n not in present)
    assert not missing, f"{stem}: the guide names sections {missing}, which the notebook does not have"


# --- links that must work in the site ---------------------------------------------------------


def test_markdown_links_only_go_to_the_web():
    bad = [t for t in _link_targets(_text(GUIDE)) if not re.match(r"https?://", t)]
    assert not bad, (
        f"docs/lecturer-guide.md links to {bad}: in the site these paths may not exist. "
        "Use a {doc} reference to a page of the site, or name the file in plain text."
    )


def test_doc_references_point_to_pages_that_exist():
    targets = _doc_targets(_text(GUIDE))
    assert "syllabus" in targets, "the guide should refer to the syllabus with {doc}`syllabus`"
    broken = [t for t in targets if not _resolves(t)]
    assert not broken, f"{{doc}} references to pages that do not exist: {broken}"


def test_checkers_catch_what_they_should():
    sample = "See [the glossary](glossary.md), [x][1] and <notebooks/00_introduction.ipynb>.\n\n[1]: ../README.md\n"
    assert _link_targets(sample) == ["glossary.md", "../README.md"]
    assert _link_targets("Fine: [site](https://example.org) and `[code](x.md)`.") == ["https://example.org"]
    assert _doc_targets("{doc}`syllabus` and {doc}`the plan <notebooks/00_introduction>`") == [
        "syllabus", "notebooks/00_introduction"]
    assert not _resolves("notebooks/99_missing") and not _resolves("README") and _resolves("syllabus")
    assert [NUMBER.findall(m.group(1)) for m in SECTION_REFERENCE.finditer("sections 4.1–4.4 and section 7")] == [
        ["4.1", "4.4"], ["7"]]
