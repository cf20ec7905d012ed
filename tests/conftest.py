"""Fixtures shared by the whole test suite: tiny models and random batches."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Inference's "auto" precision is bfloat16 on CPUs with native bfloat16 (AMX,
# AVX512_BF16): pin float32 so that every host computes the same numbers;
# the bfloat16 path has its own tests, which ask for it by name.
os.environ["TFGANIMATION_PRECISION"] = "float32"

import numpy as np
import pytest

TINY = {"image_size": 32, "conv_dim": 8, "residual_blocks": 1}
"""A generator (and `TrainConfig`) small enough to train in seconds on a CPU."""

TINY_CRITIC = {"image_size": 32, "conv_dim": 8, "downsampling_layers": 1}
"""The critic that goes with `TINY`."""


def random_batches(n_batches: int = 10, batch_size: int = 2, image_size: int = 32, seed: int = 0):
    """A `tf.data.Dataset` of GANimation batch dicts with random content."""
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    n = n_batches * batch_size
    data = {
        "image": rng.uniform(-1, 1, (n, image_size, image_size, 3)).astype("float32"),
        "real_aus": rng.uniform(0, 1, (n, 17)).astype("float32"),
        "target_aus": rng.uniform(0, 1, (n, 17)).astype("float32"),
    }
    return tf.data.Dataset.from_tensor_slices(data).batch(batch_size)


def tiny_ganimation(seed: int = 0, **kwargs):
    """A compiled-ready GANimation on the TINY networks, deterministic for a seed."""
    import keras

    import tfganimation

    keras.utils.set_random_seed(seed)
    return tfganimation.GANimation(
        tfganimation.Generator(**TINY), tfganimation.Critic(**TINY_CRITIC), seed=seed, **kwargs
    )


@pytest.fixture
def tiny_model():
    return tiny_ganimation()
