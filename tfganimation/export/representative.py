"""Real face images for int8 calibration and the parity check.

They come from the training run's dataset (its `run.json` names it) or from
`--representative`: a dataset in any format `tfganimation.data` reads, or a
plain folder of face images. Images are decoded, centre-cropped and resized
exactly as the training pipeline does, and returned as the uint8 RGB the
exported signature takes.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfganimation.aus import N_AUS, OPENFACE_MAX_INTENSITY, PRESETS, preset
from tfganimation.data import DatasetError, detect_format, load_dataset
from tfganimation.data.images import list_images
from tfganimation.data.transforms import decode_image, resize_to_square
from tfganimation.pixels import to_uint8


def load_images(
    source: str | os.PathLike, image_size: int, count: int, seed: int = 0
) -> np.ndarray:
    """Up to `count` uint8 RGB images `[N, image_size, image_size, 3]` from `source`.

    A dataset gives a seeded random draw from its train split; a folder of
    images gives `count` files spread evenly over its sorted listing.

    Raises:
        FileNotFoundError: `source` does not exist.
        ValueError: it is neither a dataset nor a folder with images.
    """
    source = Path(source)
    try:
        detect_format(source)
    except DatasetError:
        return _folder_images(source, image_size, count)
    dataset = load_dataset(
        source,
        "train",
        image_size,
        batch_size=count,
        seed=seed,
        augment=False,
        drop_remainder=False,
    )
    images = next(iter(dataset))["image"].numpy()
    return to_uint8(images)


def _folder_images(folder: Path, image_size: int, count: int) -> np.ndarray:
    files = list_images(folder) if folder.is_dir() else []
    if not files:
        raise ValueError(
            f"{folder} is neither a dataset (manifest, GANimation layout, OpenFace CSVs) "
            "nor a folder of images."
        )
    picks = np.unique(np.linspace(0, len(files) - 1, min(count, len(files))).round().astype(int))
    return np.stack([_read_image(files[index], image_size) for index in picks])


def _read_image(path: Path, image_size: int) -> np.ndarray:
    image = decode_image(tf.io.read_file(str(path)))
    if tuple(image.shape[:2]) != (image_size, image_size):
        image = resize_to_square(image, image_size)
    return image.numpy()


def preset_aus() -> np.ndarray:
    """The preset expressions of `tfganimation.aus.PRESETS`, `[8, 17]`, OpenFace scale."""
    return np.stack([preset(name) for name in PRESETS])


def target_aus(count: int, seed: int = 0) -> np.ndarray:
    """`count` target AU vectors (OpenFace scale): the presets, then uniform draws.

    The presets are the edits an app offers; the uniform draws over the whole
    0..5 range make int8 calibration see every intensity a slider can send.
    """
    draws = np.random.default_rng(seed).uniform(0.0, OPENFACE_MAX_INTENSITY, (count, N_AUS))
    return np.concatenate([preset_aus(), draws.astype(np.float32)])[:count]
