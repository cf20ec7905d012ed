"""Tiny on-disk datasets for the `tfganimation.data` tests, written into tmp_path."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import cv2
import numpy as np

from tfganimation.aus import AU_CODES, N_AUS

REFERENCE_SAMPLE = Path(__file__).resolve().parents[2] / "shared/reference/ganimation_sample"
"""The real GANimation sample dataset, present only in the development checkout."""

OPENFACE_AU_HEADER = [f"{code}_r" for code in AU_CODES]
OPENFACE_PRESENCE_HEADER = [f"{code}_c" for code in (*AU_CODES[:16], "AU28", "AU45")]


def feature_extraction_header(face_id: bool = False) -> list[str]:
    """The columns `FeatureExtraction -aus` writes (abridged in the middle), in its order.

    Older builds have no `face_id`. OpenFace joins them with `", "` (older
    builds) or `","`; see `write_csv`.
    """
    return [
        "frame", *(["face_id"] * face_id), "timestamp", "confidence", "success",
        "gaze_0_x", "gaze_0_y", "gaze_0_z", "pose_Tx", "pose_Ty", "pose_Tz",
        *OPENFACE_AU_HEADER, *OPENFACE_PRESENCE_HEADER,
    ]  # fmt: skip


def feature_extraction_row(frame: int, confidence: float, success: int, aus, face_id: int | None = None) -> list:
    """One row of `feature_extraction_header(face_id is not None)`."""
    ids = [] if face_id is None else [face_id]
    return [frame, *ids, 0.0, confidence, success, 0.1, 0.2, -0.9, 3.0, 4.0, 500.0, *aus, *[1] * 18]


def write_image(path: Path, size: int | tuple[int, int] = 16, seed: int = 0, channels: int = 3) -> np.ndarray:
    """Writes a random image (format from the suffix); returns its RGB(A)/gray pixels."""
    width, height = (size, size) if isinstance(size, int) else size
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels == 1 else (height, width, channels)
    pixels = rng.integers(0, 256, shape, dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    bgr = pixels if channels == 1 else pixels[..., [2, 1, 0, 3][:channels]]
    assert cv2.imwrite(str(path), bgr)
    return pixels


def random_aus(seed: int) -> np.ndarray:
    """17 distinct-looking OpenFace intensities in 0..5, rounded like OpenFace's CSVs."""
    return np.round(np.random.default_rng(seed).uniform(0, 5, N_AUS), 2)


def write_original_layout(root: Path, train: list[str], test: list[str], aus: dict[str, np.ndarray]) -> Path:
    """The original layout: imgs/<id>.jpg, a protocol-2 pickle keyed by stem, id lists."""
    for i, name in enumerate(train + test):
        write_image(root / "imgs" / name, seed=i)
    (root / "aus_openface.pkl").write_bytes(pickle.dumps(aus, protocol=2))
    (root / "train_ids.csv").write_text("".join(f"{name}\n" for name in train))
    (root / "test_ids.csv").write_text("".join(f"{name}\n" for name in test))
    return root


def write_csv(path: Path, header: list[str], rows: list[list], separator: str = ", ") -> Path:
    """A CSV the way OpenFace writes it: `", "` (older builds) or `","` separators."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [separator.join(header)] + [separator.join(str(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_manifest_rows(root: Path, rows: list[list], extra_header: tuple[str, ...] = ()) -> Path:
    """A hand-written manifest.csv (for malformed rows the library writer refuses)."""
    return write_csv(root / "manifest.csv", ["file", "split", *AU_CODES, *extra_header], rows, separator=",")


def tree_digest(root: Path) -> str:
    """A digest of every path, size, mode and content under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        digest.update(f"{path.relative_to(root)}|{stat.st_mode}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def write_marker(path: str) -> None:
    """What a hostile pickle would call; the tests check that it never runs."""
    Path(path).write_text("pickle code ran")


class CallsOnUnpickle:
    """An object whose unpickling calls `function(*args)`."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args
