"""The run folder: its layout, its `run.json` record, and what resuming a run checks and trims.

    RUN_DIR/run.json                  configuration, data report, status
    RUN_DIR/model.keras               the final GANimation (generator + critic)
    RUN_DIR/backup/                   the latest training state (until the run ends)
    RUN_DIR/checkpoints/              the training state at the last `keep_checkpoints`
                                      epoch ends (`epoch_NNN.weights.h5`), and at the
                                      best one (`best.weights.h5`, `best.json`)
    RUN_DIR/snapshots/                generator weights every `snapshot_every` steps
    RUN_DIR/history.csv               the loss terms of every epoch
    RUN_DIR/samples/step_*.png        edits of fixed faces every `sample_every` steps
    RUN_DIR/logs/                     TensorBoard: epoch scalars (train/, validation/);
                                      step images, losses, learning rates (samples/)

A folder holds one run: a new run never mixes its files with another's
(`prepare_run_dir`), and a resumed run must have the configuration it
started with (`open_run`; `resumed_config` reads it back from `run.json`),
its history cut back to its backup (`trim_history`). A finished run is read
back whole, optimizers included, with `load_run` (its networks alone:
`tfganimation.load_model`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import keras
import tensorflow as tf

from tfganimation.atomic import replacing, write_text_atomically
from tfganimation.data import DatasetIndex
from tfganimation.ganimation import GANimation
from tfganimation.model_files.loading import read_keras_file
from tfganimation.model_files.names import RUN_FILE, RUN_MODEL_FILE
from tfganimation.outputs import output_folder
from tfganimation.training.config import RUNTIME_OPTIONS, TrainConfig, recorded_config
from tfganimation.version import __version__

BACKUP_DIR = "backup"
HISTORY_FILE = "history.csv"
CHECKPOINT_DIR = "checkpoints"
SNAPSHOT_DIR = "snapshots"


def prepare_run_dir(out: str | os.PathLike, overwrite: bool = False) -> Path:
    """Creates the run directory, refusing to mix two runs in one.

    A directory that already holds a run is used only with `overwrite=True`
    (its files are then replaced one by one, as the new run writes them).

    Raises:
        FileExistsError: `out` holds files and `overwrite` is False.
        PermissionError: `out` cannot be written.
    """
    run_dir = output_folder(
        out,
        overwrite,
        "a previous run? Choose another --out, pass --overwrite to replace it, "
        "or --resume to continue it",
    )
    if not os.access(run_dir, os.W_OK):
        raise PermissionError(f"Cannot write to the run directory {run_dir}.")
    return run_dir


def open_run(
    run_dir: Path,
    config: TrainConfig,
    index: DatasetIndex,
    overwrite: bool,
    resume: bool,
    chief: bool,
) -> dict:
    """The run's `run.json` record: a new one, or the resumed run's, checked against `config`."""
    if resume:
        record = resumable_record(run_dir)
        check_same_run(record, config)
        record["status"] = "training"
        return record
    if chief:
        prepare_run_dir(run_dir, overwrite)
        (run_dir / HISTORY_FILE).unlink(missing_ok=True)
        for name in (BACKUP_DIR, CHECKPOINT_DIR, SNAPSHOT_DIR):  # an overwritten run's states
            shutil.rmtree(run_dir / name, ignore_errors=True)
    return {
        "config": dataclasses.asdict(config),
        "data": {
            "path": str(Path(config.data).resolve()),
            "format": index.format,
            "counts": index.counts(),
            "skipped": index.report.to_dict(),
        },
        "versions": {
            "tfganimation": __version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
        "status": "training",
    }


def resumable_record(run_dir: str | os.PathLike) -> dict:
    """The `run.json` record of the unfinished run in `run_dir`.

    Raises:
        FileNotFoundError: `run_dir` holds no `run.json`.
        ValueError: the run is finished: resuming it would train past its end.
    """
    record_path = Path(run_dir) / RUN_FILE
    if not record_path.is_file():
        raise FileNotFoundError(f"No run to resume in {run_dir}: it has no {RUN_FILE}.")
    record = json.loads(record_path.read_text())
    if record.get("status") == "finished":
        raise ValueError(f"The run in {run_dir} is finished; there is nothing to resume.")
    return record


def resumed_config(
    run_dir: str | os.PathLike, given: Mapping[str, Any] | None = None
) -> TrainConfig:
    """The configuration to resume the run in `run_dir` with, read from its `run.json`.

    So that resuming needs only the run folder (`train --resume RUN_DIR`),
    not every option retyped. `given` holds the options stated again, by
    field name: a runtime option (`RUNTIME_OPTIONS`) replaces the recorded
    value; any other must equal it, since only an unchanged configuration
    ends with the weights an uninterrupted run would have. The dataset is the
    recorded one, by its absolute path (the run may be resumed from another
    folder); `out` is `run_dir`.

    Raises:
        FileNotFoundError, ValueError: see `resumable_record`; ValueError
            too for an option given that differs from the record, naming it.
    """
    given = dict(given or {})
    record = resumable_record(run_dir)
    recorded_options = record.get("config", {})
    data = record.get("data", {}).get("path") or recorded_options.get("data")
    recorded = TrainConfig.from_record({**recorded_options, "data": data, "out": str(run_dir)})
    differing = []
    for name, path in (("data", data), ("out", str(run_dir))):
        if name in given and Path(given.pop(name)).resolve() != Path(path).resolve():
            differing.append(f"--{name} is not the run's {path}")
    candidate = dataclasses.replace(recorded, **given)
    for name in given:
        if name in RUNTIME_OPTIONS:
            continue
        value, kept = _as_recorded(getattr(candidate, name)), _as_recorded(getattr(recorded, name))
        if value != kept:
            differing.append(f"--{name.replace('_', '-')} {value} differs from the recorded {kept}")
    if differing:
        raise ValueError(
            f"--resume continues the run as {Path(run_dir) / RUN_FILE} records it: "
            + "; ".join(differing)
            + ". Leave these options out, or start a new run."
        )
    return candidate


def _as_recorded(value: Any) -> Any:
    """`value` as `run.json` holds it: a tuple reads back as a list."""
    return json.loads(json.dumps(value))


def check_same_run(record: dict, config: TrainConfig) -> None:
    """Refuses to resume a run with a configuration that would change its result."""
    ignored = {"out", "data", *RUNTIME_OPTIONS}
    recorded = recorded_config(record.get("config", {}))
    current = _as_recorded(dataclasses.asdict(config))
    changed = [
        f"{name}: {recorded.get(name)!r} -> {value!r}"
        for name, value in current.items()
        if name not in ignored and recorded.get(name) != value
    ]
    recorded_data = record.get("data", {}).get("path")
    if recorded_data and recorded_data != str(Path(config.data).resolve()):
        changed.append(f"data: {recorded_data!r} -> {str(Path(config.data).resolve())!r}")
    if changed:
        raise ValueError(
            "--resume needs the configuration the run was started with; changed: "
            + "; ".join(changed)
        )


def trim_history(path: Path, epochs_done: int) -> None:
    """Drops the history rows of epochs after the backup, which will run again."""
    lines = path.read_text().splitlines(keepends=True) if path.is_file() else []
    if not lines:
        return
    header, *rows = lines
    kept = [row for row in rows if int(row.split(",", 1)[0]) < epochs_done]
    write_text_atomically(path, header + "".join(kept))


def load_run(run_dir: str | os.PathLike) -> tuple[GANimation, dict[str, Any]]:
    """The trained `GANimation` (compiled, with its optimizers) and the `run.json` of a run.

    Raises:
        FileNotFoundError: `run_dir` holds no `model.keras`.
        ValueError: the file is not loadable, or holds no whole GANimation.
    """
    run_dir = Path(run_dir)
    model_path = run_dir / RUN_MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(
            f"No trained model at {model_path}: is {run_dir} a finished training run?"
        )
    model = read_keras_file(model_path, compile=True)
    if not isinstance(model, GANimation):
        raise ValueError(f"{model_path} holds a {type(model).__name__}; expected a GANimation.")
    record_path = run_dir / RUN_FILE
    record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.is_file() else {}
    return model, record


def save_model_atomically(model: keras.Model, path: Path) -> None:
    """`model.save(path)` to a temporary file first: a crash never leaves half a model."""
    with replacing(path) as temporary:
        model.save(temporary)
