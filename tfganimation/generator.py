"""GANimation's generator: an action-unit conditioned, attention-based face editor."""

from __future__ import annotations

import keras
from keras import layers, ops

from tfganimation.au_conditioning import au_conv_term
from tfganimation.aus import N_AUS
from tfganimation.layers import (
    ResidualBlock,
    check_positive_ints,
    conv,
    conv_transpose,
    instance_norm,
    instance_normalize,
    renamed_argument,
)
from tfganimation.subpixel import (
    is_space_to_depth_convolution,
    space_to_depth_conv,
    transposed_convolution,
)

UPSAMPLINGS = ("transpose", "resize")
"""How the decoder doubles the resolution; `"transpose"` is the reference's."""


def composite(image, color, attention):
    """Blends the input and the colour map through the attention map.

    `A · image + (1 − A) · C`: where the attention is 1 the input pixel is
    kept, where it is 0 the generated colour replaces it. This is what the
    reference code computes; the paper's equation 1 writes the roles of A and
    1 − A the other way round.
    """
    return attention * image + (1.0 - attention) * color


def run_layers(layers_: list[layers.Layer], x, fused_norms: bool = False):
    """`x` through `layers_` in order.

    Each instance norm by `instance_normalize`, each transposed convolution
    by `transposed_convolution`.
    """
    for layer in layers_:
        if isinstance(layer, layers.GroupNormalization):
            x = instance_normalize(x, layer, fused_norms)
        elif isinstance(layer, layers.Conv2DTranspose):
            x = transposed_convolution(x, layer)
        else:
            x = layer(x)
    return x


