"""The student kit: one folder a lecturer can hand over or publish, with no answer in it.

``make student`` (``python -m crm_kit.kit --out student``) writes the practice
kit, on the shipped world; ``make student ROSTER=roster.csv SECRET_FILE=...``
writes one kit per student (or group), each on the student's own world
(:mod:`crm_kit.personal`), to ``student/<id>/``. A kit holds::

    README.md          for the student: the one command that opens the course
    open_course.py     that command: makes .venv here, installs requirements.txt, opens JupyterLab
    requirements.txt   the pinned packages (those of uv.lock) and the course package below
    runtime.txt        the Python version, for Binder
    kopilka.toml       tells crm_course.data.load() to read data/ (see crm_course.data)
    notebooks/         the student edition (crm_kit.student), with the kit's Colab cell
    data/              the world: CSV tables, datapackage.json, README.md, selfchecks.json
    packages/          crm_course-<version>-py3-none-any.whl

What the package carries
------------------------
The wheel holds all of :mod:`crm_course` (the methods, the simulation and
the shipped world, which hold no exercise answer) and, of :mod:`crm_kit`,
only the self-check runtime: :mod:`~crm_kit.exercises`,
:mod:`~crm_kit.feedback`, :mod:`~crm_kit.sealed`,
:mod:`~crm_kit.answer_types` and :mod:`~crm_kit.catalogue_ru` (the Russian of
the runtime's own messages, which name no exercise). The answer key
(:mod:`crm_kit.answers`, which is the solution code, with the Russian of its
hints), the student-edition builder, this builder, the grader and the site
are left out. The self-checks compare against ``data/selfchecks.json``:
salted hashes of each expected answer on the kit's world
(:mod:`crm_kit.sealed`), never the value, with each exercise's hints in
English and Russian beside them. The wheel is written here,
byte for byte the same on every build, rather than by a build backend, so
that building a kit needs no network and its file list is decided in one
place (:data:`KIT_RUNTIME`).
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import shutil
import sys
import time
import tomllib
import zipfile
from pathlib import Path

__all__ = ["KIT_RUNTIME", "answer_key_exercises", "build_kit", "build_personal_kits", "build_wheel", "kit_notebook", "main"]

ROOT = Path(__file__).resolve().parents[2]
#: The crm_kit modules a student kit carries: the self-check runtime, nothing else.
KIT_RUNTIME = ("answer_types.py", "catalogue_ru.py", "exercises.py", "feedback.py", "sealed.py")

_KIT_INIT = '''"""The self-checks of the CRM strategy course's student kit.

This package holds only the code that reads an answer and compares it with
the sealed self-checks in the kit's data folder (``data/selfchecks.json``):
salted hashes of the expected answers, never the answers themselves.
"""
'''

#: Where Colab finds the kit: ``make student KIT_ADDRESS=...`` writes it into the first cell.
KIT_ADDRESS_PLACEHOLDER = "https://example.org/REPLACE-WITH-THE-ADDRESS-OF-YOUR-KIT.git"

KIT_COLAB_CELL = f"""# Running in Google Colab? This cell installs your course kit first.
# Anywhere else (JupyterLab on your machine, a JupyterHub, Binder) it does nothing.
KIT = "{KIT_ADDRESS_PLACEHOLDER}"  # or the kit's folder in your Google Drive, e.g. "/content/drive/MyDrive/crm-kit"
import sys
if "google.colab" in sys.modules:
    import glob, os, subprocess
    if "REPLACE-WITH" in KIT:
        print("Put the address of your course kit (or its folder in your Google Drive) in KIT above.")
    else:
        if KIT.startswith("/content/drive"):
            from google.colab import drive
            drive.mount("/content/drive")
        kit = KIT if KIT.startswith("/") else "/content/crm-kit"
        if not os.path.isdir(kit):
            subprocess.run(["git", "clone", "--depth", "1", KIT, kit], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *glob.glob(kit + "/packages/*.whl")], check=True)
        os.environ["KOPILKA_DATA"] = kit + "/data\""""

