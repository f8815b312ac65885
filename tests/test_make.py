"""The Makefile's two environments: make lab needs only the lean one, and it is enough.

``make lab`` syncs the package with its ``lab`` extra and no dependency group
(no pytest, no Sphinx); ``make test`` syncs everything. The lean environment's
packages are exactly Binder's pinned requirements (``binder/requirements.txt``,
exported from ``uv.lock`` with the same options, and kept fresh by
``tests/test_binder.py``), so the test reads them from there.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _make(*args: str) -> str:
    run = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lean_packages() -> set[str]:
    text = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    return {_normalise(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9][\w.-]*)==", text, flags=re.MULTILINE)}


def _imports(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_make_lab_builds_only_the_lean_environment(tmp_path):
    plan = _make("-n", "lab", f"VENV={tmp_path / 'venv'}")
    syncs = [line for line in plan.splitlines() if " sync " in line]
    assert syncs == [syncs[0]] and "--no-default-groups --extra lab" in syncs[0], syncs
    assert re.search(r"jupyter lab .*--ServerApp\.root_dir=\S+ notebooks/00_introduction\.ipynb", plan), plan


def test_make_test_builds_the_full_environment_with_the_lab_extra(tmp_path):
    plan = _make("-n", "test", f"VENV={tmp_path / 'venv'}")
    syncs = [line for line in plan.splitlines() if " sync " in line]
    assert len(syncs) == 1 and "--no-default-groups" not in syncs[0] and "--extra lab" in syncs[0], syncs
    assert "--inexact" not in syncs[0]


def test_lab_settings_silence_the_news_the_update_check_and_the_extension_manager(tmp_path):
    venv = tmp_path / "venv"
    _make("lab-settings", f"VENV={venv}")
    settings = json.loads((venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json").read_text())
    assert settings["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
    assert settings["@jupyterlab/extensionmanager-extension:plugin"] == {"enabled": False}


def test_the_lean_environment_has_everything_the_notebooks_import():
    """Every third-party package a notebook, crm_course or the self-checks import is in the lab extra."""
    sources = [
        cell.source
        for path in sorted((ROOT / "notebooks").glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
    ]
    import crm_course

    modules = [m.name for m in pkgutil.walk_packages(crm_course.__path__, "crm_course.")]
    modules += ["crm_kit.exercises", "crm_kit.answer_types", "crm_kit.notebooks"]
    import crm_kit.answers

    modules += [m.name for m in pkgutil.iter_modules(crm_kit.answers.__path__, "crm_kit.answers.")]
    sources += [Path(importlib.import_module(m).__file__).read_text(encoding="utf-8") for m in modules]
    names = set().union(*(_imports(s) for s in sources)) - set(sys.stdlib_module_names) - {"crm_course", "crm_kit"}
    owners = importlib.metadata.packages_distributions()
    lean = _lean_packages()
    assert {"jupyterlab", "ipykernel", "pandas", "statsmodels"} <= lean
    assert not lean & {"pytest", "nbval", "jupyter-book", "sphinx"}, "the lean environment holds the test or site tools"
    # Packages of optional extras other than lab (``scale``: DuckDB for files larger than memory)
    # are imported only by the function that needs them, which names the extra when it is missing.
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    optional = {_normalise(r.split(">")[0].split("=")[0].split("[")[0].strip())
                for name, reqs in extras.items() if name != "lab" for r in reqs}
    missing = {}
    for name in sorted(names):
        dists = owners.get(name)
        assert dists, f"no installed package provides the module {name!r}"
        if not any(_normalise(d) in lean or _normalise(d) in optional for d in dists):
            missing[name] = dists
    assert not missing, f"imported by the course but not in the lab extra (make lab would fail): {missing}"


# -- the Russian edition: LANG=ru ------------------------------------------------------------------


def test_make_lab_lang_ru_opens_the_russian_notebooks_in_a_russian_jupyterlab(tmp_path):
    plan = _make("-n", "lab", "LANG=ru", f"VENV={tmp_path / 'venv'}")
    assert re.search(r"jupyter lab .* notebooks/ru/00_introduction\.ipynb", plan), plan
    venv = tmp_path / "venv"
    settings = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    _make("lab-settings", "LANG=ru", f"VENV={venv}")
    assert json.loads(settings.read_text())["@jupyterlab/translation-extension:plugin"] == {"locale": "ru_RU"}
    _make("lab-settings", f"VENV={venv}")
    assert json.loads(settings.read_text())["@jupyterlab/translation-extension:plugin"] == {"locale": "en"}


def test_the_russian_language_pack_is_in_the_lean_environment():
    assert "jupyterlab-language-pack-ru-ru" in _lean_packages()
    importlib.metadata.distribution("jupyterlab-language-pack-ru-RU")


def test_lang_reaches_the_student_kit_the_slides_and_nothing_else_takes_it(tmp_path):
    stamp = ["-o", ".venv/.crm-course-ready"]  # plan the commands, not the environment
    assert "crm_kit.kit --lang ru " in _make("-n", *stamp, "student", "LANG=ru")
    assert "crm_kit.kit --lang en " in _make("-n", *stamp, "student")
    assert "crm_kit.slides --lang ru" in _make("-n", *stamp, "slides", "LANG=ru")
    run = subprocess.run(["make", "-n", "lab", "LANG=de"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode != 0 and "LANG=de" in run.stderr and "Russian (LANG=ru)" in run.stderr
