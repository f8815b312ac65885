"""Time the course notebooks and the heavy computations (``make bench``).

Each notebook in ``notebooks/`` runs top to bottom in a fresh ``python3``
kernel, with the notebooks folder as working directory, exactly as the
notebook tests run it; the executed copy is thrown away. For each notebook
the runner reports the wall time (kernel start included) and the peak
resident memory of the kernel process. Then every ``benchmarks/bench_*.py``
script runs in its own process and prints its own Markdown.

Usage::

    python benchmarks/run.py                   # notebooks, then every bench_*.py
    python benchmarks/run.py --only notebooks  # just the notebooks
    python benchmarks/run.py --only clv        # just benchmarks/bench_clv.py
    python benchmarks/run.py --list            # what there is to run

The report is printed and also written to ``benchmarks/results/latest.md``.
Timings are measured here and never asserted in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BENCHMARKS = ROOT / "benchmarks"
RESULTS = BENCHMARKS / "results" / "latest.md"
KERNEL_NAME = "python3"
SAMPLE_EVERY = 0.05  # seconds
MB = 2**20


# --------------------------------------------------------------------------
# Pure helpers (tested in tests/test_bench_runner.py)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookRun:
    """One notebook's measurement."""

    name: str
    seconds: float
    peak_bytes: int | None
    error: str | None = None


def discover_notebooks(folder: Path) -> list[Path]:
    """Notebooks in ``folder``, sorted by name (checkpoints are not in it)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if p.is_file())


def discover_scripts(folder: Path) -> dict[str, Path]:
    """Benchmark scripts ``bench_<name>.py`` in ``folder``, as name -> path, sorted."""
    found = sorted(p for p in Path(folder).glob("bench_*.py") if p.is_file())
    return {p.stem.removeprefix("bench_"): p for p in found}


def _selector(name: str) -> str:
    return name.strip().removesuffix(".py").removeprefix("bench_")


def plan(only: Iterable[str] | None, scripts: Sequence[str]) -> tuple[bool, list[str]]:
    """Decide what to run from the ``--only`` values.

    Parameters
    ----------
    only : iterable of str or None
        Names given with ``--only`` (each may hold several, comma-separated):
        ``notebooks``, or a script as ``clv``, ``bench_clv`` or
        ``bench_clv.py``. None or empty runs everything.
    scripts : sequence of str
        Names of the scripts found, in the order to run them.

    Returns
    -------
    (bool, list of str)
        Whether to run the notebooks, and which scripts, in discovery order.
    """
    names = [_selector(n) for item in (only or []) for n in item.split(",") if n.strip()]
    if not names:
        return True, list(scripts)
    unknown = [n for n in names if n != "notebooks" and n not in scripts]
    if unknown:
        choices = ", ".join(["notebooks", *scripts])
        raise ValueError(f"--only: no benchmark named {', '.join(map(repr, unknown))}; choose from {choices}")
    return "notebooks" in names, [s for s in scripts if s in names]


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> str:
    """A GitHub pipe table; ``align`` holds one of ``l``, ``c``, ``r`` per column."""
    marks = {"l": ":---", "c": ":---:", "r": "---:"}
    if len(align) != len(header):
        raise ValueError(f"align: expected {len(header)} letters, one per column; found {align!r}")

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    out = [line(header), "|" + "|".join(marks[a] for a in align) + "|"]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"row {list(row)} has {len(row)} cells; expected {len(header)}")
        out.append(line(row))
    return "\n".join(out)


def format_megabytes(n_bytes: int | None) -> str:
    return "n/a" if n_bytes is None else f"{n_bytes / MB:,.0f}"


def notebook_table(runs: Sequence[NotebookRun]) -> str:
    """The notebooks' Markdown table with a total row (summed time, largest peak)."""
    rows = []
    for run in runs:
        name = run.name if run.error is None else f"{run.name} (failed)"
        rows.append([name, f"{run.seconds:.1f}", format_megabytes(run.peak_bytes)])
    peaks = [r.peak_bytes for r in runs if r.peak_bytes is not None]
    total_peak = f"{format_megabytes(max(peaks))} (largest)" if peaks else "n/a"
    rows.append(["total", f"{sum(r.seconds for r in runs):.1f}", total_peak])
    return markdown_table(["notebook", "wall time (s)", "peak kernel memory (MB)"], rows, "lrr")


def parse_vmhwm(status_text: str) -> int | None:
    """Peak resident set size in bytes from the text of ``/proc/<pid>/status``."""
    for line in status_text.splitlines():
        if line.startswith("VmHWM:"):
            value, unit = line.split()[1:3]
            if unit != "kB":
                raise ValueError(f"VmHWM in unexpected unit {unit!r}")
            return int(value) * 1024
    return None


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


