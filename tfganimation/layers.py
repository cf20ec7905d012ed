"""Building blocks shared by the generator and the critic.

They reproduce the PyTorch reference layer for layer: bias-free convolutions
followed by instance normalisation with a learned per-channel scale and shift
(`InstanceNorm2d(affine=True)`), and weights drawn from N(0, 0.02).

The networks run each norm through `instance_normalize` rather than calling
the `GroupNormalization` layer: the layer holds the weights (so saved files
keep their names), the function computes the same thing in 4-D ops, which
TensorFlow and LiteRT's XNNPACK run faster than the layer's 5-D reshapes, or,
for one image at inference, in TensorFlow's fused batch-norm kernel.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import keras
import tensorflow as tf
from keras import layers, ops

from tfganimation.winograd import conv3x3, direct_convolutions, litert_winograd

INSTANCE_NORM_SCOPE = "instance_norm"
"""Name scope of each norm's statistics and scale-and-shift (TensorFlow numbers repeats `_1`, `_2`, …).

Int8 LiteRT export keeps the ops under it in float (`tfganimation.export.tflite`).
"""


def check_positive_ints(**values: int) -> None:
    """Raises a `ValueError` naming the first argument that is not an int >= 1."""
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")


def renamed_argument(config: dict, old: str, new: str) -> dict:
    """`config` with its `old` key called `new`: reads configs saved under an earlier name.

    The reference calls both the generator's residual blocks and the
    critic's stride-2 convolutions `repeat_num`; `.keras` files saved before
    each got its own name still carry it.
    """
    if old not in config:
        return config
    config = dict(config)
    config.setdefault(new, config.pop(old))
    return config


def conv_initializer() -> keras.initializers.Initializer:
    """N(0, 0.02), the reference's initialisation of every convolution.

    A new instance per layer, so that no two layers share the draw of an
    unseeded initializer.
    """
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def instance_norm(name: str | None = None) -> layers.GroupNormalization:
    """Instance normalisation with per-channel affine parameters.

    `GroupNormalization` with one group per channel is instance
    normalisation; it replaces `tensorflow_addons.layers.InstanceNormalization`
    (tensorflow-addons is end-of-life and does not import under Keras 3).
    `epsilon=1e-5` matches PyTorch's `InstanceNorm2d`; Keras' default of
    1e-3 visibly changes the output on low-variance feature maps.
    """
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


_PORTABLE = contextvars.ContextVar("portable_ops", default=False)


@contextlib.contextmanager
def portable_ops(winograd: bool = False) -> Iterator[None]:
    """Inside, the networks trace only what LiteRT converts and runs well.

    `instance_normalize` never takes TensorFlow's fused kernel (LiteRT has
    no training-mode batch norm), transposed convolutions take their
    sub-pixel spelling (`tfganimation.subpixel`), and 3×3 convolutions stay
    direct (`tfganimation.winograd.direct_convolutions`) or, with
    `winograd`, become Winograd products spelled for XNNPACK
    (`tfganimation.winograd.litert_winograd`). For graphs traced to be
    converted (`write_saved_model(..., portable=True)`).
    """
    token = _PORTABLE.set(True)
    try:
        with litert_winograd() if winograd else direct_convolutions():
            yield
    finally:
        _PORTABLE.reset(token)


def in_portable_ops() -> bool:
    """Whether the graph being traced is for LiteRT (`portable_ops`)."""
    return _PORTABLE.get()


def instance_normalize(x, norm: layers.GroupNormalization, fused: bool = False):
    """`norm(x)` for a one-group-per-channel `GroupNormalization`.

    The statistics are taken over height and width per sample and channel,
    as `GroupNormalization(groups=-1)` takes them, in float32 whatever the
    compute dtype (half-precision variances overflow and lose the small
    ones).

    With `fused` (inference), a single image goes through TensorFlow's
    fused batch-norm kernel, which for a batch of one is instance norm and
    reads the map once for its statistics and once to apply them: 1.5-3x
    faster than the separate ops in float32 and more in bfloat16 (issue #23,
    `benchmarks/generator_profile.py`). Batches of several images, where the
    kernel would need the batch folded into the channels, and graphs traced
    inside `portable_ops()` take the 4-D ops.
    """
    if not fused or _PORTABLE.get() or x.shape[0] not in (None, 1):
        return _instance_normalize_4d(x, norm)
    if x.shape[0] == 1:
        return _instance_normalize_fused(x, norm)
    return tf.cond(
        tf.shape(x)[0] == 1,
        lambda: _instance_normalize_fused(x, norm),
        lambda: _instance_normalize_4d(x, norm),
    )


def _instance_normalize_4d(x, norm: layers.GroupNormalization):
    """The norm in 4-D ops, with the scale folded into one per-channel multiplier.

    The map is touched by one multiply-add after the statistics. The
    layer's own call reshapes every map to 5-D and back (35 `RESHAPE`s and
    34 5-D `MEAN`s in a 128-px LiteRT file, which XNNPACK does not take).
    """
    with keras.name_scope(INSTANCE_NORM_SCOPE):
        x32 = ops.cast(x, "float32")
        mean, variance = ops.moments(x32, axes=[1, 2], keepdims=True)
        scale = ops.rsqrt(variance + norm.epsilon) * ops.cast(norm.gamma, "float32")
        shift = ops.cast(norm.beta, "float32") - mean * scale
        return ops.cast(x32 * scale + shift, x.dtype)


def _instance_normalize_fused(x, norm: layers.GroupNormalization):
    """The norm of a batch of one as a training-mode fused batch norm (statistics in float32)."""
    with keras.name_scope(INSTANCE_NORM_SCOPE):
        normalized, _, _ = tf.compat.v1.nn.fused_batch_norm(
            x,
            ops.cast(norm.gamma, "float32"),
            ops.cast(norm.beta, "float32"),
            epsilon=norm.epsilon,
            is_training=True,
        )
        return normalized


def conv(
    filters: int,
    kernel_size: int,
    strides: int = 1,
    padding: str = "same",
    use_bias: bool = False,
    name: str | None = None,
) -> layers.Conv2D:
    """A convolution initialised like the reference.

    With `padding="same"`, even kernels and stride 2 pad one pixel on each
    side, exactly PyTorch's `kernel_size=4, stride=2, padding=1`.
    """
    return layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        kernel_initializer=conv_initializer(),
        name=name,
    )


SMALL_MAP = 8
"""Largest input side at which `downsample_as_matmul` beats the convolution kernel."""


def downsample_as_matmul(x, layer: layers.Conv2D):
    """`layer(x)` for a 4×4 stride-2 "same" convolution, as one matrix product of its taps.

    The critic's last convolutions read maps of 8 and 4 pixels with 512 to
    2048 channels: a product of few rows with a kernel of up to 128 MiB,
    which the convolution kernels run at 3-33% of the CPU's matrix rate,
    forward and backward. Gathering the 16 taps (strided slices of the
    padded map) and multiplying once by the reshaped kernel computes the
    same sums, exactly up to float rounding: forward and backward 1.2-1.5×
    faster on the 8-px map and 2.4-3.3× on the 4-px one, and the critic step
    at batch 8 went from 1.98 to 1.29 s in float32 and from 1.54 to 0.64 s
    in mixed_bfloat16 (issue #23, `benchmarks/critic_step_profile.py`). On
    larger maps the convolution kernel is faster.
    """
    height, width = x.shape[1], x.shape[2]
    taps, _, channels, filters = layer.kernel.shape
    dtype = layer.compute_dtype
    padded = ops.pad(ops.cast(x, dtype), [[0, 0], [1, 1], [1, 1], [0, 0]])
    rows, columns = height // 2, width // 2
    patches = ops.concatenate(
        [
            padded[:, u : u + 2 * rows : 2, v : v + 2 * columns : 2, :]
            for u in range(taps)
            for v in range(taps)
        ],
        axis=-1,
    )
    kernel = ops.reshape(ops.cast(layer.kernel, dtype), [taps * taps * channels, filters])
    outputs = ops.matmul(ops.reshape(patches, [-1, taps * taps * channels]), kernel)
    outputs = ops.reshape(outputs, [-1, rows, columns, filters])
    if layer.use_bias:
        outputs = outputs + ops.cast(layer.bias, dtype)
    return outputs


def is_small_downsampling(layer: layers.Layer, x) -> bool:
    """Whether `downsample_as_matmul(x, layer)` applies to `x` and is the faster spelling."""
    if not isinstance(layer, layers.Conv2D) or isinstance(x, keras.KerasTensor):
        return False
    height, width = x.shape[1], x.shape[2]
    return (
        tuple(layer.kernel_size) == (4, 4)
        and tuple(layer.strides) == (2, 2)
        and layer.padding == "same"
        and height is not None
        and width is not None
        and height % 2 == 0
        and width % 2 == 0
        and max(height, width) <= SMALL_MAP
    )


def conv_transpose(filters: int, name: str | None = None) -> layers.Conv2DTranspose:
    """A bias-free 4×4 stride-2 transposed convolution that doubles H and W.

    `padding="same"` crops one pixel on each side, like PyTorch's
    `ConvTranspose2d(kernel_size=4, stride=2, padding=1)`.
    """
    return layers.Conv2DTranspose(
        filters,
        4,
        strides=2,
        padding="same",
        use_bias=False,
        kernel_initializer=conv_initializer(),
        name=name,
    )


@keras.saving.register_keras_serializable(package="tfganimation")
class ResidualBlock(layers.Layer):
    """conv3×3 → IN → ReLU → conv3×3 → IN, added to the input.

    In float32 graphs the convolutions run as Winograd products
    (`conv3x3`), and at inference the norms of one image as TensorFlow's
    fused kernel (`instance_normalize`).

    Args:
        filters: int. Channels of the input and of both convolutions.
    """

    def __init__(self, filters: int, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.conv_1 = conv(filters, 3, name="conv_1")
        self.norm_1 = instance_norm(name="norm_1")
        self.conv_2 = conv(filters, 3, name="conv_2")
        self.norm_2 = instance_norm(name="norm_2")

    def build(self, input_shape):
        # Every sub-layer keeps the input's shape, so one shape builds them all.
        for layer in (self.conv_1, self.norm_1, self.conv_2, self.norm_2):
            layer.build(input_shape)

    def call(self, inputs, training=None):
        fused = not training  # Inference: a single image takes the fused kernel.
        x = ops.relu(instance_normalize(conv3x3(inputs, self.conv_1), self.norm_1, fused))
        x = instance_normalize(conv3x3(x, self.conv_2), self.norm_2, fused)
        return inputs + x

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters})
        return config
