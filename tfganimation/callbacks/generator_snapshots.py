"""Copies of the generator's weights every N generator steps, for learning curves."""

from __future__ import annotations

import os
from pathlib import Path

from tfganimation.atomic import replacing
from tfganimation.callbacks.global_step import GlobalStepCallback
from tfganimation.schedules import generator_steps


class GeneratorSnapshots(GlobalStepCallback):
    """Saves `generator_step_NNNNNNN.weights.h5` every `every` generator steps.

    Only the generator's weights (no optimizer state): a few MB each for a
    small model, so a whole run's worth can be evaluated afterwards on the
    same held-out pairs, which is how a learning curve is drawn without
    stopping training for it. A snapshot that exists is left as it is (a
    resumed run reaches the same step with the same weights).

    Args:
        directory: str or path-like. Created if missing.
        every: int. Generator steps between snapshots.
        n_critic: int. The model's critic steps per generator step.
    """

    def __init__(self, directory: str | os.PathLike, every: int, n_critic: int):
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be >= 1. Received: every={every}")
        self.directory = Path(directory)
        self.every = every
        self.n_critic = n_critic

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        steps = generator_steps(self.global_step, self.n_critic, self.model.critic_warmup_steps)
        if steps and steps % self.every == 0 and self.global_step % self.n_critic == 0:
            self.save(steps)

    def save(self, steps: int) -> Path:
        path = self.directory / snapshot_name(steps)
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            with replacing(path) as temporary:
                self.model.generator.save_weights(temporary)
        return path


def snapshot_name(generator_step: int) -> str:
    return f"generator_step_{generator_step:07d}.weights.h5"
