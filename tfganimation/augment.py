"""Differentiable augmentation of what the critic sees (DiffAugment).

A critic trained only on clean images can be read by patterns no face has:
its AU head is a regressor, and a generator that follows its gradient learns
high-frequency speckle that moves the AU estimate instead of the face. Showing
the critic every image (real and fake, in the critic's and in the
generator's step) through the same random, differentiable transformations
makes such patterns unreliable while the expression, which survives a shift
or a change of colour, stays readable.

The transformations keep the AUs of a face unchanged, so the AU regression of
real images stays correctly labelled:

* `"color"`: per-image brightness, saturation and contrast;
* `"translation"`: a per-image shift by up to 1/16 of the side, filled with
  the image's edge pixels.

Reference: [Zhao et al., "Differentiable Augmentation for Data-Efficient GAN
Training", NeurIPS 2020](https://arxiv.org/abs/2006.10738).

Draws are stateless functions of a seed, so a resumed run sees the same
augmentations as an uninterrupted one.
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

AUGMENTATIONS = ("color", "translation")
"""The transformations `augment` knows, in the order it applies them."""

TRANSLATION_FRACTION = 1 / 16


def check_augmentations(names: Sequence[str]) -> tuple[str, ...]:
    """Validates a list of augmentation names; returns it as a tuple."""
    names = tuple(names)
    unknown = [name for name in names if name not in AUGMENTATIONS]
    if unknown:
        raise ValueError(
            f"Unknown augmentation {unknown[0]!r}; choose from {AUGMENTATIONS}. "
            f"Received: {names}"
        )
    return names


def augment(images: tf.Tensor, names: Sequence[str], seed: tf.Tensor) -> tf.Tensor:
    """Applies the augmentations in `names` to images in [-1, 1].

    Args:
        images: `[N, H, W, 3]` float images in [-1, 1].
        names: a subset of `AUGMENTATIONS`; empty returns `images` unchanged.
        seed: int `[2]` tensor; the same seed gives the same draws.

    Returns:
        Images of the same shape, differentiable with respect to `images`.
    """
    if "color" in names:
        images = _color(images, seed)
    if "translation" in names:
        images = _translation(images, seed + tf.constant([0, 1], seed.dtype))
    return images


def _color(images, seed):
    n = tf.shape(images)[0]
    draws = tf.random.stateless_uniform([3, n, 1, 1, 1], seed=seed, dtype=images.dtype)
    brightness, saturation, contrast = draws[0] - 0.5, draws[1] * 2.0, draws[2] + 0.5
    images = images + brightness
    mean = tf.reduce_mean(images, axis=-1, keepdims=True)
    images = (images - mean) * saturation + mean
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return (images - mean) * contrast + mean


def _translation(images, seed):
    """Shifts each image by whole pixels, repeating its border (no black frame to read)."""
    shape = tf.shape(images)
    n, height, width = shape[0], shape[1], shape[2]
    limit = tf.cast(tf.round(tf.cast(height, tf.float32) * TRANSLATION_FRACTION), tf.int32)
    shifts = tf.random.stateless_uniform(
        [2, n, 1], seed=seed, minval=-limit, maxval=limit + 1, dtype=tf.int32
    )
    rows = tf.clip_by_value(tf.range(height)[None, :] - shifts[0], 0, height - 1)
    columns = tf.clip_by_value(tf.range(width)[None, :] - shifts[1], 0, width - 1)
    images = tf.gather(images, rows, axis=1, batch_dims=1)
    return tf.gather(images, columns, axis=2, batch_dims=1)
