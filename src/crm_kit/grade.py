"""Grade submitted notebooks: ``make grade SUBMISSIONS=dir`` (``python -m crm_kit.grade DIR``).

``DIR`` holds one folder per student, named by the student's id, with the
student's notebooks (``01_customer_particularity.ipynb`` and so on; a name
starting with the chapter's two digits is enough). For every student the
grader

1. finds the student's world: ``KITS/<id>/data`` of the personal kits built
   with ``make student ROSTER=...``, or regenerates it from the lecturer's
   secret, or, with neither, uses the shipped world;
2. executes each notebook from a fresh copy of the student's folder, in a
   fresh ``python3`` kernel, top to bottom, with a time limit per cell and
   per notebook, on that world (``$KOPILKA_DATA``), in graded mode
   (``$CRM_KIT_RECORD``): every ``check(...)`` only records the answer and
   gives no feedback. The lecturer's secret is removed from the kernel's
   environment;
3. grades each recorded answer with the answer key, computed on the
   student's world (:func:`crm_kit.personal.using_world`): one point for a
   correct answer, none otherwise;
4. writes ``OUT/gradebook.csv``, ``OUT/gradebook-canvas.csv`` and
   ``OUT/feedback/<id>.md``, the feedback in English or, with ``--lang ru``,
   in Russian (the gradebooks' column names stay as the LMS expects them).

A notebook that raises or runs out of time stops there: its exercises
before the failure keep their marks, those after it earn none, and the
feedback names the cell and the error. Nothing a submission does stops the
run for the other students.

The gradebooks
--------------
``gradebook.csv`` (UTF-8, comma-separated, one header line): ``Student ID``,
one column ``Exercise <key>`` per self-checked exercise of the graded
chapters (1 or 0), and ``Total``. Moodle imports it with *Grades > Import >
CSV file*: map ``Student ID`` to the users' *ID number* (or username, or
e-mail, whichever the roster's ids are), and ``Total`` (or each exercise
column) to a grade item. ``gradebook-canvas.csv`` has Canvas's identity
columns first (``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
``Section``), the id in ``SIS User ID``, then the same grade columns; Canvas's
*Grades > Import* matches students by SIS User ID and makes a new assignment
of each column it does not know.

Why not otter-grader or nbgrader
--------------------------------
Both were evaluated. Neither runs each student on a world of their own, and
both grade by test code written into the notebooks (otter's public tests
ship to students as readable files; nbgrader's hidden tests need its course
folder layout, database and cell metadata). The course's self-checks already
name each exercise and its answer code, so the grader is built on nbclient,
which the course uses to execute its notebooks anyway.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from crm_course.language import LANGUAGES, language, tr
from crm_kit.feedback import CheckResult

__all__ = ["NotebookRun", "StudentGrade", "grade_submissions", "main", "run_notebook"]

ROOT = Path(__file__).resolve().parents[2]
#: Seconds one cell may run, and one notebook in all, unless told otherwise.
CELL_TIMEOUT = 600
NOTEBOOK_TIMEOUT = 1800
_CHAPTER = re.compile(r"^(\d{2})_.*\.ipynb$")
_CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


@dataclass
class NotebookRun:
    """One executed notebook: how it ended and the answers it recorded."""

    name: str
    status: str  # "ok", "error" or "timeout"
    seconds: float
    answers: dict = field(default_factory=dict)
    note: str = ""
    literal_answers: list = field(default_factory=list)


@dataclass
class StudentGrade:
    """One student's grade: the runs, the result of every exercise and the marks."""

    student_id: str
    world: str
    runs: list[NotebookRun] = field(default_factory=list)
    results: dict = field(default_factory=dict)  # key -> CheckResult
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def marks(self) -> dict[str, int]:
        return {key: int(result.status == "correct") for key, result in self.results.items()}

    @property
    def total(self) -> int:
        return sum(self.marks.values())


# -- executing one notebook -----------------------------------------------------------------------


