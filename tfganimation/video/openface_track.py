"""Reads the AU track of one face from an OpenFace `FeatureExtraction` CSV of a video."""

from __future__ import annotations

import collections
import csv
import os
from pathlib import Path

import numpy as np

from tfganimation.aus import N_AUS
from tfganimation.data.openface import AU_COLUMNS, DEFAULT_MIN_CONFIDENCE, read_table
from tfganimation.video.au_track import AUTrack


def read_openface_track(
    path: str | os.PathLike,
    *,
    face_id: int | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> AUTrack:
    """One face's AUs, frame by frame, from `FeatureExtraction`'s CSV of a video.

    The CSV is read by column name, so both OpenFace separators (`", "` and
    `","`) and builds with or without `face_id` work. Rows are frames, timed
    by the `timestamp` column. A row whose `success` is 0, whose
    `confidence` is under `min_confidence`, or whose AUs are not numbers
    reads nothing; it stays in the track, marked invalid, holding the last
    valid row's AUs (see `AUTrack`).

    Args:
        path: str or path-like. The CSV.
        face_id: int or `None`. Which face of a CSV that tracked several (its
            `face_id` column). `None` takes the face with the most valid
            rows. Defaults to `None`.
        min_confidence: float. Rows below it are invalid. Defaults to
            `tfganimation.data.openface.DEFAULT_MIN_CONFIDENCE` (0.8).

    Returns:
        An `AUTrack` whose `source` names the file and the face.

    Raises:
        FileNotFoundError: nothing at `path`.
        ValueError: no AU or timestamp columns, no such face, no valid row,
            or timestamps that do not increase (one line each).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"OpenFace CSV not found: {path}")
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be in [0, 1]. Received: {min_confidence}")
    try:
        header, rows = read_table(path)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"{path} cannot be read as a CSV file ({error}).") from error
    missing = [name for name in AU_COLUMNS if name not in header]
    if len(missing) == len(AU_COLUMNS):
        raise ValueError(
            f"{path} has no OpenFace AU columns (AU01_r ... AU45_r): expected the CSV "
            "FeatureExtraction writes for a video."
        )
    if missing:
        raise ValueError(f"{path} lacks the AU columns {', '.join(missing)}.")
    if "timestamp" not in header:
        raise ValueError(
            f"{path} has no timestamp column: expected the CSV FeatureExtraction writes for "
            "a video (per-image CSVs time nothing)."
        )
    rows = [row for row in rows if any(value.strip() for value in row)]
    rows, face = _one_face(rows, header, face_id, path)
    times = np.array([_timestamp(row, header, path) for row in rows])
    aus = np.zeros((len(rows), N_AUS), np.float32)
    valid = np.zeros(len(rows), bool)
    for index, row in enumerate(rows):
        try:
            aus[index] = [float(row[header[name]]) for name in AU_COLUMNS]
            success = float(row[header["success"]]) if "success" in header else 1.0
            confidence = float(row[header["confidence"]]) if "confidence" in header else 1.0
        except (IndexError, ValueError):
            continue
        valid[index] = (
            success != 0 and confidence >= min_confidence and np.isfinite(aus[index]).all()
        )
    return AUTrack(times, aus, valid, source=f"{path.name}{face}")


def _one_face(
    rows: list[list[str]], header: dict[str, int], face_id: int | None, path: Path
) -> tuple[list[list[str]], str]:
    """The rows of the chosen face, and a few words naming it for the track's `source`."""
    if "face_id" not in header:
        if face_id not in (None, 0):
            raise ValueError(f"{path} tracks one face (no face_id column); --track-face must be 0.")
        return rows, ""
    by_face: dict[int, list[list[str]]] = collections.defaultdict(list)
    for row in rows:
        try:
            by_face[int(float(row[header["face_id"]]))].append(row)
        except (IndexError, ValueError):
            raise ValueError(f"{path}: a face_id is not a number.") from None
    ids = sorted(by_face)
    if face_id is None:
        face_id = max(ids, key=lambda face: (_count_successes(by_face[face], header), -face))
    elif face_id not in by_face:
        raise ValueError(
            f"{path} has no face {face_id}; its faces are {', '.join(map(str, ids))} (--track-face)."
        )
    return by_face[face_id], (f", face {face_id} of {len(ids)}" if len(ids) > 1 else "")


def _count_successes(rows: list[list[str]], header: dict[str, int]) -> int:
    if "success" not in header:
        return len(rows)
    return sum(1 for row in rows if row[header["success"]].strip() not in ("0", "0.0"))


def _timestamp(row: list[str], header: dict[str, int], path: Path) -> float:
    try:
        return float(row[header["timestamp"]])
    except (IndexError, ValueError):
        value = row[header["timestamp"]] if len(row) > header["timestamp"] else ""
        raise ValueError(f"{path}: a timestamp is not a number ({value!r}).") from None
