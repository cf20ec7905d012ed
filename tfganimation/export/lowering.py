"""The generator's forward pass rewritten in ops that LiteRT runs fast.

`lowered_generator(generator)` computes what `generator((images, aus))`
computes, with the same weights, but spelled for the LiteRT converter and
XNNPACK, LiteRT's CPU delegate:

* **Instance norm as 4-D means.** `GroupNormalization(groups=-1)` reshapes
  every feature map to 5-D and back (the 128-px file held 35 `RESHAPE`s
  and 34 5-D `MEAN`s, which XNNPACK does not take); the float32 file ran
  1.4× slower than this one. Here it is `mean` and `variance` over the
  spatial axes of the 4-D map, then one multiply-add.
* **No AU planes.** The reference tiles the 17 AUs to 17 constant planes and
  concatenates them to the RGB channels, so the first 7×7 convolution reads
  20 channels where 3 carry pixels. A convolution is linear, so
  `conv(concat(x, tile(au))) = conv(x, W_rgb) + conv(tile(au), W_au)`, and
  the second term is cheap to compute exactly: a constant plane stays
  constant except where the kernel hangs over the zero padding, and which
  taps hang over depends on the row and the column separately. With `R[i, t]
  = 1` where tap row `t` lands inside the image at row `i` (likewise `K[j,
  s]` for columns) and `M[n, t, s, c] = Σ_k au[n, k] · W_au[t, s, k, c]`,
  the term is `Σ_t Σ_s R[i, t] · K[j, s] · M[n, t, s, c]`: two small matrix
  products instead of 17 full-resolution planes through a 7×7 convolution.

Both are exact up to float rounding; `tests/test_export_lowering.py` holds
them to the Keras model.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from tfganimation.generator import Generator, composite
from tfganimation.layers import ResidualBlock

INSTANCE_NORM_SCOPE = "instance_norm"
"""Name scope of each norm, statistics and scale-and-shift (TensorFlow numbers repeats `_1`, `_2`, …)."""

AU_TERM_SCOPE = "au_term"
"""Name scope of the AU planes' share of the first convolution (`au_conv_term`)."""

HEADS_SCOPE = "heads"
"""Name scope of the colour and attention heads and the composite."""

GeneratorFn = Callable[..., tuple[tf.Tensor, tf.Tensor, tf.Tensor]]


def instance_norm(x: tf.Tensor, norm: keras.layers.GroupNormalization) -> tf.Tensor:
    """`norm(x)` for a one-group-per-channel `GroupNormalization`, in 4-D ops.

    The statistics are taken over height and width per sample and channel,
    as `GroupNormalization(groups=-1)` takes them; the scale is folded into
    one per-channel multiplier so that the map is touched by one
    multiply-add after the statistics.
    """
    with tf.name_scope(INSTANCE_NORM_SCOPE):
        mean = tf.reduce_mean(x, axis=[1, 2], keepdims=True)
        centered = x - mean
        variance = tf.reduce_mean(tf.square(centered), axis=[1, 2], keepdims=True)
        scale = tf.math.rsqrt(variance + norm.epsilon)
        return centered * (scale * norm.gamma) + norm.beta


def padding_taps(size: int, kernel_size: int) -> np.ndarray:
    """`[size, kernel_size]` 0/1: which taps of a stride-1 'same' kernel land inside the image.

    Row `i`, tap `t` reads input row `i + t - (kernel_size - 1) // 2`;
    TensorFlow pads the odd kernel symmetrically and an even one with the
    extra pixel at the end.
    """
    offsets = np.arange(size)[:, None] + np.arange(kernel_size)[None, :] - (kernel_size - 1) // 2
    return ((offsets >= 0) & (offsets < size)).astype(np.float32)


def au_conv_term(aus: tf.Tensor, kernel: tf.Tensor, height: int, width: int) -> tf.Tensor:
    """`conv2d(tile(aus), kernel, padding="same")` without building the tiled planes.

    Args:
        aus: `[N, A]` values, one constant plane each.
        kernel: `[k, k, A, C]` the convolution's weights for those planes.
        height, width: int. The image's size.

    Returns:
        `[N, height, width, C]`, exact up to float rounding.
    """
    taps, _, n_aus, channels = kernel.shape
    # M[n, t, s, c] = Σ_k au[n, k] · W[t, s, k, c]: one small product.
    per_sample = tf.matmul(aus, tf.reshape(tf.transpose(kernel, [2, 0, 1, 3]), [n_aus, -1]))
    per_sample = tf.reshape(per_sample, [-1, taps, taps, channels])
    # Σ_s K[j, s] · M[n, t, s, c] → [N, t, W, C], then Σ_t R[i, t] · … → [N, H, W·C].
    columns = tf.matmul(tf.constant(padding_taps(width, taps)), per_sample)
    rows = tf.matmul(
        tf.constant(padding_taps(height, taps)), tf.reshape(columns, [-1, taps, width * channels])
    )
    return tf.reshape(rows, [-1, height, width, channels])


def lowered_generator(generator: Generator) -> GeneratorFn:
    """A function computing `generator((images, aus))` in LiteRT-friendly ops.

    Args:
        generator: a built `Generator` (float32 policy).

    Returns:
        `forward((images, aus), training=False) -> (edited, color, attention)`,
        the generator's call contract, so that `make_animate` takes it as it
        takes the generator.
    """
    if generator.compute_dtype != "float32":
        raise ValueError(
            "Only float32 generators are lowered. "
            f"Received: compute dtype {generator.compute_dtype}"
        )
    first, *encoder = generator.encoder.layers
    if not isinstance(first, keras.layers.Conv2D) or first.use_bias:
        raise ValueError("The generator's encoder must start with a bias-free convolution.")

    def forward(inputs, training: bool = False):
        del training  # Inference only: no layer here behaves differently in training.
        images, aus = inputs
        height, width = images.shape[1], images.shape[2]
        kernel = first.kernel
        x = tf.nn.conv2d(images, kernel[:, :, :3, :], strides=1, padding="SAME")
        with tf.name_scope(AU_TERM_SCOPE):
            x = x + au_conv_term(tf.cast(aus, x.dtype), kernel[:, :, 3:, :], height, width)
        x = _sequence(encoder, x)
        for block in generator.bottleneck.layers if generator.residual_blocks else ():
            x = _residual_block(block, x)
        x = _sequence(generator.decoder.layers, x)
        with tf.name_scope(HEADS_SCOPE):
            color = generator.color_head(x)
            attention = generator.attention_head(x)
            return composite(images, color, attention), color, attention

    return forward


def _sequence(layers: list[keras.layers.Layer], x: tf.Tensor) -> tf.Tensor:
    for layer in layers:
        x = _layer(layer, x)
    return x


def _layer(layer: keras.layers.Layer, x: tf.Tensor) -> tf.Tensor:
    if isinstance(layer, keras.layers.GroupNormalization):
        return instance_norm(x, layer)
    return layer(x)


def _residual_block(block: ResidualBlock, x: tf.Tensor) -> tf.Tensor:
    """`block(x)` with its norms lowered: x + IN(conv(ReLU(IN(conv(x)))))."""
    y = tf.nn.relu(instance_norm(block.conv_1(x), block.norm_1))
    return x + instance_norm(block.conv_2(y), block.norm_2)
