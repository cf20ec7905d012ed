"""Keras models as the metric's plain callables: a generator as an `Editor`, the oracle as an `AUReader`.

The metric (`tfganimation.evaluation.metric`) knows only NumPy callables, so
it can score any editor; these two adapters are where the package's own
networks meet it (and where TensorFlow comes in).
"""

from __future__ import annotations

import numpy as np

from tfganimation.evaluation.metric import AUReader, Editor
from tfganimation.oracle import load_oracle

ORACLE_BATCH = 256
"""Images the oracle reads per call: its memory stays small whatever the number of pairs."""


def generator_editor(generator) -> Editor:
    """Adapts a GANimation `Generator` (a Keras model) to the `Editor` contract.

    The generator is called as `generator((images, aus), training=False)` and
    returns `(edited, color, attention)`; the colour map is dropped.
    """

    def edit(images: np.ndarray, target_aus: np.ndarray):
        edited, _, attention = generator((images, target_aus), training=False)
        return np.asarray(edited), np.asarray(attention)

    return edit


def shipped_oracle() -> AUReader:
    """The package's trained AU oracle as an `AUReader` (`tfganimation.oracle`)."""
    oracle = load_oracle()

    def read(images: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [np.asarray(oracle(images[start:start + ORACLE_BATCH], training=False))
             for start in range(0, len(images), ORACLE_BATCH)]
        )  # fmt: skip

    return read
