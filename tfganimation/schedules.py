"""The reference learning-rate schedule and the optimizers built on it."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfganimation")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant learning rate, then a linear decay to 0.

    GANimation trains at a constant rate for 20 epochs and decays it
    linearly to 0 over the next 10. The schedule counts the steps of the
    optimizer that owns it; the critic steps on every batch and the
    generator on every `n_critic`-th, so give each optimizer its own
    schedule in its own step units (see `make_optimizers`). The reference
    lowers the rate once per epoch; this decays it every step, which ends at
    the same place without the staircase.

    Args:
        initial_learning_rate: float. The constant rate. Defaults to `1e-4`.
        constant_steps: int. Steps at the constant rate.
        decay_steps: int. Steps over which the rate falls to 0.

    Example:
    ```python
    schedule = LinearDecay.from_epochs(steps_per_epoch=400)
    optimizer = keras.optimizers.Adam(schedule, beta_1=0.5, beta_2=0.999)
    ```
    """

    def __init__(
        self,
        initial_learning_rate: float = 1e-4,
        constant_steps: int = 0,
        decay_steps: int = 1,
    ):
        if constant_steps < 0 or decay_steps < 1:
            raise ValueError(
                "constant_steps must be >= 0 and decay_steps >= 1. Received: "
                f"constant_steps={constant_steps}, decay_steps={decay_steps}"
            )
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_steps = int(constant_steps)
        self.decay_steps = int(decay_steps)

    @classmethod
    def from_epochs(
        cls,
        steps_per_epoch: int,
        constant_epochs: int = 20,
        decay_epochs: int = 10,
        initial_learning_rate: float = 1e-4,
    ) -> "LinearDecay":
        """The reference schedule (20 constant + 10 decaying epochs) in steps."""
        return cls(
            initial_learning_rate,
            constant_steps=constant_epochs * steps_per_epoch,
            decay_steps=max(1, decay_epochs * steps_per_epoch),
        )

    def __call__(self, step):
        step = ops.cast(step, "float32")
        progress = (step - self.constant_steps) / self.decay_steps
        fraction_left = ops.clip(1.0 - progress, 0.0, 1.0)
        return self.initial_learning_rate * fraction_left

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
        }


def make_optimizers(
    steps_per_epoch: int | None = None,
    n_critic: int = 5,
    learning_rate: float = 1e-4,
    constant_epochs: int = 20,
    decay_epochs: int = 10,
    beta_1: float = 0.5,
    beta_2: float = 0.999,
) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
    """The reference's two Adam optimizers, `(generator, critic)`.

    With `steps_per_epoch` (batches per epoch), both follow the reference
    schedule: the critic's in batches, the generator's in its own steps,
    `steps_per_epoch / n_critic` per epoch. Without it the rate is constant.
    """
    if steps_per_epoch is None:
        critic_rate = generator_rate = learning_rate
    else:
        critic_rate = LinearDecay.from_epochs(
            steps_per_epoch, constant_epochs, decay_epochs, learning_rate
        )
        generator_rate = LinearDecay.from_epochs(
            max(1, steps_per_epoch // n_critic), constant_epochs, decay_epochs, learning_rate
        )
    generator_optimizer = keras.optimizers.Adam(
        generator_rate, beta_1=beta_1, beta_2=beta_2, name="generator_adam"
    )
    critic_optimizer = keras.optimizers.Adam(
        critic_rate, beta_1=beta_1, beta_2=beta_2, name="critic_adam"
    )
    return generator_optimizer, critic_optimizer
