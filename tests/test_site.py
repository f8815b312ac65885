"""The course site: both editions build with no warnings, and the student's carries no answers.

The real course is built once (the student edition, the one published); the
lecturer edition and the failure cases are built from a one-notebook course so
that the tests stay quick.
"""

from __future__ import annotations

import html
import importlib
import os
import re
import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest

from crm_kit import reference, site

ROOT = Path(__file__).resolve().parents[1]
BANNER = "Lecturer edition"


def _tiny_root(tmp_path: Path, extra_markdown: str = "") -> Path:
    """A course of one executed notebook, with one solution block and one lecturer note."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "docs", root / "docs")
    # The real guide and rubric refer to the real chapters, which this course lacks.
    for page in site.LECTURER_PAGES + site.STUDENT_PAGES:
        (root / "docs" / f"{page}.md").write_text(f"# {page}\n\nA page of the site.\n", encoding="utf-8")
    (root / "notebooks").mkdir()
    cells = [
        nbformat.v4.new_markdown_cell("# Chapter 0 — A chapter\n" + extra_markdown),
        nbformat.v4.new_code_cell("print(2)", execution_count=1),
        nbformat.v4.new_code_cell(
            "### BEGIN SOLUTION\nsecret_answer = 40 + 2\n### END SOLUTION\nprint(secret_answer)", execution_count=2
        ),
        nbformat.v4.new_markdown_cell("A note for the lecturer only: mention the hidden lever."),
    ]
    cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="2\n")]
    cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="42\n")]
    cells[3].metadata["tags"] = ["lecturer"]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "notebooks" / "00_chapter.ipynb")
    return root


def _fake_module(tmp_path: Path, monkeypatch, name: str, docstring: str) -> dict[str, list[str]]:
    """A module on the path of this process and of the Sphinx subprocess; the reference's module list."""
    folder = tmp_path / "fake_modules"
    folder.mkdir(exist_ok=True)
    body = f'''
        """A module for the site tests."""

        __all__ = ["{name}_function", "{name.title().replace("_", "")}Thing"]


        def {name}_function(x: int) -> int:
            """{docstring}"""
            return x


        class {name.title().replace("_", "")}Thing:
            """A class with a method.

            Examples
            --------
            >>> {name.title().replace("_", "")}Thing().double(2)
            4
            """

            def double(self, x: int) -> int:
                """Twice ``x``."""
                return 2 * x
        '''
    (folder / f"{name}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")])))
    importlib.invalidate_caches()
    return {"methods": [name]}


def _pages(out: Path) -> dict[str, str]:
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return {
        str(p.relative_to(out)): p.read_text(encoding="utf-8")
        for p in out.rglob("*.html")
        if p.name not in skip and "_static" not in p.parts and "mathjax" not in p.parts
    }


