"""Measures the finished demo run and packages it: `python benchmarks/demo_report.py`.

1. AU control of `runs/demo/run` on 256 held-out pairs (+ 8 single-AU pairs
   per AU) with the AU oracle and the pixel metric: `runs/demo/evaluation.json`.
2. Pictures for the README, `docs/demo_and_oracle.md` and the model card:
   `docs/demo_grid.png` (input, truth, edit, attention), `docs/demo_presets.png`
   (every preset on held-out faces, truth under each), `docs/demo_expressions.gif`,
   and the learning curve `docs/demo_learning_curve.png` (from
   `benchmarks/demo_learning_curve.py`).
3. With `--package`: writes the demo files into the package
   (`tfganimation.demo.write_demo_files`) with these figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from tfganimation.demo import write_demo_files
from tfganimation.evaluation import score_au_control, generator_editor, shipped_oracle
from tfganimation.evaluation.pictures import preset_grid
from tfganimation.inference import load_run
from tfganimation.oracle import oracle_record
from tfganimation.quickstart import write_expression_animation
from tfganimation.schedules import generator_steps
from tfganimation.synthetic import load_identities


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/demo", help="the folder train_demo.py wrote")
    parser.add_argument("--docs", default="docs")
    parser.add_argument("--pairs", type=int, default=256)
    parser.add_argument("--package", action="store_true", help="write the demo into the package")
    parser.add_argument("--wall-hours", type=float, default=None,
                        help="the run's measured wall-clock hours, interruptions excluded")  # fmt: skip
    args = parser.parse_args()

    out, docs = Path(args.out), Path(args.docs)
    model, record = load_run(out / "run")
    generator = model.generator
    identities = load_identities(out / "data", split="test")
    report = score_au_control(generator_editor(generator), list(identities.values()), generator.image_size,
                      n_pairs=args.pairs, pairs_per_au=8, oracle=shipped_oracle(),
                      grid_path=docs / "demo_grid.png", grid_rows=6)  # fmt: skip
    evaluation = report.to_dict()
    (out / "evaluation.json").write_text(json.dumps(evaluation, indent=2) + "\n")
    print(report.format_table())

    preset_grid(generator, list(identities.values())[:4], docs / "demo_presets.png")
    write_expression_animation(generator, out / "data", generator.image_size,
                               docs / "demo_expressions.gif", overwrite=True)  # fmt: skip
    if (out / "learning_curve.png").is_file():
        shutil.copyfile(out / "learning_curve.png", docs / "demo_learning_curve.png")

    if args.package:
        figures = {
            "n_pairs": report.n_pairs,
            "oracle_au_ratio": report.oracle_au_ratio,
            "region_l1_ratio": report.region_l1_ratio,
            "outside_l1": report.model.outside_l1,
            "oracle_au_mse": {"model": report.oracle.model, "copy": report.oracle.copy,
                              "truth": report.oracle.truth},  # fmt: skip
            "oracle_heldout_mse_ratio": oracle_record()["heldout"]["mse_ratio"],
        }
        config = record["config"]
        critic_steps = config["epochs"] * record["steps_per_epoch"]
        training = {
            "critic_steps": critic_steps,
            "generator_steps": generator_steps(critic_steps, config["n_critic"],
                                               config["critic_warmup_steps"]),  # fmt: skip
            "hours": args.wall_hours,
            "training_seconds": record.get("training_seconds"),
            "resumed_at_steps": record.get("resumed_at_steps", []),
        }
        print("Packaged:", write_demo_files(model, record, identities, figures, training))


if __name__ == "__main__":
    main()
