"""`load_dataset`: a dataset on disk -> a `tf.data.Dataset` of GANimation batches."""

from __future__ import annotations

import logging
import os

import numpy as np
import tensorflow as tf

from tfganimation.aus import to_model_scale
from tfganimation.data.index import SPLITS, DatasetError, DatasetIndex
from tfganimation.data.readers import read_index
from tfganimation.data.transforms import (
    TARGET_NOISE,
    decode_image,
    flip_horizontally,
    resize_to_square,
    sample_target_aus,
    scale_image,
)

logger = logging.getLogger(__name__)


def load_dataset(
    path: str | os.PathLike | DatasetIndex,
    split: str = "train",
    image_size: int = 128,
    batch_size: int = 25,
    shuffle: bool = True,
    seed: int | None = None,
    format: str | None = None,
    drop_remainder: bool | None = None,
    augment: bool | None = None,
    target_noise: float = TARGET_NOISE,
    redraw_each_pass: bool = True,
    **reader_kwargs,
) -> tf.data.Dataset:
    """Builds the training/evaluation input pipeline of GANimation.

    Each element is a dict of
    `image` (float32 [B, H, W, 3] in [-1, 1]),
    `real_aus` (float32 [B, 17], the image's AUs on the 0..1 scale) and
    `target_aus` (float32 [B, 17], the AUs of a random sample of the same
    split plus U(-target_noise, target_noise), not clipped; see
    `sample_target_aus`).

    Images are read and decoded in parallel inside TensorFlow, center-cropped
    and resized to `image_size` if needed, randomly mirrored when augmenting,
    and scaled.
    A file that became unreadable after indexing is dropped (with a logged
    warning) rather than stopping `fit`. With a `seed`, the order, the flips
    and the targets are the same on every run, epoch after epoch; with
    `redraw_each_pass=False` too, every pass repeats the first one, which
    makes a fixed validation set (`load_dataset(..., "test", seed=0,
    redraw_each_pass=False).take(10)`: the same images and targets at every
    epoch end, so `val_*` curves show the model changing, not the draws).

    Args:
        path: str, path-like or `DatasetIndex`. The dataset (any format that
            `read_index` reads), whose skip report is then logged once; or
            an index already read, whose report is the caller's to show.
        split: str. `"train"` or `"test"`. Defaults to `"train"`.
        image_size: int. Output height and width. Defaults to 128.
        batch_size: int. Defaults to 25, the paper's.
        shuffle: bool. Reshuffle the split every epoch. Defaults to `True`.
        seed: int. Makes shuffling, flips and targets reproducible. Defaults
            to `None` (different every run).
        format: str. Dataset format; detected when `None` (the default).
        drop_remainder: bool. Drop the last partial batch. Defaults to
            `True` for the train split (the losses assume a full batch) and
            `False` otherwise.
        augment: bool. Random horizontal flips. Defaults to `True` for the
            train split.
        target_noise: float. Half-width of the target-AU noise. Defaults
            to 0.1.
        redraw_each_pass: bool. Draw a new order, new flips and new
            targets on every pass over the dataset (every epoch). `False`
            repeats the first pass's draws; it needs a `seed`. Defaults to
            `True`.
        **reader_kwargs: passed to `read_index` (`images`,
            `min_confidence`, `test_fraction`, ...).

    Example:
    ```python
    dataset = tfganimation.data.load_dataset("celeba_aus", seed=0)
    batch = next(iter(dataset))
    batch["image"].shape  # (25, 128, 128, 3)
    ```
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}. Received: split={split!r}")
    for name, value in (("image_size", image_size), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")
    if not target_noise >= 0:
        raise ValueError(f"target_noise must be >= 0. Received: target_noise={target_noise}")
    if seed is None and not redraw_each_pass:
        raise ValueError("redraw_each_pass=False repeats seeded draws: it needs a seed.")
    index = path if isinstance(path, DatasetIndex) else read_index(path, format, **reader_kwargs)
    samples = index.split(split)
    if not samples:
        raise DatasetError(f"No {split} samples in {index.source} (counts: {index.counts()}).")
    if index.report.total_skipped and not isinstance(path, DatasetIndex):
        logger.warning(
            "Skipped %d item(s) while indexing %s:\n%s",
            index.report.total_skipped, index.source, "\n".join(index.report.lines()),
        )
    return _batches(
        samples,
        image_size,
        batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=split == "train" if drop_remainder is None else drop_remainder,
        augment=split == "train" if augment is None else augment,
        target_noise=target_noise,
        redraw_each_pass=redraw_each_pass,
    )


def _batches(
    samples,
    image_size,
    batch_size,
    *,
    shuffle,
    seed,
    drop_remainder,
    augment,
    target_noise,
    redraw_each_pass,
):
    """The `tf.data` graph of `load_dataset`, for validated arguments."""
    files = tf.constant([str(sample.path) for sample in samples])
    pool = tf.constant(to_model_scale(np.stack([sample.aus for sample in samples])))
    # Indexing recorded every image's size: resample only if some need it.
    resize = any(sample.size != (image_size, image_size) for sample in samples)

    def plan_epoch(epoch_seed):
        # The whole epoch's order and flips in two vectorized draws, so no
        # random op runs per image.
        order_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(tf.stack([epoch_seed, 0]), 2))
        order = tf.range(len(samples), dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(order, order_seed)
        flips = tf.random.stateless_uniform([len(samples)], flip_seed) < 0.5
        return tf.data.Dataset.from_tensor_slices((tf.gather(files, order), flips, order))

    def load_image(file, flip, position):
        image = decode_image(tf.io.read_file(file))
        if resize:
            image = resize_to_square(image, image_size)
        if augment:
            image = flip_horizontally(image, flip)
        return tf.ensure_shape(image, (image_size, image_size, 3)), position

    def finish_batch(batch, batch_seed):
        images, positions = batch
        return {
            "image": scale_image(images),
            "real_aus": tf.gather(pool, positions),
            "target_aus": sample_target_aus(pool, batch_seed, target_noise, shape=tf.shape(positions)),
        }

    # Two independent seed streams: one draw per epoch, one pair per batch.
    # `rerandomize_each_iteration` gives every epoch new draws, the same ones
    # on every run for a given seed.
    epoch_seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=redraw_each_pass)
    batch_seeds = tf.data.Dataset.random(
        seed=None if seed is None else seed + 1, rerandomize_each_iteration=redraw_each_pass
    ).batch(2)
    dataset = epoch_seeds.take(1).flat_map(plan_epoch)
    dataset = dataset.map(load_image, num_parallel_calls=tf.data.AUTOTUNE)
    # A file that went bad after indexing fails here and is dropped, with a
    # logged warning, instead of ending `fit`.
    dataset = dataset.ignore_errors(log_warning=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    dataset = tf.data.Dataset.zip(dataset, batch_seeds)
    dataset = dataset.map(finish_batch, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
