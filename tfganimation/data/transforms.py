"""The steps of the input pipeline, as small TensorFlow functions.

Each is pure and takes its randomness as an explicit stateless seed or flag,
so the pipeline is reproducible and every step can be tested on its own.
They are written for throughput too: on a CPU the pipeline is bound by JPEG
decoding, and every extra op or pass over the pixels per image shows.
"""

from __future__ import annotations

import tensorflow as tf

TARGET_NOISE = 0.1
"""Half-width of the uniform noise added to target AUs (0..1 scale), as in the reference."""


def decode_image(contents: tf.Tensor) -> tf.Tensor:
    """Decodes JPEG/PNG/BMP/GIF bytes to a uint8 RGB image `[H, W, 3]`.

    Grayscale and RGBA images become RGB; a GIF gives its first frame.
    """
    return tf.io.decode_image(contents, channels=3, expand_animations=False)


def resize_to_square(image: tf.Tensor, image_size: int) -> tf.Tensor:
    """Center-crops to a square (faces keep their aspect ratio), then resizes.

    Returns:
        uint8 `[image_size, image_size, 3]`.
    """
    shape = tf.shape(image)
    side = tf.minimum(shape[0], shape[1])
    top, left = (shape[0] - side) // 2, (shape[1] - side) // 2
    image = image[top : top + side, left : left + side]
    image = tf.image.resize(image, (image_size, image_size), antialias=True)
    return tf.saturate_cast(tf.round(image), tf.uint8)


def flip_horizontally(image: tf.Tensor, flip: tf.Tensor) -> tf.Tensor:
    """Mirrors one `[H, W, C]` image left-right when the scalar bool `flip` is true.

    Per image rather than per batch: TensorFlow reverses the middle axis of a
    3-D uint8 tensor with a fast row-copy kernel, several times faster than a
    4-D reverse, and the untouched half of the images costs nothing.
    """
    return tf.cond(flip, lambda: tf.reverse(image, axis=[1]), lambda: image)


def scale_image(images: tf.Tensor) -> tf.Tensor:
    """Maps uint8 pixels 0..255 to float32 in [-1, 1] (`x / 127.5 - 1`).

    The generator's output is a tanh, so real images live in [-1, 1] too.
    This is written as a dequantization (`-1 + x * 2/255`) because that is a
    single pass over the pixels, where cast, divide and subtract are three;
    writing the float batch is the largest memory traffic of the pipeline.
    """
    return tf.quantization.dequantize(tf.bitcast(images, tf.quint8), -1.0, 1.0, mode="MIN_COMBINED")


def sample_target_aus(pool: tf.Tensor, seed: tf.Tensor, noise: float = TARGET_NOISE, shape=()) -> tf.Tensor:
    """Draws target AUs: the AUs of random samples of `pool`, plus uniform noise.

    This is the reference implementation's `_generate_random_cond`: a uniform
    draw from the whole split (which may be the source sample itself) plus
    U(-noise, noise) per AU on the 0..1 scale. Like the reference, the result
    is not clipped, so targets may leave [0, 1] by up to `noise`.

    Args:
        pool: float32 tensor [N, 17]. The split's AUs on the 0..1 scale.
        seed: int tensor [2]. Stateless seed.
        noise: float. Half-width of the noise. Defaults to 0.1.
        shape: tuple or 1-D int tensor. Leading shape of the result.
            Defaults to `()` (one vector).

    Returns:
        float32 tensor `[*shape, 17]`.
    """
    index_seed, noise_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    size = tf.shape(pool, out_type=tf.int64)[0]
    indices = tf.random.stateless_uniform(shape, index_seed, minval=0, maxval=size, dtype=tf.int64)
    targets = tf.gather(pool, indices)
    return targets + tf.random.stateless_uniform(tf.shape(targets), noise_seed, -noise, noise)
