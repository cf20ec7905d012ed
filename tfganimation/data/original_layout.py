"""Reader for the original GANimation dataset layout.

    DATASET/imgs/<id>.jpg       face crops
    DATASET/aus_openface.pkl    dict id -> 17 OpenFace intensities (numpy float64)
    DATASET/train_ids.csv       one image file name per line
    DATASET/test_ids.csv        idem

The pickle was written by Python 2 in the reference code; it is read with the
restricted unpickler (`safe_pickle`), never with `pickle.load`. Its keys are
usually the ids without extension while the id lists carry one, so lookups try
the listed name first and then its stem.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from tfganimation.data.images import IMAGE_EXTENSIONS, is_image_file
from tfganimation.data.index import SPLITS, Candidate, DatasetError, DatasetIndex, IndexReport, build_index
from tfganimation.data.safe_pickle import UnsafePickleError, load_pickle

IMAGES_DIR = "imgs"
AUS_FILE = "aus_openface.pkl"


def ids_file(split: str) -> str:
    """The id-list file name of a split, e.g. `train_ids.csv`."""
    return f"{split}_ids.csv"


def is_original_layout(path: str | os.PathLike) -> bool:
    """Whether `path` is a folder with the original layout's AU pickle."""
    return (Path(path) / AUS_FILE).is_file()


def read_original_layout(path: str | os.PathLike, full_decode: bool = False) -> DatasetIndex:
    """Reads and validates a dataset in the original GANimation layout.

    Args:
        path: str or path-like. The dataset folder.
        full_decode: bool. Decode every image while validating. Defaults to
            `False` (header and end-marker checks only).

    Returns:
        A `DatasetIndex`; sample names are the file names under `imgs/`.

    Raises:
        FileNotFoundError: the pickle or both id lists are missing.
        DatasetError: the pickle is unsafe or unreadable, or nothing usable
            is left after validation.
    """
    root = Path(path)
    if not is_original_layout(root):
        raise FileNotFoundError(f"{root / AUS_FILE} not found: {root} is not a GANimation dataset folder.")
    id_lists = {split: root / ids_file(split) for split in SPLITS if (root / ids_file(split)).is_file()}
    if not id_lists:
        raise FileNotFoundError(f"Neither {ids_file('train')} nor {ids_file('test')} found in {root}.")
    aus_by_id = _read_aus_table(root / AUS_FILE)

    images = root / IMAGES_DIR
    report = IndexReport()
    candidates = []
    for split, list_path in id_lists.items():
        for name in _read_ids(list_path):
            image = _resolve_image(images, name)
            aus = aus_by_id.get(name, aus_by_id.get(Path(name).stem))
            if aus is None:
                report.skip("no_aus" if image.is_file() else "missing_image")
                continue
            name = Path(os.path.relpath(image, images)).as_posix()  # `../x` for a path outside
            candidates.append(Candidate(name, image, aus, split))
    return build_index(root, "original", candidates, report, root=root, full_decode=full_decode)


def _read_aus_table(path: Path) -> dict[str, object]:
    try:
        table = load_pickle(path)
    except UnsafePickleError as error:
        raise DatasetError(f"{path}: {error}") from None
    except Exception as error:  # a damaged pickle fails in many ways
        raise DatasetError(f"{path} is not a readable pickle ({type(error).__name__}: {error}).") from None
    if not isinstance(table, dict):
        raise DatasetError(f"{path} holds a {type(table).__name__}; expected a dict id -> AU intensities.")
    return {_as_text(key): value for key, value in table.items()}


def _as_text(key: object) -> str:
    return key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)


def _read_ids(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            return [row[0].strip() for row in csv.reader(file) if row and row[0].strip()]
    except (UnicodeDecodeError, csv.Error) as error:
        raise DatasetError(f"{path} is not a list of file names ({error}).") from None


def _resolve_image(folder: Path, name: str) -> Path:
    """`folder/name`, or `folder/name.<ext>` when the list omits the extension."""
    path = folder / name
    if is_image_file(path) or path.exists():
        return path
    for extension in IMAGE_EXTENSIONS:
        if path.with_name(path.name + extension).is_file():
            return path.with_name(path.name + extension)
    return path
