"""Shared pytest hooks: the size of the bad-input suite in the summary."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter):
    module = sys.modules.get("test_bad_input")
    cases = getattr(module, "CASES", None)
    if cases and cases["cases"]:
        terminalreporter.write_line(
            f"bad-input suite: {len(cases['functions'])} public functions fuzzed, {cases['cases']} cases"
        )
