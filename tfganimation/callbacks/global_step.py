"""The run's global step, as the callbacks that act every N steps see it."""

from __future__ import annotations

import keras


def read_global_step(model: keras.Model) -> int:
    """Batches `model` (a `GANimation`) has trained on since its run began.

    This is the model's `global_step` counter: it is saved with the
    weights, so it carries over a resume, and it counts global batches
    whatever the number of replicas.
    """
    return int(keras.ops.convert_to_numpy(model.global_step))


class GlobalStepCallback(keras.callbacks.Callback):
    """A callback that knows the global step after every batch.

    The step is read from the model once per `fit` and then counted on the
    host, so acting "every N steps" costs no device synchronisation, and N
    counts from the start of the run, not of the current `fit` call (which,
    after a resume, may begin in the middle of an epoch).
    """

    def on_train_begin(self, logs=None):
        self.global_step = read_global_step(self.model)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_first_step = self.global_step

    def on_train_batch_end(self, batch, logs=None):
        # `batch` is the last batch index of the execution (which may cover
        # `steps_per_execution` batches), counted from the epoch's start.
        self.global_step = self._epoch_first_step + batch + 1
