"""Stops training at the first NaN or infinite loss, before anything saves it."""

from __future__ import annotations

import math

from tfganimation.callbacks.global_step import GlobalStepCallback


class NonFiniteLossError(RuntimeError):
    """Training diverged: a loss term became NaN or infinite."""


class StopOnNonFiniteLoss(GlobalStepCallback):
    """Raises `NonFiniteLossError` as soon as a logged loss is NaN or infinite.

    Unlike `keras.callbacks.TerminateOnNaN`, which ends `fit` normally (so
    that the caller would go on to save the diverged model), this raises, so
    the run stops with a message naming the term and the step. Put it first
    in the callback list: the callbacks after it (backups) then never write
    the diverged state, and the last good backup is kept.

    The logs are the epoch's running means, which stay non-finite once one
    batch was: the check costs a host read of the logs per batch, which the
    progress bar makes anyway. At the end of an epoch the validation losses
    (`val_*`) are checked the same way, before any callback after this one
    (the epoch-end backup and checkpoints) sees the epoch: a model whose
    weights are finite but whose outputs are not is not saved either.
    """

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if terms := _non_finite(logs):
            raise NonFiniteLossError(
                f"Training diverged at step {self.global_step}: {terms}. Try a lower learning rate."
            )

    def on_epoch_end(self, epoch, logs=None):
        if terms := _non_finite(logs):
            raise NonFiniteLossError(
                f"Training diverged at the end of epoch {epoch + 1} (step {self.global_step}): "
                f"{terms}. Try a lower learning rate."
            )


def _non_finite(logs) -> str:
    """`"name=value, ..."` for the NaN or infinite values in `logs`, sorted; `""` if none."""
    bad = {name: value for name, value in (logs or {}).items() if not math.isfinite(value)}
    return ", ".join(f"{name}={value}" for name, value in sorted(bad.items()))
