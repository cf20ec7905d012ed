"""Training the AU oracle on its own renders, and measuring its held-out error.

The oracle must be independent of everything it judges: its faces are drawn
from seeds no dataset of the project uses (`ORACLE_SEED`), so its identities
are disjoint from every evaluation identity, and it is scored on a third set
of identities it never saw. Every training batch is corrupted in ways that
leave the AUs unchanged — colour, shifts, noise, blur and patches of painted
speckle — so that a generator's artefacts do not read as expressions.
"""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np
import tensorflow as tf

from tfganimation.augment import augment
from tfganimation.aus import AU_CODES, to_model_scale
from tfganimation.data.transforms import scale_image
from tfganimation.oracle.model import ORACLE_SIZE, AUOracle
from tfganimation.pixels import to_signed
from tfganimation.synthetic import render_face, sample_aus, sample_identity

ORACLE_SEED = 424_242
"""Root seed of the oracle's identities; `make_dataset` users pass small seeds."""


@dataclasses.dataclass(frozen=True)
class OracleConfig:
    """How the oracle is trained.

    Args:
        n_identities: int. Training identities. Defaults to 5000.
        per_identity: int. Expressions rendered per training identity.
            Defaults to 4.
        n_heldout: int. Held-out identities, rendered at two expressions
            each. Defaults to 500.
        epochs: int. Defaults to 15.
        batch_size: int. Defaults to 64.
        learning_rate: float. Peak Adam rate, cosine-decayed to 0. Defaults to 2e-3.
        seed: int. Root seed of the renders. Defaults to `ORACLE_SEED`.
    """

    n_identities: int = 5000
    per_identity: int = 4
    n_heldout: int = 500
    epochs: int = 15
    batch_size: int = 64
    learning_rate: float = 2e-3
    seed: int = ORACLE_SEED


def oracle_identities(config: OracleConfig, split: str):
    """The oracle's own identities: `"train"` or `"heldout"`, never shared with a dataset."""
    stream = {"train": 1, "heldout": 2}[split]
    count = config.n_identities if split == "train" else config.n_heldout
    rng = np.random.default_rng([config.seed, stream])
    return [sample_identity(rng) for _ in range(count)]