_KOPILKA_TOML = """# Tells crm_course.data.load() where this kit's Kopilka tables are (relative to this file).
# Keep this file next to the notebooks/ and data/ folders.
data = "data"
"""

_OPEN_COURSE = '''"""Open the course: python3 open_course.py (on Windows: py open_course.py).

The first run makes a Python environment in .venv/ inside this folder and
installs the packages of requirements.txt (it needs an internet connection
once, and takes a few minutes); every run then opens JupyterLab at the first
notebook. Nothing is installed outside this folder. Options are passed on to
JupyterLab, e.g. python3 open_course.py --no-browser
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
READY = VENV / ".course-kit-ready"


def main() -> int:
    if sys.version_info < (3, 11):
        print(f"The course needs Python 3.11 or newer; this is Python {sys.version.split()[0]}.")
        return 1
    if not READY.is_file():
        print("First run: making the course environment in .venv (a few minutes)...", flush=True)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"], cwd=HERE, check=True)
        subprocess.run([str(PYTHON), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3",
                        "--display-name", "Python 3 (CRM course)"], check=True, stdout=subprocess.DEVNULL)
        READY.write_text("ready\\n")
    command = [str(PYTHON), "-m", "jupyterlab", "notebooks/00_introduction.ipynb", *sys.argv[1:]]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to run as root unless told
    return subprocess.run(command, cwd=HERE).returncode


if __name__ == "__main__":
    raise SystemExit(main())
'''


# -- the package -------------------------------------------------------------------------------


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _wheel_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    src = ROOT / "src"
    for path in sorted((src / "crm_course").rglob("*.py")):
        files[path.relative_to(src).as_posix()] = path.read_bytes()
    data = ROOT / "data"
    for path in sorted(p for p in data.iterdir() if p.is_file()):
        files[f"crm_course/_data/{path.name}"] = path.read_bytes()
    files["crm_kit/__init__.py"] = _KIT_INIT.encode("utf-8")
    for name in KIT_RUNTIME:
        files[f"crm_kit/{name}"] = (src / "crm_kit" / name).read_bytes()
    return files


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(out_dir: str | Path) -> Path:
    """Write the kit's wheel of ``crm-course`` to ``out_dir`` and return its path.

    It holds :mod:`crm_course` with the shipped tables, and the
    :data:`KIT_RUNTIME` modules of :mod:`crm_kit`; the same sources give the
    same file byte for byte.
    """
    project = _project()
    name, version = project["name"], project["version"]
    dist = f"{name.replace('-', '_')}-{version}"
    requires = list(project.get("dependencies", []))
    for extra, deps in project.get("optional-dependencies", {}).items():
        requires += [f'{dep} ; extra == "{extra}"' for dep in deps]
    metadata = "\n".join([
        "Metadata-Version: 2.1",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.11')}",
        "License: MIT",
        *[f"Provides-Extra: {extra}" for extra in project.get("optional-dependencies", {})],
        *[f"Requires-Dist: {r}" for r in requires],
        "",
        "The CRM strategy course's package, as carried by a student kit: the methods, the Kopilka",
        "simulation and data, and the self-check runtime (no answer key).",
        "",
    ])
    wheel_meta = "Wheel-Version: 1.0\nGenerator: crm_kit.kit\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files = _wheel_files()
    files[f"{dist}.dist-info/METADATA"] = metadata.encode("utf-8")
    files[f"{dist}.dist-info/WHEEL"] = wheel_meta.encode("utf-8")
    files[f"{dist}.dist-info/licenses/LICENSE"] = (ROOT / "LICENSE").read_bytes()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[f"{dist}.dist-info/RECORD"] = (record + f"{dist}.dist-info/RECORD,,\n").encode("utf-8")

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{dist}-py3-none-any.whl"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    target.write_bytes(buffer.getvalue())
    return target


# -- the notebooks -------------------------------------------------------------------------------


