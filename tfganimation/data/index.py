"""The validated dataset index every reader returns, and the skip report.

Readers only know their file format: they turn it into `Candidate`s (an id,
an image path, raw AU values, a split) and count what the format itself
rejects (OpenFace rows that failed, AU rows without an image, ...).
`build_index` then applies the checks that are the same for every format,
so "bad input never kills a run" is enforced in one place: each problem
skips one sample and is counted under a reason, and only an index with no
usable sample at all is an error. That includes containment: a path read
from a data file (a manifest row, an id list, a file-name column) that leads
out of the dataset folder, through `..` or a symlink, is skipped, so a
dataset from someone else cannot make training read any file the user can.
"""

from __future__ import annotations

import collections
import dataclasses
import os
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np

from tfganimation.aus import N_AUS, OPENFACE_MAX_INTENSITY
from tfganimation.data.images import check_image

SPLITS: tuple[str, ...] = ("train", "test")

SKIP_REASONS: dict[str, str] = {
    "missing_image": "AU rows whose image file does not exist",
    "no_aus": "images with no AU row",
    "empty_image": "zero-byte image files",
    "unsupported_image": "files that are not JPEG/PNG/BMP/GIF images",
    "corrupt_image": "corrupt or truncated images",
    "wrong_au_count": f"AU rows without exactly {N_AUS} values",
    "unparsable_row": "rows that could not be parsed as numbers",
    "non_finite_aus": "AU rows with NaN or infinite values",
    "aus_out_of_range": f"AU rows with values outside 0..{OPENFACE_MAX_INTENSITY:g}",
    "duplicate_id": "ids listed more than once (the first is kept)",
    "unknown_split": f"manifest rows whose split is not one of {', '.join(SPLITS)}",
    "openface_failed": "OpenFace rows with success == 0",
    "low_confidence": "OpenFace rows below the minimum confidence",
    "unrecognized_csv": "CSV files without OpenFace AU columns",
    "outside_dataset": "paths outside the dataset folder (after resolving .. and symlinks)",
}
"""Every reason a reader may skip something, with the phrase the report prints."""

NOTES: dict[str, str] = {
    "multi_face": "OpenFace files/frames with several faces (the most confident was kept)",
}
"""Things worth reporting that skip nothing."""


class DatasetError(ValueError):
    """The path is not a dataset, or nothing usable is left in it."""


@dataclasses.dataclass
class IndexReport:
    """What a reader skipped (by reason) and noticed, for logs and `report.json`.

    Args:
        skipped: Counter. Number of skipped items per key of `SKIP_REASONS`.
        notes: Counter. Counts per key of `NOTES`.
    """

    skipped: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    notes: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    def skip(self, reason: str, count: int = 1) -> None:
        if reason not in SKIP_REASONS:
            raise ValueError(f"Unknown skip reason {reason!r}.")
        if count:
            self.skipped[reason] += count

    def note(self, key: str, count: int = 1) -> None:
        if key not in NOTES:
            raise ValueError(f"Unknown note {key!r}.")
        if count:
            self.notes[key] += count

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    def lines(self) -> list[str]:
        """One human-readable line per non-zero count, skips first."""
        return [
            f"{count:>8}  {table[key]}"
            for counter, table in ((self.skipped, SKIP_REASONS), (self.notes, NOTES))
            for key, count in sorted(counter.items())
            if count
        ]

    def to_dict(self) -> dict:
        return {"skipped": dict(sorted(self.skipped.items())), "notes": dict(sorted(self.notes.items()))}


@dataclasses.dataclass(frozen=True)
class Sample:
    """One usable training example.

    Args:
        name: str. Its id: the image path relative to the dataset's image
            root, in posix form; unique within an index.
        path: Path. Where the image file is.
        aus: np.ndarray. float32[17], OpenFace intensities 0..5 in
            `tfganimation.aus.AU_CODES` order.
        split: str. `"train"` or `"test"`.
        size: tuple of int. `(width, height)` of the image when indexed;
            lets the pipeline skip resizing when every image already fits.
    """

    name: str
    path: Path
    aus: np.ndarray
    split: str
    size: tuple[int, int]


class Candidate(NamedTuple):
    """What a reader proposes for the index, before validation."""

    name: str
    path: Path
    aus: object
    split: str


