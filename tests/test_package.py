"""The built package carries the data and stays fast to import."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_every_data_file_unchanged(tmp_path):
    uv = shutil.which("uv") or (ROOT / ".tools" / "bin" / "uv")
    if not Path(uv).exists():
        pytest.skip("uv is not installed; run the tests with 'make test'")
    subprocess.run([str(uv), "build", "--wheel", "--quiet", "-o", str(tmp_path)], cwd=ROOT, check=True)
    (wheel,) = tmp_path.glob("crm_course-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        for path in sorted((ROOT / "data").iterdir()):
            assert zf.read(f"crm_course/_data/{path.name}") == path.read_bytes(), path.name
        names = zf.namelist()
    assert any(n.startswith("crm_course/world/") for n in names)
    assert any(n.startswith("crm_kit/answers/") for n in names)


def test_import_does_not_load_statsmodels_or_seaborn():
    code = (
        "import sys, importlib, pkgutil, crm_course, crm_kit.exercises; "
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(crm_course.__path__, 'crm_course.')]; "
        "print(sorted(m for m in ('statsmodels', 'seaborn', 'matplotlib') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
