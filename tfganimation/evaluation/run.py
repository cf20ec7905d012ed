"""Evaluating a model: `tfganimation evaluate` and the quickstart's fourth step.

`evaluate_run` takes a model reference (a training run, or `"demo"`), finds
the held-out identities it was not trained on, refuses an output folder
that holds an earlier evaluation, and calls `evaluate_generator`, which runs
the metric with the shipped AU oracle and writes the report and the picture
grid. The quickstart, which already holds its trained generator, calls
`evaluate_generator` directly.
"""

from __future__ import annotations

import os
import pathlib
from typing import Sequence

from tfganimation.demo.shipped import DEMO_NAME, demo_test_identities
from tfganimation.evaluation.editors import generator_editor, shipped_oracle
from tfganimation.evaluation.metric import AUReader, score_au_control
from tfganimation.evaluation.report import EVALUATION_FILE, EvaluationReport, write_report
from tfganimation.model_files.loading import load_model
from tfganimation.model_files.reference import is_demo
from tfganimation.outputs import output_folder
from tfganimation.synthetic import Identity, load_identities

GRID_FILE = "grid.png"
"""The picture grid `evaluate_run` writes beside `EVALUATION_FILE`."""


def evaluate_run(
    run_dir: str | os.PathLike,
    *,
    data: str | os.PathLike | None = None,
    n_pairs: int = 64,
    seed: int = 0,
    out: str | os.PathLike | None = None,
    overwrite: bool = False,
    oracle: AUReader | None = None,
) -> tuple[EvaluationReport, pathlib.Path]:
    """Evaluates a training run's generator, or the demo's; writes `evaluation.json` and `grid.png`.

    `evaluation.json` is `EvaluationReport.to_dict()`: `oracle_au_ratio`,
    `region_l1_ratio` and `outside_l1` at its top level, the per-AU table
    under `per_au`.

    Args:
        run_dir: path, or `"demo"`. A finished `tfganimation train` run
            directory, or the demo model shipped in the package.
        data: path or None. The synthetic dataset whose test identities to
            use; None for the one the run was trained on, or for the demo,
            the held-out identities it ships with (`test_identities.json`:
            its training dataset is not shipped). Defaults to `None`.
        n_pairs: int. See `score_au_control`. Defaults to `64`.
        seed: int. See `score_au_control`. Defaults to `0`.
        out: path or None. Output folder; None for `RUN_DIR/evaluation`, or
            `demo_evaluation` in the working directory for the demo.
        overwrite: bool. Replace the files of an earlier evaluation in `out`.
            Defaults to `False`.
        oracle: AUReader or None. The AU oracle; None for the shipped one
            (`shipped_oracle()`).

    Returns:
        The report and the output folder.

    Raises:
        FileExistsError: `out` holds files and `overwrite` is False.
        ValueError: a run whose `run.json` names no dataset, and no `data`.
    """
    loaded = load_model(run_dir)
    if is_demo(run_dir):
        identities = demo_test_identities() if data is None else load_identities(data, "test")
        default_out = pathlib.Path(f"{DEMO_NAME}_evaluation")
    else:
        data = data if data is not None else loaded.data_path
        if data is None:
            raise ValueError(
                f"{run_dir}/run.json names no dataset; pass the synthetic dataset as data."
            )
        identities = load_identities(data, split="test")  # Fails before writing.
        default_out = pathlib.Path(run_dir) / "evaluation"
    out = output_folder(
        default_out if out is None else out,
        overwrite,
        "pass --overwrite to replace the earlier evaluation",
    )
    report = evaluate_generator(
        loaded.generator, list(identities.values()), out, n_pairs=n_pairs, seed=seed, oracle=oracle
    )
    return report, out


def evaluate_generator(
    generator,
    identities: str | os.PathLike | Sequence[Identity],
    out: str | os.PathLike,
    *,
    n_pairs: int = 64,
    seed: int = 0,
    oracle: AUReader | None = None,
    grid_name: str = GRID_FILE,
) -> EvaluationReport:
    """Scores a `Generator` at its own image size; writes `EVALUATION_FILE` and the grid into `out`.

    Args:
        generator: a trained `tfganimation.Generator`.
        identities: held-out identities, or a synthetic dataset folder
            (its `test` identities are used).
        out: path. An existing folder; the two files in it are replaced.
        n_pairs: int. See `score_au_control`. Defaults to `64`.
        seed: int. See `score_au_control`. Defaults to `0`.
        oracle: AUReader or None. The AU oracle; None for the shipped one.
        grid_name: str. The grid's file name. Defaults to `GRID_FILE`.

    Returns:
        The `EvaluationReport` written as `out/EVALUATION_FILE`.
    """
    out = pathlib.Path(out)
    report = score_au_control(generator_editor(generator), identities, generator.image_size,
                      n_pairs=n_pairs, seed=seed, grid_path=out / grid_name,
                      oracle=oracle or shipped_oracle())  # fmt: skip
    write_report(report, out / EVALUATION_FILE)
    return report
