"""The reference learning-rate schedule."""

import keras
import numpy as np
import pytest

import tfganimation


def test_linear_decay_values():
    schedule = tfganimation.LinearDecay(1e-4, constant_steps=100, decay_steps=50)
    values = [float(schedule(step)) for step in (0, 99, 100, 125, 150, 1000)]
    np.testing.assert_allclose(values, [1e-4, 1e-4, 1e-4, 5e-5, 0.0, 0.0], atol=1e-12)


def test_reference_epochs_in_each_optimizers_own_steps():
    g_optimizer, d_optimizer = tfganimation.make_optimizers(steps_per_epoch=100, n_critic=5)
    # 20 constant epochs and 10 decaying ones: the critic counts batches,
    # the generator counts its own steps (every 5th batch).
    critic_schedule = d_optimizer.get_config()["learning_rate"]["config"]
    generator_schedule = g_optimizer.get_config()["learning_rate"]["config"]
    assert (critic_schedule["constant_steps"], critic_schedule["decay_steps"]) == (2000, 1000)
    assert (generator_schedule["constant_steps"], generator_schedule["decay_steps"]) == (400, 200)
    g_optimizer.iterations.assign(500)  # halfway through the generator's decay
    assert float(g_optimizer.learning_rate) == pytest.approx(5e-5)
    assert g_optimizer.beta_1 == 0.5 and g_optimizer.beta_2 == 0.999


def test_schedule_config_round_trip():
    schedule = tfganimation.LinearDecay(2e-4, constant_steps=3, decay_steps=7)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert restored.get_config() == schedule.get_config()


def test_bad_schedule_arguments():
    with pytest.raises(ValueError, match="decay_steps"):
        tfganimation.LinearDecay(decay_steps=0)


def generator_steps_of_train_step(batches, n_critic, warmup=0):
    """The generator steps `GANimation.train_step` takes in `batches` batches, counted one by one."""
    return sum(1 for step in range(1, batches + 1) if step % n_critic == 0 and step > warmup)


@pytest.mark.parametrize("steps_per_epoch", [7, 9, 11])
@pytest.mark.parametrize("warmup", [0, 12])
def test_both_rates_reach_zero_exactly_at_the_last_step(steps_per_epoch, warmup):
    # Not a multiple of n_critic: the generator steps every 5th batch of the
    # run, across epoch boundaries, so it takes 54 steps in 270 batches at 9
    # per epoch, not 30 x (9 // 5) = 30, and its rate must last all of them.
    g_optimizer, d_optimizer = tfganimation.make_optimizers(
        steps_per_epoch, n_critic=5, constant_epochs=20, decay_epochs=10, critic_warmup_steps=warmup
    )
    batches, constant_batches = 30 * steps_per_epoch, 20 * steps_per_epoch
    for optimizer, steps, decay_start in (
        (d_optimizer, batches, constant_batches),
        (
            g_optimizer,
            generator_steps_of_train_step(batches, 5, warmup),
            generator_steps_of_train_step(constant_batches, 5, warmup),
        ),
    ):

        def rate(step):
            optimizer.iterations.assign(step)
            return float(optimizer.learning_rate)

        assert rate(decay_start) == pytest.approx(1e-4)  # constant through the 20th epoch
        assert 0 < rate(decay_start + 1) < 1e-4
        assert rate(steps - 1) > 0  # the last step still learns ...
        assert rate(steps) == 0  # ... and the rate is 0 right after it, not before


def test_adam_epsilon_is_the_reference_one():
    for optimizer in tfganimation.make_optimizers(steps_per_epoch=9):
        assert optimizer.epsilon == 1e-8


def test_a_run_at_9_steps_per_epoch_ends_at_rate_zero():
    from conftest import random_batches, tiny_ganimation

    model = tiny_ganimation()
    g_optimizer, d_optimizer = tfganimation.make_optimizers(9, constant_epochs=1, decay_epochs=2)
    model.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
    model.fit(random_batches(n_batches=27).repeat(), epochs=3, steps_per_epoch=9, verbose=0)
    assert (int(d_optimizer.iterations), int(g_optimizer.iterations)) == (27, 5)
    assert float(d_optimizer.learning_rate) == 0 and float(g_optimizer.learning_rate) == 0
    g_optimizer.iterations.assign(4)  # the rate of the generator's last step
    assert float(g_optimizer.learning_rate) > 0
