"""The uint8 serving contract: conversions inside the graph, identical in every format."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from tfganimation.export import signatures, tflite
from tfganimation.export.saved_model import write_saved_model
from tfganimation.generator import composite

SIZE = 16


class AttentionOneGenerator(keras.layers.Layer):
    """Keeps every input pixel (A = 1); paints AUs 1..3 (0..1 scale) as the colour map.

    The contract's conversions are then the only arithmetic between the
    bytes in and the bytes out, so the round trip must be exact.
    """

    def call(self, inputs, training=False):
        images, aus = inputs
        color = tf.ones_like(images) * (2.0 * aus[:, None, None, :3] - 1.0)
        attention = tf.ones_like(images[..., :1])
        return composite(images, color, attention), color, attention


class FixedCritic(keras.layers.Layer):
    """Reports the same AU estimate (0..1 scale) for every image."""

    image_size = SIZE

    def call(self, images, training=False):
        estimate = tf.constant([[-0.2, 0.0, 0.5, 1.0, 1.4] + [0.1] * 12])
        return tf.zeros_like(images[:, :1, :1, :1]), tf.tile(estimate, [tf.shape(images)[0], 1])


def known_image():
    """Every byte value 0..255 in every channel, plus the extremes."""
    values = np.arange(SIZE * SIZE * 3) % 256
    return values.reshape(1, SIZE, SIZE, 3).astype(np.uint8)


# OpenFace intensities 0, 2.5, 5 → colour -1, 0, 1 → bytes 0, 128 (127.5 rounds to even), 255.
AUS = np.array([[0.0, 2.5, 5.0] + [1.0] * 14], np.float32)
EXPECTED_COLOR = np.array([0, 128, 255], np.uint8)


def check_round_trip(outputs):
    np.testing.assert_array_equal(np.asarray(outputs["image"]), known_image())
    np.testing.assert_array_equal(np.asarray(outputs["attention"]), np.ones((1, SIZE, SIZE, 1)))
    np.testing.assert_array_equal(np.asarray(outputs["color"])[0, 3, 5], EXPECTED_COLOR)


def test_conversions_round_trip_exactly():
    values = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(
        signatures.model_to_image(signatures.image_to_model(values)), values
    )
    clipped = signatures.model_to_image(tf.constant([-1.5, -1.0, 0.0, 1.0, 1.5]))
    np.testing.assert_array_equal(clipped, [0, 0, 128, 255, 255])


def test_animate_returns_the_image_where_attention_is_one():
    animate = signatures.make_animate(AttentionOneGenerator())
    check_round_trip(animate(tf.constant(known_image()), tf.constant(AUS)))


def test_saved_model_and_litert_keep_the_contract(tmp_path):
    generator, critic = AttentionOneGenerator(), FixedCritic()
    path = write_saved_model(tmp_path / "any_batch", generator, critic, image_size=SIZE)
    loaded = tf.saved_model.load(str(path))
    assert {"animate", "estimate_aus", "serving_default"} <= set(loaded.signatures)
    check_round_trip(
        loaded.signatures["animate"](image=tf.constant(known_image()), aus=tf.constant(AUS))
    )
    estimate = loaded.signatures["estimate_aus"](image=tf.constant(known_image()))["aus"].numpy()
    np.testing.assert_allclose(estimate[0, :5], [0.0, 0.0, 2.5, 5.0, 5.0])  # ×5, clipped to 0..5.

    single = write_saved_model(
        tmp_path / "batch_1", generator, image_size=SIZE, batch_size=1, portable=True
    )
    runner = Interpreter(model_content=tflite.convert(single, "float32")).get_signature_runner(
        "animate"
    )
    check_round_trip(runner(image=known_image(), aus=AUS))


def test_critic_of_another_size_cannot_serve_estimate_aus(tmp_path):
    with pytest.raises(ValueError, match="estimate_aus"):
        write_saved_model(
            tmp_path / "model", AttentionOneGenerator(), FixedCritic(), image_size=2 * SIZE
        )
