"""Execute the course notebooks and check that they were executed properly.

nbval compares a committed notebook's outputs with a fresh run, but it skips
every cell whose ``execution_count`` is empty. :func:`integrity_problems`
closes that gap: it reports cells that were never run, run out of order, or
that carry machine paths. :func:`execute` refreshes a notebook in place, in a
fresh ``python3`` kernel, top to bottom (``make notebooks``).

Run as ``python -m crm_kit.notebooks execute notebooks/*.ipynb`` or
``python -m crm_kit.notebooks check notebooks/*.ipynb``.

Every notebook opens with :data:`COLAB_CELL`, which installs the package when
the notebook runs in Google Colab and does nothing elsewhere;
``python -m crm_kit.notebooks set-repository URL notebooks/*.ipynb``
(``make colab REPO=URL``) writes the address the course is published at.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

KERNEL_NAME = "python3"

#: Where the course is published; ``make colab REPO=URL`` writes the address into
#: every notebook's first cell, so Colab can install the package from it.
REPOSITORY_PLACEHOLDER = "https://example.org/REPLACE-WITH-YOUR-COPY-OF-THE-COURSE.git"

#: The first code cell of every notebook. Outside Colab it does nothing and prints
#: nothing; in Colab it installs the course package (with its data) from the
#: repository address, or says how to set that address.
COLAB_CELL = f"""# Running in Google Colab? This cell installs the course package first.
# Anywhere else (JupyterLab, the course environment) it does nothing.
COURSE_REPOSITORY = "{REPOSITORY_PLACEHOLDER}"
import sys
if "google.colab" in sys.modules:
    if "REPLACE-WITH" in COURSE_REPOSITORY:
        print("Ask your lecturer for the course's repository address and put it in COURSE_REPOSITORY above.")
    else:
        import subprocess
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"crm-course[lab] @ git+{{COURSE_REPOSITORY}}"], check=True)"""

_REPOSITORY_LINE = re.compile(r'^COURSE_REPOSITORY = "[^"]*"$', re.MULTILINE)

#: The same cell in the Russian notebooks: the same code, Russian comments and message.
COLAB_CELL_RU = (
    COLAB_CELL.replace(
        "# Running in Google Colab? This cell installs the course package first.\n"
        "# Anywhere else (JupyterLab, the course environment) it does nothing.",
        "# Работаете в Google Colab? Эта ячейка сначала устанавливает пакет курса.\n"
        "# В любом другом месте (JupyterLab, окружение курса) она ничего не делает.",
    ).replace(
        "Ask your lecturer for the course's repository address and put it in COURSE_REPOSITORY above.",
        "Узнайте у преподавателя адрес репозитория курса и впишите его в COURSE_REPOSITORY выше.",
    )
)


def colab_cell_problems(nb) -> list[str]:
    """Problems with the notebook's first code cell, which must be :data:`COLAB_CELL`
    (with any repository address), or :data:`COLAB_CELL_RU` in a Russian notebook."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code:
        return ["the notebook has no code cell"]
    expected = {_REPOSITORY_LINE.sub('COURSE_REPOSITORY = ""', cell) for cell in (COLAB_CELL, COLAB_CELL_RU)}
    found = _REPOSITORY_LINE.sub('COURSE_REPOSITORY = ""', code[0].source)
    if found not in expected:
        return ["the first code cell is not the standard Colab set-up cell (crm_kit.notebooks.COLAB_CELL)"]
    if code[0].get("outputs"):
        return ["the Colab set-up cell printed something outside Colab"]
    return []


def set_repository(path: str | Path, url: str) -> bool:
    """Write the repository address into a notebook's Colab cell; return True if it changed."""
    import nbformat

    if not re.fullmatch(r"(https://|git@)[^\s\"']+", url):
        raise ValueError(f"url: expected an https:// or git@ address of the course repository; found {url!r}")
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if not code or not _REPOSITORY_LINE.search(code[0].source):
        raise ValueError(f"{path.name}: its first code cell is not the Colab set-up cell")
    new = _REPOSITORY_LINE.sub(f'COURSE_REPOSITORY = "{url}"', code[0].source)
    if new == code[0].source:
        return False
    code[0].source = new
    nbformat.write(nb, path)
    return True
_MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|tmp|root|home|Users|private/var)/")


def integrity_problems(nb) -> list[str]:
    """Return a list of plain-language problems with an executed notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook as read by :func:`nbformat.read`.

    Returns
    -------
    list of str
        Empty when every code cell was executed once, in order, in a fresh
        kernel, the kernel is ``python3`` and no output or source names a
        path on this machine.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    >>> integrity_problems(nb)
    ["kernel is None, expected 'python3'", 'code cell 1 was never executed (nbval would skip it silently)']
    """
    problems: list[str] = []
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != KERNEL_NAME:
        problems.append(f"kernel is {kernel!r}, expected {KERNEL_NAME!r}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code, start=1):
        count = cell.get("execution_count")
        if count is None:
            problems.append(f"code cell {i} was never executed (nbval would skip it silently)")
        elif count != i:
            problems.append(
                f"code cell {i} has execution count {count}; expected {i} "
                "(run the notebook top to bottom in a fresh kernel: make notebooks)"
            )
    text = str(nb.cells)
    match = _MACHINE_PATH.search(text)
    if match:
        start = max(0, match.start() - 30)
        problems.append(f"a machine path appears in the notebook: ...{text[start:match.end() + 30]}...")
    return problems


def execute(path: str | Path, timeout: int = 1200) -> None:
    """Re-execute the notebook at ``path`` in place, in a fresh kernel.

    The working directory is the notebook's folder, as in JupyterLab. Outputs
    are replaced; timing metadata is not recorded, so a second run gives the
    same file byte for byte when the computations are seeded.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        record_timing=False,
        # A print's flush timer can otherwise split one cell's text output into
        # chunks at different places on different runs.
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    # Keep the language_info stable across patch releases of Python.
    info = nb.metadata.get("language_info", {})
    info.pop("version", None)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) >= 3 and argv[0] == "set-repository":
        for name in argv[2:]:
            changed = set_repository(name, argv[1])
            print(f"{name}: {'repository address set' if changed else 'already set'}")
        return 0
    if len(argv) < 2 or argv[0] not in {"execute", "check"}:
        print(
            "usage: python -m crm_kit.notebooks {execute|check} NOTEBOOK...\n"
            "       python -m crm_kit.notebooks set-repository URL NOTEBOOK...",
            file=sys.stderr,
        )
        return 2
    import nbformat

    status = 0
    for name in argv[1:]:
        if argv[0] == "execute":
            print(f"executing {name}", flush=True)
            execute(name)
        problems = integrity_problems(nbformat.read(name, as_version=4))
        for p in problems:
            print(f"{name}: {p}")
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
