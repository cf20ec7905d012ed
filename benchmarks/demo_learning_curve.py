"""The demo model's learning curve: `python benchmarks/demo_learning_curve.py`.

Scores every generator snapshot of `runs/demo/run` (see
`benchmarks/train_demo.py`) with the AU oracle and the pixel metric on the
same 200 held-out pairs, extends `runs/demo/learning_curve.csv` and draws
`runs/demo/learning_curve.png`. Safe to run while training continues: each
call scores only the new snapshots.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tfganimation.evaluation import shipped_oracle
from tfganimation.evaluation.learning_curve import learning_curve, plot_curve
from tfganimation.synthetic import load_identities
from tfganimation.training import SNAPSHOT_DIR, TrainConfig, build_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demo", help="the folder train_demo.py wrote")
    parser.add_argument("--pairs", type=int, default=200)
    args = parser.parse_args()

    out = Path(args.out)
    record = json.loads((out / "run" / "run.json").read_text())
    generator = build_model(TrainConfig.from_record(record["config"])).generator
    identities = list(load_identities(out / "data", split="test").values())
    rows = learning_curve(generator, out / "run" / SNAPSHOT_DIR, identities,
                          out / "learning_curve.csv", oracle=shipped_oracle(), n_pairs=args.pairs)  # fmt: skip
    for row in rows:
        print(f"{int(row['generator_step']):>7}  oracle {row['oracle_au_ratio']:.3f}  "
              f"region L1 {row['region_l1_ratio']:.3f}  outside {row['outside_l1']:.4f}")
    if rows:
        plot_curve(rows, out / "learning_curve.png",
                   f"demo model, {args.pairs} held-out pairs")  # fmt: skip


if __name__ == "__main__":
    main()
