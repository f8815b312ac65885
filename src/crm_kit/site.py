"""Render the course to a static HTML site (``make site``).

The site is built with Jupyter Book 1 (Sphinx) from a staging folder that
holds ``docs/`` (configuration, the home page, the rubric, the glossary and,
for lecturers, the lecturer guide), ``syllabus.md``, the executed notebooks and
an API reference written from the package's docstrings
(:mod:`crm_kit.reference`). The table of contents is written from what is
there, in course order. Sphinx runs with warnings as errors, so a missing page,
a broken cross-reference or a docstring that is not valid reStructuredText
fails the build.

Two editions:

- **student** (the default): the notebooks of the student edition
  (:func:`crm_kit.student.build_student_edition`: no solutions, no worked
  answers, no lecturer notes), and none of the pages meant for lecturers only.
  This is the one to publish.
- **lecturer**: the committed notebooks with their solutions, the lecturer
  guide and the full rubric; every page carries a banner saying so.

Equations are typeset by a copy of MathJax inside the site (from the
``jupyter-server-mathjax`` package), so the site works offline and from disk.
Output: ``site/index.html`` (``site-lecturer/`` for the lecturer edition),
openable from disk without a server.

Two languages: the English site is built into the output folder and, when
the course has its Russian edition (``notebooks/ru/``), the Russian site into
its ``ru/`` subfolder, from the Russian notebooks and the ``*.ru.md`` pages
(``syllabus.ru.md``, ``docs/lecturer-guide.ru.md``, ...). Every page of each
carries a link to the same page in the other language (this module is also
the small Sphinx extension that writes it; pages without a counterpart, such
as the API reference, which is in English only, link to the other home page).

Run as ``python -m crm_kit.site [--edition student|lecturer] [--lang en|ru|both] [--out FOLDER]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from crm_kit import reference

__all__ = ["EDITIONS", "LANGUAGES", "build", "nav_title", "stage_sources", "main", "setup"]

ROOT = Path(__file__).resolve().parents[2]
EDITIONS = ("student", "lecturer")
LANGUAGES = ("en", "ru")

#: Pages of ``docs/`` only the lecturer edition carries.
LECTURER_PAGES = ("lecturer-guide", "key-figures", "capstone-rubric")
#: Pages of ``docs/`` for students, in both editions, in this order.
STUDENT_PAGES = ("capstone-rubric-student", "glossary")
#: Navigation titles of pages whose own title is too long for the sidebar, per language.
PAGE_TITLES = {
    "syllabus": "Syllabus",
    "lecturer-guide": "Lecturer guide",
    "key-figures": "Key figures",
    "capstone-rubric": "Capstone rubric (marking)",
    "capstone-rubric-student": "Capstone rubric",
    "glossary": "Glossary",
}
_RU_PAGE_TITLES = {
    "syllabus": "Программа курса",
    "lecturer-guide": "Руководство для преподавателя",
    "key-figures": "Ключевые показатели",
    "capstone-rubric": "Критерии оценивания итогового проекта (для преподавателя)",
    "capstone-rubric-student": "Критерии оценивания итогового проекта",
    "glossary": "Глоссарий",
}
_CAPTIONS = {
    "en": {"course": "The course", "students": "For students", "lecturers": "For lecturers", "api": "API reference"},
    "ru": {"course": "Курс", "students": "Для студентов", "lecturers": "Для преподавателей", "api": "Справочник API"},
}
#: The site's title in each language (the English one is in docs/_config.yml).
_RU_TITLE = "Стратегия CRM: в поисках сущности управления отношениями с клиентами"
#: The link to the other language: its label, and where that site is from this one.
_SWITCH = {"en": ("Русская версия", "ru", "ru/"), "ru": ("English version", "en", "../")}

#: The folder, inside the built site, that holds MathJax.
MATHJAX_FOLDER = "mathjax"

_EDITION_NOTES = {
    "student": (
        "This is the **student edition**. Each exercise is left for you to solve: its code "
        "cell shows `...` where your answer goes and no output, and the self-check after it "
        "says whether your answer is right without giving it away. Run the notebooks "
        "yourself (see the README of the course folder) and compare your tables and figures "
        "with the ones here."
    ),
    "lecturer": (
        "This is the **lecturer edition**: it shows the worked solution of every exercise, "
        "the worked explanations and the notes for lecturers, the lecturer guide and the "
        "marking rubric. Do not publish it to students; publish the student edition "
        "(`make site`)."
    ),
}
_RU_EDITION_NOTES = {
    "student": (
        "Это **издание для студентов**. Каждое упражнение оставлено вам: в его ячейке кода на "
        "месте ответа стоит `...`, вывода нет, а самопроверка после неё говорит, верен ли ваш "
        "ответ, не раскрывая его. Выполните блокноты сами (см. README папки курса) и сравните "
        "свои таблицы и графики с приведёнными здесь."
    ),
    "lecturer": (
        "Это **издание для преподавателя**: в нём есть решение каждого упражнения, разобранные "
        "ответы и заметки для преподавателя, руководство для преподавателя и критерии оценивания "
        "итогового проекта. Не публикуйте его для студентов; для них предназначено издание для "
        "студентов (`make site`)."
    ),
}
_BANNER = "Lecturer edition: worked solutions and lecturer notes. Do not publish to students."
_RU_BANNER = "Издание для преподавателя: решения и заметки для преподавателя. Не публикуйте его для студентов."
_CHAPTER_PREFIX = re.compile(r"^(?:(?:chapter|глава)\s+)?\d+\s*[—–·:.-]?\s*", re.IGNORECASE)


def nav_title(heading: str, stem: str) -> str:
    """The sidebar title of a notebook: ``"N. Title"``, whatever the heading's own numbering.

    Examples
    --------
    >>> nav_title("Chapter 3 · CRM as mass personalisation", "03_mass_personalisation")
    '3. CRM as mass personalisation'
    >>> nav_title("1 · The customer as an individual", "01_customer_particularity")
    '1. The customer as an individual'
    >>> nav_title("A glossary", "glossary")
    'A glossary'
    """
    title = _CHAPTER_PREFIX.sub("", heading.strip()) or heading.strip()
    number = re.match(r"^(\d+)_", stem)
    return f"{int(number.group(1))}. {title}" if number else title


def _notebook_heading(path: Path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def _toc(stage: Path, edition: str, api: list[tuple[str, list[str]]], lang: str = "en") -> str:
    def entry(file: str, title: str | None, indent: str = "  ") -> list[str]:
        lines = [f"{indent}- file: {file}"]
        if title:
            lines.append(f"{indent}  title: {_yaml_string(title)}")
        return lines

    titles = _RU_PAGE_TITLES if lang == "ru" else PAGE_TITLES
    captions = _CAPTIONS[lang]
    notebooks = sorted((stage / "notebooks").glob("*.ipynb"))
    course = [("syllabus", titles["syllabus"])] if (stage / "syllabus.md").exists() else []
    course += [(f"notebooks/{p.stem}", nav_title(_notebook_heading(p), p.stem)) for p in notebooks]
    students = [(p, titles.get(p)) for p in STUDENT_PAGES if (stage / f"{p}.md").exists()]
    lecturers = [(p, titles.get(p)) for p in LECTURER_PAGES if (stage / f"{p}.md").exists()]
    parts = [(captions["course"], course), (captions["students"], students)]
    if edition == "lecturer":
        parts.append((captions["lecturers"], lecturers))
    lines = ["format: jb-book", "root: index"]
    parts = [(caption, files) for caption, files in parts if files]
    if parts or api:
        lines.append("parts:")
    for caption, files in parts:
        lines += [f"- caption: {caption}", "  chapters:"]
        for file, title in files:
            lines += entry(file, title)
    if api:
        lines += [f"- caption: {captions['api']}", "  chapters:"]
        for page, sections in api:
            lines += entry(page, None) + ["    sections:"]
            for section in sections:
                # The sidebar is narrow: "survival" rather than "crm_course.survival".
                lines += entry(section, section.rpartition("/")[2].removeprefix("crm_course."), indent="    ")
    return "\n".join(lines) + "\n"


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _configure(stage: Path, edition: str, lang: str = "en") -> None:
    """Write the edition and language into the staged ``_config.yml``: title, banner, the home page's note."""
    import yaml

    path = stage / "_config.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    notes = _RU_EDITION_NOTES if lang == "ru" else _EDITION_NOTES
    config.setdefault("parse", {}).setdefault("myst_substitutions", {})["edition_note"] = notes[edition]
    sphinx = config.setdefault("sphinx", {})
    if lang == "ru":
        config["title"] = _RU_TITLE
        config["author"] = "Авторы курса «Стратегия CRM»"
        sphinx.setdefault("config", {})["language"] = "ru"
    if edition == "lecturer":
        suffix = " (издание для преподавателя)" if lang == "ru" else " (lecturer edition)"
        config["title"] = f"{config['title']}{suffix}"
        config.setdefault("html", {})["announcement"] = _RU_BANNER if lang == "ru" else _BANNER
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _add_switch(stage: Path, lang: str, shared: list[str]) -> None:
    """Load this module's Sphinx extension in the staged site, with the pages both languages have."""
    import yaml

    path = stage / "_config.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    sphinx = config.setdefault("sphinx", {})
    label, other, prefix = _SWITCH[lang]
    sphinx.setdefault("extra_extensions", []).append("crm_kit.site")
    sphinx.setdefault("config", {})["course_language_switch"] = {
        "label": label, "lang": other, "prefix": prefix, "shared": sorted(shared),
    }
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _pages_of(stage: Path) -> set[str]:
    """The page names (paths without suffix) of a staged site."""
    return {
        str(p.relative_to(stage).with_suffix(""))
        for p in stage.rglob("*")
        if p.suffix in {".md", ".ipynb", ".rst"} and "_extra" not in p.parts and "_static" not in p.parts
    }


