"""Shared fixtures (personal kits on small worlds, the answer key's values on a world) and the bad-input suite's summary line.

Building kits and computing every expected answer are the slow parts of the
kit and grading tests, so each is done once per session.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

#: The lecturer's secret of the test kits (a real one would be long and random).
SECRET = "a lecturer's secret for the tests"
#: Two students with personal kits, on worlds small enough for quick tests.
KIT_IDS = ("s001", "s002")
KIT_MEMBERS = 2_000
#: Few PBKDF2 iterations: the tests check what is stored, not how slow it is to guess.
TEST_ITERATIONS = 500


def answer_values(world: Path) -> dict[str, object]:
    """Every exercise's expected answer on ``world``, computed by the answer key."""
    from crm_kit.kit import answer_key_exercises
    from crm_kit.personal import using_world

    with using_world(world):
        return {ex.key: ex.expected_value() for ex in answer_key_exercises()}


@pytest.fixture(scope="session")
def personal_kits(tmp_path_factory) -> Path:
    """``KIT_IDS``' personal kits, built as ``make student ROSTER=... SECRET=...`` builds them."""
    from crm_kit.kit import build_personal_kits

    out = tmp_path_factory.mktemp("kits")
    build_personal_kits(out, list(KIT_IDS), SECRET, members=KIT_MEMBERS, iterations=TEST_ITERATIONS)
    return out


@pytest.fixture(scope="session")
def personal_answers(personal_kits) -> dict[str, dict[str, object]]:
    """Each personal kit's expected answers, by student id."""
    return {student: answer_values(personal_kits / student / "data") for student in KIT_IDS}


@pytest.fixture(scope="session")
def shipped_answers() -> dict[str, object]:
    """Every exercise's expected answer on the shipped world."""
    return answer_values(Path(__file__).resolve().parents[1] / "data")


def pytest_terminal_summary(terminalreporter):
    module = sys.modules.get("test_bad_input")
    cases = getattr(module, "CASES", None)
    if cases and cases["cases"]:
        terminalreporter.write_line(
            f"bad-input suite: {len(cases['functions'])} public functions fuzzed, {cases['cases']} cases"
        )
