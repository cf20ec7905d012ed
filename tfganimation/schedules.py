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
    epsilon: float = 1e-8,
    critic_warmup_steps: int = 0,
) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
    """The reference's two Adam optimizers, `(generator, critic)`.

    With `steps_per_epoch` (batches per epoch), both follow the reference
    schedule and reach a rate of 0 exactly after the run's last batch: the
    critic's counts batches; the generator's counts its own steps, which
    follow the global batch count (every `n_critic`-th batch once
    `critic_warmup_steps` are done, across epoch boundaries), so its decay
    starts at the batch where the critic's does and ends with the run even
    when `steps_per_epoch` is not a multiple of `n_critic`. Without
    `steps_per_epoch` the rate is constant.

    `epsilon` is the reference's (PyTorch's default, 1e-8; Keras' is 1e-7).
    Keras adds it to the square root of the uncorrected second moment,
    PyTorch to that of the bias-corrected one; the two agree once
    `beta_2 ** step` is negligible (after a few thousand steps), and before
    that Keras' is the larger, by at most `1 / sqrt(1 - beta_2)` (32x).
    """
    if steps_per_epoch is None:
        critic_rate = generator_rate = learning_rate
    else:
        batches = (constant_epochs + decay_epochs) * steps_per_epoch
        constant_batches = constant_epochs * steps_per_epoch
        critic_rate = LinearDecay(
            learning_rate, constant_steps=constant_batches, decay_steps=max(1, batches - constant_batches)
        )
        generator_constant = generator_steps(constant_batches, n_critic, critic_warmup_steps)
        generator_total = generator_steps(batches, n_critic, critic_warmup_steps)
        generator_rate = LinearDecay(
            learning_rate,
            constant_steps=generator_constant,
            decay_steps=max(1, generator_total - generator_constant),
        )
    generator_optimizer = keras.optimizers.Adam(
        generator_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, name="generator_adam"
    )
    critic_optimizer = keras.optimizers.Adam(
        critic_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, name="critic_adam"
    )
    return generator_optimizer, critic_optimizer


def generator_steps(global_step: int, n_critic: int, warmup: int = 0) -> int:
    """Generator steps taken after `global_step` batches of the GANimation schedule.

    The generator steps after every `n_critic`-th batch (counted over the
    whole run, not per epoch) once the first `warmup` batches (critic only)
    are over.
    """
    if global_step <= warmup:
        return 0
    return global_step // n_critic - warmup // n_critic
