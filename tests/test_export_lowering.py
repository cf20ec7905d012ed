"""The re-lowered generator computes what the Keras generator computes, in fewer, faster LiteRT ops."""

import collections

import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from tfganimation.export import tflite
from tfganimation.export.lowering import (
    AU_TERM_SCOPE,
    INSTANCE_NORM_SCOPE,
    au_conv_term,
    instance_norm,
    lowered_generator,
    padding_taps,
)
from tfganimation.export.saved_model import write_saved_model
from tfganimation.generator import Generator
from tfganimation.layers import instance_norm as keras_instance_norm
from tfganimation.precision import dtype_policy

TOLERANCE = 2e-5
"""Largest difference allowed between the two spellings, on outputs in [-1, 1]."""


def randomized(model, seed: int = 0):
    """`model` with every weight redrawn, norm scales and shifts included (not 1 and 0)."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        scale = 0.5 if "gamma" in weight.path or "beta" in weight.path else 0.1
        weight.assign(rng.normal(0.0, scale, weight.shape).astype("float32"))
    return model


def inputs(size: int, batch: int = 2, seed: int = 1):
    rng = np.random.default_rng(seed)
    images = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    return tf.constant(images), tf.constant(rng.uniform(0, 1, (batch, 17)).astype("float32"))


@pytest.mark.parametrize("kernel_size", [3, 4, 7])
def test_padding_taps_match_a_convolution_of_ones(kernel_size):
    size = 9
    ones = tf.ones([1, size, 1, 1])
    # Tap t of a column kernel that is 1 at t only: 1 where that tap lands inside.
    for tap in range(kernel_size):
        kernel = np.zeros([kernel_size, 1, 1, 1], np.float32)
        kernel[tap] = 1.0
        landed = tf.nn.conv2d(ones, kernel, 1, "SAME").numpy()[0, :, 0, 0]
        np.testing.assert_array_equal(padding_taps(size, kernel_size)[:, tap], landed)


@pytest.mark.parametrize("kernel_size,height,width", [(7, 12, 12), (3, 5, 8), (4, 6, 9)])
def test_au_term_equals_the_convolution_of_the_tiled_planes(kernel_size, height, width):
    rng = np.random.default_rng(0)
    aus = rng.uniform(0, 1, (3, 17)).astype("float32")
    kernel = rng.normal(0, 0.1, (kernel_size, kernel_size, 17, 5)).astype("float32")
    planes = tf.tile(aus[:, None, None, :], [1, height, width, 1])
    expected = tf.nn.conv2d(planes, kernel, 1, "SAME")
    actual = au_conv_term(tf.constant(aus), tf.constant(kernel), height, width)
    np.testing.assert_allclose(actual, expected, atol=1e-5)
    # Not trivially constant: the border rows differ from the interior.
    assert np.abs(expected[:, 0] - expected[:, height // 2]).max() > 1e-2


def test_instance_norm_equals_group_normalization_with_one_group_per_channel():
    layer = keras_instance_norm()
    layer.build((None, 6, 6, 4))
    randomized(layer)
    x = tf.constant(np.random.default_rng(2).normal(3.0, 2.0, (2, 6, 6, 4)).astype("float32"))
    np.testing.assert_allclose(instance_norm(x, layer), layer(x), atol=1e-5)


@pytest.mark.parametrize(
    "config",
    [
        {"image_size": 32, "conv_dim": 8, "residual_blocks": 1},
        {"image_size": 16, "conv_dim": 4, "residual_blocks": 0, "upsampling": "resize"},
    ],
)
def test_lowered_generator_equals_the_keras_generator(config):
    generator = randomized(Generator(**config))
    images, aus = inputs(config["image_size"])
    expected = generator((images, aus))
    actual = lowered_generator(generator)((images, aus))
    for name, want, got in zip(("edited", "color", "attention"), expected, actual, strict=True):
        np.testing.assert_allclose(got, want, atol=TOLERANCE, err_msg=name)


def test_only_float32_generators_are_lowered():
    with dtype_policy("mixed_bfloat16"):
        generator = Generator(image_size=16, conv_dim=4, residual_blocks=0)
    with pytest.raises(ValueError, match="float32"):
        lowered_generator(generator)


def test_lowered_litert_file_matches_keras_without_5d_reshapes_or_au_planes(tmp_path):
    generator = randomized(Generator(image_size=32, conv_dim=8, residual_blocks=1))
    saved = write_saved_model(tmp_path / "b1", generator, batch_size=1, lowered=True)
    model = tflite.convert(saved, "float32")
    interpreter = Interpreter(model_content=model)
    ops = collections.Counter(op["op_name"] for op in interpreter._get_ops_details())
    assert not {"TILE", "CONCATENATION"} & set(ops), ops
    assert ops["RESHAPE"] <= 3, ops  # The AU term's; the norms have none.
    assert ops["MEAN"] == 2 * 7, ops  # Two 4-D means per norm, 7 norms.

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (1, 32, 32, 3), dtype=np.uint8)
    aus = rng.uniform(0, 5, (1, 17)).astype("float32")
    outputs = interpreter.get_signature_runner("animate")(image=image, aus=aus)
    _, _, attention = generator((tf.constant(image / 127.5 - 1.0, tf.float32), aus / 5.0))
    np.testing.assert_allclose(outputs["attention"], attention, atol=1e-4)


def test_int8_keeps_the_named_scopes_in_float(tmp_path):
    generator = randomized(Generator(image_size=16, conv_dim=4, residual_blocks=0))
    saved = write_saved_model(tmp_path / "b1", generator, batch_size=1, lowered=True)
    rng = np.random.default_rng(4)

    def calibration():
        for _ in range(4):
            yield {
                "image": rng.integers(0, 256, (1, 16, 16, 3), dtype=np.uint8),
                "aus": rng.uniform(0, 5, (1, 17)).astype("float32"),
            }

    def float_means(scopes):
        model = tflite.convert(saved, "int8", calibration, scopes)
        interpreter = Interpreter(model_content=model)
        return sum(
            1
            for op in interpreter._get_ops_details()
            if op["op_name"] == "MEAN"
            and interpreter._get_tensor_details(op["outputs"][0], 0)["dtype"] == np.float32
        )

    assert float_means(tflite.CONTRACT_SCOPES) == 0
    assert float_means(tflite.CONTRACT_SCOPES + (INSTANCE_NORM_SCOPE,)) == 2 * 5
    assert {INSTANCE_NORM_SCOPE, AU_TERM_SCOPE} <= set(tflite.FLOAT_SCOPES)


def test_in_scopes_reads_numbered_and_fused_names():
    assert tflite.in_scopes("instance_norm_stats_12/Mean_1", ("instance_norm_stats",))
    assert tflite.in_scopes("re_lu/Relu;heads/add", ("heads",))
    assert not tflite.in_scopes("mul_3", ("heads", "preprocess"))
    assert not tflite.in_scopes("heads_up/add", ("heads",))
