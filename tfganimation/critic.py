"""GANimation's critic: a PatchGAN realness score plus an AU regressor."""

from __future__ import annotations

import keras
from keras import layers, ops

from tfganimation.aus import N_AUS
from tfganimation.layers import (
    check_positive_ints,
    conv,
    downsample_as_matmul,
    is_small_downsampling,
    renamed_argument,
)


@keras.saving.register_keras_serializable(package="tfganimation")
class Critic(keras.Model):
    """The GANimation critic D(image) → (realness map, AU estimate).

    A stack of `downsampling_layers` 4×4 stride-2 convolutions with LeakyReLU(0.01)
    (channels `conv_dim · 2^i`), then two heads on the last feature map: a
    bias-free 3×3 convolution scoring every patch for realness (the
    Wasserstein critic value), and a bias-free convolution as large as the
    feature map that regresses the AU intensities of the image. The
    stride-2 convolutions on maps of 8 pixels or less run as one matrix
    product of their taps (`tfganimation.layers.downsample_as_matmul`): the
    same layers and weights, 1.2-3.3× faster there.

    Reference: [Pumarola et al., ECCV 2018](https://arxiv.org/abs/1807.09251).

    Args:
        image_size: int. Height and width of the square input. Must be a
            multiple of `2 ** downsampling_layers`. Defaults to `128`.
        n_aus: int. Number of AUs to regress. Defaults to `17`.
        conv_dim: int. Channels of the first convolution. Defaults to `64`.
        downsampling_layers: int. Number of stride-2 convolutions (the
            reference's `repeat_num`). Defaults to `6`.

    Call arguments:
        images: float images `[N, H, W, 3]` in [-1, 1].

    Returns:
        A tuple `(realness, aus)`: the patch scores `[N, H/2^r, W/2^r, 1]`
        (2×2 at 128 px) and the AU estimate `[N, n_aus]` on the 0..1 scale.
        The batch axis is always kept (the reference's `squeeze()` drops it
        at batch size 1).

    Example:
    ```python
    critic = tfganimation.Critic(image_size=128)
    realness, aus = critic(images)
    ```
    """

    def __init__(
        self,
        image_size: int = 128,
        n_aus: int = N_AUS,
        conv_dim: int = 64,
        downsampling_layers: int = 6,
        **kwargs,
    ):
        check_positive_ints(
            image_size=image_size,
            n_aus=n_aus,
            conv_dim=conv_dim,
            downsampling_layers=downsampling_layers,
        )
        if image_size % 2**downsampling_layers:
            raise ValueError(
                "image_size must be a multiple of 2 ** downsampling_layers = "
                f"{2**downsampling_layers} (the critic halves it {downsampling_layers} times). "
                f"Received: image_size={image_size}"
            )
        super().__init__(**kwargs)
        self.image_size = image_size
        self.n_aus = n_aus
        self.conv_dim = conv_dim
        self.downsampling_layers = downsampling_layers

        self.trunk = keras.Sequential(name="trunk")
        for level in range(downsampling_layers):
            self.trunk.add(conv(conv_dim * 2**level, 4, strides=2, use_bias=True))
            self.trunk.add(layers.LeakyReLU(negative_slope=0.01))
        self.realness_head = conv(1, 3, name="realness_head")
        self.au_head = conv(n_aus, image_size // 2**downsampling_layers, padding="valid", name="au_head")
        self.build((None, image_size, image_size, 3))

    def build(self, input_shape):
        self.call(keras.KerasTensor(input_shape))
        self.built = True

    def call(self, images):
        features = images
        for layer in self.trunk.layers:
            if is_small_downsampling(layer, features):
                features = downsample_as_matmul(features, layer)
            else:
                features = layer(features)
        realness = ops.cast(self.realness_head(features), "float32")
        aus = ops.cast(self.au_head(features), "float32")
        return realness, ops.reshape(aus, (-1, self.n_aus))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "n_aus": self.n_aus,
                "conv_dim": self.conv_dim,
                "downsampling_layers": self.downsampling_layers,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        return super().from_config(renamed_argument(config, "repeat_num", "downsampling_layers"))
