"""Convolutions over 2×2 pixel blocks: the heads everywhere, the transposed ones for LiteRT."""

import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from tfganimation.layers import conv_transpose, portable_ops
from tfganimation.subpixel import (
    is_space_to_depth_convolution,
    is_subpixel_convolution,
    space_to_depth_conv,
    subpixel_conv_transpose,
    transposed_convolution,
)


def built_layer(channels: int, filters: int, seed: int = 0) -> layers.Conv2DTranspose:
    layer = conv_transpose(filters)
    layer.build((None, None, None, channels))
    layer.kernel.assign(np.random.default_rng(seed).normal(0, 1, layer.kernel.shape))
    return layer


def traced_op_types(function, x) -> set[str]:
    graph = tf.function(function).get_concrete_function(x).graph
    return {op.type for op in graph.get_operations()}


@pytest.mark.parametrize("height, width", [(4, 4), (5, 7), (1, 3)])
def test_subpixel_spelling_equals_the_transposed_convolution(height, width):
    layer = built_layer(channels=6, filters=5)
    x = tf.constant(np.random.default_rng(1).normal(0, 1, (2, height, width, 6)), tf.float32)
    expected = layer(x)
    actual = subpixel_conv_transpose(x, layer.kernel)
    assert actual.shape == expected.shape == (2, 2 * height, 2 * width, 5)
    np.testing.assert_allclose(actual, expected, atol=1e-5 * float(np.max(np.abs(expected))))


def test_only_graphs_for_litert_take_the_subpixel_spelling():
    layer = built_layer(channels=4, filters=3)
    x = tf.zeros((1, 8, 8, 4))
    outside = traced_op_types(lambda x: transposed_convolution(x, layer), x)
    with portable_ops():
        inside = traced_op_types(lambda x: transposed_convolution(x, layer), x)
    assert "Conv2DBackpropInput" in outside and "DepthToSpace" not in outside
    assert "DepthToSpace" in inside and "Conv2DBackpropInput" not in inside


def test_other_transposed_convolutions_keep_their_kernel():
    x = tf.zeros((1, 8, 8, 4))
    assert is_subpixel_convolution(built_layer(4, 3), x)
    for layer in (
        layers.Conv2DTranspose(3, 4, strides=2, padding="valid", use_bias=False),
        layers.Conv2DTranspose(3, 3, strides=2, padding="same", use_bias=False),
        layers.Conv2DTranspose(3, 4, strides=2, padding="same"),  # A bias.
        layers.Conv2DTranspose(3, 4, strides=1, padding="same", use_bias=False),
    ):
        layer.build((None, 8, 8, 4))
        assert not is_subpixel_convolution(layer, x), layer.get_config()
    assert not is_subpixel_convolution(built_layer(4, 3), tf.TensorSpec((1, None, None, 4)))


@pytest.mark.parametrize("size, height, width", [(7, 8, 8), (7, 6, 10), (3, 4, 2), (1, 2, 2)])
def test_space_to_depth_spelling_equals_the_same_convolution(size, height, width):
    rng = np.random.default_rng(2)
    x = tf.constant(rng.normal(0, 1, (2, height, width, 5)), tf.float32)
    kernel = tf.constant(rng.normal(0, 1, (size, size, 5, 4)), tf.float32)
    assert is_space_to_depth_convolution(kernel, x)
    expected = tf.nn.conv2d(x, kernel, 1, "SAME")
    actual = space_to_depth_conv(x, kernel)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, atol=1e-5 * float(np.max(np.abs(expected))))


def test_maps_of_odd_or_unknown_size_and_even_kernels_keep_the_plain_convolution():
    kernel = tf.zeros((7, 7, 4, 4))
    assert not is_space_to_depth_convolution(kernel, tf.zeros((1, 7, 8, 4)))
    assert not is_space_to_depth_convolution(kernel, tf.TensorSpec((1, None, 8, 4)))
    assert not is_space_to_depth_convolution(tf.zeros((4, 4, 4, 4)), tf.zeros((1, 8, 8, 4)))
