"""Execute the course notebooks and check that they were executed properly.

nbval compares a committed notebook's outputs with a fresh run, but it skips
every cell whose ``execution_count`` is empty. :func:`integrity_problems`
closes that gap: it reports cells that were never run, run out of order, or
that carry machine paths. :func:`execute` refreshes a notebook in place, in a
fresh ``python3`` kernel, top to bottom (``make notebooks``).

Run as ``python -m crm_course.notebook_tools execute notebooks/*.ipynb`` or
``python -m crm_course.notebook_tools check notebooks/*.ipynb``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

KERNEL_NAME = "python3"
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
    >>> integrity_problems(nb)[0]
    'code cell 1 was never executed (nbval would skip it silently)'
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
    if len(argv) < 2 or argv[0] not in {"execute", "check"}:
        print("usage: python -m crm_course.notebook_tools {execute|check} NOTEBOOK...", file=sys.stderr)
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
