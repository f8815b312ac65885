"""Time rfm_summary on transaction logs of 1 to 100 million orders in Parquet: DuckDB out of core, pandas for reference.

Run from the repository root::

    .venv/bin/python benchmarks/bench_rfm.py                          # 1M, 10M, 30M and 100M orders
    .venv/bin/python benchmarks/bench_rfm.py --sizes 1000000,10000000  # skip the largest (about 1 GB of disk)

For each size it writes a seeded synthetic log into a temporary folder (files
of at most 10 million orders, written by DuckDB), summarises it with
``rfm_summary("folder/*.parquet", ...)`` in a fresh process with DuckDB limited
to 2 threads, and deletes the folder. Customers make 20 orders on average
(uniformly at random over two years, at any time of day; so about 5 million
customers for 100 million orders), and every order falls before the end of
observation. The child process reports its wall time and its peak resident
memory (``ru_maxrss``, which includes Python, pandas and DuckDB themselves).

The pandas path is timed on the same files for reference: the log is read
into a DataFrame (by DuckDB, as pyarrow is not a dependency) and summarised
with ``rfm_summary(DataFrame, ...)``. It runs for each size whose peak memory,
extrapolated from the previous size, stays under 40% of the memory available,
so the largest size it can hold on this machine is shown and the machine is
not pushed into swapping.

Prints Markdown tables. Timings are for information; no test asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SIZES = (1_000_000, 10_000_000, 30_000_000, 100_000_000)
ORDERS_PER_FILE = 10_000_000
ORDERS_PER_CUSTOMER = 20
FIRST_DAY = np.datetime64("2023-01-01T00:00:00", "s")
DAYS = 730
END = "2024-12-31"
THREADS = 2
TARGET = {"orders": 100_000_000, "seconds": 60, "peak_mb": 2048}
SEED = 2026


def _peak_mb() -> float:
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_log(n: int, folder: Path) -> dict:
    """Write n seeded orders as Parquet files in folder; return what was written."""
    import duckdb
    import pandas as pd

    n_customers = max(1, n // ORDERS_PER_CUSTOMER)
    con = duckdb.connect(config={"threads": THREADS})
    con.execute("SET enable_progress_bar = false")
    start = time.perf_counter()
    for k, first in enumerate(range(0, n, ORDERS_PER_FILE)):
        m = min(ORDERS_PER_FILE, n - first)
        rng = np.random.default_rng([SEED, n, k])
        chunk = pd.DataFrame({
            "customer_id": rng.integers(0, n_customers, m),
            "order_date": FIRST_DAY + rng.integers(0, DAYS * 86_400, m).astype("timedelta64[s]"),
            "order_value": np.round(rng.gamma(2.0, 30.0, m), 2),
        })
        con.register("chunk", chunk)
        con.execute(f"COPY chunk TO '{folder / f'orders-{k:03d}.parquet'}' (FORMAT parquet)")
        con.unregister("chunk")
    con.close()
    size = sum(p.stat().st_size for p in folder.glob("*.parquet"))
    return {"seconds": time.perf_counter() - start, "mb": size / 2**20}


def worker_duckdb(pattern: str) -> dict:
    from crm_course.clv import rfm_summary

    baseline, cpu = _peak_mb(), _cpu_seconds()
    start = time.perf_counter()
    summary = rfm_summary(pattern, END, duckdb_config={"threads": THREADS})
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_seconds": _cpu_seconds() - cpu, "peak_mb": _peak_mb(), "baseline_mb": baseline,
            "customers": len(summary), "mean_frequency": float(summary["frequency"].mean())}


def worker_pandas(pattern: str) -> dict:
    import duckdb

    from crm_course.clv import rfm_summary

    baseline = _peak_mb()
    start = time.perf_counter()
    con = duckdb.connect(config={"threads": THREADS})
    con.execute("SET enable_progress_bar = false")
    orders = con.execute(f"SELECT * FROM read_parquet('{pattern}')").df()
    con.close()
    loaded = time.perf_counter()
    summary = rfm_summary(orders, END)
    done = time.perf_counter()
    return {"load_seconds": loaded - start, "seconds": done - loaded, "peak_mb": _peak_mb(), "baseline_mb": baseline,
            "customers": len(summary), "mean_frequency": float(summary["frequency"].mean())}


def _run(kind: str, pattern: str) -> dict:
    # Every step in its own process, writing the files too: on Linux a child's ru_maxrss starts
    # from its parent's resident memory at fork, so the parent must stay small.
    out = subprocess.run([sys.executable, __file__, "--worker", kind, pattern], capture_output=True, text=True,
                         check=False, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    if out.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _available_mb() -> float | None:
    try:
        import psutil

        return psutil.virtual_memory().available / 2**20
    except ImportError:
        return None


def main(sizes: list[int]) -> None:
    rows = []
    pandas_rows = []
    pandas_mb_per_order = None
    available = _available_mb()
    for n in sizes:
        folder = Path(tempfile.mkdtemp(prefix=f"rfm-bench-{n}-"))
        try:
            written = _run("write", f"{n}:{folder}")
            pattern = str(folder / "*.parquet")
            rows.append((n, written, _run("duckdb", pattern)))
            # Without a smaller size to extrapolate from, assume the 150 bytes per order measured here.
            predicted = (pandas_mb_per_order or 150 / 2**20) * n
            if available is None or predicted < 0.4 * available:
                result = _run("pandas", pattern)
                pandas_mb_per_order = (result["peak_mb"] - result["baseline_mb"]) / n
                pandas_rows.append((n, result, None))
            else:
                pandas_rows.append((n, None, predicted))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"### rfm_summary from Parquet, out of core in DuckDB ({THREADS} threads)\n")
    print("| orders | customers | Parquet (MB) | writing the files (s) | summary (s) | CPU time (s) "
          "| orders per second | peak memory (MB) | of which Python and pandas at the start (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, w, r in rows:
        print(f"| {n:,} | {r['customers']:,} | {w['mb']:,.0f} | {w['seconds']:.1f} | {r['seconds']:.1f} | "
              f"{r['cpu_seconds']:.1f} | {n / r['seconds']:,.0f} | {r['peak_mb']:,.0f} | {r['baseline_mb']:,.0f} |")
    print(f"\nCPU time is summed over DuckDB's {THREADS} threads; a wall time well above CPU time / {THREADS} "
          "means the threads did not overlap or the cores were busy with other work.")
    print("\n### The pandas path on the same files, for reference\n")
    print("| orders | reading into a DataFrame (s) | summary (s) | peak memory (MB) | same customers as DuckDB |")
    print("|---:|---:|---:|---:|:---|")
    for (n, r, predicted), (_, _, d) in zip(pandas_rows, rows, strict=True):
        if r is None:
            print(f"| {n:,} | not run: about {predicted:,.0f} MB expected, over 40% of the "
                  f"{available:,.0f} MB available | | | |")
        else:
            same = r["customers"] == d["customers"] and abs(r["mean_frequency"] - d["mean_frequency"]) < 1e-9
            print(f"| {n:,} | {r['load_seconds']:.1f} | {r['seconds']:.1f} | {r['peak_mb']:,.0f} | "
                  f"{'yes' if same else 'NO'} |")
    target = next((r for n, _, r in rows if n == TARGET["orders"]), None)
    if target is None:
        print(f"\nTarget ({TARGET['orders']:,} orders under {TARGET['seconds']} s and {TARGET['peak_mb']:,} MB): "
              "not measured in this run (see --sizes).\n")
    else:
        met = target["seconds"] < TARGET["seconds"] and target["peak_mb"] < TARGET["peak_mb"]
        print(f"\nTarget: {TARGET['orders']:,} orders under {TARGET['seconds']} s and {TARGET['peak_mb']:,} MB peak "
              f"memory on {THREADS} cores: {'met' if met else 'MISSED'} ({target['seconds']:.1f} s, "
              f"{target['peak_mb']:,.0f} MB). CPUs available: {len(os.sched_getaffinity(0))}; "
              f"load average at the end: {os.getloadavg()[0]:.1f}.\n")


def _sizes(text: str) -> list[int]:
    sizes = [int(float(s)) for s in text.split(",") if s.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected sizes such as 1000000,10000000; found {text!r}")
    return sorted(sizes)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=list(SIZES),
                        help="orders per log, comma-separated (default 1e6,1e7,3e7,1e8)")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, pattern = args.worker
        if kind == "write":
            n, folder = pattern.split(":", 1)
            print(json.dumps(write_log(int(n), Path(folder))))
        else:
            print(json.dumps(worker_duckdb(pattern) if kind == "duckdb" else worker_pandas(pattern)))
    else:
        main(args.sizes)
