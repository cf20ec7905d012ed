"""The project's own dataset layout: one CSV that lists everything.

    DATASET/manifest.csv    header `file,split,AU01,...,AU45`
    DATASET/images/...      the images (`file` is relative to DATASET)

AU values are on the OpenFace scale (0..5), in `tfganimation.aus.AU_CODES`
order; `split` is `train` or `test`. Readers look columns up by name and
ignore any others, so producers may add their own (the synthetic dataset
adds `identity`). `prepare` writes this layout, and so does
`tfganimation.synthetic.make_dataset`.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from tfganimation.atomic import replacing
from tfganimation.aus import AU_CODES, N_AUS
from tfganimation.data.images import list_images
from tfganimation.data.index import SPLITS, Candidate, DatasetError, DatasetIndex, IndexReport, build_index

MANIFEST_NAME = "manifest.csv"
IMAGES_DIR = "images"
MANIFEST_COLUMNS: tuple[str, ...] = ("file", "split", *AU_CODES)


def manifest_path(path: str | os.PathLike) -> Path:
    """`path` itself if it is a manifest file, else `path/manifest.csv`."""
    path = Path(path)
    return path if path.suffix.lower() == ".csv" else path / MANIFEST_NAME


def is_manifest(path: str | os.PathLike) -> bool:
    """Whether `path` is a dataset folder with a manifest (or the manifest itself)."""
    candidate = manifest_path(path)
    if not candidate.is_file():
        return False
    try:
        with candidate.open(newline="", encoding="utf-8-sig") as file:
            header = {name.strip() for name in next(csv.reader(file), [])}
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return set(MANIFEST_COLUMNS) <= header


def read_manifest(path: str | os.PathLike, full_decode: bool = False) -> DatasetIndex:
    """Reads and validates a manifest dataset.

    Args:
        path: str or path-like. The dataset folder, or its `manifest.csv`.
        full_decode: bool. Decode every image while validating. Defaults to
            `False`.

    Returns:
        A `DatasetIndex`; sample names are the `file` column.

    Raises:
        FileNotFoundError: there is no manifest.
        DatasetError: required columns are missing, or nothing is usable.
    """
    csv_path = manifest_path(path)
    if not csv_path.is_file():
        raise FileNotFoundError(f"No {MANIFEST_NAME} found at {csv_path}.")
    root = csv_path.parent
    try:
        candidates, report = _read_rows(csv_path)
    except (UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{csv_path} is not a readable CSV ({error}).") from None
    listed = {root / candidate.name for candidate in candidates}
    images = root / IMAGES_DIR
    if images.is_dir():
        report.skip("no_aus", sum(1 for image in list_images(images) if image not in listed))
    return build_index(root, "manifest", candidates, report, root=root, full_decode=full_decode)


def _read_rows(csv_path: Path) -> tuple[list[Candidate], IndexReport]:
    root = csv_path.parent
    report = IndexReport()
    candidates = []
    with csv_path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = {name.strip(): i for i, name in enumerate(next(reader, []))}
        missing = [name for name in MANIFEST_COLUMNS if name not in header]
        if missing:
            raise DatasetError(f"{csv_path} lacks the column(s) {', '.join(missing)}.")
        for row in reader:
            if not any(value.strip() for value in row):
                continue
            try:
                name, split = row[header["file"]].strip(), row[header["split"]].strip()
                aus = [row[header[code]] for code in AU_CODES]
            except IndexError:
                report.skip("unparsable_row")
                continue
            if split not in SPLITS:
                report.skip("unknown_split")
                continue
            candidates.append(Candidate(name, root / name, aus, split))
    return candidates, report


def write_manifest(
    path: str | os.PathLike,
    files: Sequence[str],
    splits: Sequence[str],
    aus: np.ndarray,
    extra_columns: Mapping[str, Sequence] | None = None,
) -> Path:
    """Writes `manifest.csv`; the images must already be in place.

    Args:
        path: str or path-like. The dataset folder (created if needed).
        files: sequence of str. Image paths relative to `path`, posix style.
        splits: sequence of str. `"train"` or `"test"` per file.
        aus: array-like. [N, 17] OpenFace intensities (0..5).
        extra_columns: mapping of str to sequence. More columns, appended
            after the AUs (e.g. `{"identity": ids}`). Defaults to none.

    Returns:
        The path of the manifest written.
    """
    aus = np.asarray(aus, dtype=np.float64)
    extra_columns = dict(extra_columns or {})
    if aus.shape != (len(files), N_AUS) or len(splits) != len(files):
        raise ValueError(
            f"Expected {len(files)} splits and AUs of shape ({len(files)}, {N_AUS}). "
            f"Received: {len(splits)} splits, aus of shape {aus.shape}"
        )
    if bad := sorted(set(splits) - set(SPLITS)):
        raise ValueError(f"split must be one of {SPLITS}. Received: {bad}")
    for name, values in extra_columns.items():
        if name in MANIFEST_COLUMNS or len(values) != len(files):
            raise ValueError(f"Extra column {name!r} clashes with a manifest column or has the wrong length.")
    target = Path(path) / MANIFEST_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    with replacing(target) as partial:  # a reader never sees half a manifest
        with partial.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow([*MANIFEST_COLUMNS, *extra_columns])
            for i, (name, split) in enumerate(zip(files, splits)):
                extras = [values[i] for values in extra_columns.values()]
                writer.writerow([name, split, *(f"{value:.6g}" for value in aus[i]), *extras])
    return target
