"""Writes a synthetic AU-face dataset in the project's manifest format.

Layout of `out_dir`:

    manifest.csv      file,split,AU01,...,AU45,identity  (one row per image)
    identities.json   identity id -> `Identity.to_dict()`
    images/<identity>_<k>.png

`file` is the image's POSIX path relative to `out_dir`, `split` is `train` or
`test`, and the AUs are on the OpenFace scale 0..5 — the same contract the
data pipeline reads for real datasets, with an extra `identity` column. Splits
are by identity, so a test face was never seen in training, and
`identities.json` lets an evaluation re-render any identity at any AUs as
ground truth.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import pathlib
import shutil

import cv2
import numpy as np

from tfganimation.data.index import SPLITS, assign_splits
from tfganimation.data.manifest import IMAGES_DIR, MANIFEST_NAME, write_manifest
from tfganimation.outputs import output_folder
from tfganimation.synthetic.au_sampling import sample_aus
from tfganimation.synthetic.identity import Identity, sample_identity
from tfganimation.synthetic.renderer import check_image_size, render_face

IDENTITIES = "identities.json"


@dataclasses.dataclass(frozen=True)
class DatasetSummary:
    """What `make_dataset` wrote.

    Args:
        out_dir: pathlib.Path. The dataset folder.
        image_size: int. Side of every image.
        n_train: int. Number of training images.
        n_test: int. Number of test images.
        train_identities: tuple of str. Identity ids in the train split.
        test_identities: tuple of str. Identity ids in the test split.
    """

    out_dir: pathlib.Path
    image_size: int
    n_train: int
    n_test: int
    train_identities: tuple[str, ...]
    test_identities: tuple[str, ...]


def make_dataset(
    out_dir: str | os.PathLike,
    n_identities: int,
    per_identity: int,
    image_size: int,
    seed: int,
    test_fraction: float = 0.2,
    *,
    overwrite: bool = False,
) -> DatasetSummary:
    """Renders `n_identities × per_identity` faces with realistic AUs into `out_dir`.

    Args:
        out_dir: path. Created if missing. Must be empty unless `overwrite`.
        n_identities: int. Number of distinct faces.
        per_identity: int. Images (AU draws) per face.
        image_size: int. Side of the square images, at least 32.
        seed: int. Same seed, same dataset, pixel for pixel.
        test_fraction: float. Share of identities held out as `test`, in
            [0, 1), rounded to whole identities; when it is > 0, both splits
            must get at least one. Defaults to `0.2`.
        overwrite: bool. Replace the manifest, `identities.json` and
            `images/` of an existing dataset in `out_dir` (other files are
            left alone). Defaults to `False`.

    Returns:
        A `DatasetSummary`.

    Raises:
        FileExistsError: `out_dir` is not empty and `overwrite` is False.

    Example:
    ```python
    summary = make_dataset("data/synthetic", n_identities=50, per_identity=40,
                           image_size=128, seed=0)
    ```
    """
    for name, value in (("n_identities", n_identities), ("per_identity", per_identity)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer. Received: {name}={value!r}")
    check_image_size(image_size)
    rng = np.random.default_rng(seed)
    identities = {f"id{index:04d}": sample_identity(rng) for index in range(n_identities)}
    splits = assign_splits(identities, test_fraction, seed)
    if test_fraction > 0 and set(splits.values()) != set(SPLITS):
        raise ValueError(
            f"test_fraction={test_fraction} of {n_identities} identities leaves a split empty; "
            "use more identities or another fraction."
        )
    out_dir = output_folder(out_dir, overwrite, "pass overwrite=True to replace the dataset in it")
    shutil.rmtree(out_dir / IMAGES_DIR, ignore_errors=True)

    (out_dir / IMAGES_DIR).mkdir(parents=True, exist_ok=True)
    files, file_splits, file_aus, file_identities = [], [], [], []
    for identity_id, identity in identities.items():
        # Rounded before rendering, so that the manifest reproduces every image exactly.
        for index, aus in enumerate(np.round(sample_aus(rng, per_identity).astype(np.float64), 3)):
            file = f"{IMAGES_DIR}/{identity_id}_{index:04d}.png"
            image = render_face(identity, aus, image_size)
            if not cv2.imwrite(str(out_dir / file), image[..., ::-1]):
                raise OSError(f"Could not write {out_dir / file}.")
            files.append(file)
            file_splits.append(splits[identity_id])
            file_aus.append(aus)
            file_identities.append(identity_id)
    (out_dir / IDENTITIES).write_text(
        json.dumps({key: value.to_dict() for key, value in identities.items()}, indent=1),
        encoding="utf-8",
    )
    write_manifest(out_dir, files, file_splits, np.array(file_aus), {"identity": file_identities})
    return DatasetSummary(
        out_dir=out_dir,
        image_size=image_size,
        n_train=file_splits.count("train"),
        n_test=file_splits.count("test"),
        train_identities=tuple(key for key in identities if splits[key] == "train"),
        test_identities=tuple(key for key in identities if splits[key] == "test"),
    )


def load_identities(
    dataset_dir: str | os.PathLike, split: str | None = None
) -> dict[str, Identity]:
    """Reads a synthetic dataset's identities, optionally only those of one split.

    Args:
        dataset_dir: path. A folder written by `make_dataset`.
        split: str or None. `"train"` or `"test"` to keep the identities whose
            images the manifest puts in that split; None for all.

    Returns:
        `{identity id: Identity}`, sorted by id.
    """
    dataset_dir = pathlib.Path(dataset_dir)
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None. Received: split={split!r}")
    path = dataset_dir / IDENTITIES
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: {dataset_dir} is not a synthetic dataset "
            "(tfganimation.synthetic.make_dataset), so it has no ground truth to re-render."
        )
    identities = json.loads(path.read_text(encoding="utf-8"))
    if split is not None:
        with open(dataset_dir / MANIFEST_NAME, newline="", encoding="utf-8") as stream:
            keep = {row["identity"] for row in csv.DictReader(stream) if row["split"] == split}
        identities = {key: value for key, value in identities.items() if key in keep}
    return {key: Identity.from_dict(identities[key]) for key in sorted(identities)}

