"""Time the chapter-5 BG/NBD fit on simulated customer bases, against lifetimes.

Run from the repository root::

    .venv/bin/python benchmarks/bench_clv.py
    .venv/bin/python benchmarks/bench_clv.py --lifetimes-python /path/to/env/bin/python

It simulates 100,000 and 1,000,000 members (seeded) from the BG/NBD with the
CDNOW estimates of Fader, Hardie & Lee (2005), in the shape of the CDNOW
cohort: members join over 12 weeks and are observed until a common end date,
39 to 51 weeks later, with dates recorded to the day. Each fit runs in a fresh
process, so the peak resident memory it reports (``ru_maxrss``) belongs to
that fit alone: "baseline" is the process with the data loaded and the
libraries imported, "peak" the high-water mark after fitting.

lifetimes' ``BetaGeoFitter`` is timed on the same data when an interpreter
with lifetimes installed is found: ``--lifetimes-python``, else the
``LIFETIMES_PYTHON`` environment variable, else this interpreter if it can
import lifetimes. It is timed twice: as usually called (one row per member)
and given the distinct rows with their counts as weights, which is what makes
our fit fast; the speed ratio compares our fit with the first.

Prints Markdown tables. Timings are for information; no test asserts them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TRUTH = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
NAMES = list(TRUTH)
SIZES = (100_000, 1_000_000)
SEED = 2005
DAY = 1 / 7


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def simulate(n: int, path: Path) -> None:
    """Write a seeded simulated summary (frequency, recency, T in weeks) to ``path``."""
    from crm_course.clv import simulate_bgnbd

    rng = np.random.default_rng([SEED, n])
    # Joined on one of 84 days; observed until the same end date, 39 weeks after the last joiner.
    T = (39 * 7 + rng.integers(0, 84, n)) * DAY
    members = simulate_bgnbd(n, **TRUTH, T=T, rng=rng, period=DAY)
    np.savez(path, frequency=members["frequency"].to_numpy(), recency=members["recency"].to_numpy(),
             T=members["T"].to_numpy())


def _distinct(x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, ...]:
    rows, counts = np.unique(np.column_stack([x, tx, T]), axis=0, return_counts=True)
    return rows[:, 0], rows[:, 1], rows[:, 2], counts


def worker_ours(path: str, repeat: int) -> dict:
    from crm_course.clv import BGNBDFitter

    data = np.load(path)
    x, tx, T = data["frequency"], data["recency"], data["T"]
    BGNBDFitter().fit(frequency=x[:1000], recency=tx[:1000], T=T[:1000])  # imports scipy before timing
    baseline = _rss_mb()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        model = BGNBDFitter().fit(frequency=x, recency=tx, T=T)
        seconds.append(time.perf_counter() - start)
    return {
        "seconds": float(np.median(seconds)),
        "params": model.params_.tolist(),
        "se": model.standard_errors_.tolist(),
        "log_likelihood": model.log_likelihood_,
        "distinct": model.n_distinct_,
        "baseline_mb": baseline,
        "peak_mb": _rss_mb(),
    }


def worker_lifetimes(path: str, weighted: bool) -> dict:
    import lifetimes
    from lifetimes import BetaGeoFitter

    data = np.load(path)
    x, tx, T = data["frequency"], data["recency"], data["T"]
    BetaGeoFitter().fit(x[:1000], tx[:1000], T[:1000])  # imports autograd and scipy before timing
    weights = None
    if weighted:
        x, tx, T, weights = _distinct(x, tx, T)
    baseline = _rss_mb()
    start = time.perf_counter()
    model = BetaGeoFitter().fit(x, tx, T, weights=weights)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "params": [float(model.params_[k]) for k in NAMES],
        "baseline_mb": baseline,
        "peak_mb": _rss_mb(),
        "version": lifetimes.__version__,
    }


def _run_worker(python: str, kind: str, path: Path, repeat: int) -> dict:
    env = dict(os.environ)
    if kind.startswith("lifetimes"):
        # lifetimes 0.11 warns about pandas options it still sets; not our concern here.
        env["PYTHONWARNINGS"] = "ignore"
    out = subprocess.run(
        [python, __file__, "--worker", kind, str(path), "--repeat", str(repeat)],
        capture_output=True, text=True, env=env, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _try_lifetimes(python: str, path: Path) -> tuple[dict | None, dict | None, str | None]:
    """Both lifetimes timings, or the reason they could not be taken (lifetimes is optional)."""
    try:
        return _run_worker(python, "lifetimes", path, 1), _run_worker(python, "lifetimes-weighted", path, 1), None
    except (RuntimeError, OSError, ValueError) as error:
        return None, None, str(error).strip().splitlines()[-1]


def _find_lifetimes(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    if os.environ.get("LIFETIMES_PYTHON"):
        return os.environ["LIFETIMES_PYTHON"]
    return sys.executable if importlib.util.find_spec("lifetimes") is not None else None


def _agree(ours: list[float], theirs: list[float]) -> tuple[bool, float]:
    """Three significant digits: every relative difference below half a unit in the third digit."""
    rel = np.abs(np.array(ours) - np.array(theirs)) / np.abs(np.array(theirs))
    return bool(rel.max() < 5e-4), float(rel.max())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of our fit (median reported)")
    parser.add_argument("--lifetimes-python", default=None, help="interpreter that can import lifetimes")
    parser.add_argument("--no-lifetimes", action="store_true", help="time our fit only")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        kind, path = args.worker
        result = (worker_ours(path, args.repeat) if kind == "ours"
                  else worker_lifetimes(path, weighted=kind == "lifetimes-weighted"))
        print(json.dumps(result))
        return

    lifetimes_python = None if args.no_lifetimes else _find_lifetimes(args.lifetimes_python)
    rows, estimates, problem = [], [], None
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = Path(tmp) / f"members_{n}.npz"
            simulate(n, path)
            ours = _run_worker(sys.executable, "ours", path, args.repeat)
            row = {"n": n, "ours": ours}
            if lifetimes_python:
                plain, weighted, problem = _try_lifetimes(lifetimes_python, path)
                if problem:
                    lifetimes_python = None
                else:
                    row["lifetimes"], row["weighted"] = plain, weighted
            rows.append(row)
            estimates.append((n, ours))
    if problem:
        for row in rows:
            row.pop("lifetimes", None)
            row.pop("weighted", None)

    print(f"BG/NBD fit, simulated CDNOW-like members; {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; our time is the median of {args.repeat} fits.\n")
    header = "| members | distinct rows | ours (s) | ours peak / baseline RSS (MB) |"
    rule = "|---:|---:|---:|---:|"
    if lifetimes_python:
        version = rows[0]["lifetimes"]["version"]
        header += (f" lifetimes {version} (s) | lifetimes peak / baseline RSS (MB) | speed ratio |"
                   f" params agree (3 s.f.), max rel. diff | lifetimes on distinct rows (s) | agree |")
        rule += "---:|---:|---:|:---|---:|:---|"
    print(header)
    print(rule)
    for row in rows:
        o = row["ours"]
        line = (f"| {row['n']:,} | {o['distinct']:,} | {o['seconds']:.2f} | "
                f"{o['peak_mb']:.0f} / {o['baseline_mb']:.0f} |")
        if "lifetimes" in row:
            lt, wt = row["lifetimes"], row["weighted"]
            ok, rel = _agree(o["params"], lt["params"])
            ok_w, rel_w = _agree(o["params"], wt["params"])
            line += (f" {lt['seconds']:.2f} | {lt['peak_mb']:.0f} / {lt['baseline_mb']:.0f} |"
                     f" {lt['seconds'] / o['seconds']:.1f}x | {'yes' if ok else 'no'}, {rel:.1e} |"
                     f" {wt['seconds']:.2f} | {'yes' if ok_w else 'no'}, {rel_w:.1e} |")
        print(line)
    if problem:
        print(f"\nlifetimes could not be run ({problem}); our fit only.")
    elif not lifetimes_python and not args.no_lifetimes:
        print("\nlifetimes is not importable here, so only our fit was timed: pass --lifetimes-python "
              "(see the module docstring).")

    largest = max(rows, key=lambda row: row["n"])
    o = largest["ours"]
    verdict = ("met" if o["seconds"] <= 1.5 else "missed") if largest["n"] >= 1_000_000 else "not tried: fewer members"
    print(f"\nTarget, about 1 s at 1,000,000 members: {o['seconds']:.2f} s at {largest['n']:,} ({verdict}); "
          f"peak memory of the fitting process {o['peak_mb']:.0f} MB, {o['peak_mb'] - o['baseline_mb']:.0f} MB "
          f"above the data loaded.")
    if "lifetimes" in largest:
        ratio = largest["lifetimes"]["seconds"] / o["seconds"]
        agree, _ = _agree(o["params"], largest["lifetimes"]["params"])
        print(f"Target, at least 10x faster than lifetimes with the same estimates: {ratio:.0f}x "
              f"({'met' if ratio >= 10 else 'missed'}); estimates agree to 3 significant digits: "
              f"{'yes' if agree else 'no'}.")

    print("\nOur estimates against the planted truth (95% Wald intervals):\n")
    print("| members | " + " | ".join(NAMES) + " |")
    print("|---:|" + "---:|" * len(NAMES))
    for n, o in estimates:
        cells = [f"{est:.3f} ± {1.96 * se:.3f} (truth {TRUTH[k]})"
                 for k, est, se in zip(NAMES, o["params"], o["se"], strict=True)]
        print(f"| {n:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
