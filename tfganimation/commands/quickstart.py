"""`tfganimation quickstart`: the whole pipeline on built-in synthetic faces."""

from __future__ import annotations

import argparse
import dataclasses

from tfganimation.commands.arguments import add_command, positive_int
from tfganimation.quickstart.config import QuickstartConfig

DEFAULTS = {field.name: field.default for field in dataclasses.fields(QuickstartConfig)}
"""`QuickstartConfig`'s defaults, the one place they are written (a test pins each option to its field)."""


SUMMARY = "train on built-in synthetic faces and measure its AU control (no data needed)"

DESCRIPTION = """\
Render a synthetic AU-face dataset, train a small GANimation on it with model.fit for about
--minutes, measure AU control on held-out faces against the copy-the-input baseline, and write a
picture grid and an expression GIF.
"""


def add_parser(subparsers) -> None:
    parser = add_command(subparsers, "quickstart", run, SUMMARY, DESCRIPTION)
    parser.add_argument("--minutes", type=float, default=DEFAULTS["minutes"],
                        help="training time (default %(default)s)")
    parser.add_argument("--out", default=DEFAULTS["out"], help="output folder (default %(default)s)")
    parser.add_argument("--image-size", type=positive_int, default=DEFAULTS["image_size"],
                        help="face size in pixels (default %(default)s)")
    parser.add_argument("--identities", type=positive_int, default=DEFAULTS["n_identities"],
                        help="synthetic people (default %(default)s)")
    parser.add_argument("--per-identity", type=positive_int, default=DEFAULTS["per_identity"],
                        help="expressions per person (default %(default)s)")
    parser.add_argument("--steps", type=positive_int, default=DEFAULTS["steps"],
                        help="train exactly this many batches (default: as --minutes allow)")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"],
                        help="seed of the faces and the training (default %(default)s)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an earlier quickstart in --out")


def run(args: argparse.Namespace) -> int:
    from tfganimation.quickstart import demo_comparison, run_quickstart

    if args.minutes <= 0:
        raise ValueError(f"--minutes must be positive, got {args.minutes}")
    config = QuickstartConfig(
        out=args.out,
        minutes=args.minutes,
        steps=args.steps,
        image_size=args.image_size,
        n_identities=args.identities,
        per_identity=args.per_identity,
        seed=args.seed,
    )
    result = run_quickstart(config, overwrite=args.overwrite)
    print()
    print(result.summary)
    print()
    print(f"Trained for {result.training_seconds / 60:.1f} min; the oracle's AU error is "
          f"{result.oracle_au_ratio:.2f}x and AU-region L1 {result.region_l1_ratio:.2f}x "
          "the copy-the-input baseline (lower is better).")
    print(demo_comparison())
    print(f"Dataset:        {result.dataset}")
    print(f"Run:            {result.run}  (model.keras, run.json, history.csv, logs/)")
    print(f"Evaluation:     {result.report}")
    print(f"Picture grid:   {result.grid}")
    print(f"Expression GIF: {result.animation}")
    return 0
