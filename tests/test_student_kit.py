"""The student kit: everything a student needs, no answer a student can read back, personal worlds.

The practice kit is built as ``make student`` builds it; the personal kits
(``conftest.personal_kits``) as ``make student ROSTER=... SECRET=...`` does,
on small worlds. The threat is a curious student with Python: every file of
a kit, including the files inside its wheel, is searched for the expected
answers as a student would print them, and the kit's package is imported on
its own, without the repository, to show that its self-checks work and that
nothing in it gives an answer back.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KIT_IDS, KIT_MEMBERS, SECRET, TEST_ITERATIONS
from crm_kit import kit as kit_module
from crm_kit.kit import build_kit, build_wheel, KIT_RUNTIME
from crm_kit.personal import personal_seed, read_roster, read_secret, check_student_id
from crm_kit.sealed import SEALED_FILE
from test_student_edition import solution_lines

ROOT = Path(__file__).resolve().parents[1]
COURSE_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def practice_kit(tmp_path_factory) -> Path:
    return build_kit(tmp_path_factory.mktemp("practice") / "student", iterations=TEST_ITERATIONS)


# -- what a student reads ---------------------------------------------------------------------


def _significant(text: str) -> int:
    # Trailing zeros do not count: "100" or "20,000" stand for too many numbers to give one away.
    return len(text.replace("-", "").replace(",", "").replace(".", "").strip("0"))


def printed_forms(value: object) -> set[str]:
    """How a student would print an answer: rounded to 0-6 decimals, with or without thousands
    separators, and a share (at most 1 in size) also as a percentage with its sign, keeping only
    forms with at least three significant digits (a shorter one, such as 0.03, stands for too many
    numbers to give an answer away). A percentage needs its "%": a share of 0.115 is not given
    away by a font size of 11.5, and an answer already in percentage points (3.82) is never
    multiplied again."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return set()
    v = float(value)
    forms = {repr(v), str(value)}
    for digits in range(7):
        forms.add(f"{v:.{digits}f}")
        forms.add(f"{v:,.{digits}f}")
        if abs(v) <= 1:
            forms.add(f"{100 * v:.{digits}f}%")
            forms.add(f"{100 * v:,.{digits}f}%")
    return {f for f in forms if _significant(f.rstrip("%")) >= 3 and not re.fullmatch(r"-?0[.,0]*%?", f)}


def token_pattern(form: str) -> re.Pattern:
    # A number token: not part of a longer number, a word or a hex digest.
    return re.compile(rf"(?<![\w.]){re.escape(form)}(?![\w]|\.\d)")


def russian_forms(value: object) -> set[str]:
    """The same forms as :func:`printed_forms`, written the Russian way, as the Russian hints and the
    Russian notebooks write numbers: a decimal comma, thousands grouped by a (narrow) no-break space,
    and a space before "%"."""
    forms = set()
    for form in printed_forms(value):
        number, percent = (form[:-1], "%") if form.endswith("%") else (form, "")
        for space in ("\u00a0", "\u202f", " "):
            ru = number.replace(",", space).replace(".", ",")
            forms |= {ru + percent, ru + (space + percent if percent else "")}
    return forms - printed_forms(value)


def russian_token_pattern(form: str) -> re.Pattern:
    # In Russian a comma is the decimal sign: "0,5150" inside "10,51500" is part of a longer number.
    return re.compile(rf"(?<![\w.,]){re.escape(form)}(?![\w]|[.,]\d)")


#: The world's own files: the input of the exercises, written by crm_course.world, not by the kit.
#: (Its README's headline figures are searched by test_answers_in_plain_sight.)
WORLD_FILES = re.compile(r"(^|/)(_?data)/([^/]+\.csv|README\.md|datapackage\.json)$")


def kit_texts(kit: Path, *, skip=()) -> dict[str, str]:
    """Every file of a kit as text, the wheel opened up, except the world's own files (the input)."""
    texts = {}
    for path in sorted(p for p in kit.rglob("*") if p.is_file()):
        relative = path.relative_to(kit).as_posix()
        if WORLD_FILES.search(relative) or any(relative.startswith(s) for s in skip):
            continue
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if not WORLD_FILES.search(name):
                        texts[f"{relative}!{name}"] = zf.read(name).decode("utf-8", errors="replace")
        else:
            texts[relative] = path.read_text(encoding="utf-8", errors="replace")
    return texts


