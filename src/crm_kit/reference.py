"""The course site's API reference, written from the package's docstrings.

:func:`documented_modules` lists the public modules of ``crm_course`` by layer,
methods first, then Kopilka (the layers of ``tests/test_architecture.py``), by
walking the package, so a new module appears in the reference without anyone
editing a list. :func:`write_reference` writes one reStructuredText page per
module into the site's staging folder: Sphinx's autodoc renders the module's
docstring and every public name in it, and napoleon reads the numpydoc
sections (parameters, returns, examples).

Which modules and names are public
----------------------------------
- A module's public names are its ``__all__``; a module without one offers
  the functions and classes it defines whose names do not start with ``_``.
- A module with no public name (``crm_course.formulas``) is left out, and so
  is one whose name has a part starting with ``_`` (``__main__``).
- A submodule of a package that declares ``__all__`` is part of that package's
  page: left out unless it declares an ``__all__`` of its own with a name the
  package does not re-export. So ``crm_course.clv`` is one page (its stages
  ``clv.bgnbd``, ``clv.value`` are folded in), and ``crm_course.world`` is one
  page beside ``crm_course.world.params``, whose parameters a researcher edits.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

__all__ = ["LAYERS", "documented_modules", "layer", "public_names", "write_reference"]

#: The layers in the order the reference presents them: (key, title, introduction).
LAYERS = (
    (
        "methods",
        "Methods",
        "Reusable analyses, each in a module named for its method. Every function takes "
        "any DataFrame, with the column names as arguments (Kopilka's names are only the "
        "defaults), checks its input and says what was wrong.",
    ),
    (
        "kopilka",
        "Kopilka",
        "The course's fictional cashback service: its simulation, the one way to load its "
        "tables, and what is built on them (support frames, planted truths, diagrams, the "
        "capstone's board case and the group worlds). It uses the methods.",
    ),
)

_KOPILKA = ("crm_course.world", "crm_course.data", "crm_course.kopilka")
_SHORT_VALUE = 120


def layer(module: str) -> str:
    """``"kopilka"`` for the world, the data loader and ``crm_course.kopilka``; else ``"methods"``.

    Examples
    --------
    >>> layer("crm_course.survival"), layer("crm_course.world.params")
    ('methods', 'kopilka')
    """
    return "kopilka" if any(module == k or module.startswith(k + ".") for k in _KOPILKA) else "methods"


def public_names(module) -> list[str]:
    """The module's ``__all__``, or the functions and classes it defines without a leading ``_``.

    Examples
    --------
    >>> import crm_course.mediation
    >>> public_names(crm_course.mediation)
    ['mediation_effects', 'mediation_sensitivity']
    """
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return list(declared)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and getattr(value, "__module__", None) == module.__name__
    ]


def documented_modules(package: str = "crm_course") -> dict[str, list[str]]:
    """The modules the reference documents, by layer key, each layer in name order.

    Examples
    --------
    >>> modules = documented_modules()
    >>> "crm_course.survival" in modules["methods"], "crm_course.world" in modules["kopilka"]
    (True, True)
    >>> "crm_course.clv.bgnbd" in modules["methods"]     # folded into crm_course.clv
    False
    """
    root = importlib.import_module(package)
    names = [package] + [m.name for m in pkgutil.walk_packages(root.__path__, package + ".")]
    found: dict[str, list[str]] = {key: [] for key, _, _ in LAYERS}
    for name in sorted(names):
        if any(part.startswith("_") for part in name.split(".")):
            continue
        module = importlib.import_module(name)
        exported = public_names(module)
        if not exported:
            continue
        parent_name = name.rpartition(".")[0]
        parent = importlib.import_module(parent_name) if parent_name else None
        parent_all = getattr(parent, "__all__", None)
        if parent_all is not None:
            own = getattr(module, "__all__", None)
            if own is None or set(own) <= set(parent_all):
                continue
        found[layer(name)].append(name)
    return found


def _summary(module) -> str:
    doc = inspect.getdoc(module) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def _directive(module_name: str, name: str, value) -> list[str]:
    target = f"{module_name}.{name}"
    if inspect.isclass(value):
        return [f".. autoclass:: {target}", "   :members:", ""]
    if callable(value):
        return [f".. autofunction:: {target}", ""]
    # A long value (a dict of tables) would bury the description: show short ones only.
    short = len(repr(value)) <= _SHORT_VALUE
    return [f".. autodata:: {target}"] + ([] if short else ["   :no-value:"]) + [""]


def _module_page(name: str) -> str:
    module = importlib.import_module(name)
    lines = [name, "=" * len(name), "", f".. automodule:: {name}", ""]
    for public in public_names(module):
        lines += _directive(name, public, getattr(module, public))
    return "\n".join(lines)


def _layer_page(title: str, introduction: str, modules: list[str], folder: str) -> str:
    lines = [f"# {title}", "", introduction, "", "| module | what it holds |", "|---|---|"]
    for name in modules:
        summary = _summary(importlib.import_module(name)).replace("|", "\\|")
        lines.append(f"| {{doc}}`{name} <{name}>` | {summary} |")
    return "\n".join(lines) + "\n"


def write_reference(stage: Path, modules: dict[str, list[str]] | None = None, folder: str = "api") -> list[tuple[str, list[str]]]:
    """Write the reference pages into ``stage / folder``; return the table of contents.

    Parameters
    ----------
    stage : Path
        The site's staging folder.
    modules : dict, optional
        Layer key to module names; :func:`documented_modules` by default.
    folder : str
        The folder, inside ``stage``, that receives the pages.

    Returns
    -------
    list of (str, list of str)
        For each layer that has a module, the page introducing the layer and
        the pages of its modules, as paths relative to ``stage`` without suffix.
    """
    modules = documented_modules() if modules is None else modules
    target = Path(stage) / folder
    target.mkdir(parents=True, exist_ok=True)
    toc = []
    for key, title, introduction in LAYERS:
        names = modules.get(key, [])
        if not names:
            continue
        (target / f"{key}.md").write_text(_layer_page(title, introduction, names, folder), encoding="utf-8")
        for name in names:
            (target / f"{name}.rst").write_text(_module_page(name), encoding="utf-8")
        toc.append((f"{folder}/{key}", [f"{folder}/{name}" for name in names]))
    return toc
