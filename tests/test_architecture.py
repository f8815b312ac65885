"""The package's architecture: three layers pointing one way, small modules, examples that run.

* **Methods** -- every module of ``crm_course`` except the Kopilka ones: reusable
  analyses on any DataFrame. They import neither the simulation, the data
  loader, the Kopilka derivations nor the course kit.
* **Kopilka** -- ``crm_course.world``, ``crm_course.data`` and
  ``crm_course.kopilka``: the fictional company. It uses the methods, never the kit.
* **Kit** -- ``crm_kit``: self-checks, answer keys, the student edition, the
  site, the notebook tools. Nothing in ``crm_course`` imports it.

The import graph is read from the source (every ``import`` statement, including
those inside functions), so a lazy import cannot hide an arrow.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"
MAX_LINES = 800


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for package in ("crm_course", "crm_kit") for p in sorted((SRC / package).rglob("*.py"))}


def layer(module: str) -> str:
    if module == "crm_kit" or module.startswith("crm_kit."):
        return "kit"
    kopilka = ("crm_course.world", "crm_course.data", "crm_course.kopilka")
    if any(module == k or module.startswith(k + ".") for k in kopilka):
        return "kopilka"
    if module == "crm_course" or module.startswith("crm_course."):
        return "methods"
    return "outside"


def imports_of(path: pathlib.Path, module: str) -> set[str]:
    """Every course module that ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            # ``from crm_course import panel`` imports the module crm_course.panel
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return {m for m in found if layer(m) != "outside"}


ALLOWED = {"methods": {"methods"}, "kopilka": {"methods", "kopilka"}, "kit": {"methods", "kopilka", "kit"}}


def test_the_layers_point_one_way():
    wrong = []
    for module, path in MODULES.items():
        for target in imports_of(path, module):
            if target == "crm_course":
                continue  # the package's own __init__ imports nothing
            if layer(target) not in ALLOWED[layer(module)]:
                wrong.append(f"{module} ({layer(module)}) imports {target} ({layer(target)})")
    assert not wrong, "\n".join(wrong)


def test_the_layer_test_sees_a_forbidden_arrow(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from crm_course.data import load\n    from crm_kit.exercises import check\n")
    found = imports_of(bad, "crm_course.bad")
    assert {"crm_course.data", "crm_kit.exercises"} <= found
    assert layer("crm_course.bad") == "methods" and layer("crm_course.data") == "kopilka"


def test_every_layer_is_populated():
    layers = {layer(m) for m in MODULES}
    assert layers == {"methods", "kopilka", "kit"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_too_long(module):
    n = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{module} has {n} lines; split it by idea (at most about {MAX_LINES})"


def test_no_grab_bag_modules():
    bad = [m for m in MODULES if m.rpartition(".")[2] in {"utils", "helpers", "misc", "common"}]
    assert not bad


DOCTESTED = sorted(m for m in MODULES if not m.endswith("__main__"))


@pytest.mark.parametrize("module", DOCTESTED)
def test_docstring_examples_run(module):
    mod = importlib.import_module(module)
    outcome = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert outcome.failed == 0