def setup(app):
    """The Sphinx extension: a link to the same page in the other language, at the top of every page."""
    app.add_config_value("course_language_switch", {}, "html")
    app.connect("html-page-context", _language_switch)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _language_switch(app, pagename, templatename, context, doctree) -> None:
    switch = app.config.course_language_switch
    if not switch or "body" not in context:
        return
    target = pagename if pagename in switch["shared"] else "index"
    href = "../" * pagename.count("/") + switch["prefix"] + target + ".html"
    link = (f'<p class="language-switch"><a href="{href}" hreflang="{switch["lang"]}" '
            f'lang="{switch["lang"]}">{switch["label"]}</a></p>\n')
    context["body"] = link + context["body"]


def _copy_mathjax(stage: Path) -> None:
    """Copy MathJax into the staging folder's extra files, which Sphinx copies to the site's root."""
    try:
        import jupyter_server_mathjax
    except ImportError as err:  # pragma: no cover - the site group installs it
        raise RuntimeError(
            "jupyter-server-mathjax is missing: it carries the MathJax the site serves; run `make env`"
        ) from err
    source = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    shutil.copytree(source, stage / "_extra" / MATHJAX_FOLDER)


def stage_sources(
    stage: Path,
    root: Path = ROOT,
    edition: str = "student",
    modules: dict[str, list[str]] | None = None,
    lang: str = "en",
    shared: list[str] | None = None,
) -> Path:
    """Copy what the site is made of into ``stage`` and write its table of contents.

    Parameters
    ----------
    stage : Path
        The staging folder; emptied first.
    root : Path
        The course folder, holding ``docs/``, ``notebooks/`` and ``syllabus.md``.
    edition : {"student", "lecturer"}
        Which edition to stage.
    modules : dict, optional
        Layer to module names for the API reference
        (default: :func:`crm_kit.reference.documented_modules`; ``{}`` for none).
        The Russian site has none: the docstrings are in English.
    lang : {"en", "ru"}
        The language: Russian takes ``notebooks/ru/`` and each page's ``.ru.md``
        version where there is one (``syllabus.ru.md`` becomes ``syllabus.md``).
    shared : list of str, optional
        Pages that exist in both languages: each page then links to itself in
        the other language (the others to the other home page). ``None``: no link.

    Returns
    -------
    Path
        ``stage``.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition: expected one of {', '.join(EDITIONS)}; found {edition!r}")
    if lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}; found {lang!r}")
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    left_out = {f"{p}.md" for p in LECTURER_PAGES} if edition == "student" else set()
    for item in (root / "docs").iterdir():
        # A page's Russian version is its .ru.md twin; the Russian site takes it under the English name.
        russian = item.name.endswith(".ru.md")
        name = item.name.replace(".ru.md", ".md") if lang == "ru" else item.name
        if name in left_out or (lang == "en" and russian):
            continue
        has_twin = item.suffix == ".md" and (root / "docs" / item.name.replace(".md", ".ru.md")).exists()
        if lang == "ru" and not russian and has_twin:
            continue
        if item.is_file():
            shutil.copy2(item, stage / name)
        else:
            shutil.copytree(item, stage / name)
    _configure(stage, edition, lang)
    if shared is not None:
        _add_switch(stage, lang, shared)
    syllabus = root / ("syllabus.ru.md" if lang == "ru" else "syllabus.md")
    if syllabus.exists():
        shutil.copy2(syllabus, stage / "syllabus.md")
    notebooks = root / "notebooks" / "ru" if lang == "ru" else root / "notebooks"
    if edition == "student":
        from crm_kit.student import build_student_edition

        build_student_edition(notebooks, stage / "notebooks")
        (stage / "notebooks" / "README.md").unlink(missing_ok=True)
    else:
        shutil.copytree(notebooks, stage / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "ru"))
    api = reference.write_reference(stage, {} if lang == "ru" else modules)
    _copy_mathjax(stage)
    (stage / "_toc.yml").write_text(_toc(stage, edition, api, lang), encoding="utf-8")
    return stage


def _unexecuted(root: Path, languages: tuple[str, ...] = ("en",)) -> list[str]:
    """Integrity problems of the notebooks the site shows (never run, run out of order, ...)."""
    import nbformat

    from crm_kit.notebooks import integrity_problems

    folders = [root / "notebooks" / "ru" if lang == "ru" else root / "notebooks" for lang in languages]
    return [
        f"{path.relative_to(root)}: {problem}"
        for folder in folders
        for path in sorted(folder.glob("*.ipynb"))
        for problem in integrity_problems(nbformat.read(path, as_version=4))
    ]


def _sphinx(root: Path, stage: Path, build_dir: Path) -> str | None:
    """Build one staged site with Sphinx; the log if it failed, else None."""
    if build_dir.exists():
        shutil.rmtree(build_dir)
    cmd = [
        # jupyter_book's click entry point, called through this interpreter so the
        # build uses the course environment on every platform.
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(stage),
        "--path-output", str(build_dir), "--builder", "html", "--warningiserror", "--keep-going", "--quiet",
    ]
    run = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    return None if run.returncode == 0 else run.stdout + run.stderr


def build(
    out: Path,
    root: Path = ROOT,
    edition: str = "student",
    modules: dict[str, list[str]] | None = None,
    languages: tuple[str, ...] | None = None,
) -> int:
    """Build the site of ``edition`` into ``out``; return 0, or 1 after printing what went wrong.

    ``languages`` defaults to English, plus Russian when the course has
    ``notebooks/ru/``; the Russian site goes to ``out/ru`` (or to ``out``
    when it is the only language built), and with both, every page links to
    its counterpart. The notebooks must have been executed top to bottom
    (``make notebooks``): the site shows their outputs and says so. ``out``
    is replaced only when every build succeeds.
    """
    if languages is None:
        languages = ("en", "ru") if (root / "notebooks" / "ru").is_dir() else ("en",)
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown or not languages:
        raise ValueError(f"languages: expected some of {', '.join(LANGUAGES)}; found {languages!r}")
    problems = _unexecuted(root, languages)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("The site shows executed notebooks: run `make notebooks` first.", file=sys.stderr)
        return 1
    stages = {lang: root / "_build" / f"site-src-{lang}" for lang in languages}
    for lang in languages:
        stage_sources(stages[lang], root, edition, modules, lang)
    if len(languages) == 2:
        shared = sorted(_pages_of(stages["en"]) & _pages_of(stages["ru"]))
        for lang in languages:
            _add_switch(stages[lang], lang, shared)
    built = {}
    for lang in languages:
        build_dir = root / "_build" / f"site-build-{lang}"
        log = _sphinx(root, stages[lang], build_dir)
        if log is not None:
            print(log, file=sys.stderr)
            print(f"The {lang} site did not build cleanly: see the warnings above.", file=sys.stderr)
            return 1
        built[lang] = build_dir / "_build" / "html"
    if out.exists():
        shutil.rmtree(out)
    first, *rest = languages
    shutil.copytree(built[first], out)
    for lang in rest:
        shutil.copytree(built[lang], out / lang)
    where = " and ".join(f"{out / lang if lang in rest else out}/index.html" for lang in languages)
    print(f"The {edition} edition of the site is in {where}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_kit.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--edition", choices=EDITIONS, default="student", help="which edition (default: student)")
    parser.add_argument("--lang", choices=("both",) + LANGUAGES, default="both",
                        help="both (default: English in FOLDER, Russian in FOLDER/ru), en or ru")
    parser.add_argument("--out", help="folder for the HTML site (default: site, or site-lecturer for lecturers)")
    args = parser.parse_args(argv)
    out = args.out or ("site" if args.edition == "student" else "site-lecturer")
    languages = None if args.lang == "both" else (args.lang,)
    return build(Path(out).resolve(), edition=args.edition, languages=languages)


if __name__ == "__main__":
    raise SystemExit(main())
