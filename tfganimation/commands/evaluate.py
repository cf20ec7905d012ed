"""`tfganimation evaluate`: AU control of a trained run on held-out synthetic faces."""

from __future__ import annotations

import argparse
from pathlib import Path

from tfganimation.commands.arguments import positive_int


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="measure AU control of a run on held-out synthetic faces",
        description=(
            "Edit held-out synthetic faces to target AUs and compare with the renderer's "
            "ground truth, next to the copy-the-input baseline. Needs a run trained on a "
            "synthetic dataset (or --data pointing at one)."
        ),
    )
    parser.add_argument(
        "run_dir",
        metavar="MODEL",
        help="training run directory, or demo: the demo model shipped in the package, on the "
        "held-out identities it ships with (output default ./demo_evaluation)",
    )
    parser.add_argument("--data", default=None, help="synthetic dataset (default: the run's)")
    parser.add_argument("--pairs", type=positive_int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="output folder (default RUN_DIR/evaluation)")
    parser.add_argument("--overwrite", action="store_true")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tfganimation.evaluation import EVALUATION_FILE, GRID_FILE, evaluate_run

    report, out = evaluate_run(
        args.run_dir, data=args.data, n_pairs=args.pairs, seed=args.seed, out=args.out,
        overwrite=args.overwrite,
    )
    print(report.format_table())
    print(f"\nReport: {Path(out) / EVALUATION_FILE}\nGrid:   {Path(out) / GRID_FILE}")
    return 0
