"""The serving contract: uint8 images and OpenFace-scale AUs in, uint8 images out.

An app should not need to know that the networks see images in [-1, 1] and
AUs on 0..1, so the conversions live inside the exported graph. Every format
(SavedModel, each LiteRT variant) is built from the functions here, which is
what makes their inputs and outputs identical.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from tfganimation.aus import N_AUS, OPENFACE_MAX_INTENSITY

PREPROCESS_SCOPE = "preprocess"
POSTPROCESS_SCOPE = "postprocess"
"""Name scopes of the contract's conversions; `tflite` keeps them in float in
the int8 model, so the contract is computed identically in every variant."""

GeneratorFn = Callable[[tuple[tf.Tensor, tf.Tensor]], tuple[tf.Tensor, tf.Tensor, tf.Tensor]]
CriticFn = Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]]


def image_to_model(image: tf.Tensor) -> tf.Tensor:
    """uint8 pixels 0..255 → float32 in [-1, 1], as `tfganimation.data` scales them."""
    return tf.cast(image, tf.float32) / 127.5 - 1.0


def model_to_image(values: tf.Tensor) -> tf.Tensor:
    """float32 in [-1, 1] → uint8: `(x + 1) · 127.5`, rounded half to even, clipped to 0..255.

    Rounding (not truncating) makes `model_to_image(image_to_model(u)) == u`.
    """
    return tf.cast(tf.clip_by_value(tf.round((values + 1.0) * 127.5), 0.0, 255.0), tf.uint8)


def make_animate(generator: GeneratorFn) -> Callable[[tf.Tensor, tf.Tensor], dict[str, tf.Tensor]]:
    """The `animate` function around a generator.

    Args:
        generator: callable `((images, aus)) -> (edited, color, attention)`
            with the `Generator`'s scales; usually a `Generator`.

    Returns:
        `animate(image, aus)`: `image` uint8 `[N, H, W, 3]` RGB, `aus`
        float32 `[N, 17]` OpenFace intensities 0..5 → `{"image": uint8,
        "attention": float32 [N, H, W, 1] in [0, 1], "color": uint8}`.
    """

    def animate(image: tf.Tensor, aus: tf.Tensor) -> dict[str, tf.Tensor]:
        with tf.name_scope(PREPROCESS_SCOPE):
            images = image_to_model(image)
            model_aus = aus / OPENFACE_MAX_INTENSITY
        edited, color, attention = generator((images, model_aus), training=False)
        with tf.name_scope(POSTPROCESS_SCOPE):
            return {
                "image": model_to_image(edited),
                "attention": tf.cast(attention, tf.float32),
                "color": model_to_image(color),
            }

    return animate


def make_estimate_aus(critic: CriticFn) -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
    """The `estimate_aus` function: the critic's AU head, on the OpenFace scale.

    The head is a linear regression trained on 0..1 targets; its output is
    multiplied by 5 and clipped to 0..5, the range OpenFace reports.
    """

    def estimate_aus(image: tf.Tensor) -> dict[str, tf.Tensor]:
        with tf.name_scope(PREPROCESS_SCOPE):
            images = image_to_model(image)
        _, aus = critic(images, training=False)
        with tf.name_scope(POSTPROCESS_SCOPE):
            aus = tf.cast(aus, tf.float32) * OPENFACE_MAX_INTENSITY
            return {"aus": tf.clip_by_value(aus, 0.0, OPENFACE_MAX_INTENSITY)}

    return estimate_aus


def image_spec(image_size: int, batch_size: int | None = None) -> tf.TensorSpec:
    """The `image` input: uint8 `[batch, image_size, image_size, 3]`, RGB."""
    return tf.TensorSpec([batch_size, image_size, image_size, 3], tf.uint8, name="image")


def aus_spec(batch_size: int | None = None) -> tf.TensorSpec:
    """The `aus` input: float32 `[batch, 17]`, OpenFace intensities 0..5."""
    return tf.TensorSpec([batch_size, N_AUS], tf.float32, name="aus")
