"""Backups of the whole training state, written atomically, restored mid-epoch."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras
import numpy as np

from tfganimation.atomic import replacing, write_json_atomically
from tfganimation.callbacks.global_step import GlobalStepCallback, read_global_step
from tfganimation.callbacks.stop_on_non_finite_loss import NonFiniteLossError


class AtomicBackupAndRestore(GlobalStepCallback, keras.callbacks.BackupAndRestore):
    """`keras.callbacks.BackupAndRestore` for runs that may be killed at any moment.

    A backup is the `GANimation`'s `save_weights` file: both networks, both
    optimizers (Adam's slots, their step counts and so the learning-rate
    schedules, and a loss scale) and the `global_step` counter, which is
    the global step. What differs from the Keras callback:

    * **Atomic.** Each backup is written to a temporary file, flushed to
      disk and renamed over the previous one, so a run killed (SIGKILL,
      power loss) while writing leaves the previous backup intact; Keras'
      writes in place, and its metadata separately.
    * **Mid-epoch resume.** `restore(model)` is called before `fit` and
      returns the global step, from which the caller positions the data
      stream (see `tfganimation.training`); Keras' restores in
      `on_train_begin`, after `fit` created its data iterator, and only back
      to the start of an epoch. Since the step lives in the weights file,
      the JSON metadata beside it is for people only.
    * **Steps of the run.** An integer `save_freq` backs up at global steps
      that are multiples of it, whatever `fit` call or replica count they
      fall in; the end of every epoch is backed up too.
    * **Never a diverged state.** Non-finite weights raise
      `NonFiniteLossError` instead of replacing the last good backup.
    * **Kept.** The backup outlives `fit` (which may be called in parts);
      the caller removes it once the run is complete. `EpochCheckpoints`
      keeps copies of the epoch-end backups.

    Under `MultiWorkerMirroredStrategy` only the chief writes; all workers
    restore from its backup, so `backup_dir` must be on storage they share.

    Args:
        backup_dir: str or path-like. Folder of the backup, used by no
            other run or callback.
        save_freq: `"epoch"` or int. Back up every `save_freq` global steps
            (and at epoch ends), or at epoch ends only. Defaults to `"epoch"`.

    Example:
    ```python
    backup = AtomicBackupAndRestore("run/backup", save_freq=500)
    first_step = backup.restore(model)
    model.fit(dataset.skip(first_step), callbacks=[backup], ...)
    ```
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike,
        save_freq: str | int = "epoch",
    ):
        super().__init__(str(backup_dir), save_freq=save_freq, delete_checkpoint=False)
        self._saved_step = None

    @property
    def weights_path(self) -> Path:
        return Path(self._weights_path)

    def restore(self, model: keras.Model) -> int:
        """Loads the backup into `model`, if there is one; returns its global step.

        `model` must be compiled (its optimizers built). Returns 0, leaving
        the model as it is, when there is no backup yet.
        """
        if not self.weights_path.is_file():
            return 0
        try:
            model.load_weights(self.weights_path)
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(
                f"The backup {self.weights_path} does not fit this model ({error}). "
                "Was the run's configuration changed?"
            ) from error
        return read_global_step(model)

    def describe(self) -> str:
        """Where the last backup is and which step it holds, in a sentence."""
        metadata = Path(self._training_metadata_path)
        if not metadata.is_file():
            return "No backup had been written yet."
        step = json.loads(metadata.read_text())["step"]
        return f"The last good training state (step {step}) is kept in {self.backup_dir}."

    def on_train_begin(self, logs=None):
        # Only the global step: restoring is `restore()`, before `fit`.
        GlobalStepCallback.on_train_begin(self, logs)

    def on_epoch_begin(self, epoch, logs=None):
        GlobalStepCallback.on_epoch_begin(self, epoch, logs)
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        GlobalStepCallback.on_train_batch_end(self, batch, logs)
        if self.save_freq != "epoch" and self.global_step % self.save_freq == 0:
            self._save_model()

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch, self._epoch_first_step = epoch + 1, self.global_step
        if self._saved_step != self.global_step:
            self._save_model()

    def _save_model(self):
        for variable in self.model.trainable_variables:
            if not np.all(np.isfinite(keras.ops.convert_to_numpy(variable))):
                raise NonFiniteLossError(
                    f"Training diverged: non-finite weights in {variable.path} at step "
                    f"{self.global_step}."
                )
        # Every worker checks (they must all stop together), the chief writes.
        if self.model.distribute_strategy.extended.should_checkpoint:
            self.weights_path.parent.mkdir(parents=True, exist_ok=True)
            save_weights_atomically(self.model, self.weights_path)
            metadata = {
                "step": self.global_step,
                "epoch": self._current_epoch,
                "batch": self.global_step - self._epoch_first_step,
            }
            write_json_atomically(self._training_metadata_path, metadata)
        self._saved_step = self.global_step


def save_weights_atomically(model: keras.Model, path: str | os.PathLike) -> None:
    """`model.save_weights(path)`, but `path` is never seen half-written."""
    with replacing(path) as temporary:
        model.save_weights(temporary, overwrite=True)