@dataclasses.dataclass(frozen=True)
class DatasetIndex:
    """The validated samples of a dataset, with the report of what was skipped.

    Args:
        source: Path. The path the index was read from.
        format: str. `"original"`, `"openface"` or `"manifest"`.
        samples: tuple of `Sample`, sorted by name.
        report: IndexReport. What the reader and the validation skipped.
    """

    source: Path
    format: str
    samples: tuple[Sample, ...]
    report: IndexReport

    def split(self, split: str) -> tuple[Sample, ...]:
        """The samples of one split, in index order."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}. Received: split={split!r}")
        return tuple(sample for sample in self.samples if sample.split == split)

    def counts(self) -> dict[str, int]:
        """Number of samples per split."""
        counter = collections.Counter(sample.split for sample in self.samples)
        return {split: counter[split] for split in SPLITS}


def validate_aus(values: object) -> tuple[np.ndarray | None, str | None]:
    """Validates one raw AU row (numbers or strings) on the OpenFace scale.

    Returns:
        `(float32[17], None)` when usable, else `(None, skip_reason)`.
    """
    try:
        aus = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None, "unparsable_row"
    if aus.size != N_AUS:
        return None, "wrong_au_count"
    if not np.all(np.isfinite(aus)):
        return None, "non_finite_aus"
    if np.any(aus < 0.0) or np.any(aus > OPENFACE_MAX_INTENSITY):
        return None, "aus_out_of_range"
    return aus.astype(np.float32), None


def build_index(
    source: str | os.PathLike,
    format: str,
    candidates: Iterable[Candidate],
    report: IndexReport,
    *,
    root: str | os.PathLike,
    full_decode: bool = False,
) -> DatasetIndex:
    """Validates candidates into a `DatasetIndex`, counting each one skipped.

    Checks, in order: duplicated id (the first occurrence wins), AU values
    (count, parse, finite, 0..5), containment in `root`, then the image file
    (`check_image`).

    Args:
        source: str or path-like. The dataset path, for messages.
        format: str. The reader's format name.
        candidates: iterable of `Candidate`. In the reader's order.
        report: IndexReport. The reader's report; validation adds to it.
        root: str or path-like. The dataset folder: an image whose path,
            with `..` and symlinks resolved, is not under it (resolved too)
            is skipped as `outside_dataset`.
        full_decode: bool. Decode every image to check it (see
            `check_image`). Defaults to `False`.

    Raises:
        DatasetError: no candidate survived.
    """
    root = Path(root).resolve()
    seen: set[str] = set()
    samples = []
    for candidate in candidates:
        if candidate.name in seen:
            report.skip("duplicate_id")
            continue
        seen.add(candidate.name)
        aus, reason = validate_aus(candidate.aus)
        if reason is None and not is_inside(candidate.path, root):
            reason = "outside_dataset"
        if reason is None:
            size, reason = check_image(candidate.path, full_decode=full_decode)
        if reason is not None:
            report.skip(reason)
            continue
        samples.append(Sample(candidate.name, Path(candidate.path), aus, candidate.split, size))
    if not samples:
        details = "; ".join(line.strip() for line in report.lines()) or "no AU rows found"
        raise DatasetError(f"No usable samples in {source} ({details}).")
    samples.sort(key=lambda sample: sample.name)
    return DatasetIndex(Path(source), format, tuple(samples), report)


def is_inside(path: str | os.PathLike, root: Path) -> bool:
    """Whether `path`, with `..` and symlinks resolved, lies under `root` (already resolved).

    A path that cannot be resolved (a symlink loop) counts as outside.
    """
    try:
        return Path(path).resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def assign_splits(groups: Iterable[str], test_fraction: float, seed: int) -> dict[str, str]:
    """Splits group keys into train/test, reproducibly for a seed.

    Sources without a split (OpenFace output) are split by group: one group
    per image, or one per video for sequence CSVs, so that frames of the same
    video never end up on both sides.

    Args:
        groups: iterable of str. The group keys (duplicates are fine).
        test_fraction: float. Share of groups for `"test"`, rounded to the
            nearest whole group.
        seed: int. Seed of the shuffle.

    Returns:
        dict group key -> `"train"` or `"test"`.
    """
    if not 0.0 <= test_fraction < 1.0:  # also refuses NaN
        raise ValueError(f"test_fraction must be in [0, 1). Received: test_fraction={test_fraction}")
    keys = sorted(set(groups))
    order = np.random.default_rng(seed).permutation(len(keys))
    n_test = int(round(test_fraction * len(keys)))
    test = {keys[i] for i in order[:n_test]}
    return {key: "test" if key in test else "train" for key in keys}
