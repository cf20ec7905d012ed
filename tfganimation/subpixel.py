"""The decoder's transposed convolutions as one convolution and a depth-to-space, for LiteRT.

A 4×4 stride-2 transposed convolution with one pixel of padding (the
reference's `ConvTranspose2d(kernel_size=4, stride=2, padding=1)`) writes
each output pixel `(2i + a, 2j + b)` from a 2×2 window of inputs, the
window and its four kernel taps fixed by the phase `(a, b)`. All four
phases' windows start on the map padded by one pixel: phase `(a, b)` of
output `(i, j)` reads the 2×2 window at padded `(i + a, j + b)`. So one
2×2 "valid" convolution with the four phases' kernels side by side
(`4 · K` filters) computes every phase at every window; each phase's map
is its slice shifted by `(a, b)`, and a depth-to-space interleaves them.

XNNPACK ran this in 5.6-5.9 ms where its transposed convolution took
10.0-10.3 ms, for either of the generator's two at 128 px (2 threads, this
project's AMD EPYC host). TensorFlow's own kernel is faster than the
spelled one there (5.7 against 6.3 ms at batch 1), so only graphs traced
for LiteRT (`tfganimation.layers.portable_ops`) take it.
"""

from __future__ import annotations

import tensorflow as tf
from keras import layers, ops

from tfganimation.layers import in_portable_ops

PHASE_TAPS = ((3, 1), (2, 0))
"""Kernel rows (or columns) that phase 0 and phase 1 read, for the window's first and second row."""


def transposed_convolution(x, layer: layers.Conv2DTranspose):
    """`layer(x)`; inside `portable_ops()`, spelled as `subpixel_conv_transpose`."""
    if in_portable_ops() and is_subpixel_convolution(layer, x):
        return subpixel_conv_transpose(x, layer.kernel)
    return layer(x)


def is_subpixel_convolution(layer: layers.Layer, x) -> bool:
    """Whether `subpixel_conv_transpose(x, layer.kernel)` computes `layer(x)`.

    A bias-free 4×4 stride-2 "same" transposed convolution, on a map of
    known height and width.
    """
    return (
        isinstance(layer, layers.Conv2DTranspose)
        and tuple(layer.kernel_size) == (4, 4)
        and tuple(layer.strides) == (2, 2)
        and tuple(layer.dilation_rate) == (1, 1)
        and layer.padding == "same"
        and layer.output_padding is None
        and not layer.use_bias
        and x.shape[1] is not None
        and x.shape[2] is not None
    )


def subpixel_conv_transpose(x, kernel):
    """`conv_transpose(x, kernel, strides=2, padding="same")` for a 4×4 kernel.

    Args:
        x: `[N, H, W, C]`, H and W known.
        kernel: `[4, 4, K, C]`, as `Conv2DTranspose` holds it.

    Returns:
        `[N, 2H, 2W, K]`.
    """
    height, width = x.shape[1], x.shape[2]
    filters = kernel.shape[2]
    kernel = ops.cast(kernel, x.dtype)
    phase_kernels = [
        ops.transpose(
            ops.take(ops.take(kernel, PHASE_TAPS[a], axis=0), PHASE_TAPS[b], axis=1),
            [0, 1, 3, 2],
        )
        for a in range(2)
        for b in range(2)
    ]
    padded = ops.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    windows = ops.conv(padded, ops.concatenate(phase_kernels, axis=-1), padding="valid")
    phases = [
        windows[:, a : a + height, b : b + width, (2 * a + b) * filters : (2 * a + b + 1) * filters]
        for a in range(2)
        for b in range(2)
    ]
    return tf.nn.depth_to_space(ops.concatenate(phases, axis=-1), 2)
