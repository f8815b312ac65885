"""Time the Pareto/NBD, MBG/NBD and BG/BB fits on a million simulated customers, side by side with lifetimes.

Run from the repository root::

    .venv/bin/python benchmarks/bench_models.py
    .venv/bin/python benchmarks/bench_models.py --models pareto,bgbb --sizes 100000
    .venv/bin/python benchmarks/bench_models.py --lifetimes-python /path/to/env/bin/python

For each model it simulates (seeded) a customer base from the model itself with
published parameters:

* Pareto/NBD -- Fader, Hardie & Lee (2005a) on CDNOW (r 0.553, alpha 10.578,
  s 0.606, beta 11.669);
* MBG/NBD -- lifetimes' ModifiedBetaGeoFitter on CDNOW (r 0.525, alpha 6.183,
  a 0.891, b 1.614);

both in the shape of the CDNOW cohort (members join over 12 weeks and are
observed until a common end date, 39 to 51 weeks later, dates recorded to the
day); and

* BG/BB -- Fader, Hardie & Shang (2010) on the donations data (alpha 1.204,
  beta 0.750, gamma 0.657, delta 2.783), for donors of nine yearly cohorts with
  4 to 12 transaction opportunities.

Each fit runs in a fresh process, so the peak resident memory it reports
(``ru_maxrss``) is that fit's alone: "baseline" is the process with the data
loaded and the libraries imported, "peak" the high-water mark after fitting.
lifetimes 0.11.3 (the ``bench`` dependency group) is timed on the same data in
the same run, as usually called (one row per member) and given the distinct
rows with their counts as weights; the speed ratio compares our fit with the
first. Estimates "agree" when every relative difference is below half a unit
in the third significant digit.

Prints Markdown tables. Timings are for information; no test asserts them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_clv import _agree, _distinct, _find_lifetimes, _rss_mb  # noqa: E402

SEED = 2010
DAY = 1 / 7
MODELS = {
    "pareto": {"title": "Pareto/NBD", "ours": "ParetoNBDFitter", "theirs": "ParetoNBDFitter",
               "truth": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}},
    "mbgnbd": {"title": "MBG/NBD", "ours": "MBGNBDFitter", "theirs": "ModifiedBetaGeoFitter",
               "truth": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}},
    "bgbb": {"title": "BG/BB", "ours": "BGBBFitter", "theirs": "BetaGeoBetaBinomFitter",
             "truth": {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}},
}


def simulate(model: str, n: int, path: Path) -> None:
    """Write a seeded simulated summary (frequency, recency, T) of ``model`` to ``path``."""
    from crm_course.clv import simulate_bgbb, simulate_mbgnbd, simulate_pareto_nbd

    rng = np.random.default_rng([SEED, n, list(MODELS).index(model)])
    truth = MODELS[model]["truth"]
    if model == "bgbb":
        members = simulate_bgbb(n, **truth, T=rng.integers(4, 13, n), rng=rng)
    else:
        T = (39 * 7 + rng.integers(0, 84, n)) * DAY
        simulator = simulate_pareto_nbd if model == "pareto" else simulate_mbgnbd
        members = simulator(n, **truth, T=T, rng=rng, period=DAY)
    np.savez(path, frequency=members["frequency"].to_numpy(), recency=members["recency"].to_numpy(),
             T=members["T"].to_numpy())


def worker_ours(model: str, path: str, repeat: int) -> dict:
    import crm_course.clv as clv

    fitter = getattr(clv, MODELS[model]["ours"])
    data = np.load(path)
    x, tx, T = data["frequency"], data["recency"], data["T"]
    fitter().fit(frequency=x[:5000], recency=tx[:5000], T=T[:5000])  # imports scipy before timing
    baseline = _rss_mb()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fitted = fitter().fit(frequency=x, recency=tx, T=T)
        seconds.append(time.perf_counter() - start)
    return {"seconds": float(np.median(seconds)), "params": fitted.params_.tolist(),
            "se": fitted.standard_errors_.tolist(), "distinct": fitted.n_distinct_,
            "baseline_mb": baseline, "peak_mb": _rss_mb()}


def worker_lifetimes(model: str, path: str, weighted: bool) -> dict:
    import lifetimes

    fitter = getattr(lifetimes, MODELS[model]["theirs"])
    names = list(MODELS[model]["truth"])
    data = np.load(path)
    x, tx, T = data["frequency"], data["recency"], data["T"]
    fitter().fit(x[:1000], tx[:1000], T[:1000])  # imports autograd and scipy before timing
    weights = None
    if weighted:
        x, tx, T, weights = _distinct(x, tx, T)
    baseline = _rss_mb()
    start = time.perf_counter()
    fitted = fitter().fit(x, tx, T, weights=weights)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "params": [float(fitted.params_[k]) for k in names], "baseline_mb": baseline,
            "peak_mb": _rss_mb(), "version": lifetimes.__version__}


def _run_worker(python: str, kind: str, model: str, path: Path, repeat: int) -> dict:
    env = dict(os.environ)
    if kind.startswith("lifetimes"):
        env["PYTHONWARNINGS"] = "ignore"  # lifetimes 0.11 warns about pandas options it still sets
    out = subprocess.run([python, __file__, "--worker", kind, model, str(path), "--repeat", str(repeat)],
                         capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{kind} worker for {model} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, from {', '.join(MODELS)}")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of our fit (median reported)")
    parser.add_argument("--lifetimes-python", default=None, help="interpreter that can import lifetimes")
    parser.add_argument("--no-lifetimes", action="store_true", help="time our fits only")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "MODEL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        kind, model, path = args.worker
        result = (worker_ours(model, path, args.repeat) if kind == "ours"
                  else worker_lifetimes(model, path, weighted=kind == "lifetimes-weighted"))
        print(json.dumps(result))
        return

    chosen = [m.strip() for m in args.models.split(",") if m.strip()]
    if unknown := [m for m in chosen if m not in MODELS]:
        parser.error(f"--models: unknown {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    lifetimes_python = None if args.no_lifetimes else _find_lifetimes(args.lifetimes_python)
    rows, problem = [], None
    with tempfile.TemporaryDirectory() as tmp:
        for model in chosen:
            for n in args.sizes:
                path = Path(tmp) / f"{model}_{n}.npz"
                simulate(model, n, path)
                row = {"model": model, "n": n, "ours": _run_worker(sys.executable, "ours", model, path, args.repeat)}
                if lifetimes_python and problem is None:
                    try:
                        row["lifetimes"] = _run_worker(lifetimes_python, "lifetimes", model, path, 1)
                        row["weighted"] = _run_worker(lifetimes_python, "lifetimes-weighted", model, path, 1)
                    except (RuntimeError, OSError, ValueError) as error:
                        problem = str(error).strip().splitlines()[-1]
                rows.append(row)

    print(f"Pareto/NBD, MBG/NBD and BG/BB fits on simulated customer bases; {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}; our time is the median of {args.repeat} "
          f"fits, each fit in its own process.\n")
    with_lifetimes = any("lifetimes" in row for row in rows)
    header = "| model | members | distinct rows | ours (s) | ours peak / baseline RSS (MB) |"
    rule = "|:---|---:|---:|---:|---:|"
    if with_lifetimes:
        version = next(row["lifetimes"]["version"] for row in rows if "lifetimes" in row)
        header += (f" lifetimes {version} (s) | lifetimes peak / baseline RSS (MB) | speed ratio |"
                   " estimates agree (3 s.f.), max rel. diff | lifetimes on distinct rows (s) | agree |")
        rule += "---:|---:|---:|:---|---:|:---|"
    print(header)
    print(rule)
    for row in rows:
        o = row["ours"]
        line = (f"| {MODELS[row['model']]['title']} | {row['n']:,} | {o['distinct']:,} | {o['seconds']:.2f} | "
                f"{o['peak_mb']:.0f} / {o['baseline_mb']:.0f} |")
        if "lifetimes" in row:
            lt, wt = row["lifetimes"], row["weighted"]
            ok, rel = _agree(o["params"], lt["params"])
            ok_w, rel_w = _agree(o["params"], wt["params"])
            line += (f" {lt['seconds']:.1f} | {lt['peak_mb']:.0f} / {lt['baseline_mb']:.0f} |"
                     f" {lt['seconds'] / o['seconds']:.0f}x | {'yes' if ok else 'no'}, {rel:.1e} |"
                     f" {wt['seconds']:.1f} | {'yes' if ok_w else 'no'}, {rel_w:.1e} |")
        elif with_lifetimes:
            line += " | | | | | |"
        print(line)
    if problem:
        print(f"\nlifetimes could not be run ({problem}); the rows without it show our fit only.")
    elif not lifetimes_python and not args.no_lifetimes:
        print("\nlifetimes is not importable here, so only our fits were timed: install the bench group "
              "(`uv sync --locked --inexact --group bench`) or pass --lifetimes-python.")

    print()
    for row in rows:
        if row["n"] < 1_000_000 or "lifetimes" not in row:
            continue
        o, lt = row["ours"], row["lifetimes"]
        ratio = lt["seconds"] / o["seconds"]
        agree, rel = _agree(o["params"], lt["params"])
        print(f"Target, {MODELS[row['model']]['title']} at least 10x faster than lifetimes at {row['n']:,} members "
              f"with the same estimates: {ratio:.0f}x ({'met' if ratio >= 10 else 'missed'}); estimates agree to "
              f"3 significant digits: {'yes' if agree else 'no'} (max relative difference {rel:.1e}).")

    print("\nOur estimates against the planted truth (95% Wald intervals):\n")
    for row in rows:
        truth = MODELS[row["model"]]["truth"]
        cells = [f"{k} {est:.3f} ± {1.96 * se:.3f} (truth {truth[k]})"
                 for k, est, se in zip(truth, row["ours"]["params"], row["ours"]["se"], strict=True)]
        print(f"* {MODELS[row['model']]['title']}, {row['n']:,} members: " + "; ".join(cells))


if __name__ == "__main__":
    main()
