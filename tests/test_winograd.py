"""Winograd F(4×4, 3×3) computes the residual blocks' 3×3 convolutions in float32 graphs, and only there."""

import collections

import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter

from tfganimation import winograd
from tfganimation.export import parity, tflite
from tfganimation.export.saved_model import write_saved_model
from tfganimation.generator import Generator
from tfganimation.inference.graph_session import frozen_animate
from tfganimation.layers import ResidualBlock, conv, portable_ops
from tfganimation.precision import dtype_policy
from tfganimation.winograd import (
    WINOGRAD_SCOPE,
    direct_convolutions,
    is_winograd_convolution,
    winograd_conv3x3,
)

RELATIVE_TOLERANCE = 1e-5
"""Largest difference from the direct convolution, as a share of its largest output."""


def assert_close_to_scale(actual, expected, tolerance=RELATIVE_TOLERANCE):
    scale = float(np.max(np.abs(expected)))
    np.testing.assert_allclose(
        np.asarray(actual) / scale, np.asarray(expected) / scale, atol=tolerance
    )


def traced_op_names(function, *args) -> list[str]:
    return [
        op.name for op in tf.function(function).get_concrete_function(*args).graph.get_operations()
    ]


def uses_winograd(function, *args) -> bool:
    return any(WINOGRAD_SCOPE in name for name in traced_op_names(function, *args))


@pytest.mark.parametrize(
    "batch,height,width,channels,filters", [(1, 8, 8, 5, 7), (3, 12, 8, 16, 4)]
)
def test_winograd_equals_the_direct_convolution(batch, height, width, channels, filters):
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (batch, height, width, channels)).astype("float32")
    kernel = rng.normal(0, 0.1, (3, 3, channels, filters)).astype("float32")
    expected = tf.nn.conv2d(x, kernel, 1, "SAME")
    actual = winograd_conv3x3(tf.constant(x), tf.constant(kernel))
    assert actual.shape == expected.shape
    assert_close_to_scale(actual, expected)


def test_winograd_reads_the_padding_as_zeros_at_every_border():
    # A map of ones: each output counts the taps inside the image, so the
    # borders and corners differ from the middle exactly as "same" padding says.
    x = tf.ones([1, 8, 8, 1])
    kernel = tf.ones([3, 3, 1, 1])
    counts = winograd_conv3x3(x, kernel).numpy()[0, :, :, 0]
    np.testing.assert_allclose(counts, tf.nn.conv2d(x, kernel, 1, "SAME")[0, :, :, 0], atol=1e-5)
    assert counts[0, 0] == pytest.approx(4) and counts[3, 0] == pytest.approx(6)


def built_conv(**kwargs):
    layer = conv(4, kwargs.pop("kernel_size", 3), **kwargs)
    layer.build((None, 8, 8, 4))
    return layer


def qualifies(layer, x) -> bool:
    """`is_winograd_convolution(layer, x)` as a traced graph sees it."""
    answers = []
    tf.function(lambda x: answers.append(is_winograd_convolution(layer, x)) or x)(x)
    return answers[0]


def test_only_float32_bias_free_3x3_same_convolutions_on_tiled_maps_qualify():
    x = tf.zeros([1, 8, 8, 4])
    assert qualifies(built_conv(), x)
    assert not is_winograd_convolution(built_conv(), x)  # Eagerly the direct kernel is faster.
    assert not qualifies(built_conv(), tf.zeros([1, 6, 6, 4]))  # 6 px: no 4-px tiles.
    assert not qualifies(built_conv(kernel_size=4), x)
    assert not qualifies(built_conv(strides=2), x)
    assert not qualifies(built_conv(use_bias=True), x)
    assert not qualifies(built_conv(padding="valid"), x)
    with dtype_policy("mixed_bfloat16"):
        half = built_conv()
    assert not qualifies(half, tf.zeros([1, 8, 8, 4], tf.bfloat16))
    with direct_convolutions():
        assert not qualifies(built_conv(), x)


def test_machines_with_a_gpu_keep_the_direct_kernels(monkeypatch):
    x = tf.zeros([1, 8, 8, 4])
    monkeypatch.setattr(winograd, "_has_gpu", lambda: True)
    assert not qualifies(built_conv(), x)


def test_winograd_gradients_equal_the_direct_convolutions():
    rng = np.random.default_rng(4)
    x = tf.constant(rng.normal(0, 1, (2, 8, 12, 5)).astype("float32"))
    kernel = tf.constant(rng.normal(0, 0.1, (3, 3, 5, 7)).astype("float32"))
    weights = tf.constant(rng.normal(0, 1, (2, 8, 12, 7)).astype("float32"))

    def gradients(convolution):
        with tf.GradientTape() as tape:
            tape.watch([x, kernel])
            loss = tf.reduce_sum(convolution(x, kernel) * weights)
        return tape.gradient(loss, [x, kernel])

    direct = gradients(lambda x, kernel: tf.nn.conv2d(x, kernel, 1, "SAME"))
    for got, want in zip(gradients(winograd_conv3x3), direct, strict=True):
        assert_close_to_scale(got, want)


def test_residual_block_uses_winograd_in_float32_graphs_and_equals_the_direct_kernels():
    block = ResidualBlock(8)
    block.build((None, 8, 8, 8))
    x = tf.constant(np.random.default_rng(1).normal(0, 1, (2, 8, 8, 8)).astype("float32"))
    for training in (False, True):
        assert uses_winograd(lambda x: block(x, training=training), x)
    with portable_ops():  # Graphs for LiteRT keep the direct kernels.
        assert not uses_winograd(lambda x: block(x, training=False), x)
    expected = block(x, training=False)  # Eagerly: the direct kernels.
    actual = tf.function(lambda x: block(x, training=False))(x)
    assert_close_to_scale(actual, expected, 1e-4)