def kit_notebook(nb, name: str = "notebook", *, kit_address: str | None = None):
    """The kit's copy of a lecturer notebook: the student edition, with the kit's Colab cell.

    The lecturer's Colab cell installs the package from the lecturer's
    repository, which holds the answer key; the kit's cell installs the kit
    instead and points the data at the kit's world.
    """
    from crm_kit.notebooks import colab_cell_problems
    from crm_kit.student import build_student_notebook

    student = build_student_notebook(nb, name=name)
    if not colab_cell_problems(nb):
        first = next(c for c in student.cells if c.cell_type == "code")
        cell = KIT_COLAB_CELL
        if kit_address:
            cell = cell.replace(KIT_ADDRESS_PLACEHOLDER, kit_address)
        first.source = cell
    return student


def _notebooks(source: Path, kit_address: str | None) -> tuple[list[tuple[str, object]], set[Path]]:
    import nbformat

    from crm_kit.student import _referenced_files

    paths = sorted(source.glob("*.ipynb"))
    if not paths:
        raise ValueError(f"notebooks: expected lecturer notebooks (*.ipynb) in {source}; found none")
    built, extras = [], set()
    for path in paths:
        student = kit_notebook(nbformat.read(path, as_version=4), name=path.name, kit_address=kit_address)
        nbformat.validate(student)
        extras |= _referenced_files(student, source)
        built.append((path.name, student))
    return built, extras


# -- the README ---------------------------------------------------------------------------------


def _readme(titles: list[tuple[str, str]], student_id: str | None) -> str:
    listing = "\n".join(f"- `{name}`: {title}" for name, title in titles)
    whose = f" for `{student_id}`" if student_id else ""
    if student_id:
        data = """The data of this kit are **a Kopilka world of your own**: the same company,
with the same kinds of effects as the world of the lectures, but other
members and other numbers. The outputs already printed in the notebooks, and
the numbers in their text, come from the lectures' world; your run prints
your world's. Your exercise answers are your own: a neighbour's numbers do
not pass your self-checks."""
    else:
        data = """The data are the course's shipped Kopilka world: the one the lectures use and
the notebooks' printed outputs come from, so your run should print the same
numbers."""
    return f"""# CRM strategy: your course kit{whose}

Everything the course needs, in one folder:

| | |
|---|---|
| `notebooks/` | the course notebooks, with the worked solutions taken out |
| `data/` | the Kopilka tables; `data/README.md` explains every column |
| `open_course.py` | the one command below |
| `requirements.txt` | the exact versions of the packages the notebooks were made with |
| `packages/` | the course package, with its self-checks |
| `kopilka.toml` | tells the notebooks to read `data/`; keep it next to `notebooks/` and `data/` |

## Open the course

With Python 3.11 or newer, from this folder:

```
python3 open_course.py
```

(on Windows: `py open_course.py`). The first run makes a Python environment
in `.venv/` inside this folder and installs the packages: it needs an
internet connection once and takes a few minutes. Every run then opens
JupyterLab at `notebooks/00_introduction.ipynb`. Nothing is installed outside
this folder.

Other ways to run the notebooks:

- **An environment of your own**: `python -m pip install -r requirements.txt`,
  then `jupyter lab` from this folder.
- **A JupyterHub**: upload the whole folder (keep `kopilka.toml`, `data/` and
  `notebooks/` together), run `pip install -r requirements.txt` once in a
  terminal, then open the notebooks.
- **Binder**: if your lecturer published this kit as a repository, use the
  Binder link they give you.
- **Colab**: the first cell of every notebook installs the kit. It needs the
  kit's address, or its folder in your Google Drive, in the line `KIT = ...`.

## Working on an exercise

1. Replace `...` with your code; keep the name on the left of `=`.
2. Run the cell. The self-check below it, such as `check("1.2", top10_share)`,
   says **correct**, **close** or **not yet right** (with a hint that names
   the likely slip), or **not answered yet**. It never shows the answer, and
   never says "too high" or "too low".
3. Open exercises have no self-check: your lecturer discusses or marks them.

Run the notebooks from the top: later cells use what earlier ones computed.

## Your data

{data}

## Handing in

Hand in your notebooks (the `.ipynb` files of `notebooks/`) the way your
lecturer asks. If they are graded automatically, the grader runs each
notebook from the top, on your world, in a fresh session and with a time
limit, and records what your code computes. Before handing in, choose
**Kernel > Restart Kernel and Run All Cells** and check that the notebook
runs to the end without an error.

## Notebooks

{listing}
"""


