"""Disk checks before a run: what its folder will hold at its fullest, and whether it fits.

A run keeps several copies of its training state at once (the backup and
its next version, `model.keras`, the kept epoch checkpoints, the best one)
and, optionally, generator snapshots; a run that found out at hour ten that
the disk is full would lose them, so `train` checks first.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
from pathlib import Path

import numpy as np

from tfganimation.ganimation import GANimation
from tfganimation.schedules import generator_steps
from tfganimation.training.config import TrainConfig
from tfganimation.training.run_dir import BACKUP_DIR, CHECKPOINT_DIR, SNAPSHOT_DIR


class InsufficientStorageError(OSError):
    """The run directory has too little free space for the run's checkpoints."""


def training_state_bytes(model: GANimation) -> int:
    """Bytes of one backup: the weights and both optimizers' variables.

    For Adam that is parameters × 4 bytes × (1 + 2 slots), plus a few scalars.
    """
    return _variable_bytes(
        [*model.weights, *model.g_optimizer.variables, *model.d_optimizer.variables]
    )


def _variable_bytes(variables) -> int:
    return sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in variables)


@dataclasses.dataclass(frozen=True)
class StorageNeed:
    """What a run keeps on disk, in bytes.

    Args:
        state_bytes: int. One copy of the training state (`training_state_bytes`).
        state_copies: int. Copies held at once at most: the backup, its next
            version while it is written, `model.keras`, the kept epoch
            checkpoints and the best one.
        snapshot_bytes: int. All the generator snapshots together.
    """

    state_bytes: int
    state_copies: int
    snapshot_bytes: int = 0

    @property
    def total(self) -> int:
        return self.state_copies * self.state_bytes + self.snapshot_bytes

    def describe(self) -> str:
        text = (
            f"{self.state_copies} copies of a {self.state_bytes / 2**20:,.1f} MiB training state "
            "(the backup and its next version, model.keras, the kept checkpoints)"
        )
        if self.snapshot_bytes:
            text += f" + {self.snapshot_bytes / 2**20:,.1f} MiB of generator snapshots"
        return text


def storage_needed(model: GANimation, config: TrainConfig, steps_per_epoch: int) -> StorageNeed:
    """The most disk space the run directory of `config` will hold at once."""
    generator_bytes = _variable_bytes(model.generator.weights)
    total_generator_steps = generator_steps(
        config.epochs * steps_per_epoch, config.n_critic, config.critic_warmup_steps
    )
    return StorageNeed(
        state_bytes=training_state_bytes(model),
        state_copies=3 + config.keep_checkpoints + bool(config.best_checkpoint),
        snapshot_bytes=(
            generator_bytes * (total_generator_steps // config.snapshot_every)
            if config.snapshot_every
            else 0
        ),
    )


def check_storage(run_dir: Path, need: StorageNeed) -> None:
    """Fails before training where the run could not keep what it writes.

    Writes and removes a probe file (catching read-only and full file
    systems, and permissions that `os.access` misreports), then checks the
    free space, plus what a resumed run's backup, checkpoints and snapshots
    already hold, against `need.total`: what the run holds at its fullest
    (logs and pictures aside, a few MB).

    Raises:
        PermissionError: `run_dir` cannot be written.
        InsufficientStorageError: less free space than that.
    """
    probe = run_dir / ".write-probe"
    try:
        with open(probe, "wb") as file:
            file.write(b"\0" * 4096)
            file.flush()
            os.fsync(file.fileno())
    except OSError as error:
        raise PermissionError(
            f"Cannot write to the run directory {run_dir}: {error.strerror or error}"
        ) from error
    finally:
        probe.unlink(missing_ok=True)
    free = shutil.disk_usage(run_dir).free
    held = sum(_bytes_under(run_dir / name) for name in (BACKUP_DIR, CHECKPOINT_DIR, SNAPSHOT_DIR))
    if free + held < need.total:
        raise InsufficientStorageError(
            f"{run_dir} has {free / 2**20:,.0f} MiB free"
            + (f" (+ {held / 2**20:,.0f} MiB in its backup and checkpoints)" if held else "")
            + f", but the run needs about {need.total / 2**20:,.0f} MiB: {need.describe()}. "
            "Free some space, keep fewer checkpoints (--keep-checkpoints), or choose another --out."
        )


def _bytes_under(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