@keras.saving.register_keras_serializable(package="tfganimation")
class Generator(keras.Model):
    """The GANimation generator G(image, target AUs).

    The target AU vector is broadcast over the image plane and concatenated
    to the RGB channels; an encoder (conv 7×7, two stride-2 convs), a
    bottleneck of residual blocks and a decoder (two transposed convs) feed
    two heads: a colour map C (tanh) and an attention map A (sigmoid). The
    edited face is `A · image + (1 − A) · C`, so the network only has to
    paint the pixels that the expression change moves.

    The layers (and so the weights and saved files) are the reference's;
    the forward pass spells five of them faster, exactly up to float
    rounding: the AU planes' share of the first convolution is computed
    without the planes (`tfganimation.au_conditioning`), each instance norm
    in 4-D ops or, for one image at inference, TensorFlow's fused kernel
    (`tfganimation.layers.instance_normalize`), the residual blocks' 3×3
    convolutions in float32 graphs on CPUs as Winograd products, with a
    quarter of the multiplies (`tfganimation.winograd`), in graphs for
    LiteRT the transposed convolutions as one convolution and a
    depth-to-space (`tfganimation.subpixel`), and the two
    heads, which read the same features with 7×7 kernels, as one
    convolution with 4 output channels (a 1- or 3-channel convolution runs
    far below the CPU's matrix rate; one with 4 costs what one with 3 did),
    computed over 2×2 pixel blocks as one with 16.

    Reference: [Pumarola et al., "GANimation: Anatomically-aware Facial
    Animation from a Single Image", ECCV 2018](https://arxiv.org/abs/1807.09251).

    Args:
        image_size: int. Height and width of the square input; the network is
            fully convolutional, this is the size it is built for. Must be a
            multiple of 4. Defaults to `128`.
        n_aus: int. Length of the AU vector. Defaults to `17`.
        conv_dim: int. Channels of the first convolution; doubled by each
            downsampling. Defaults to `64`.
        residual_blocks: int. Number of residual blocks between the encoder
            and the decoder (the reference's `repeat_num`). Defaults to `6`.
        upsampling: str. `"transpose"`: the reference's 4×4 stride-2
            transposed convolutions; `"resize"`: nearest-neighbour doubling
            then a 3×3 convolution, which cannot paint the checkerboard
            pattern transposed convolutions leave in a briefly trained
            colour map (Odena et al., Distill 2016). Defaults to
            `"transpose"`.

    Call arguments:
        inputs: a tuple `(images, aus)`: float images `[N, H, W, 3]` in
            [-1, 1] and target AUs `[N, n_aus]` on the 0..1 scale
            (OpenFace intensity / 5).

    Returns:
        A tuple `(edited, color, attention)` of shapes `[N, H, W, 3]`,
        `[N, H, W, 3]` and `[N, H, W, 1]`.

    Example:
    ```python
    generator = tfganimation.Generator(image_size=128)
    edited, color, attention = generator((images, target_aus))
    ```
    """

    def __init__(
        self,
        image_size: int = 128,
        n_aus: int = N_AUS,
        conv_dim: int = 64,
        residual_blocks: int = 6,
        upsampling: str = "transpose",
        **kwargs,
    ):
        check_positive_ints(image_size=image_size, n_aus=n_aus, conv_dim=conv_dim)
        if upsampling not in UPSAMPLINGS:
            raise ValueError(
                f"upsampling must be one of {UPSAMPLINGS}. Received: upsampling={upsampling!r}"
            )
        if residual_blocks < 0:
            raise ValueError(
                f"residual_blocks must be >= 0. Received: residual_blocks={residual_blocks}"
            )
        if image_size % 4:
            raise ValueError(
                "image_size must be a multiple of 4 (the generator downsamples "
                f"twice by 2). Received: image_size={image_size}"
            )
        super().__init__(**kwargs)
        self.image_size = image_size
        self.n_aus = n_aus
        self.conv_dim = conv_dim
        self.residual_blocks = residual_blocks
        self.upsampling = upsampling

        self.encoder = keras.Sequential(name="encoder")
        self.encoder.add(conv(conv_dim, 7))
        self.encoder.add(instance_norm())
        self.encoder.add(layers.ReLU())
        for multiplier in (2, 4):
            self.encoder.add(conv(conv_dim * multiplier, 4, strides=2))
            self.encoder.add(instance_norm())
            self.encoder.add(layers.ReLU())
        self.bottleneck = keras.Sequential(
            [ResidualBlock(conv_dim * 4) for _ in range(residual_blocks)], name="bottleneck"
        )
        self.decoder = keras.Sequential(name="decoder")
        for multiplier in (2, 1):
            if upsampling == "resize":
                self.decoder.add(layers.UpSampling2D(2, interpolation="nearest"))
                self.decoder.add(conv(conv_dim * multiplier, 3))
            else:
                self.decoder.add(conv_transpose(conv_dim * multiplier))
            self.decoder.add(instance_norm())
            self.decoder.add(layers.ReLU())
        # Heads end in float32 so that mixed-precision training composites,
        # and computes its losses, at full precision.
        self.color_head = keras.Sequential(
            [conv(3, 7), layers.Activation("tanh", dtype="float32")], name="color_head"
        )
        self.attention_head = keras.Sequential(
            [conv(1, 7), layers.Activation("sigmoid", dtype="float32")],
            name="attention_head",
        )
        self.build(((None, image_size, image_size, 3), (None, n_aus)))

    def build(self, input_shape):
        # Running each block once on symbolic inputs creates every weight in
        # the reference's layout (the tiled AU planes included, as the first
        # kernel reads them), so `count_params()`, `summary()` and saved
        # files' names are the reference port's straight after construction.
        (batch, height, width, channels), (_, n_aus) = input_shape
        features = keras.KerasTensor((batch, height, width, channels + n_aus))
        features = self.encoder(features)
        if self.residual_blocks:  # An empty Sequential cannot be built.
            features = self.bottleneck(features)
        features = self.decoder(features)
        self.color_head(features)
        self.attention_head(features)
        self.built = True

    def call(self, inputs, training=None):
        images, aus = inputs
        images = ops.cast(images, self.compute_dtype)
        fused_norms = not training
        features = self.encode(images, aus, fused_norms)
        for block in self.bottleneck.layers:
            features = block(features, training=training)
        features = run_layers(self.decoder.layers, features, fused_norms)
        color, attention = self.heads(features)
        edited = composite(ops.cast(images, "float32"), color, attention)
        return edited, color, attention

    def encode(self, images, aus, fused_norms: bool = False):
        """The encoder on `concat(images, tile(aus))`, with the AU planes never built."""
        first, *rest = self.encoder.layers
        kernel = ops.cast(first.kernel, self.compute_dtype)
        channels = ops.shape(images)[-1]
        features = ops.conv(images, kernel[:, :, :channels, :], padding="same")
        height, width = ops.shape(images)[1], ops.shape(images)[2]
        features = features + au_conv_term(aus, kernel[:, :, channels:, :], height, width)
        return run_layers(rest, features, fused_norms)

    def heads(self, features):
        """`(color_head(features), attention_head(features))` as one 7×7 convolution.

        Over 2×2 pixel blocks (`tfganimation.subpixel.space_to_depth_conv`)
        where the map allows: 16 filters rather than 4.
        """
        color_conv, tanh = self.color_head.layers
        attention_conv, sigmoid = self.attention_head.layers
        kernel = ops.cast(
            ops.concatenate([color_conv.kernel, attention_conv.kernel], axis=-1), features.dtype
        )
        if is_space_to_depth_convolution(kernel, features):
            both = space_to_depth_conv(features, kernel)
        else:
            both = ops.conv(features, kernel, padding="same")
        return tanh(both[..., :-1]), sigmoid(both[..., -1:])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "image_size": self.image_size,
                "n_aus": self.n_aus,
                "conv_dim": self.conv_dim,
                "residual_blocks": self.residual_blocks,
                "upsampling": self.upsampling,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        return super().from_config(renamed_argument(config, "repeat_num", "residual_blocks"))