# -- building ------------------------------------------------------------------------------------


def answer_key_exercises() -> list:
    """Every exercise of the answer key (the lecturer's), in chapter and key order."""
    from crm_kit import answers

    return [ex for chapter in answers.available_chapters() for ex in answers.chapter_exercises(chapter).values()]


def _write_kit(out: Path, built, extras, source: Path, wheel: Path, world: Path, *,
               student_id: str | None, iterations: int) -> Path:
    import nbformat

    from crm_kit.personal import using_world
    from crm_kit.sealed import write_sealed
    from crm_kit.student import _title

    out.mkdir(parents=True, exist_ok=True)
    (out / "notebooks").mkdir(exist_ok=True)
    for name, nb in built:
        nbformat.write(nb, out / "notebooks" / name)
    for relative in sorted(extras):
        target = out / "notebooks" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, target)
    data = out / "data"
    if world.resolve() != data.resolve():
        if data.exists():
            shutil.rmtree(data)
        shutil.copytree(world, data)
    with using_world(data):
        write_sealed(data, answer_key_exercises(), iterations=iterations)
    (out / "packages").mkdir(exist_ok=True)
    if wheel.parent.resolve() != (out / "packages").resolve():
        shutil.copyfile(wheel, out / "packages" / wheel.name)
    requirements = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    (out / "requirements.txt").write_text(
        "# The packages the course notebooks were made with (from the course's uv.lock),\n"
        "# then the course package itself.\n" + requirements.rstrip("\n") + f"\n./packages/{wheel.name}\n",
        encoding="utf-8",
    )
    shutil.copyfile(ROOT / "binder" / "runtime.txt", out / "runtime.txt")
    (out / "kopilka.toml").write_text(_KOPILKA_TOML, encoding="utf-8")
    (out / "open_course.py").write_text(_OPEN_COURSE, encoding="utf-8")
    titles = [(name, _title(nb, Path(name).stem)) for name, nb in built]
    russian = any('set_language("ru")' in cell.source for _, nb in built for cell in nb.cells if cell.cell_type == "code")
    if russian:
        from crm_kit.kit_readme_ru import readme_ru

        (out / "README.md").write_text(readme_ru(titles, student_id), encoding="utf-8")
    else:
        (out / "README.md").write_text(_readme(titles, student_id), encoding="utf-8")
    return out


def build_kit(
    out: str | Path,
    *,
    source: str | Path | None = None,
    world: str | Path | None = None,
    kit_address: str | None = None,
    iterations: int | None = None,
) -> Path:
    """Write the practice kit (on the shipped world, or on ``world``) to ``out``.

    Parameters
    ----------
    out : path
        The kit's folder; files of an earlier build are overwritten.
    source : path, optional
        The lecturer notebooks (default: the repository's ``notebooks/``).
    world : path, optional
        A world folder to ship instead of the shipped tables.
    kit_address : str, optional
        Where the kit will be published, for the notebooks' Colab cell.
    iterations : int, optional
        PBKDF2 iterations of the sealed checks (default
        :data:`crm_kit.sealed.DEFAULT_ITERATIONS`).

    Returns
    -------
    Path
        ``out``.
    """
    from crm_kit.sealed import DEFAULT_ITERATIONS

    source = Path(source) if source is not None else ROOT / "notebooks"
    world = Path(world) if world is not None else ROOT / "data"
    out = Path(out)
    if out.resolve() in (source.resolve(), ROOT.resolve(), (ROOT / "data").resolve()):
        raise ValueError(f"out: must be a folder of its own, not {out}")
    built, extras = _notebooks(source, kit_address)
    wheel = build_wheel(out / "packages")
    return _write_kit(out, built, extras, source, wheel, world, student_id=None,
                      iterations=iterations or DEFAULT_ITERATIONS)


