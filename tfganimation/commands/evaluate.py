"""`tfganimation evaluate`: the AU-control evaluation of a model on held-out synthetic faces.

Not Keras' `model.evaluate` (the validation losses `train` logs): this edits
faces whose true AUs are known and measures how well the edit reaches its
target, next to the copy-the-input baseline.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tfganimation.commands.arguments import add_command, named_after, positive_int
from tfganimation.commands.errors import CommandError
from tfganimation.commands.model_argument import (
    KERAS_KINDS,
    KIND_NAMES,
    add_model_argument,
    model_argument,
)

SUMMARY = "measure a model's AU control on held-out synthetic faces (the AU-control evaluation)"

DESCRIPTION = """\
The AU-control evaluation: edit held-out synthetic faces to target AUs and compare with the
renderer's ground truth, next to the copy-the-input baseline. Needs a model trained on a
synthetic dataset: a run names its own; for a .keras file or a PyTorch checkpoint, pass --data.
Writes evaluation.json and grid.png.
"""


def add_parser(subparsers) -> None:
    parser = add_command(subparsers, "evaluate", run, SUMMARY, DESCRIPTION)
    add_model_argument(parser, KERAS_KINDS, operand_alias=True)
    parser.add_argument(
        "--data",
        default=None,
        help="synthetic dataset whose test identities to edit (default: the run's; for demo, "
        "the held-out identities it ships with)",
    )
    parser.add_argument(
        "--pairs",
        type=positive_int,
        default=64,
        help="face and target pairs to edit (default %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the pairs drawn (default %(default)s)"
    )
    parser.add_argument(
        "--out",
        default=None,
        help="output folder (default: RUN_DIR/evaluation for a run, else MODEL_NAME_evaluation "
        "in the working folder)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an earlier evaluation in --out"
    )


def run(args: argparse.Namespace) -> int:
    from tfganimation.evaluation import EVALUATION_FILE, GRID_FILE, evaluate_run

    model = model_argument(args, KERAS_KINDS)
    if not model.given:
        print("No --model given: evaluating the demo model shipped in the package.")
    if model.kind in ("keras", "checkpoint") and args.data is None:
        raise CommandError(
            f"{model.reference} is {KIND_NAMES[model.kind]}, which names no training dataset: "
            "pass the synthetic dataset to evaluate on with --data."
        )
    if args.out is not None:
        out = args.out
    elif model.kind == "run":
        out = Path(model.reference) / "evaluation"
    else:
        out = named_after(model.reference, "_evaluation")
    report, out = evaluate_run(
        model.reference, data=args.data, n_pairs=args.pairs, seed=args.seed, out=out,
        overwrite=args.overwrite,
    )  # fmt: skip
    print(report.format_table())
    print(f"\nReport: {Path(out) / EVALUATION_FILE}\nGrid:   {Path(out) / GRID_FILE}")
    return 0