def _text(page: str) -> str:
    """A page's visible text, roughly: tags dropped, entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


# --- staging and the table of contents -------------------------------------------------


def test_table_of_contents_lists_notebooks_in_course_order_with_consistent_titles(tmp_path):
    root = _tiny_root(tmp_path)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 1 · The next one")])
    nbformat.write(nb, root / "notebooks" / "01_next.ipynb")
    stage = site.stage_sources(tmp_path / "stage", root, modules={})
    toc = (stage / "_toc.yml").read_text()
    assert toc.startswith("format: jb-book\nroot: index\n")
    assert toc.index("notebooks/00_chapter") < toc.index("notebooks/01_next")
    assert 'title: "0. A chapter"' in toc and 'title: "1. The next one"' in toc
    assert "API reference" not in toc


def test_an_unknown_edition_is_refused(tmp_path):
    with pytest.raises(ValueError, match="edition: expected one of student, lecturer; found 'teacher'"):
        site.stage_sources(tmp_path / "stage", _tiny_root(tmp_path), edition="teacher", modules={})


def test_an_unexecuted_notebook_is_refused(tmp_path, capsys):
    root = _tiny_root(tmp_path)
    nb = nbformat.read(root / "notebooks" / "00_chapter.ipynb", as_version=4)
    nb.cells[1].execution_count = None
    nbformat.write(nb, root / "notebooks" / "00_chapter.ipynb")
    assert site.build(tmp_path / "out", root, modules={}) == 1
    assert "never executed" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_broken_link_fails_the_build(tmp_path):
    root = _tiny_root(tmp_path, "\nSee [the missing page](missing_page.md).\n")
    assert site.build(tmp_path / "out", root, modules={}) == 1
    assert not (tmp_path / "out").exists()


# --- the API reference: what a docstring may not do ------------------------------------


@pytest.mark.parametrize(
    ("name", "docstring", "complaint"),
    [
        ("site_check_xref", "Like :func:`no_such_function_anywhere`.", "no_such_function_anywhere"),
        ("site_check_rst", "Stars **that never close.", "Inline strong start-string without end-string"),
    ],
    ids=["broken cross-reference", "reStructuredText error"],
)
def test_a_broken_docstring_fails_the_build(tmp_path, monkeypatch, capsys, name, docstring, complaint):
    modules = _fake_module(tmp_path, monkeypatch, name, docstring)
    assert site.build(tmp_path / "out", _tiny_root(tmp_path), modules=modules) == 1
    assert complaint in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- the lecturer edition ---------------------------------------------------------------


def test_lecturer_edition_shows_solutions_and_says_so_on_every_page(tmp_path, monkeypatch):
    modules = _fake_module(tmp_path, monkeypatch, "site_check_good", "Return ``x``; see :func:`site_check_good_function`.")
    out = tmp_path / "out"
    assert site.build(out, _tiny_root(tmp_path), edition="lecturer", modules=modules) == 0
    pages = _pages(out)
    assert {"lecturer-guide.html", "capstone-rubric.html", "capstone-rubric-student.html"} <= set(pages)
    unlabelled = [name for name, page in pages.items() if BANNER not in page]
    assert not unlabelled, f"pages without the lecturer-edition banner: {unlabelled}"
    chapter = _text(pages["notebooks/00_chapter.html"])
    assert "secret_answer = 40 + 2" in chapter and "hidden lever" in chapter
    api = pages["api/site_check_good.html"]
    for name in ("site_check_good.site_check_good_function", "site_check_good.SiteCheckGoodThing.double"):
        assert f'id="{name}"' in api
    assert "&gt;&gt;&gt;" in api, "the class's example is shown"


# --- the student edition of the real course ---------------------------------------------


@pytest.fixture(scope="module")
def student_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    for name in ("docs", "notebooks"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("syllabus.md", "syllabus.ru.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, root / name)
    out = root / "site"
    assert site.build(out, root) == 0
    return out


def test_student_site_has_a_page_per_notebook(student_site):
    index = (student_site / "index.html").read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert (student_site / "notebooks" / f"{nb.stem}.html").exists(), nb.stem
        assert f"notebooks/{nb.stem}.html" in index
    titles = re.findall(r'<a class="reference internal" href="notebooks/\d\d_\w+\.html">\s*([^<]+?)\s*</a>', index)
    assert len(titles) >= len(list((ROOT / "notebooks").glob("*.ipynb")))
    assert all(re.match(r"\d+\. \S", html.unescape(t)) for t in titles), titles


def test_student_site_carries_no_solution_and_no_lecturer_page(student_site):
    pages = _pages(student_site)
    assert "ru/capstone-rubric-student.html" in pages and "ru/syllabus.html" in pages
    for lecturer_only in ("ru/lecturer-guide.html", "ru/capstone-rubric.html"):
        assert lecturer_only not in pages
    assert "capstone-rubric-student.html" in pages and "glossary.html" in pages and "syllabus.html" in pages
    for lecturer_only in ("lecturer-guide.html", "capstone-rubric.html"):
        assert lecturer_only not in pages
        assert lecturer_only not in pages["index.html"]
    for name, page in pages.items():
        assert BANNER not in page, name
        assert "tag_solution" not in page and "tag_lecturer" not in page, name
    checked = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks" / "ru").glob("*.ipynb")):
        lecturer = nbformat.read(path, as_version=4)
        # A line the student edition also has elsewhere (outside any solution) may show.
        student_source = "\n".join(cell.source for cell in site_student_notebook(lecturer).cells)
        # Solution code, and the plain sentences of worked answers and lecturer notes.
        hidden = {
            line.strip()
            for cell in lecturer.cells
            if cell.cell_type == "code"
            for line in _solution_block_lines(cell.source)
            if len(line.strip()) > 20
        } | {
            line.strip()
            for cell in lecturer.cells
            if cell.cell_type == "markdown" and {"solution", "lecturer"} & set(cell.metadata.get("tags", []))
            for line in cell.source.splitlines()
            if len(line.strip()) > 40 and not re.search(r"[*_`\[\]$|#<>\\]", line)
        }
        hidden = {line for line in hidden if line not in student_source}
        checked += len(hidden)
        text = _text(pages[f"{'ru/' if path.parent.name == 'ru' else ''}notebooks/{path.stem}.html"])
        shown = sorted(line for line in hidden if line in text)
        assert not shown, f"{path.name}: solution or lecturer text on the student site: {shown[:3]}"
    assert checked > 40, "the check found too few solution lines to be a check"


def test_russian_site_has_every_chapter_in_russian(student_site):
    ru = student_site / "ru"
    index = (ru / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ru"' in index and "Курс" in index and "Для студентов" in index
    for nb in sorted((ROOT / "notebooks" / "ru").glob("*.ipynb")):
        page = (ru / "notebooks" / f"{nb.stem}.html").read_text(encoding="utf-8")
        assert f"notebooks/{nb.stem}.html" in index
        assert re.search("[А-Яа-я]{4,}", _text(page)), nb.stem
    assert not (ru / "api").exists(), "the API reference is in English only"


def test_every_page_links_to_itself_in_the_other_language(student_site):
    pages = _pages(student_site)
    assert len([n for n in pages if n.startswith("ru/")]) >= 9
    switch = re.compile(r'<p class="language-switch"><a href="([^"]+)" hreflang="(en|ru)"')
    for name, page in pages.items():
        links = switch.findall(page)
        assert len(links) == 1, f"{name}: {len(links)} language links"
        href, lang = links[0]
        assert lang == ("en" if name.startswith("ru/") else "ru"), name
        target = ((student_site / name).parent / href).resolve()
        assert target.is_file(), f"{name} links to {href}, which does not exist"
        counterpart = name.removeprefix("ru/") if name.startswith("ru/") else f"ru/{name}"
        if counterpart in pages:
            assert target == (student_site / counterpart).resolve(), f"{name} links to {href}, not to {counterpart}"
        else:
            assert target.name == "index.html", name


def site_student_notebook(nb):
    from crm_kit.student import build_student_notebook

    return build_student_notebook(nb)


def _solution_block_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == "### BEGIN SOLUTION":
            inside = True
        elif line.strip() == "### END SOLUTION":
            inside = False
        elif inside:
            lines.append(line)
    return lines


def test_the_solution_check_would_see_a_solution_line():
    source = "### BEGIN SOLUTION\nshare = frame.loc[10, 'revenue_share']\n### END SOLUTION\ncheck('1.1', share)"
    assert _solution_block_lines(source) == ["share = frame.loc[10, 'revenue_share']"]
    shown = "<pre><span>share</span> <span>=</span> frame.loc[10, &#39;revenue_share&#39;]</pre>"
    assert "share = frame.loc[10, 'revenue_share']" in _text(shown)


def test_api_reference_shows_every_public_name_grouped_by_layer(student_site):
    modules = reference.documented_modules()
    missing = []
    for layer_modules in modules.values():
        for module in layer_modules:
            page = student_site / "api" / f"{module}.html"
            assert page.exists(), module
            text = page.read_text(encoding="utf-8")
            missing += [f"{module}.{n}" for n in reference.public_names(importlib.import_module(module)) if f'id="{module}.{n}"' not in text]
            if ">>>" in (importlib.import_module(module).__doc__ or "") or any(
                ">>>" in (getattr(getattr(importlib.import_module(module), n), "__doc__", "") or "")
                for n in reference.public_names(importlib.import_module(module))
            ):
                assert "&gt;&gt;&gt;" in text, f"{module}: its examples are not shown"
    assert not missing, f"public names missing from the API reference: {missing}"
    index = (student_site / "index.html").read_text(encoding="utf-8")
    assert index.index("api/methods.html") < index.index("api/kopilka.html")
    for name in ("survival.cox_model", "clv.BGNBDFitter", "world.simulate", "data.load", "kopilka.board.board_case"):
        assert f'id="crm_course.{name}"' in (student_site / "api" / f"crm_course.{name.rpartition('.')[0]}.html").read_text()


def test_every_public_module_is_in_the_reference():
    """A module with public names is documented, or folded into a documented package that re-exports it."""
    import pkgutil

    import crm_course

    documented = [m for layer in reference.documented_modules().values() for m in layer]
    for info in pkgutil.walk_packages(crm_course.__path__, "crm_course."):
        name = info.name
        if any(part.startswith("_") for part in name.split(".")):
            continue
        module = importlib.import_module(name)
        if not reference.public_names(module) or name in documented:
            continue
        parent = importlib.import_module(name.rpartition(".")[0])
        assert hasattr(parent, "__all__") and parent.__name__ in documented, name
        own = getattr(module, "__all__", None)
        assert own is None or set(own) <= set(parent.__all__), f"{name}: names its package does not re-export"


def test_equations_are_typeset_by_the_mathjax_inside_the_site(student_site):
    assert (student_site / site.MATHJAX_FOLDER / "MathJax.js").is_file()
    config = student_site / site.MATHJAX_FOLDER / "config" / "TeX-AMS-MML_HTMLorMML-full.js"
    assert config.is_file()
    external = re.compile(r"<(?:script|link|img)\b[^>]*(?:src|href)=\"(?:https?:)?//", re.I)
    with_math = 0
    for name, page in _pages(student_site).items():
        assert not external.search(page), f"{name} loads something from the web"
        scripts = re.findall(r'<script[^>]*src="([^"]*MathJax[^"]*)"', page)
        own_site = student_site / "ru" if name.startswith("ru/") else student_site
        for src in scripts:
            target = (student_site / name).parent / src.split("?")[0]
            assert target.resolve() == (own_site / site.MATHJAX_FOLDER / "MathJax.js").resolve(), (name, src)
        with_math += bool(scripts) and 'class="math' in page
    assert with_math >= 5, "the chapters' equations should load the local MathJax"


def test_wide_tables_scroll_in_their_own_box(student_site):
    css = (student_site / "_static" / "course.css").read_text(encoding="utf-8")
    assert re.search(r"\.output\.text_html[^{]*\{[^}]*overflow-x:\s*auto", css, re.S)
    assert "_static/course.css" in (student_site / "notebooks" / "01_customer_particularity.html").read_text()
