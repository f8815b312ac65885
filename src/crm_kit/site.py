"""Render the executed notebooks to a static HTML site (``make site``).

The site is built with Jupyter Book 1 (Sphinx) from a staging folder that
holds ``docs/`` (configuration, the home page, the lecturer guide and the
glossary), ``syllabus.md`` and the executed ``notebooks/``. The table of
contents is written from what is there, in course order. Sphinx runs with
warnings as errors, so a missing page or a broken cross-reference fails the
build. Output: ``site/index.html``, openable from disk without a server.

Run as ``python -m crm_kit.site [--out site]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _toc(stage: Path) -> str:
    notebooks = sorted(p.stem for p in (stage / "notebooks").glob("*.ipynb"))
    course = (["syllabus"] if (stage / "syllabus.md").exists() else []) + [f"notebooks/{n}" for n in notebooks]
    extras = [p for p in ("lecturer-guide", "key-figures", "capstone-rubric", "glossary") if (stage / f"{p}.md").exists()]
    lines = ["format: jb-book", "root: index"]
    parts = [(caption, files) for caption, files in (("The course", course), ("For lecturers", extras)) if files]
    if parts:
        lines.append("parts:")
    for caption, files in parts:
        lines += [f"- caption: {caption}", "  chapters:"] + [f"  - file: {f}" for f in files]
    return "\n".join(lines) + "\n"


def stage_sources(stage: Path, root: Path = ROOT) -> Path:
    """Copy what the site is made of into ``stage`` and write its table of contents."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    for item in (root / "docs").iterdir():
        if item.is_file():
            shutil.copy2(item, stage / item.name)
        else:
            shutil.copytree(item, stage / item.name)
    if (root / "syllabus.md").exists():
        shutil.copy2(root / "syllabus.md", stage / "syllabus.md")
    shutil.copytree(root / "notebooks", stage / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (stage / "_toc.yml").write_text(_toc(stage), encoding="utf-8")
    return stage


def build(out: Path, root: Path = ROOT) -> int:
    stage = stage_sources(root / "_build" / "site-src", root)
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
    print(f"Site written to {out}/index.html")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_kit.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="site", help="folder for the HTML site (default: site)")
    args = parser.parse_args(argv)
    return build(Path(args.out).resolve())


if __name__ == "__main__":
    raise SystemExit(main())
