"""Benchmark: simulating the Kopilka world at 10k, 100k and 1M members.

Each size runs in a fresh subprocess so its peak memory (ru_maxrss) is its own.
Target (issue 3): 1,000,000 members with all their orders in under 30 s and
4 GB on a 2-core machine, with time growing close to linearly in size.
Run: ``.venv/bin/python benchmarks/bench_world.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

SIZES = (10_000, 100_000, 1_000_000)

CHILD = """
import json, resource, time
from crm_course.world import simulate
t0 = time.perf_counter()
world = simulate(n_members={n}, seed=1)
seconds = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb,
                  "orders": len(world.tables["transactions"]), "contacts": len(world.tables["contacts"])}}))
"""


def measure(n: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD.format(n=n)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    rows = [(n, measure(n)) for n in SIZES]
    print("### World generation\n")
    print("| members | orders | contacts | time (s) | time per 100k members (s) | peak memory (MB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n, r in rows:
        print(f"| {n:,} | {r['orders']:,} | {r['contacts']:,} | {r['seconds']:.2f} | "
              f"{r['seconds'] / n * 100_000:.2f} | {r['peak_mb']:,.0f} |")
    print("\nTarget: 1,000,000 members under 30 s and 4,096 MB; time per 100k members roughly constant.\n")


if __name__ == "__main__":
    main()