def test_generator_inference_with_winograd_matches_the_direct_kernels_in_a_frozen_graph():
    generator = Generator(image_size=32, conv_dim=8, residual_blocks=2)
    for weight in generator.weights:  # Weights far from init, as a trained model's.
        weight.assign(np.random.default_rng(2).normal(0, 0.2, weight.shape).astype("float32"))
    frozen = frozen_animate(generator, 32)
    with direct_convolutions():
        direct = frozen_animate(generator, 32)
    assert any(WINOGRAD_SCOPE in op.name for op in frozen.graph.get_operations())
    assert not any(WINOGRAD_SCOPE in op.name for op in direct.graph.get_operations())
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    aus = rng.uniform(0, 5, (2, 17)).astype("float32")
    got, want = frozen(image=images, aus=aus), direct(image=images, aus=aus)
    np.testing.assert_allclose(got["attention"], want["attention"], atol=1e-4)
    assert np.abs(got["image"].astype(int) - want["image"].astype(int)).max() <= 1


@pytest.mark.parametrize("height, width, channels, filters", [(8, 8, 3, 5), (4, 12, 8, 8)])
def test_litert_spelling_equals_the_direct_convolution(height, width, channels, filters):
    rng = np.random.default_rng(4)
    x = tf.constant(rng.normal(0, 1, (1, height, width, channels)).astype("float32"))
    kernel = tf.constant(rng.normal(0, 1, (3, 3, channels, filters)).astype("float32"))
    expected = tf.nn.conv2d(x, kernel, 1, "SAME")
    assert_close_to_scale(winograd.litert_winograd_conv3x3(x, kernel), expected)


def test_litert_spelling_needs_a_known_batch():
    kernel = tf.zeros((3, 3, 3, 2))
    function = tf.function(lambda x: winograd.litert_winograd_conv3x3(x, kernel))
    with pytest.raises(ValueError, match="known batch size"):
        function.get_concrete_function(tf.TensorSpec([None, 8, 8, 3]))


def test_graphs_for_litert_take_the_products_only_when_asked_even_beside_a_gpu(monkeypatch):
    monkeypatch.setattr(winograd, "_has_gpu", lambda: True)  # The file runs on CPUs anyway.
    block = ResidualBlock(8)
    block.build((None, 8, 8, 8))
    x = tf.zeros((1, 8, 8, 8))
    assert not uses_winograd(lambda x: block(x, training=False), x)
    with portable_ops(winograd=True):
        assert uses_winograd(lambda x: block(x, training=False), x)
        assert "DepthwiseConv2dNative" in {
            op.type
            for op in tf.function(lambda x: block(x, training=False))
            .get_concrete_function(x)
            .graph.get_operations()
        }


def litert_ops(model: bytes) -> collections.Counter:
    interpreter = Interpreter(model_content=model)
    interpreter.allocate_tensors()  # Applies the XNNPACK delegate.
    return collections.Counter(op["op_name"] for op in interpreter._get_ops_details())


def test_float32_winograd_file_equals_keras_and_runs_whole_in_xnnpack(tmp_path):
    generator = Generator(image_size=32, conv_dim=8, residual_blocks=2)
    for weight in generator.weights:
        weight.assign(np.random.default_rng(5).normal(0, 0.2, weight.shape).astype("float32"))
    model = tflite.convert_generator(generator, 32, "float32_winograd", tmp_path)
    products = litert_ops(model)
    direct = litert_ops(tflite.convert_generator(generator, 32, "float32", tmp_path))
    # Four 3×3 convolutions, each a depthwise tile transform and a batch matmul.
    assert products["DEPTHWISE_CONV_2D"] == 4 and direct["DEPTHWISE_CONV_2D"] == 0
    assert products["BATCH_MATMUL"] == direct["BATCH_MATMUL"] + 4
    assert products["CONV_2D"] == direct["CONV_2D"] - 4
    # One delegate node: XNNPACK took every op (strided slices and stacks split it in 13).
    assert products["DELEGATE"] == direct["DELEGATE"] == 1

    rng = np.random.default_rng(6)
    images = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    aus = rng.uniform(0, 5, (2, 17)).astype("float32")
    path = tmp_path / "winograd.tflite"
    path.write_bytes(model)
    outputs, _ = parity.run_litert(path, images, aus)
    checked = parity.compare(
        "float32_winograd", path, outputs, 0.0, parity.keras_reference(generator, images, aus)
    )
    assert checked.passed and checked.float_error <= parity.FLOAT_TOLERANCE, checked.measured


def test_write_saved_model_refuses_winograd_outside_litert_graphs(tmp_path):
    generator = Generator(image_size=16, conv_dim=4, residual_blocks=1)
    for arguments in ({"portable": False, "batch_size": 1}, {"portable": True}):
        with pytest.raises(ValueError, match="needs portable=True and a batch_size"):
            write_saved_model(tmp_path / "refused", generator, winograd=True, **arguments)
    assert not (tmp_path / "refused").exists()


def test_the_float32_winograd_variant_refuses_sizes_without_whole_tiles(tmp_path):
    generator = Generator(image_size=24, conv_dim=4, residual_blocks=1)  # 6×6 residual maps.
    with pytest.raises(ValueError, match="multiple of 16"):
        tflite.convert_generator(generator, 24, "float32_winograd", tmp_path)
    assert not list(tmp_path.iterdir())
