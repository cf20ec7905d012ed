"""In graphs for LiteRT, the decoder's transposed convolutions are one convolution and a depth-to-space."""

import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from tfganimation.layers import conv_transpose, portable_ops
from tfganimation.subpixel import (
    is_subpixel_convolution,
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
