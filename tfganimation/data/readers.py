"""One entry point for every dataset format: detect it, or be told, then read it."""

from __future__ import annotations

import os
from pathlib import Path

from tfganimation.data.index import DatasetError, DatasetIndex
from tfganimation.data.manifest import is_manifest, read_manifest
from tfganimation.data.openface import DEFAULT_MIN_CONFIDENCE, is_openface_csv, read_openface
from tfganimation.data.original_layout import is_original_layout, read_original_layout

FORMATS: tuple[str, ...] = ("manifest", "original", "openface")


def detect_format(path: str | os.PathLike) -> str:
    """Tells which dataset format `path` is.

    In order: a folder with `manifest.csv` (or that file) is `"manifest"`; a
    folder with `aus_openface.pkl` is `"original"`; a CSV file, or a folder
    holding CSVs, with OpenFace `AU*_r` columns is `"openface"`.

    Raises:
        FileNotFoundError: `path` does not exist.
        DatasetError: it is none of the formats.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Dataset path not found: {path}")
    if is_manifest(path):
        return "manifest"
    if path.is_dir() and is_original_layout(path):
        return "original"
    csv_files = sorted(path.rglob("*.csv")) if path.is_dir() else [path]
    if any(is_openface_csv(csv_file) for csv_file in csv_files):
        return "openface"
    raise DatasetError(
        f"Cannot tell the dataset format of {path}: expected a folder with manifest.csv, "
        "a GANimation folder with aus_openface.pkl, or OpenFace CSVs with AU*_r columns."
    )


def read_index(
    path: str | os.PathLike,
    format: str | None = None,
    *,
    images: str | os.PathLike | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    test_fraction: float = 0.1,
    seed: int = 0,
    full_decode: bool = False,
) -> DatasetIndex:
    """Reads any supported dataset into a validated `DatasetIndex`.

    Args:
        path: str or path-like. The dataset: a manifest folder, an original
            GANimation folder, or OpenFace CSV(s).
        format: str. One of `FORMATS`; detected when `None` (the default).
        images: str or path-like. OpenFace only: the image folder. Defaults
            to the CSVs' folder.
        min_confidence: float. OpenFace only: see `read_openface`.
        test_fraction: float. OpenFace only: share of the test split.
        seed: int. OpenFace only: seed of the split.
        full_decode: bool. Decode every image while validating. Defaults to
            `False`.
    """
    if format is None:
        format = detect_format(path)
    if images is not None and format != "openface":
        raise ValueError(f"images= is only used with OpenFace CSVs; {path} is a {format} dataset.")
    if format == "manifest":
        return read_manifest(path, full_decode=full_decode)
    if format == "original":
        return read_original_layout(path, full_decode=full_decode)
    if format == "openface":
        return read_openface(
            path,
            images,
            min_confidence=min_confidence,
            test_fraction=test_fraction,
            seed=seed,
            full_decode=full_decode,
        )
    raise ValueError(f"format must be one of {FORMATS} or None. Received: format={format!r}")
