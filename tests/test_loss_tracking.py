"""How loss terms become `fit`'s logs: means weighted by images, with their total."""

import keras
import pytest
import tensorflow as tf

from tfganimation.loss_tracking import loss_logs, record_losses


def test_a_step_weighs_as_many_images_as_it_has_and_adds_the_total():
    trackers = {name: keras.metrics.Mean(name=name) for name in ("d_loss", "d_real", "d_fake")}
    record_losses(trackers, {"d_real": 1.0, "d_fake": 2.0}, "d_loss", tf.zeros([3, 2, 2, 3]))
    record_losses(trackers, {"d_real": 5.0, "d_fake": 0.0}, "d_loss", tf.zeros([1, 2, 2, 3]))

    logs = {name: float(value) for name, value in loss_logs(trackers).items()}
    assert logs["d_real"] == pytest.approx((3 * 1.0 + 1 * 5.0) / 4)
    assert logs["d_fake"] == pytest.approx((3 * 2.0 + 1 * 0.0) / 4)
    assert logs["d_loss"] == pytest.approx((3 * 3.0 + 1 * 5.0) / 4)


def test_without_a_total_name_only_the_terms_are_recorded():
    trackers = {name: keras.metrics.Mean(name=name) for name in ("d_loss", "d_au")}
    record_losses(trackers, {"d_au": 2.0}, None, tf.zeros([2, 2, 2, 3]))
    logs = loss_logs(trackers)
    assert float(logs["d_au"]) == 2.0
    assert float(logs["d_loss"]) == 0.0