def _kernel_env(world: Path | None, record: Path) -> dict[str, str]:
    from crm_course.data import DATA_ENV
    from crm_kit.exercises import RECORD_ENV
    from crm_kit.personal import SECRET_ENV

    env = {k: v for k, v in os.environ.items() if k != SECRET_ENV}
    env[RECORD_ENV] = str(record)
    if world is not None:
        env[DATA_ENV] = str(world)
    else:
        env.pop(DATA_ENV, None)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def _literal_answers(nb) -> list[str]:
    """Keys whose answer is typed in as a number in the check's cell, rather than computed."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for key, name in re.findall(r"check\(\s*[\"']([^\"']+)[\"']\s*,\s*([A-Za-z_]\w*)\s*\)", cell.source):
            number = r"[-+]?(?=[\d_.,]*\d)[\d_.,]+(?:[eE][-+]?\d+)?"
            if re.search(rf"^\s*{re.escape(name)}\s*=\s*{number}\s*(#.*)?$", cell.source, re.MULTILINE):
                found.append(key)
    return found


def run_notebook(path: str | Path, *, world: Path | None, workdir: Path, cell_timeout: int = CELL_TIMEOUT,
                 timeout: int = NOTEBOOK_TIMEOUT) -> NotebookRun:
    """Execute one submitted notebook in graded mode and collect the answers it recorded.

    Parameters
    ----------
    path : path
        The notebook (not modified).
    world : Path or None
        The student's world (None: the shipped one).
    workdir : Path
        The folder the kernel runs in (a copy of the student's folder).
    cell_timeout, timeout : int
        Seconds allowed for one cell and for the whole notebook.

    Returns
    -------
    NotebookRun
        Never raises for what the notebook does: an error or a timeout is
        its ``status`` and ``note``.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    started = time.perf_counter()
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # a damaged file is the student's, not the run's, problem
        return NotebookRun(path.name, "error", 0.0, note=tr("{name} could not be read as a notebook ({err}).",
                                                            name=path.name, err=err))
    literal = _literal_answers(nb)
    record = workdir / f".answers-{path.stem}.jsonl"
    record.unlink(missing_ok=True)
    deadline = time.monotonic() + timeout
    current = {"index": None}

    def cell_limit(cell) -> int:
        return max(1, min(cell_timeout, int(deadline - time.monotonic())))

    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        timeout_func=cell_limit,
        kernel_name="python3",
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.on_cell_start = lambda cell, cell_index: current.update(index=cell_index)
    status, note = "ok", ""
    try:
        # The kernel's own log (not the cells' output) goes nowhere: it would only clutter the report.
        client.execute(env=_kernel_env(world, record), stderr=subprocess.DEVNULL)
    except CellTimeoutError:
        status = "timeout"
        limit = (tr("the notebook's time limit") if time.monotonic() >= deadline - 1
                 else tr("the {seconds} s limit for one cell", seconds=cell_timeout))
        note = tr("{name}: cell {cell} was still running at {limit}; the cells after it did not run, so their "
                  "exercises earn no marks.", name=path.name, cell=_cell_number(current["index"]), limit=limit)
    except CellExecutionError as err:
        status = "error"
        message = f"{err.ename}: {err.evalue}" if getattr(err, "ename", None) else str(err).strip().splitlines()[-1]
        note = tr("{name}: cell {cell} raised {message}; the cells after it did not run, so their exercises earn "
                  "no marks.", name=path.name, cell=_cell_number(current["index"]), message=message)
    except DeadKernelError:
        status = "error"
        note = tr("{name}: the Python kernel stopped during cell {cell} (out of memory, or the code ended the "
                  "process); the cells after it did not run.", name=path.name, cell=_cell_number(current["index"]))
    except Exception as err:  # noqa: BLE001 - a submission must never stop the run
        status = "error"
        note = tr("{name}: the notebook could not be run ({kind}: {err}).", name=path.name,
                  kind=type(err).__name__, err=err)
    answers = {}
    if record.is_file():
        for line in record.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                answers[str(entry["key"])] = entry["answer"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return NotebookRun(path.name, status, time.perf_counter() - started, answers, note, literal)


def _cell_number(index: int | None) -> str:
    return "?" if index is None else str(index + 1)


# -- worlds, chapters and keys ---------------------------------------------------------------------


def _world_for(student_id: str, *, kits: Path | None, secret: bytes | None, members: int | None,
               cache: Path) -> tuple[Path | None, str]:
    if kits is not None:
        folder = kits / student_id / "data"
        if (folder / "datapackage.json").is_file():
            return folder.resolve(), tr("the student's own world (from the personal kit)")
    if secret is not None:
        from crm_kit.personal import write_personal_world

        folder = cache / student_id
        if not (folder / "datapackage.json").is_file():
            write_personal_world(folder, secret, student_id, members=members)
        return folder.resolve(), tr("the student's own world (regenerated from the secret)")
    return None, tr("the shipped world (no personal world was given for this id)")


def _course_notebooks() -> dict[int, str]:
    return {int(p.name[:2]): p.name for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if _CHAPTER.match(p.name)}


def _pick_notebooks(folder: Path, chapters: list[int]) -> tuple[dict[int, Path], list[str]]:
    course = _course_notebooks()
    picked, notes = {}, []
    for chapter in chapters:
        candidates = sorted(p for p in folder.glob("*.ipynb") if _CHAPTER.match(p.name) and int(p.name[:2]) == chapter)
        if not candidates:
            notes.append(tr("No notebook of chapter {chapter} was handed in ({name}); its exercises earn no marks.",
                            chapter=chapter, name=course.get(chapter, f"{chapter:02d}_...")))
            continue
        exact = [p for p in candidates if p.name == course.get(chapter)]
        chosen = exact[0] if exact else candidates[0]
        if len(candidates) > 1:
            notes.append(tr("Several notebooks of chapter {chapter} were handed in; {name} was graded.",
                            chapter=chapter, name=chosen.name))
        picked[chapter] = chosen
    return picked, notes


def _keys(chapters: list[int]) -> list[str]:
    from crm_kit.answers import chapter_exercises

    return [key for chapter in chapters for key in chapter_exercises(chapter)]


# -- grading -------------------------------------------------------------------------------------------


def _grade_answers(grade: StudentGrade, answers: dict, keys: list[str], world: Path | None) -> None:
    from contextlib import nullcontext

    from crm_kit.answer_types import decode_answer
    from crm_kit.answers import chapter_exercises
    from crm_kit.exercises import _chapter_of, clear_cache
    from crm_kit.personal import using_world

    context = using_world(world) if world is not None else nullcontext()
    with context:
        if world is None:
            clear_cache()
        for key in keys:
            if key not in answers:
                grade.results[key] = CheckResult(key, "not answered",
                                                 tr("Exercise {key}: no answer was recorded.", key=key))
                continue
            exercise = chapter_exercises(_chapter_of(key))[key]
            try:
                grade.results[key] = exercise.feedback(decode_answer(answers[key]))
            except Exception as err:  # noqa: BLE001 - a strange answer is a wrong answer, not a crash
                grade.results[key] = CheckResult(key, "wrong", tr("Exercise {key}: the answer could not be "
                                                                  "compared ({kind}).", key=key,
                                                                  kind=type(err).__name__))


def grade_student(folder: Path, chapters: list[int], *, kits: Path | None = None, secret: bytes | None = None,
                  members: int | None = None, cache: Path, cell_timeout: int = CELL_TIMEOUT,
                  timeout: int = NOTEBOOK_TIMEOUT) -> StudentGrade:
    """Run and grade one student's folder (see the module docstring)."""
    from crm_kit.personal import check_student_id

    started = time.perf_counter()
    student_id = check_student_id(folder.name)
    world, described = _world_for(student_id, kits=kits, secret=secret, members=members, cache=cache)
    grade = StudentGrade(student_id, described)
    picked, grade.notes = _pick_notebooks(folder, chapters)
    if world is None and (kits is not None or secret is not None):
        grade.notes.insert(0, tr("No personal world was found for the id {id!r} (no kit of that name, and no "
                                 "secret to regenerate it): graded on the shipped world. Check the folder's name.",
                                 id=student_id))
    answers: dict = {}
    with tempfile.TemporaryDirectory(prefix=f"grade-{student_id}-") as tmp:
        workdir = Path(tmp) / student_id
        shutil.copytree(folder, workdir, ignore=shutil.ignore_patterns(".answers-*", ".ipynb_checkpoints"))
        for chapter, path in sorted(picked.items()):
            run = run_notebook(workdir / path.name, world=world, workdir=workdir,
                               cell_timeout=cell_timeout, timeout=timeout)
            grade.runs.append(run)
            if run.note:
                grade.notes.append(run.note)
            if run.literal_answers:
                grade.notes.append(tr(
                    "{name}: the answer to {keys} is typed in as a number in the exercise's cell rather than "
                    "computed; the lecturer may ask how it was found.", name=path.name,
                    keys=", ".join(run.literal_answers)))
            answers.update({k: v for k, v in run.answers.items() if k.split(".")[0].isdigit()
                            and int(k.split(".")[0]) == chapter})
    _grade_answers(grade, answers, _keys(chapters), world)
    grade.seconds = time.perf_counter() - started
    return grade


def _feedback(grade: StudentGrade, keys: list[str]) -> str:
    marks = grade.marks
    lines = [
        tr("# Feedback for {id}", id=grade.student_id),
        "",
        tr("Your notebooks were run from the top, in a fresh session, on {world}.", world=grade.world),
        tr("Marks: **{total} of {n}** (one for each correct self-checked answer).", total=grade.total, n=len(keys)),
        "",
        tr("| exercise | result | mark |"),
        "|---|---|---|",
    ]
    for key in keys:
        result = grade.results[key]
        said = result.message.split(": ", 1)[1] if ": " in result.message else result.message
        lines.append(f"| {key} | {said.replace('|', '/')} | {marks[key]} |")
    if grade.runs:
        lines += ["", tr("## The runs"), ""]
        for run in grade.runs:
            ended = {"ok": tr("ran to the end"), "error": tr("stopped at an error"),
                     "timeout": tr("ran out of time")}[run.status]
            lines.append(tr("- `{name}`: {ended} ({seconds:.0f} s).", name=run.name, ended=ended, seconds=run.seconds))
    if grade.notes:
        lines += ["", tr("## Notes"), ""] + [f"- {note}" for note in grade.notes]
    return "\n".join(lines) + "\n"


def write_gradebooks(grades: list[StudentGrade], keys: list[str], out: Path) -> tuple[Path, Path]:
    """Write ``gradebook.csv`` and ``gradebook-canvas.csv`` (see the module docstring)."""
    columns = [f"Exercise {key}" for key in keys] + ["Total"]
    plain, canvas = out / "gradebook.csv", out / "gradebook-canvas.csv"
    with plain.open("w", newline="", encoding="utf-8") as p_handle, canvas.open("w", newline="", encoding="utf-8") as c_handle:
        p_writer, c_writer = csv.writer(p_handle, lineterminator="\n"), csv.writer(c_handle, lineterminator="\n")
        p_writer.writerow(["Student ID", *columns])
        c_writer.writerow([*_CANVAS_IDENTITY, *columns])
        for grade in grades:
            row = [grade.marks[key] for key in keys] + [grade.total]
            p_writer.writerow([grade.student_id, *row])
            c_writer.writerow(["", "", grade.student_id, "", "", *row])
    return plain, canvas


def grade_submissions(
    submissions: str | Path,
    out: str | Path = "grades",
    *,
    chapters: list[int] | None = None,
    kits: str | Path | None = None,
    secret: bytes | None = None,
    members: int | None = None,
    cell_timeout: int = CELL_TIMEOUT,
    timeout: int = NOTEBOOK_TIMEOUT,
    progress=None,
    lang: str = "en",
) -> list[StudentGrade]:
    """Grade every student folder of ``submissions`` and write the gradebooks and feedback to ``out``.

    Parameters
    ----------
    submissions : path
        One folder per student, named by the student's id.
    out : path
        Where ``gradebook.csv``, ``gradebook-canvas.csv`` and ``feedback/``
        go (and ``worlds/``, when worlds are regenerated from the secret).
    chapters : list of int, optional
        The chapters to grade (default: every chapter with self-checks whose
        notebook at least one student handed in).
    kits : path, optional
        The folder of personal kits (``make student ROSTER=...``).
    secret : bytes, optional
        The lecturer's secret, to regenerate worlds that are not in ``kits``.
    members : int, optional
        Members of regenerated worlds (as when the kits were built).
    cell_timeout, timeout : int
        Seconds allowed for one cell and for one whole notebook.
    progress : callable, optional
        Called with each :class:`StudentGrade` as it is done.
    lang : {"en", "ru"}
        The language of the feedback files (the gradebooks are the same in both).
    """
    from crm_kit import answers

    if lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {', '.join(map(repr, LANGUAGES))}; found {lang!r}")
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise ValueError(f"submissions: expected a folder with one folder per student; found {submissions}")
    folders = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise ValueError(f"submissions: expected one folder per student in {submissions}; found none")
    for folder in folders:
        from crm_kit.personal import check_student_id

        try:
            check_student_id(folder.name)
        except ValueError as err:
            raise ValueError(f"submissions: the folder {folder.name!r} cannot be a student id ({err})") from None
    with_checks = set(answers.available_chapters())
    if chapters is None:
        handed_in = {int(p.name[:2]) for f in folders for p in f.glob("*.ipynb") if _CHAPTER.match(p.name)}
        chapters = sorted(handed_in & with_checks)
    unknown = sorted(set(chapters) - with_checks)
    if unknown:
        raise ValueError(f"chapters: expected chapters with self-checks ({sorted(with_checks)}); found {unknown}")
    if not chapters:
        raise ValueError("submissions: no notebook of a chapter with self-checks was handed in")
    keys = _keys(chapters)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    grades = []
    for folder in folders:
        with language(lang):
            grade = grade_student(folder, chapters, kits=Path(kits) if kits else None, secret=secret, members=members,
                                  cache=out / "worlds", cell_timeout=cell_timeout, timeout=timeout)
            feedback = _feedback(grade, keys)
        (out / "feedback" / f"{grade.student_id}.md").write_text(feedback, encoding="utf-8")
        grades.append(grade)
        if progress is not None:
            progress(grade)
    write_gradebooks(grades, keys, out)
    return grades


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m crm_kit.grade SUBMISSIONS [--out grades] [--kits student] [--secret-file F]``."""
    from crm_kit.personal import read_secret

    parser = argparse.ArgumentParser(prog="python -m crm_kit.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", help="folder with one folder per student (named by the student's id)")
    parser.add_argument("--out", default="grades", help="where the gradebooks and feedback go (default: grades)")
    parser.add_argument("--kits", default=None, help="folder of the personal kits (make student ROSTER=...)")
    parser.add_argument("--secret-file", default=None, help="the lecturer's secret, to regenerate missing worlds")
    parser.add_argument("--members", type=int, default=None, help="members of regenerated worlds")
    parser.add_argument("--chapters", default=None, help="chapters to grade, e.g. 1,3 (default: those handed in)")
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT, help=f"seconds per cell ({CELL_TIMEOUT})")
    parser.add_argument("--timeout", type=int, default=NOTEBOOK_TIMEOUT, help=f"seconds per notebook ({NOTEBOOK_TIMEOUT})")
    parser.add_argument("--lang", default="en", choices=LANGUAGES,
                        help="language of the feedback files: en (default) or ru")
    args = parser.parse_args(argv)
    try:
        secret = read_secret(secret_file=args.secret_file) if args.secret_file else None
        chapters = [int(c) for c in args.chapters.split(",")] if args.chapters else None
        kits = args.kits if args.kits and Path(args.kits).is_dir() else None

        def report(grade: StudentGrade) -> None:
            flag = "" if not grade.notes else f"  ({len(grade.notes)} note(s))"
            print(f"{grade.student_id:<24} {grade.total:>3} of {len(grade.results):<3} {grade.seconds:6.0f} s{flag}",
                  flush=True)

        started = time.perf_counter()
        grades = grade_submissions(args.submissions, args.out, chapters=chapters, kits=kits, secret=secret,
                                   members=args.members, cell_timeout=args.cell_timeout, timeout=args.timeout,
                                   progress=report, lang=args.lang)
    except ValueError as err:
        print(f"not graded: {err}", file=sys.stderr)
        return 1
    print(f"{len(grades)} student(s) graded in {time.perf_counter() - started:.0f} s: "
          f"{args.out}/gradebook.csv, {args.out}/gradebook-canvas.csv and {args.out}/feedback/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
