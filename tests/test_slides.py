"""Every chapter notebook is a slide deck of a teachable length that builds offline.

The deck sizes are read from the metadata (no build needed); one small
notebook of the test's own and one real chapter are built, and the built HTML
must load reveal.js and MathJax from the local copies beside it, never from
the web.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from crm_kit import slides

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Both editions: the Russian decks have the same cells, so the same checks.
EDITIONS = NOTEBOOKS + sorted((ROOT / "notebooks" / "ru").glob("*.ipynb"))
MIN_SLIDES, MAX_SLIDES = 15, 25

sys.path.insert(0, str(Path(__file__).parent))
from test_lecturer_guide import _numbered_items, _subsection  # noqa: E402

# Every address the page loads: src= and href= attributes, and url(...) in its styles.
LOADED = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')\s]+)""")


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _md(text: str, kind: str | None, tags=()):
    cell = nbformat.v4.new_markdown_cell(text)
    if kind is not None:
        cell.metadata["slideshow"] = {"slide_type": kind}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _code(source: str, kind: str, outputs, count: int, tags=()):
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.metadata["slideshow"] = {"slide_type": kind}
    if tags:
        cell.metadata["tags"] = list(tags)
    cell.outputs = outputs
    return cell


@pytest.fixture
def small_deck():
    stream = nbformat.v4.new_output("stream", name="stdout", text="THE_OUTPUT 42\n")
    nb = nbformat.v4.new_notebook(cells=[
        _md("# A chapter\n\nThe question, with maths: $w = \\sigma_b^2 / (\\sigma_b^2 + \\sigma_w^2)$.", "slide"),
        _md("SKIPPED_PROSE", "skip"),
        _code("print('THE_CODE')", "slide", [stream], 1, tags=[slides.HIDE_INPUT_TAG]),
        _md("SPEAKER_NOTE", "notes"),
        _code("VISIBLE_CODE = 1", "subslide", [nbformat.v4.new_output("execute_result", data={"text/plain": "1"},
                                                                       execution_count=2)], 2),
        _md("A fragment", "fragment"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _loaded_addresses(html: str) -> list[str]:
    return [a or b for a, b in LOADED.findall(html)]


def _assert_offline(html: str, out: Path):
    web = [a for a in _loaded_addresses(html) if re.match(r"(https?:)?//", a)]
    assert not web, f"the deck loads from the web: {web}"
    assert not re.search(r"https?://[^\s\"'<>]*(reveal|mathjax)", html, flags=re.IGNORECASE), \
        "the deck names a web address for reveal.js or MathJax"
    for asset in ("reveal.js/dist/reveal.js", "reveal.js/dist/reveal.css", "reveal.js/plugin/notes/notes.js",
                  "mathjax/MathJax.js"):
        assert asset in html, f"the deck does not load {asset}"
        assert (out / asset).exists(), f"{asset} was not copied beside the deck"


# --- the chapter notebooks, from their metadata ------------------------------------------------


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_chapter_deck_has_a_teachable_length(path):
    size = slides.deck_size(_read(path))
    assert MIN_SLIDES <= size <= MAX_SLIDES, (
        f"{path.name}: the deck has {size} slides (cells of type slide or subslide); keep it to "
        f"{MIN_SLIDES}-{MAX_SLIDES}: mark more cells 'skip', or fewer"
    )


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_chapter_slide_metadata_is_complete(path):
    assert slides.deck_problems(_read(path), path.name) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_slides_only_cells_stay_out_of_the_student_edition_and_the_site(path):
    for number, cell in enumerate(_read(path).cells, start=1):
        tags = set(cell.metadata.get("tags", []))
        if "remove-cell" in tags:
            assert "lecturer" in tags, f"{path.name}: cell {number} is hidden from the site but not tagged lecturer"
            assert slides.slide_type(cell) not in (None, "skip"), (
                f"{path.name}: cell {number} is a slides-only cell (remove-cell) that is not on a slide")


#: Each edition's words: its guide, the guide's subsection and model-answer mark, the slide heading.
DISCUSSION = {
    "en": (ROOT / "docs" / "lecturer-guide.md", "discussion question", "*Model answer.*",
           r"## Discussion (\d+) of (\d+)\n+(.+)"),
    "ru": (ROOT / "docs" / "lecturer-guide.ru.md", "вопросы для обсуждения", "*Образец ответа.*",
           r"## Обсуждение (\d+) из (\d+)\n+(.+)"),
}


def _guide_chapter(guide: Path, stem: str) -> str:
    from test_lecturer_guide import _split

    for heading, body in _split(guide.read_text(encoding="utf-8"), 2).items():
        if stem in heading:
            return body
    raise AssertionError(f"{guide.name} has no level-2 section naming {stem!r}")


@pytest.mark.parametrize("path", EDITIONS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_discussion_slides_ask_the_lecturer_guides_questions(path):
    """The discussion questions on the slides are the guide's, word for word, so they cannot drift apart
    (the Russian slides ask the Russian guide's)."""
    guide_file, subsection, model_answer, heading = DISCUSSION["ru" if path.parent.name == "ru" else "en"]
    guide = [" ".join(item.split(model_answer)[0].split())
             for item in _numbered_items(_subsection(_guide_chapter(guide_file, path.stem), subsection))]
    asked = []
    for cell in _read(path).cells:
        match = re.match(heading, cell.source, flags=re.DOTALL)
        if match and slides.slide_type(cell) not in (None, "skip"):
            assert int(match.group(2)) == len(guide), f"{path.name}: {match.group(2)} questions, but the guide asks {len(guide)}"
            asked.append(" ".join(match.group(3).split()))
    assert asked, f"{path.name}: the deck has no discussion slide ({heading[:16]}...)"
    assert [re.sub(r"^\d+\.\s+", "", q) for q in guide] == asked, (
        f"{path}: the discussion slides differ from the lecturer guide's questions")


# --- building ---------------------------------------------------------------------------------


def test_small_deck_builds_offline_with_outputs_only_where_tagged(tmp_path, small_deck):
    slides.copy_assets(tmp_path)
    html = slides.build_deck(small_deck, "small", tmp_path).read_text(encoding="utf-8")
    assert "THE_OUTPUT 42" in html and "THE_CODE" not in html, "a slides-hide-input cell must show its output only"
    assert "VISIBLE_CODE" in html, "an untagged code cell on a slide shows its code"
    assert "SKIPPED_PROSE" not in html
    assert re.search(r'<aside class="notes">.*SPEAKER_NOTE', html, flags=re.DOTALL)
    assert 'class="fragment"' in html
    # reveal.js nests sections: a slide is a section holding one per subslide (its own first included)
    assert html.count("<section") == 2 * 2 + 1
    assert "\\sigma_b^2" in html, "the maths reaches the page for MathJax to typeset"
    _assert_offline(html, tmp_path)


def test_bad_slide_metadata_is_refused_with_the_cell_named(tmp_path, small_deck):
    small_deck.cells.append(_md("no slide type", None))
    small_deck.cells.append(_md("odd", "title"))
    small_deck.cells.append(_code("x", "slide", [], 3))
    with pytest.raises(ValueError) as error:
        slides.build_deck(small_deck, "bad", tmp_path)
    message = str(error.value)
    assert "bad: cell 7 states no slide type" in message
    assert "cell 8 has slide type 'title'" in message
    assert "cell 9 is a code cell on a slide with no output" in message
    assert not (tmp_path / "bad.slides.html").exists()


def test_deck_must_open_with_a_slide(small_deck):
    small_deck.cells[0].metadata["slideshow"]["slide_type"] = "skip"
    small_deck.cells[2].metadata["slideshow"]["slide_type"] = "fragment"
    assert any("opens with a 'fragment'" in p for p in slides.deck_problems(small_deck, "nb"))


def test_a_real_chapter_builds_offline(tmp_path):
    path = ROOT / "notebooks" / "01_customer_particularity.ipynb"
    assert slides.main(["--out", str(tmp_path), str(path)]) == 0
    html = (tmp_path / "01_customer_particularity.slides.html").read_text(encoding="utf-8")
    _assert_offline(html, tmp_path)
    nb = _read(path)
    kinds = [slides.slide_type(cell) for cell in nb.cells]
    assert html.count("<section") == 2 * kinds.count("slide") + kinds.count("subslide")
    for cell in nb.cells:
        if slides.HIDE_INPUT_TAG in cell.metadata.get("tags", []):
            first_line = cell.source.splitlines()[0]
            assert first_line not in html, f"code shown on a slide although tagged: {first_line!r}"
    assert "## The question" not in html and ">The question<" in html


def test_a_russian_chapter_builds_offline_in_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = ROOT / "notebooks" / "ru" / "01_customer_particularity.ipynb"
    assert slides.main(["--lang", "ru", str(path)]) == 0
    html = (tmp_path / "slides" / "ru" / "01_customer_particularity.slides.html").read_text(encoding="utf-8")
    _assert_offline(html, tmp_path / "slides" / "ru")
    assert html.count("<section") == html.count("</section>") > 10
