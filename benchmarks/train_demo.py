"""Trains the demo model: `python benchmarks/train_demo.py [--resume]`.

Renders the synthetic dataset (once) and trains `tfganimation.demo`'s recipe
into `runs/demo/run`, keeping a generator snapshot every 250 generator steps
for the learning curve (`benchmarks/demo_learning_curve.py`). Hours on a
2-core CPU; after any interruption the same command with `--resume`
continues where the last backup left off, with the weights an uninterrupted
run would have.

`--generator-steps N` stops after the first N generator steps (same rate,
same snapshots), and `--precision` pins the arithmetic: together they give
the bfloat16-against-float32 learning curves of `docs/training_at_scale.md`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from tfganimation.choices import TRAINING_PRECISIONS
from tfganimation.synthetic import make_dataset
from tfganimation.training import train
from tfganimation.training.demo_recipe import (
    DEMO_DATASET,
    demo_train_config,
    first_generator_steps,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demo", help="folder for the dataset and the run")
    parser.add_argument("--resume", action="store_true", help="continue the run in --out")
    parser.add_argument(
        "--generator-steps", type=int, help="stop after this many generator steps; default: all"
    )
    parser.add_argument(
        "--precision", choices=TRAINING_PRECISIONS, help="default: the recipe's (auto)"
    )
    args = parser.parse_args()

    out = Path(args.out)
    data = out / "data"
    if not (data / "manifest.csv").is_file():
        started = time.monotonic()
        make_dataset(data, **dataclasses.asdict(DEMO_DATASET))
        print(f"Rendered {data} in {time.monotonic() - started:.0f} s", flush=True)
    config = demo_train_config(str(data), str(out / "run"))
    if args.generator_steps:
        config = first_generator_steps(config, args.generator_steps)
    if args.precision:
        config = dataclasses.replace(config, precision=args.precision)
    print(json.dumps(dataclasses.asdict(config), indent=1), flush=True)
    started = time.monotonic()
    train(config, resume=args.resume, verbose=2)
    print(f"Trained in {(time.monotonic() - started) / 60:.1f} min this call", flush=True)


if __name__ == "__main__":
    main()
