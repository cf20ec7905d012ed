"""The training state at the last few epoch ends, and at the best one."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import keras

from tfganimation.atomic import copy_atomically, write_json_atomically
from tfganimation.callbacks.backup_and_restore import AtomicBackupAndRestore

_EPOCH_FILE = re.compile(r"epoch_(\d+)\.weights\.h5")
BEST_FILE = "best.weights.h5"
BEST_RECORD = "best.json"


def epoch_file(epoch: int) -> str:
    """The checkpoint name of 1-based `epoch`, e.g. `epoch_007.weights.h5`."""
    return f"epoch_{epoch:03d}.weights.h5"


def check_monitor(monitor: str, model: keras.Model) -> None:
    """Raises `ValueError` unless `model` logs `monitor` (a metric name, or `val_` and one)."""
    names = [metric.name for metric in model.metrics]
    if monitor.removeprefix("val_") not in names:
        raise ValueError(
            f"The metric {monitor!r} chosen for the best checkpoint is not one the model logs: "
            f"{', '.join(names)} (or their val_ forms)."
        )


class EpochCheckpoints(keras.callbacks.Callback):
    """Keeps the epoch-end backups of the last `keep` epochs, and of the best.

    At every epoch end it copies the backup that `backup` has just written
    (so put it after `backup` in the callback list) to
    `directory/epoch_NNN.weights.h5`, after deleting the oldest ones so that
    never more than `keep` are on disk: a run of any length holds a bounded
    number of training states (~610 MB each at the paper's size). With
    `monitor`, the state of the epoch with the lowest value of that logged
    metric so far is kept as `best.weights.h5`, described in `best.json`
    (epoch, metric, value), which also carries the best value over a resume.
    Every value GANimation logs is a loss term, so lower is better. Copies
    are atomic (`tfganimation.atomic`); only the chief writes.

    A checkpoint is a `save_weights` file of the whole `GANimation`
    (networks, both optimizers, global step): `model.load_weights(path)`
    restores it into a model compiled like the run's.

    Args:
        backup: `AtomicBackupAndRestore`. The callback whose epoch-end backup
            is copied.
        directory: str or path-like. Where the checkpoints go.
        keep: int. Epoch checkpoints kept; 0 keeps none. Defaults to 3.
        monitor: str or None. A logged metric (`"val_g_au"`, ...) whose
            lowest value picks the best epoch; `None` keeps no best.
            Defaults to `None`.

    Example:
    ```python
    backup = AtomicBackupAndRestore("run/backup")
    checkpoints = EpochCheckpoints(backup, "run/checkpoints", keep=3, monitor="val_g_au")
    model.fit(data, validation_data=test, callbacks=[backup, checkpoints])
    ```
    """

    def __init__(
        self,
        backup: AtomicBackupAndRestore,
        directory: str | os.PathLike,
        keep: int = 3,
        monitor: str | None = None,
    ):
        super().__init__()
        if keep < 0:
            raise ValueError(f"keep must be >= 0. Received: keep={keep}")
        self.backup = backup
        self.directory = Path(directory)
        self.keep = keep
        self.monitor = monitor

    def on_train_begin(self, logs=None):
        if self.monitor is not None:
            check_monitor(self.monitor, self.model)

    def on_epoch_end(self, epoch, logs=None):
        if not self.model.distribute_strategy.extended.should_checkpoint:
            return
        if self.keep:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / epoch_file(epoch + 1)
            # The oldest go first, so the disk never holds more than `keep` (and the one being written).
            older = [p for p in self.epoch_checkpoints() if p != path]
            for stale in older[: max(0, len(older) - self.keep + 1)]:
                stale.unlink(missing_ok=True)
            copy_atomically(self.backup.weights_path, path)
        if self.monitor is not None:
            self._keep_if_best(epoch + 1, logs or {})

    def epoch_checkpoints(self) -> list[Path]:
        """The epoch checkpoints on disk, oldest first."""
        if not self.directory.is_dir():
            return []
        numbered = [
            (int(match[1]), path)
            for path in self.directory.iterdir()
            if (match := _EPOCH_FILE.fullmatch(path.name))
        ]
        return [path for _, path in sorted(numbered)]

    def best(self) -> dict | None:
        """`best.json`: `{"epoch", "metric", "value"}` of the best epoch so far, or `None`."""
        record = self.directory / BEST_RECORD
        return json.loads(record.read_text()) if record.is_file() else None

    def _keep_if_best(self, epoch: int, logs) -> None:
        if self.monitor not in logs:
            raise ValueError(
                f"The metric {self.monitor!r} chosen for the best checkpoint was not logged at the "
                f"end of epoch {epoch} (is there validation data?). Logged: {', '.join(sorted(logs))}."
            )
        value = float(logs[self.monitor])
        best = self.best()
        improves = best is None or best["metric"] != self.monitor or value < best["value"]
        if not (math.isfinite(value) and improves):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        copy_atomically(self.backup.weights_path, self.directory / BEST_FILE)
        write_json_atomically(
            self.directory / BEST_RECORD, {"epoch": epoch, "metric": self.monitor, "value": value}
        )
