"""An AU regressor that is not part of the GAN: the judge of synthetic edits."""

from __future__ import annotations

import keras
from keras import layers

from tfganimation.aus import N_AUS

ORACLE_SIZE = 64
"""The side the oracle reads faces at; other sizes are resized to it."""


@keras.saving.register_keras_serializable(package="tfganimation")
class AUOracle(keras.Model):
    """A small residual network that reads the 17 AUs of a synthetic face.

    A 5×5 stride-2 stem, then residual stages that halve the resolution to
    4×4, flattened (where a feature is matters: brows are not lips) into a
    linear AU read-out.

    It scores edits the way later work on AU editing does: an estimator that
    the generator never trained against reads the edited image, and its
    error against the target AUs is the edit's AU error. To be independent
    of the critic it differs from it in every choice: 3×3 residual blocks
    with batch normalisation and ReLU (the critic: plain 4×4 stride-2
    convolutions, LeakyReLU, no normalisation), another width and depth, and
    it is trained on its own renders, of identities no evaluation uses, with
    speckle, noise, blur, shifts and colour changes that leave the AUs
    unchanged, so that painted artefacts do not read as expressions.

    Args:
        widths: channels of the stem and of each downsampling stage.

    Call arguments:
        images: float `[N, H, W, 3]` in [-1, 1], any square size.

    Returns:
        `[N, 17]` AU intensities on the 0..1 scale (OpenFace / 5).
    """

    def __init__(self, widths: tuple[int, ...] = (16, 32, 48, 64), **kwargs):
        super().__init__(**kwargs)
        self.widths = tuple(widths)
        self.resize = layers.Resizing(ORACLE_SIZE, ORACLE_SIZE, interpolation="area")
        self.stem = keras.Sequential(
            [layers.Conv2D(widths[0], 5, strides=2, padding="same", use_bias=False),
             layers.BatchNormalization(), layers.ReLU()],
            name="stem",
        )  # fmt: skip
        self.stages = [_ResidualStage(width, name=f"stage_{i}") for i, width in enumerate(widths[1:])]
        self.head = keras.Sequential(
            # Zero weights: training starts from predicting the mean AUs, not noise.
            [layers.Flatten(), layers.Dense(N_AUS, kernel_initializer="zeros")], name="head"
        )
        self.build((None, ORACLE_SIZE, ORACLE_SIZE, 3))

    def build(self, input_shape):
        self.call(keras.KerasTensor(input_shape))
        self.built = True

    def call(self, images, training=False):
        x = self.resize(images)
        x = self.stem(x, training=training)
        for stage in self.stages:
            x = stage(x, training=training)
        return self.head(x, training=training)

    def get_config(self):
        return {**super().get_config(), "widths": list(self.widths)}


@keras.saving.register_keras_serializable(package="tfganimation")
class _ResidualStage(layers.Layer):
    """Halves the resolution: conv3×3/2-BN-ReLU-conv3×3-BN plus a 1×1/2 shortcut, ReLU."""

    def __init__(self, width: int, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.conv_1 = layers.Conv2D(width, 3, strides=2, padding="same", use_bias=False)
        self.norm_1 = layers.BatchNormalization()
        self.conv_2 = layers.Conv2D(width, 3, padding="same", use_bias=False)
        self.norm_2 = layers.BatchNormalization()
        self.shortcut = layers.Conv2D(width, 1, strides=2, use_bias=False)
        self.norm_shortcut = layers.BatchNormalization()

    def call(self, x, training=False):
        y = keras.ops.relu(self.norm_1(self.conv_1(x), training=training))
        y = self.norm_2(self.conv_2(y), training=training)
        return keras.ops.relu(y + self.norm_shortcut(self.shortcut(x), training=training))

    def get_config(self):
        return {**super().get_config(), "width": self.width}
