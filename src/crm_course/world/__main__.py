"""Regenerate the shipped Kopilka tables: ``python -m crm_course.world --out data``."""

from __future__ import annotations

import argparse

from crm_course.world import DEFAULT_MEMBERS, DEFAULT_SEED, simulate
from crm_course.world.datapackage import write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_course.world", description=__doc__)
    parser.add_argument("--out", default="data", help="folder to write to (default: data)")
    parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, help=f"members (default {DEFAULT_MEMBERS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--private",
        action="store_true",
        help="leave the seed and the planted effects out of datapackage.json and README.md "
        "(a world handed to a student)",
    )
    args = parser.parse_args(argv)
    world = simulate(n_members=args.members, seed=args.seed)
    for name, path in write(world, args.out, private=args.private).items():
        print(f"{name:<17} {len(world.tables[name]):>8,} rows  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
