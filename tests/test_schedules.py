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