class PeakSampler:
    """Sample the resident memory of a process and its children in a thread.

    The fallback where ``/proc/<pid>/status`` is missing (macOS), and the
    only measure that includes child processes (multiprocessing pools).
    A sample can miss a spike shorter than the interval.
    """

    def __init__(self, pid: int, every: float = SAMPLE_EVERY) -> None:
        import psutil

        self._psutil = psutil
        self._process = psutil.Process(pid)
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_bytes = 0

    def _sample(self) -> int:
        total = 0
        try:
            processes = [self._process, *self._process.children(recursive=True)]
        except self._psutil.Error:
            return 0
        for proc in processes:
            try:
                total += proc.memory_info().rss
            except self._psutil.Error:
                pass  # a child may exit between listing and reading
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self._stop.wait(self._every)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak_bytes = max(self.peak_bytes, self._sample())
        self._stop.set()
        self._thread.join()


def read_vmhwm(pid: int) -> int | None:
    try:
        return parse_vmhwm(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None


def _kernel_pid(client) -> int:
    provisioner = client.km.provisioner
    pid = getattr(provisioner, "pid", None)
    return pid if pid is not None else provisioner.process.pid


def run_notebook(path: Path, timeout: int) -> NotebookRun:
    """Execute one notebook in a fresh kernel and measure it; nothing is written."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    error = None
    vmhwm = None
    start = time.perf_counter()
    with client.setup_kernel():
        pid = _kernel_pid(client)
        with PeakSampler(pid) as sampler:
            index = 0
            try:
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellExecutionError as exc:
                error = f"cell {index + 1}: {exc.ename}: {exc.evalue}"
            except (CellTimeoutError, DeadKernelError) as exc:
                error = f"cell {index + 1}: {type(exc).__name__}"
            # Read before the kernel exits: /proc/<pid> goes with it.
            vmhwm = read_vmhwm(pid)
    seconds = time.perf_counter() - start
    peaks = [p for p in (vmhwm, sampler.peak_bytes or None) if p is not None]
    return NotebookRun(path.name, seconds, max(peaks) if peaks else None, error)


def run_script(path: Path) -> tuple[str, int, float]:
    """Run one benchmark script with this Python, echoing its output as it comes."""
    start = time.perf_counter()
    lines = []
    with subprocess.Popen(
        [sys.executable, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line)
    return "".join(lines).rstrip("\n"), proc.returncode, time.perf_counter() - start


def machine_summary() -> str:
    import psutil

    memory = psutil.virtual_memory().total / 2**30
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{cpus} CPU(s) available, {memory:.1f} GiB RAM; run {when}."
    )


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time the course notebooks and the benchmarks/bench_*.py scripts.",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this: 'notebooks' or a script name such as 'clv' (repeatable, or comma-separated)",
    )
    parser.add_argument("--list", action="store_true", help="list what can be run and exit")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell (default 900)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help=argparse.SUPPRESS)
    parser.add_argument("--scripts", type=Path, default=BENCHMARKS, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, default=RESULTS, help=argparse.SUPPRESS)
    return parser


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def _listing(notebooks: Sequence[Path], scripts: Mapping[str, Path]) -> str:
    names = ", ".join(p.name for p in notebooks) or "none yet"
    lines = [f"notebooks  {len(notebooks)} notebook(s): {names}"]
    lines += [f"{name:<10} {_shown(path)}" for name, path in scripts.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    notebooks = discover_notebooks(args.notebooks)
    scripts = discover_scripts(args.scripts)
    if args.list:
        print(_listing(notebooks, scripts))
        return 0
    try:
        run_notebooks, chosen = plan(args.only, list(scripts))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2

    report = ["# Benchmark results", "", machine_summary()]
    print("\n".join(report), flush=True)
    failed = []

    def section(*parts: str) -> None:
        text = "\n".join(parts)
        report.extend(["", text])
        print("\n" + text, flush=True)

    if run_notebooks:
        if notebooks:
            runs = []
            for path in notebooks:
                print(f"running {path.name} ...", file=sys.stderr, flush=True)
                runs.append(run_notebook(path, args.timeout))
                print(f"  {path.name}: {runs[-1].seconds:.1f} s", file=sys.stderr, flush=True)
            errors = [f"- {r.name}: {r.error}" for r in runs if r.error]
            failed += [r.name for r in runs if r.error]
            section(
                "## Notebooks",
                "",
                notebook_table(runs),
                "",
                "Wall time includes starting the kernel. Peak memory is the kernel's VmHWM "
                "(Linux), or its resident memory sampled every 50 ms with its child processes "
                "where that is larger; MB = 2^20 bytes.",
                *(["", "Failed:", *errors] if errors else []),
            )
        else:
            section("## Notebooks", "", f"No notebooks in {args.notebooks.name}/ yet.")

    for name in chosen:
        path = scripts[name]
        header = f"## {path.name}"
        print("\n" + header + "\n", flush=True)
        output, code, seconds = run_script(path)
        status = "finished" if code == 0 else f"FAILED with exit code {code}"
        tail = f"_{path.name} {status} in {seconds:.1f} s._"
        print("\n" + tail, flush=True)
        report.extend(["", header, "", output, "", tail])
        if code != 0:
            failed.append(path.name)

    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"\nwritten to {_shown(args.results)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
