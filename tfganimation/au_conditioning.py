"""The AU planes' share of the generator's first convolution, without the planes.

The reference tiles the 17 target AUs to 17 constant planes and concatenates
them to the RGB channels, so the first 7×7 convolution reads 20 channels
where 3 carry pixels: four fifths of that layer's work (a tenth of the whole
generator's) is spent convolving constants. A convolution is linear, so

    conv(concat(x, tile(au))) = conv(x, W_rgb) + conv(tile(au), W_au)

and the second term is cheap to compute exactly: a constant plane stays
constant except where the kernel hangs over the zero padding, and which taps
hang over depends on the row and the column separately. With `R[i, t] = 1`
where tap row `t` lands inside the image at row `i` (likewise `K[j, s]` for
columns) and `M[n, t, s, c] = Σ_k au[n, k] · W_au[t, s, k, c]`, the term is
`Σ_t Σ_s R[i, t] · K[j, s] · M[n, t, s, c]`: two small matrix products
instead of 17 full-resolution planes through a 7×7 convolution. Exact up to
float rounding, for any image size, in training and inference alike.
"""

from __future__ import annotations

import keras
from keras import ops

AU_TERM_SCOPE = "au_term"
"""Name scope of `au_conv_term`; int8 LiteRT export keeps it in float (`tfganimation.export.tflite`)."""


def padding_taps(size, kernel_size: int):
    """`[size, kernel_size]` 0/1: which taps of a stride-1 'same' kernel land inside the image.

    Row `i`, tap `t` reads input row `i + t - (kernel_size - 1) // 2`;
    TensorFlow pads an odd kernel symmetrically and an even one with the
    extra pixel at the end. `size` may be a tensor (an image size not known
    when the graph is traced).
    """
    offsets = ops.arange(size)[:, None] + ops.arange(kernel_size)[None, :] - (kernel_size - 1) // 2
    return ops.cast(ops.logical_and(offsets >= 0, offsets < size), "float32")


def au_conv_term(aus, kernel, height, width):
    """`conv(tile(aus), kernel, padding="same")` without building the tiled planes.

    Args:
        aus: `[N, A]` values, one constant plane each.
        kernel: `[k, k, A, C]` the convolution's weights for those planes.
        height, width: the image's size (ints, or scalar tensors).

    Returns:
        `[N, height, width, C]` in the kernel's dtype, exact up to float
        rounding.
    """
    taps, _, n_aus, channels = kernel.shape
    with keras.name_scope(AU_TERM_SCOPE):
        dtype = kernel.dtype
        # M[n, t, s, c] = Σ_k au[n, k] · W[t, s, k, c]: one small product.
        per_sample = ops.matmul(
            ops.cast(aus, dtype), ops.reshape(ops.transpose(kernel, [2, 0, 1, 3]), [n_aus, -1])
        )
        per_sample = ops.reshape(per_sample, [-1, taps, taps, channels])
        # Σ_s K[j, s] · M[n, t, s, c] → [N, t, W, C], then Σ_t R[i, t] · … → [N, H, W·C].
        columns = ops.matmul(ops.cast(padding_taps(width, taps), dtype), per_sample)
        rows = ops.matmul(
            ops.cast(padding_taps(height, taps), dtype),
            ops.reshape(columns, [-1, taps, width * channels]),
        )
        return ops.reshape(rows, [-1, height, width, channels])
