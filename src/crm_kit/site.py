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

Run as ``python -m crm_kit.site [--edition student|lecturer] [--out FOLDER]``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from crm_kit import reference

__all__ = ["EDITIONS", "build", "nav_title", "stage_sources", "main"]

ROOT = Path(__file__).resolve().parents[2]
EDITIONS = ("student", "lecturer")

#: Pages of ``docs/`` only the lecturer edition carries.
LECTURER_PAGES = ("lecturer-guide", "key-figures", "capstone-rubric")
#: Pages of ``docs/`` for students, in both editions, in this order.
STUDENT_PAGES = ("capstone-rubric-student", "glossary")
#: Navigation titles of pages whose own title is too long for the sidebar.
PAGE_TITLES = {
    "syllabus": "Syllabus",
    "lecturer-guide": "Lecturer guide",
    "key-figures": "Key figures",
    "capstone-rubric": "Capstone rubric (marking)",
    "capstone-rubric-student": "Capstone rubric",
    "glossary": "Glossary",
}
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
_BANNER = "Lecturer edition: worked solutions and lecturer notes. Do not publish to students."
_CHAPTER_PREFIX = re.compile(r"^(?:chapter\s+)?\d+\s*[—–·:.-]?\s*", re.IGNORECASE)


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


def _toc(stage: Path, edition: str, api: list[tuple[str, list[str]]]) -> str:
    def entry(file: str, title: str | None, indent: str = "  ") -> list[str]:
        lines = [f"{indent}- file: {file}"]
        if title:
            lines.append(f"{indent}  title: {_yaml_string(title)}")
        return lines

    notebooks = sorted((stage / "notebooks").glob("*.ipynb"))
    course = [("syllabus", PAGE_TITLES["syllabus"])] if (stage / "syllabus.md").exists() else []
    course += [(f"notebooks/{p.stem}", nav_title(_notebook_heading(p), p.stem)) for p in notebooks]
    students = [(p, PAGE_TITLES.get(p)) for p in STUDENT_PAGES if (stage / f"{p}.md").exists()]
    lecturers = [(p, PAGE_TITLES.get(p)) for p in LECTURER_PAGES if (stage / f"{p}.md").exists()]
    parts = [("The course", course), ("For students", students)]
    if edition == "lecturer":
        parts.append(("For lecturers", lecturers))
    lines = ["format: jb-book", "root: index"]
    parts = [(caption, files) for caption, files in parts if files]
    if parts or api:
        lines.append("parts:")
    for caption, files in parts:
        lines += [f"- caption: {caption}", "  chapters:"]
        for file, title in files:
            lines += entry(file, title)
    if api:
        lines += ["- caption: API reference", "  chapters:"]
        for page, sections in api:
            lines += entry(page, None) + ["    sections:"]
            for section in sections:
                # The sidebar is narrow: "survival" rather than "crm_course.survival".
                lines += entry(section, section.rpartition("/")[2].removeprefix("crm_course."), indent="    ")
    return "\n".join(lines) + "\n"


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _configure(stage: Path, edition: str) -> None:
    """Write the edition into the staged ``_config.yml``: title, banner, the home page's note."""
    import yaml

    path = stage / "_config.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config.setdefault("parse", {}).setdefault("myst_substitutions", {})["edition_note"] = _EDITION_NOTES[edition]
    if edition == "lecturer":
        config["title"] = f"{config['title']} (lecturer edition)"
        config.setdefault("html", {})["announcement"] = _BANNER
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


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

    Returns
    -------
    Path
        ``stage``.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition: expected one of {', '.join(EDITIONS)}; found {edition!r}")
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    left_out = {f"{p}.md" for p in LECTURER_PAGES} if edition == "student" else set()
    for item in (root / "docs").iterdir():
        if item.name in left_out:
            continue
        if item.is_file():
            shutil.copy2(item, stage / item.name)
        else:
            shutil.copytree(item, stage / item.name)
    _configure(stage, edition)
    if (root / "syllabus.md").exists():
        shutil.copy2(root / "syllabus.md", stage / "syllabus.md")
    if edition == "student":
        from crm_kit.student import build_student_edition

        build_student_edition(root / "notebooks", stage / "notebooks")
        (stage / "notebooks" / "README.md").unlink(missing_ok=True)
    else:
        shutil.copytree(root / "notebooks", stage / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    api = reference.write_reference(stage, modules)
    _copy_mathjax(stage)
    (stage / "_toc.yml").write_text(_toc(stage, edition, api), encoding="utf-8")
    return stage


def _unexecuted(root: Path) -> list[str]:
    """Integrity problems of the notebooks the site shows (never run, run out of order, ...)."""
    import nbformat

    from crm_kit.notebooks import integrity_problems

    return [
        f"{path.name}: {problem}"
        for path in sorted((root / "notebooks").glob("*.ipynb"))
        for problem in integrity_problems(nbformat.read(path, as_version=4))
    ]


def build(
    out: Path,
    root: Path = ROOT,
    edition: str = "student",
    modules: dict[str, list[str]] | None = None,
) -> int:
    """Build the site of ``edition`` into ``out``; return 0, or 1 after printing what went wrong.

    The notebooks must have been executed top to bottom (``make notebooks``):
    the site shows their outputs and says so. ``out`` is replaced only when
    the build succeeds.
    """
    problems = _unexecuted(root)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("The site shows executed notebooks: run `make notebooks` first.", file=sys.stderr)
        return 1
    stage = stage_sources(root / "_build" / "site-src", root, edition, modules)
    build_dir = root / "_build" / "site-build"
    if build_dir.exists():
        shutil.rmtree(build_dir)
    cmd = [
        # jupyter_book's click entry point, called through this interpreter so the
        # build uses the course environment on every platform.
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(stage),
        "--path-output", str(build_dir), "--builder", "html", "--warningiserror", "--keep-going", "--quiet",
    ]
    run = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    log = run.stdout + run.stderr
    if run.returncode != 0:
        print(log, file=sys.stderr)
        print("The site did not build cleanly: see the warnings above.", file=sys.stderr)
        return 1
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(build_dir / "_build" / "html", out)
    print(f"The {edition} edition of the site is in {out}/index.html")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_kit.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--edition", choices=EDITIONS, default="student", help="which edition (default: student)")
    parser.add_argument("--out", help="folder for the HTML site (default: site, or site-lecturer for lecturers)")
    args = parser.parse_args(argv)
    out = args.out or ("site" if args.edition == "student" else "site-lecturer")
    return build(Path(out).resolve(), edition=args.edition)


if __name__ == "__main__":
    raise SystemExit(main())