def build_personal_kits(
    out: str | Path,
    student_ids: list[str],
    secret: str | bytes,
    *,
    members: int | None = None,
    source: str | Path | None = None,
    kit_address: str | None = None,
    iterations: int | None = None,
    progress=None,
) -> list[Path]:
    """Write one kit per student to ``out/<id>/``, each on the student's own world.

    The worlds come from :func:`crm_kit.personal.write_personal_world`; the
    notebooks and the wheel are the same in every kit, the data and its
    sealed checks are the student's. ``out/kits.csv`` lists the kits.
    """
    from crm_kit.personal import check_student_id, write_personal_world
    from crm_kit.sealed import DEFAULT_ITERATIONS

    ids = [check_student_id(i) for i in student_ids]
    if not ids:
        raise ValueError("student_ids: expected at least one id")
    source = Path(source) if source is not None else ROOT / "notebooks"
    out = Path(out)
    built, extras = _notebooks(source, kit_address)
    out.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(out / ".packages")
    kits = []
    for student_id in ids:
        started = time.perf_counter()
        kit = out / student_id
        world = write_personal_world(kit / "data", secret, student_id, members=members)
        _write_kit(kit, built, extras, source, wheel, world, student_id=student_id,
                   iterations=iterations or DEFAULT_ITERATIONS)
        kits.append(kit)
        if progress is not None:
            progress(student_id, kit, time.perf_counter() - started)
    shutil.rmtree(out / ".packages")
    with (out / "kits.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "kit"])
        writer.writerows([i, f"{i}/"] for i in ids)
    return kits


def _size(folder: Path) -> str:
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return f"{total / 1e6:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m crm_kit.kit --out student [--roster R --secret-file F]``."""
    from crm_kit.personal import read_roster, read_secret

    parser = argparse.ArgumentParser(prog="python -m crm_kit.kit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="student", help="folder to write (default: student)")
    parser.add_argument("--notebooks", default=None, help="lecturer notebooks (default: the repository's, of --lang)")
    parser.add_argument("--lang", choices=("en", "ru"), default="en",
                        help="the edition: en (notebooks/, the default) or ru (notebooks/ru/, a Russian README)")
    parser.add_argument("--roster", help="CSV of student or group ids: one personal kit each, in OUT/<id>/")
    parser.add_argument("--secret-file", help="file whose first line is the lecturer's secret")
    parser.add_argument("--secret", help="the lecturer's secret (prefer --secret-file or $CRM_KIT_SECRET)")
    parser.add_argument("--members", type=int, default=None, help="members of each personal world (default 20,000)")
    parser.add_argument("--iterations", type=int, default=None, help="PBKDF2 iterations of the sealed checks")
    parser.add_argument("--kit-address", default=None, help="where the kit is published, for the Colab cell")
    args = parser.parse_args(argv)
    if args.notebooks is None and args.lang == "ru":
        args.notebooks = str(ROOT / "notebooks" / "ru")
    started = time.perf_counter()
    try:
        if args.roster:
            secret = read_secret(args.secret, args.secret_file)
            ids = read_roster(args.roster)

            def report(student_id, kit, seconds):
                print(f"{student_id:<24} {_size(kit):>9}  {seconds:5.0f} s  {kit}", flush=True)

            kits = build_personal_kits(args.out, ids, secret, members=args.members, source=args.notebooks,
                                       kit_address=args.kit_address, iterations=args.iterations, progress=report)
            print(f"{len(kits)} personal kit(s) in {args.out}/ ({time.perf_counter() - started:.0f} s); "
                  f"hand each student the folder named by their id.")
        else:
            if args.secret or args.secret_file:
                parser.error("a secret is for personal kits: give --roster as well")
            kit = build_kit(args.out, source=args.notebooks, kit_address=args.kit_address, iterations=args.iterations)
            print(f"practice kit written to {kit}/ ({_size(kit)}, {time.perf_counter() - started:.0f} s): "
                  "hand over or publish the folder; students open it with python3 open_course.py")
    except ValueError as err:
        print(f"kit not built: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
