"""Convolutions spelled over 2×2 pixel blocks, where the CPU kernels waste most.

**Transposed convolutions, for LiteRT.** A 4×4 stride-2 transposed
convolution with one pixel of padding (the reference's
`ConvTranspose2d(kernel_size=4, stride=2, padding=1)`) writes each output
pixel `(2i + a, 2j + b)` from a 2×2 window of inputs, the window and its
four kernel taps fixed by the phase `(a, b)`. All four phases' windows
start on the map padded by one pixel: phase `(a, b)` of output `(i, j)`
reads the 2×2 window at padded `(i + a, j + b)`. So one 2×2 "valid"
convolution with the four phases' kernels side by side (`4 · K` filters)
computes every phase at every window; each phase's map is its slice
shifted by `(a, b)`, and a depth-to-space interleaves them. XNNPACK ran
this in 5.6-5.9 ms where its transposed convolution took 10.0-10.3 ms, for
either of the generator's two at 128 px (2 threads, this project's AMD
EPYC host). TensorFlow's own kernel is faster than the spelled one there
(5.7 against 6.3 ms at batch 1), so only graphs traced for LiteRT
(`tfganimation.layers.portable_ops`) take it.

**Convolutions with few filters, everywhere.** The generator's heads are
one 7×7 convolution from 64 channels to 4 (`Generator.heads`); CPU kernels
vectorise over the filters, 16 float32 lanes wide, so 4 filters use a
quarter of the machine. After a space-to-depth of the padded map, every
2×2 block of outputs reads the same window of `(k + 1) / 2` blocks, so a
`(k + 1) / 2`-square convolution with the four output phases as its
`4 · K` filters, then a depth-to-space, computes it, at 16 filters. At 128
px it took 2.9-3.3 ms in XNNPACK against 8.2-8.3, and in TensorFlow 5.0
against 8.7-8.9 ms for one image and 102-109 against 172-175 ms forward
and backward for 8 (`space_to_depth_conv`).
"""

from __future__ import annotations

import numpy as np
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


def space_to_depth_conv(x, kernel):
    """`conv(x, kernel, padding="same")` for an odd square kernel, over 2×2 pixel blocks.

    Output pixel `(2i + a, 2j + b)` reads padded rows `2i + a` to
    `2i + a + k − 1`, all inside blocks `i` to `i + (k − 1) / 2` for either
    phase `a`; so do the columns. Tap `(u, v)` of the kernel becomes, for
    input phase `(a', b')` and output phase `(a, b)` of block offset
    `(p, q)`, the tap with `u = 2p + a' − a`, `v = 2q + b' − b`.

    Args:
        x: `[N, H, W, C]`, H and W even.
        kernel: `[k, k, C, K]`, k odd.

    Returns:
        `[N, H, W, K]`.
    """
    size, channels, filters = kernel.shape[0], kernel.shape[2], kernel.shape[3]
    blocks = (size + 1) // 2
    taps = ops.convert_to_tensor(_block_taps(size), dtype=x.dtype)  # Ones and zeros: exact.
    block_kernel = ops.reshape(
        ops.einsum("pAau,qBbv,uvco->pqABcabo", taps, taps, ops.cast(kernel, x.dtype)),
        [blocks, blocks, 4 * channels, 4 * filters],
    )
    padding = (size - 1) // 2
    padded = ops.pad(x, [[0, 0], [padding, padding], [padding, padding], [0, 0]])
    outputs = ops.conv(tf.nn.space_to_depth(padded, 2), block_kernel, padding="valid")
    return tf.nn.depth_to_space(outputs, 2)


def is_space_to_depth_convolution(kernel, x) -> bool:
    """Whether `space_to_depth_conv(x, kernel)` computes a "same" convolution of `x`."""
    size = kernel.shape[0]
    height, width = x.shape[1], x.shape[2]
    return (
        kernel.shape[1] == size
        and size % 2 == 1
        and height is not None
        and width is not None
        and height % 2 == 0
        and width % 2 == 0
    )


def _block_taps(size: int) -> np.ndarray:
    """`[block offset, input phase, output phase, tap]`: 1 where `tap = 2·offset + in − out`."""
    blocks = (size + 1) // 2
    taps = np.zeros((blocks, 2, 2, size), "float32")
    for offset in range(blocks):
        for phase_in in range(2):
            for phase_out in range(2):
                tap = 2 * offset + phase_in - phase_out
                if 0 <= tap < size:
                    taps[offset, phase_in, phase_out, tap] = 1.0
    return taps
