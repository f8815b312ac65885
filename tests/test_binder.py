"""Binder's pinned requirements agree with uv.lock."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _uv() -> str:
    found = shutil.which("uv") or (str(ROOT / ".tools" / "bin" / "uv") if (ROOT / ".tools" / "bin" / "uv").exists() else None)
    if found is None:  # make bootstraps uv into .tools/, so this only happens outside make
        pytest.skip("uv is not installed; run the tests with 'make test'")
    return found


def test_binder_requirements_match_the_lock(tmp_path):
    out = tmp_path / "requirements.txt"
    subprocess.run(
        [_uv(), "export", "--frozen", "--no-hashes", "--no-header", "--no-default-groups", "--extra", "lab", "--no-emit-project", "--quiet", "-o", str(out)],
        cwd=ROOT, check=True,
    )
    committed = (ROOT / "binder" / "requirements.txt").read_text()
    assert out.read_text() == committed, "binder/requirements.txt is stale: run 'make binder'"
    for package in ("pandas==", "statsmodels==", "seaborn==", "jupyterlab=="):
        assert package in committed
