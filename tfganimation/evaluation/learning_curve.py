"""What more training buys: AU control of a run's generator snapshots, step by step.

`train(..., snapshot_every=N)` keeps the generator's weights every N
generator steps (`RUN_DIR/snapshots/`). `learning_curve` scores every
snapshot on the same held-out pairs (`tfganimation.evaluation.score_au_control`, same
seed, so the rows differ only by the weights) and appends a row per snapshot
to a CSV, skipping those already there: it can run while training goes on.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from tfganimation.evaluation.editors import generator_editor
from tfganimation.evaluation.metric import AUReader, score_au_control
from tfganimation.synthetic import Identity

COLUMNS = ("generator_step", "oracle_au_ratio", "region_l1_ratio", "outside_l1", "oracle_au_mse")
_STEP = re.compile(r"generator_step_(\d+)\.weights\.h5$")


def snapshot_steps(directory: str | os.PathLike) -> dict[int, Path]:
    """`{generator step: snapshot file}` of a run's `snapshots/` folder, in step order."""
    found = {}
    for path in Path(directory).glob("generator_step_*.weights.h5"):
        match = _STEP.search(path.name)
        if match:
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))


def learning_curve(
    generator,
    snapshots: str | os.PathLike,
    identities: Sequence[Identity],
    csv_path: str | os.PathLike,
    *,
    oracle: AUReader | None = None,
    n_pairs: int = 200,
    seed: int = 0,
) -> list[dict[str, float]]:
    """Scores each snapshot not yet in `csv_path`; returns all rows, by step.

    Args:
        generator: a `Generator` of the run's architecture; its weights are
            replaced by each snapshot's in turn.
        snapshots: the run's `snapshots/` folder.
        identities: held-out identities to draw the pairs from.
        csv_path: the CSV to extend (created with a header if missing).
        oracle: the AU oracle; without one `oracle_*` columns are NaN.
        n_pairs: realistic pairs per evaluation. Defaults to 200.
        seed: the pairs' seed. Defaults to 0.
    """
    csv_path = Path(csv_path)
    rows = read_curve(csv_path)
    done = {int(row["generator_step"]) for row in rows}
    for step, path in snapshot_steps(snapshots).items():
        if step in done:
            continue
        generator.load_weights(path)
        report = score_au_control(generator_editor(generator), identities, generator.image_size,
                          n_pairs=n_pairs, pairs_per_au=0, seed=seed, oracle=oracle)  # fmt: skip
        row = {
            "generator_step": step,
            "oracle_au_ratio": report.oracle_au_ratio,
            "region_l1_ratio": report.region_l1_ratio,
            "outside_l1": report.model.outside_l1,
            "oracle_au_mse": report.oracle.model if report.oracle else float("nan"),
        }
        _append(csv_path, row)
        rows.append(row)
    return sorted(rows, key=lambda row: row["generator_step"])


def read_curve(csv_path: str | os.PathLike) -> list[dict[str, float]]:
    """The rows of a learning-curve CSV (empty if it does not exist)."""
    path = Path(csv_path)
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as stream:
        return [{key: float(value) for key, value in row.items()} for row in csv.DictReader(stream)]


def plot_curve(rows: Sequence[dict[str, float]], path: str | os.PathLike, title: str = "") -> Path:
    """Both ratios (and the copy baseline at 1) against generator steps, log x, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    steps = np.array([row["generator_step"] for row in rows])
    figure, axis = pyplot.subplots(figsize=(6.4, 3.8), dpi=110)
    for key, label in (
        ("oracle_au_ratio", "oracle AU error / copy input"),
        ("region_l1_ratio", "AU-region L1 / copy input"),
    ):
        axis.plot(steps, [row[key] for row in rows], marker="o", markersize=3, label=label)
    axis.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="copy the input")
    axis.set_xscale("log")
    axis.set_xlabel("generator steps")
    axis.set_ylabel("model / copy baseline (lower is better)")
    axis.set_ylim(bottom=0)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return Path(path)


def _append(path: Path, row: dict[str, float]) -> None:
    new = not path.is_file()
    with open(path, "a", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=COLUMNS)
        if new:
            writer.writeheader()
        writer.writerow(row)
