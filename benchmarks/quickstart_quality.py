"""Does the default quickstart learn AU control? The issue's goal, measured.

Runs `tfganimation quickstart` (the library call behind it) with the default
configuration for `--minutes` of training, then prints the AU oracle's error
and the AU-region L1 of the trained generator against the copy-the-input
baseline on held-out identities, and whether they reach their goals (oracle
<= 0.8 x baseline; region L1 <= 0.5 x). The load average is printed too: on a
shared machine fewer steps fit the budget.

    python benchmarks/quickstart_quality.py [--minutes 10] [--out runs/quickstart_quality]

Any `QuickstartConfig` field can be changed to compare configurations on the
same machine, e.g. `--set conv_dim=32 --set n_identities=60 --set per_identity=40`,
or the paper's loss weights, e.g. `--set au_weight=8000 --set attention_weight=0.05`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from tfganimation.quickstart import QuickstartConfig, run_quickstart

GOAL_RATIO = 0.5
ORACLE_GOAL_RATIO = 0.8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--out", default="runs/quickstart_quality")
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="override a QuickstartConfig field (repeatable)")
    args = parser.parse_args()
    config = QuickstartConfig(out=args.out, minutes=args.minutes, **parse_overrides(args.set))

    load_before = os.getloadavg()
    started = time.monotonic()
    result = run_quickstart(config, args.overwrite, verbose=2)
    print(f"configuration: {config}")
    print(result.summary)
    print(f"load average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f}")
    print(f"training {result.training_seconds / 60:.1f} min, all {(time.monotonic() - started) / 60:.1f} min")
    for label, ratio, goal in (
        ("oracle AU error", result.oracle_au_ratio, ORACLE_GOAL_RATIO),
        ("AU-region L1", result.region_l1_ratio, GOAL_RATIO),
    ):
        verdict = "met" if ratio <= goal else "NOT met"
        print(f"{label}, model / copy-the-input: {ratio:.3f} (goal <= {goal}: {verdict})")


def parse_overrides(assignments: list[str]) -> dict:
    """`["conv_dim=32", "learning_rate=1e-4"]` -> typed `QuickstartConfig` keyword arguments."""
    types = {field.name: type(field.default) for field in dataclasses.fields(QuickstartConfig)
             if field.name not in ("out", "minutes")}  # These have their own options.
    overrides = {}
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        if name not in types:
            raise SystemExit(f"--set {assignment}: unknown field; choose from {sorted(types)}")
        kind = int if types[name] is type(None) else types[name]  # `steps` defaults to None.
        try:
            overrides[name] = kind(value)
        except ValueError:
            raise SystemExit(f"--set {assignment}: {name} must be of type {kind.__name__}") from None
    return overrides


if __name__ == "__main__":
    main()