def render_set(identities, per_identity: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Renders each identity at `per_identity` realistic AU draws.

    Returns:
        `(images uint8 [N, 64, 64, 3], aus float32 [N, 17] on 0..1)`.
    """
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for identity in identities:
        for aus in sample_aus(rng, per_identity):
            images.append(render_face(identity, aus, ORACLE_SIZE))
            labels.append(to_model_scale(aus))
    return np.stack(images), np.stack(labels).astype(np.float32)


def corrupt(images: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """Corrupts images in [-1, 1] without changing their AUs.

    Colour and a shift (`tfganimation.augment`), then per image: Gaussian
    noise of a random strength, a 3×3 blur on about a third of the images,
    and a rectangle of painted speckle (random colours at a random opacity)
    of random size and place — the artefact a briefly trained generator
    leaves where it edits.
    """
    seeds = tf.random.experimental.stateless_split(seed, 6)
    images = augment(images, ("color", "translation"), seeds[0])
    shape = tf.shape(images)
    n, size = shape[0], shape[1]
    noise_level = tf.random.stateless_uniform([n, 1, 1, 1], seeds[1], 0.0, 0.08)
    images += noise_level * tf.random.stateless_normal(shape, seeds[2])
    blurred = tf.nn.avg_pool2d(images, 3, 1, "SAME")
    blur = tf.cast(tf.random.stateless_uniform([n, 1, 1, 1], seeds[3]) < 0.3, images.dtype)
    images = blur * blurred + (1.0 - blur) * images
    return _speckle_patch(images, seeds[4], size)


def _speckle_patch(images, seed, size):
    n = tf.shape(images)[0]
    draws = tf.random.stateless_uniform([5, n], seed)
    side = tf.cast(size, tf.float32)
    height = 4.0 + draws[0] * side * 0.35
    width = 4.0 + draws[1] * side * 0.35
    top = draws[2] * (side - height)
    left = draws[3] * (side - width)
    coordinates = tf.range(side)
    rows = (coordinates[None, :] >= top[:, None]) & (coordinates[None, :] < (top + height)[:, None])
    columns = (coordinates[None, :] >= left[:, None]) & (
        coordinates[None, :] < (left + width)[:, None]
    )
    mask = tf.cast(rows[:, :, None] & columns[:, None, :], images.dtype)[..., None]
    opacity = (draws[4] * 0.7)[:, None, None, None]
    speckle = tf.random.stateless_uniform(tf.shape(images), seed + 1, -1.0, 1.0)
    return images + mask * opacity * (speckle - images)


def train_oracle(config: OracleConfig = OracleConfig(), verbose: int | str = 2):
    """Renders the oracle's data, trains it, measures it on held-out identities.

    Returns:
        `(oracle, record)`: the trained `AUOracle` and a JSON-ready dict with
        its held-out error (overall and per AU, clean and corrupted) next to
        the variance of the held-out AUs, and how it was trained.
    """
    started = time.monotonic()
    train_images, train_aus = render_set(oracle_identities(config, "train"), config.per_identity,
                                         config.seed + 1)  # fmt: skip
    heldout_images, heldout_aus = render_set(oracle_identities(config, "heldout"), 2, config.seed + 2)
    render_seconds = time.monotonic() - started

    keras.utils.set_random_seed(config.seed)
    steps_per_epoch = len(train_images) // config.batch_size
    oracle = AUOracle()
    oracle.compile(
        optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(
                config.learning_rate, steps_per_epoch * config.epochs
            )
        ),
        loss="mse",
    )
    data = (
        tf.data.Dataset.from_tensor_slices((train_images, train_aus))
        .shuffle(len(train_images), seed=config.seed)
        .batch(config.batch_size, drop_remainder=True)
        .enumerate()
        .map(
            lambda step, batch: (
                corrupt(scale_image(batch[0]), tf.stack([tf.constant(config.seed, tf.int64), step])),
                batch[1],
            ),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        .prefetch(tf.data.AUTOTUNE)
    )
    started = time.monotonic()
    oracle.fit(data, epochs=config.epochs, verbose=verbose)
    train_seconds = time.monotonic() - started

    clean = measure(oracle, to_signed(heldout_images), heldout_aus)
    corrupted_images = corrupt(to_signed(heldout_images), tf.constant([config.seed, -1], tf.int64))
    corrupted = measure(oracle, corrupted_images, heldout_aus)
    record = {
        # What a small fresh sample may show without the oracle having changed:
        # a few dozen faces carry sampling noise of tens of percent.
        "bound": {"mse_ratio": max(1.5 * clean["mse_ratio"], clean["mse_ratio"] + 0.05)},
        "heldout": clean,
        "heldout_corrupted": corrupted,
        "config": dataclasses.asdict(config),
        "n_train_images": int(len(train_images)),
        "n_heldout_images": int(len(heldout_images)),
        "render_seconds": round(render_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "parameters": int(oracle.count_params()),
    }
    return oracle, record


def measure(oracle, images, aus: np.ndarray) -> dict:
    """The oracle's mean squared error on `images` against `aus` (0..1), and the AUs' variance.

    `mse_ratio` = error / variance: 1 is what always answering the mean AUs
    scores, 0 a perfect reading.
    """
    predicted = np.asarray(oracle.predict(images, batch_size=256, verbose=0))
    squared = (predicted - aus) ** 2
    variance = aus.var(axis=0)
    return {
        "mse": float(squared.mean()),
        "au_variance": float(variance.mean()),
        "mse_ratio": float(squared.mean() / variance.mean()),
        "per_au": {
            code: {"mse": float(squared[:, i].mean()), "variance": float(variance[i])}
            for i, code in enumerate(AU_CODES)
        },
    }