def leaks(texts: dict[str, str], answers: dict[str, object]) -> list[str]:
    found = []
    for key, value in answers.items():
        patterns = [(form, token_pattern(form)) for form in printed_forms(value)]
        patterns += [(form, russian_token_pattern(form)) for form in russian_forms(value)]
        for form, pattern in patterns:
            found += [f"{key}: {form!r} in {name}" for name, text in texts.items() if pattern.search(text)]
    return found


def test_the_leak_search_finds_an_answer_written_into_a_kit(tmp_path):
    """The search below must be able to fail: plant an answer and a solution line, and it finds them."""
    (tmp_path / "notes.txt").write_text("the answer is 0.5150 and count 3,625; 100% sure; a share of 23.4%\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / SEALED_FILE).write_text('{"x": 0.6024}')
    with zipfile.ZipFile(tmp_path / "p.whl", "w") as zf:
        zf.writestr("crm_kit/x.py", "EXPECTED = 663\n")
    answers = {"1.1": 0.5150053665367813, "1.2": 0.6023833966, "1.3": 3625, "1.4": 663, "2.1": 31.0, "6.1": 1.0,
               "1.6": 0.23412}
    found = leaks(kit_texts(tmp_path), answers)
    assert any(f.startswith("1.6: '23.4%'") for f in found)
    assert any(f.startswith("1.1: '0.5150'") for f in found) and any(f.startswith("1.2: '0.6024'") for f in found)
    assert any(f.startswith("1.3: '3,625'") for f in found) and any(f.startswith("1.4: '663'") for f in found)
    assert not any(f.startswith(("2.1", "6.1")) for f in found)  # "31" and "100" stand for too many numbers
    assert not leaks({"hash": "a663f 16630 0.51500"}, {"1.4": 663})
    # A percentage needs its sign, and an answer in percentage points is not multiplied again.
    assert not leaks({"diagram": "size=11.5", "table": "382 merchants"}, {"6.3": 0.1150, "2.2": 3.8172})
    # The Russian hints and notebooks write numbers the Russian way: those forms are searched too.
    russian = {"подсказка": "доля 0,5150 и число 3\u00a0625; доля 23,4\u00a0% участников", "другое": "10,51500"}
    found = leaks(russian, {"1.1": 0.5150053665367813, "1.3": 3625, "1.6": 0.23412, "1.2": 0.6023833966})
    assert {f.split(":")[0] for f in found} == {"1.1", "1.3", "1.6"}, found


# -- the practice kit --------------------------------------------------------------------------


def test_the_practice_kit_holds_what_a_student_needs_and_says_how_to_open_it(practice_kit):
    names = {p.relative_to(practice_kit).as_posix() for p in practice_kit.rglob("*") if p.is_file()}
    assert {"README.md", "open_course.py", "requirements.txt", "runtime.txt", "kopilka.toml",
            "data/README.md", "data/datapackage.json", f"data/{SEALED_FILE}"} <= names
    assert {f"notebooks/{p.name}" for p in COURSE_NOTEBOOKS} <= names
    (wheel,) = practice_kit.glob("packages/*.whl")
    readme = (practice_kit / "README.md").read_text()
    assert "python3 open_course.py" in readme and "py open_course.py" in readme
    # Students are never sent to the lecturer's folder or its make targets.
    assert "make " not in readme and "course folder" not in readme
    requirements = (practice_kit / "requirements.txt").read_text().splitlines()
    assert requirements[-1] == f"./packages/{wheel.name}"
    assert any(line.startswith("jupyterlab==") for line in requirements)
    compile((practice_kit / "open_course.py").read_text(), "open_course.py", "exec")
    for path in COURSE_NOTEBOOKS:
        nb = nbformat.read(practice_kit / "notebooks" / path.name, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert first.source == kit_module.KIT_COLAB_CELL  # Colab installs the kit, never the lecturer's repository
        assert "git+" not in json.dumps(nb)


def test_no_file_of_the_practice_kit_holds_an_answer_or_a_solution_line(practice_kit, shipped_answers):
    """The notebooks' kept outputs are searched by test_answers_in_plain_sight, with its list of known exposures."""
    texts = kit_texts(practice_kit, skip=("notebooks/",))
    assert leaks(texts, shipped_answers) == []
    everything = kit_texts(practice_kit)
    for path in COURSE_NOTEBOOKS:
        secret = solution_lines(nbformat.read(path, as_version=4))
        # Imports and numpy's error-state guard are boilerplate that the package's own code shares.
        telling = [line for line in secret if len(line) > 30
                   and not line.startswith(("import ", "from ", "with np.errstate("))]
        found = [(line, name) for name, text in everything.items() for line in telling if line in text]
        assert not found, f"solution lines of {path.name} in the kit: {found[:3]}"
    assert not [name for name, text in everything.items() if "### BEGIN SOLUTION" in text and not name.endswith(".ipynb")]
    for path in practice_kit.glob("notebooks/*.ipynb"):  # the markers may be explained in prose, never left in code
        assert not any("BEGIN SOLUTION" in c.source for c in nbformat.read(path, as_version=4).cells
                       if c.cell_type == "code"), path.name


def test_the_kit_package_carries_the_self_checks_and_no_answer_key(practice_kit, personal_kits, tmp_path):
    (wheel,) = practice_kit.glob("packages/*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    kit_modules = sorted(n for n in names if n.startswith("crm_kit/"))
    assert kit_modules == sorted(["crm_kit/__init__.py", *(f"crm_kit/{m}" for m in KIT_RUNTIME)])
    assert any(n.startswith("crm_course/_data/") for n in names) and "crm_course/data.py" in names
    # The same bytes in every kit: a file that is the same for every world cannot carry a world's answers.
    assert all((personal_kits / s / "packages" / wheel.name).read_bytes() == wheel.read_bytes() for s in KIT_IDS)
    assert build_wheel(tmp_path).read_bytes() == wheel.read_bytes()
    # The Russian of the hints is the answer key's: the package carries only the runtime's own words; each
    # world's sealed checks carry the hints of its exercises, English and Russian side by side.
    from crm_kit.answers.catalogue_ru import HINTS_RU

    with zipfile.ZipFile(wheel) as zf:
        package = "\n".join(zf.read(n).decode("utf-8", errors="replace") for n in names if n.endswith(".py"))
    assert not [hint for hint in HINTS_RU.values() if hint in package]
    sealed = json.loads((practice_kit / "data" / SEALED_FILE).read_text(encoding="utf-8"))["checks"]
    for key, record in sealed.items():
        english = [*record["hints"].values(), *(m["hint"] for m in record.get("mistakes", ()))]
        assert set(english) <= set(record["translations"]["ru"]), key


# -- personal kits -------------------------------------------------------------------------------


def test_personal_worlds_differ_and_name_neither_seed_nor_planted_effects(personal_kits):
    first, second = (personal_kits / s / "data" for s in KIT_IDS)
    assert (first / "transactions.csv").read_bytes() != (second / "transactions.csv").read_bytes()
    for student in KIT_IDS:
        data = personal_kits / student / "data"
        seed = str(personal_seed(SECRET, student))
        for name in ("datapackage.json", "README.md", SEALED_FILE):
            text = (data / name).read_text()
            assert seed not in text and "seed" not in text.lower() and "persuade" not in text, name
        assert "generator" not in json.loads((data / "datapackage.json").read_text())
        readme = (personal_kits / student / "README.md").read_text()
        assert f"`{student}`" in readme and "world of your own" in readme
    assert (personal_kits / "kits.csv").read_text().splitlines() == ["id,kit", "s001,s001/", "s002,s002/"]


def test_no_file_of_a_personal_kit_holds_its_answers(personal_kits, personal_answers, practice_kit):
    """Only the world's files, its sealed checks and the README differ between kits; those are searched.

    The notebooks and the wheel are the same bytes in every kit (and the same as the practice
    kit's, searched above), so they cannot carry one world's answers.
    """
    first, second = (personal_kits / s for s in KIT_IDS)
    for folder in ("notebooks", "packages"):
        files = sorted(p.relative_to(practice_kit) for p in (practice_kit / folder).rglob("*") if p.is_file())
        for relative in files:
            assert (first / relative).read_bytes() == (second / relative).read_bytes() == (
                practice_kit / relative).read_bytes(), relative
    for student in KIT_IDS:
        texts = kit_texts(personal_kits / student, skip=("notebooks/", "packages/"))
        assert f"data/{SEALED_FILE}" in texts and "README.md" in texts
        assert leaks(texts, personal_answers[student]) == [], student


def _wheel_only_python(kit: Path, script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``script`` with the kit's wheel and the environment's third-party packages, nothing of the repository."""
    (wheel,) = kit.glob("packages/*.whl")
    unpacked = tmp_path / f"site-{kit.name}"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(unpacked)
    site = sysconfig.get_paths()["purelib"]
    # -S: no site processing, so the .pth of the repository's editable install is never read.
    prelude = f"import sys; sys.path[:0] = [{str(unpacked)!r}]; sys.path.append({site!r})\n"
    return subprocess.run([sys.executable, "-S", "-c", prelude + script], cwd=kit / "notebooks",
                          capture_output=True, text=True, timeout=600, env={"OPENBLAS_NUM_THREADS": "1"})


CHECK_SCRIPT = """
import json, importlib.util
import crm_kit, crm_course.data
from crm_kit.exercises import get_exercise, known_keys
assert crm_kit.__file__.startswith(sys.path[0]), crm_kit.__file__
assert importlib.util.find_spec("crm_kit.answers") is None
assert importlib.util.find_spec("crm_kit.kit") is None and importlib.util.find_spec("crm_kit.grade") is None
cases = json.loads(open(CASES).read())
out = {"members": len(crm_course.data.load("customers")), "own": {}, "neighbour": {}}
for key, (own, neighbour) in cases.items():
    ex = get_exercise(key)
    assert type(ex).__name__ == "SealedExercise"
    assert not hasattr(ex, "expected_value") and not hasattr(ex, "expected") and not hasattr(ex, "mistake_values")
    assert not {"expected", "value", "answer"} & set(ex._record), sorted(ex._record)
    out["own"][key] = ex.feedback(own).status
    if neighbour is not None:
        out["neighbour"][key] = ex.feedback(neighbour).status
out["keys"] = sum(len(known_keys(c)) for c in range(7))
# The Russian edition: the same checks speak Russian, from the wheel and the sealed file alone.
from crm_course import set_language
set_language("ru")
out["russian"] = [get_exercise(key).feedback(own).message for key, (own, _) in cases.items()]
out["russian"] += [get_exercise(key).feedback(theirs).message for key, (_, theirs) in cases.items() if theirs is not None]
print(json.dumps(out))
"""


@pytest.mark.parametrize("student", KIT_IDS)
def test_each_kit_accepts_its_own_answers_and_rejects_the_neighbours(student, personal_kits, personal_answers,
                                                                     tmp_path):
    """From the wheel alone: every self-check accepts this world's answer, and a neighbour's differs."""
    from crm_kit.answers import chapter_exercises
    from crm_kit.exercises import _chapter_of

    other = next(s for s in KIT_IDS if s != student)
    own, theirs = personal_answers[student], personal_answers[other]
    cases = {}
    for key, value in own.items():
        exercise = chapter_exercises(_chapter_of(key))[key]
        exercise.clear_cache()
        exercise._cache["value"] = value  # compare with this world's answer, on the grid of the answer key
        distinct = exercise.kind == "choice" and theirs[key] != value or (
            exercise.kind != "choice" and not exercise._is_correct(float(theirs[key])))
        exercise.clear_cache()
        plain = value if isinstance(value, str) else float(value)
        cases[key] = (plain, (theirs[key] if isinstance(theirs[key], str) else float(theirs[key])) if distinct else None)
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    script = f"CASES = {str(tmp_path / 'cases.json')!r}\n" + CHECK_SCRIPT
    run = _wheel_only_python(personal_kits / student, script, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["members"] == KIT_MEMBERS  # kopilka.toml: the notebooks read the kit's own world
    assert result["keys"] == len(own)
    assert set(result["own"].values()) == {"correct"}, result["own"]
    assert result["neighbour"] and set(result["neighbour"].values()) <= {"close", "wrong"}, result["neighbour"]
    assert len(result["neighbour"]) >= 0.75 * len(own), f"only {len(result['neighbour'])} answers differ"
    # In Russian every message is Russian, hints included, with the kit's package and sealed checks alone.
    assert all(m.startswith("Упражнение ") and re.search("(верно|близко|неверно)", m) for m in result["russian"])
    wrong = [m for m in result["russian"] if "неверно." in m and not m.endswith("неверно.")]
    assert wrong and all(re.search("[А-Яа-яЁё]", m.split("неверно.", 1)[1]) for m in wrong), wrong


def test_a_kit_notebook_runs_on_the_kits_own_world_with_its_sealed_checks(personal_kits, tmp_path):
    kit = personal_kits / KIT_IDS[0]
    nb = nbformat.read(kit / "notebooks" / "00_introduction.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('print("members:", len(load("customers")))\ncheck("0.1", 12345)'))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(kit / "notebooks")}}).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert f"members: {KIT_MEMBERS}" in text
    assert text.count("not answered yet") >= 4 and "Exercise 0.1: not yet right." in text


# -- rosters, secrets and the command line --------------------------------------------------------------


def test_rosters_secrets_and_ids_are_checked(tmp_path, monkeypatch):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Username,Email\nAnna,anna.k,a@x\nBoris,boris,b@x\n")
    assert read_roster(roster) == ["anna.k", "boris"]
    roster.write_text("id\ns1\ns1\n")
    with pytest.raises(ValueError, match="repeated: s1"):
        read_roster(roster)
    roster.write_text("name,email\nAnna,a@x\n")
    with pytest.raises(ValueError, match="expected a column named one of id"):
        read_roster(roster)
    roster.write_text("id\n../up\n")
    with pytest.raises(ValueError, match="line 2: student id"):
        read_roster(roster)
    with pytest.raises(ValueError, match="usable as a folder name"):
        check_student_id("a b")
    monkeypatch.delenv("CRM_KIT_SECRET", raising=False)
    with pytest.raises(ValueError, match="SECRET_FILE"):
        read_secret()
    with pytest.raises(ValueError, match="at least 8 characters"):
        read_secret("short")
    (tmp_path / "secret.txt").write_text("a long phrase nobody guesses\n")
    assert read_secret(secret_file=tmp_path / "secret.txt") == b"a long phrase nobody guesses"
    monkeypatch.setenv("CRM_KIT_SECRET", "from the environment")
    assert read_secret() == b"from the environment"


def test_the_command_line_refuses_a_roster_without_a_secret(tmp_path):
    (tmp_path / "roster.csv").write_text("id\ns1\n")
    run = subprocess.run([sys.executable, "-m", "crm_kit.kit", "--out", str(tmp_path / "kits"), "--roster",
                          str(tmp_path / "roster.csv")], capture_output=True, text=True, timeout=300,
                         env={"PATH": "", "OPENBLAS_NUM_THREADS": "1"})
    assert run.returncode == 1 and "kit not built: secret" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "kits" / "s1").exists()


# -- the Russian kit ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def russian_kit(tmp_path_factory) -> Path:
    return build_kit(tmp_path_factory.mktemp("practice-ru") / "student", source=ROOT / "notebooks" / "ru",
                     iterations=TEST_ITERATIONS)


def test_the_russian_kit_has_the_russian_notebooks_a_russian_readme_and_no_solution(russian_kit, shipped_answers):
    readme = (russian_kit / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Стратегия CRM: ваш комплект курса")
    assert "python3 open_course.py" in readme and "make " not in readme
    for path in sorted((ROOT / "notebooks" / "ru").glob("*.ipynb")):
        assert path.name in readme
        nb = nbformat.read(russian_kit / "notebooks" / path.name, as_version=4)
        assert any('set_language("ru")' in c.source for c in nb.cells if c.cell_type == "code"), path.name
        # Code, not a line of Russian text inside a string, which the prose may share.
        secret = [line for line in solution_lines(nbformat.read(path, as_version=4))
                  if len(line) > 30 and not line.startswith(("import ", "from ", "with np.errstate("))
                  and any(ch in line for ch in "=([")]
        text = json.dumps(nbformat.read(russian_kit / "notebooks" / path.name, as_version=4), ensure_ascii=False)
        assert not [line for line in secret if line in text], f"solution lines of ru/{path.name} in the kit"
    # The data, the package and the sealed checks are built by the same code as the English kit's, whose
    # files the test above searches; the Russian notebooks print the English numbers (tests/test_translation.py).
    # What is the Russian kit's own is its README.
    assert leaks({"README.md": readme}, shipped_answers) == []


def test_make_student_lang_ru_builds_from_the_russian_notebooks(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(kit_module, "build_kit", lambda out, source=None, **kw: seen.setdefault("source", source) and Path(out))
    assert kit_module.main(["--lang", "ru", "--out", str(tmp_path / "kit")]) in (0, 1)
    assert Path(seen["source"]) == ROOT / "notebooks" / "ru"
