"""`prepare_dataset`: convert any supported dataset into the manifest layout.

The source is only ever read: images are hard-linked into the new dataset
when it is on the same file system (instant, no extra space) and copied
otherwise, and the output folder may not overlap the source. Every image is
fully decoded once here, so a prepared dataset holds no file that the
pipeline would have to drop later.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path, PurePosixPath

import numpy as np

from tfganimation.atomic import write_json_atomically
from tfganimation.data.index import IndexReport
from tfganimation.data.manifest import IMAGES_DIR, MANIFEST_NAME, write_manifest
from tfganimation.data.openface import DEFAULT_MIN_CONFIDENCE
from tfganimation.data.readers import read_index
from tfganimation.outputs import refuse_filled_folder

REPORT_NAME = "report.json"


@dataclasses.dataclass(frozen=True)
class PrepareReport:
    """What `prepare_dataset` wrote and what it skipped.

    Args:
        source: Path. The dataset read.
        out: Path. The dataset written.
        format: str. The source's format.
        counts: dict. Images written per split.
        index_report: IndexReport. What was skipped while reading, by reason.
        linked: int. Images hard-linked from the source.
        copied: int. Images copied from the source.
    """

    source: Path
    out: Path
    format: str
    counts: dict[str, int]
    index_report: IndexReport
    linked: int
    copied: int

    def lines(self) -> list[str]:
        """The report as printed by `tfganimation prepare`."""
        splits = ", ".join(f"{count} {split}" for split, count in self.counts.items())
        lines = [
            f"Prepared {sum(self.counts.values())} images ({splits}) from {self.source} "
            f"({self.format}) into {self.out}.",
            f"Images hard-linked: {self.linked}, copied: {self.copied}.",
        ]
        skipped = self.index_report.total_skipped
        lines.append(f"Skipped {skipped}:" if skipped else "Skipped nothing.")
        return lines + self.index_report.lines()

    def to_dict(self) -> dict:
        return {
            "source": str(self.source),
            "format": self.format,
            "counts": self.counts,
            **self.index_report.to_dict(),
            "linked": self.linked,
            "copied": self.copied,
        }


def prepare_dataset(
    source: str | os.PathLike,
    out: str | os.PathLike,
    *,
    format: str | None = None,
    images: str | os.PathLike | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    test_fraction: float = 0.1,
    seed: int = 0,
    overwrite: bool = False,
    link: bool = True,
) -> PrepareReport:
    """Validates a dataset and writes it in the manifest layout.

    Writes `out/images/...`, then `out/manifest.csv` (last, so a folder with
    a manifest is always complete), then `out/report.json`.

    Args:
        source: str or path-like. Any dataset `read_index` reads.
        out: str or path-like. The folder to write; must not overlap
            `source` or `images`.
        format: str. The source's format; detected when `None`.
        images: str or path-like. The image folder, for OpenFace CSVs.
        min_confidence: float. OpenFace only: see `read_openface`.
        test_fraction: float. OpenFace only: share of the test split.
        seed: int. OpenFace only: seed of the split. Defaults to 0.
        overwrite: bool. Replace the dataset files (manifest, report,
            images folder) of a non-empty `out`. Defaults to `False`.
        link: bool. Hard-link images where possible. Defaults to `True`.

    Raises:
        FileExistsError: `out` is not empty and `overwrite` is false.
        ValueError: `out` overlaps the source; `DatasetError` (a
            `ValueError`) when nothing usable is in the source.
    """
    source, out = Path(source), Path(out)
    _check_output(out, [source] + ([Path(images)] if images is not None else []), overwrite)
    index = read_index(
        source,
        format,
        images=images,
        min_confidence=min_confidence,
        test_fraction=test_fraction,
        seed=seed,
        full_decode=True,
    )
    if overwrite:
        for name in (MANIFEST_NAME, REPORT_NAME):
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / IMAGES_DIR, ignore_errors=True)

    files, linked = [], 0
    for sample in index.samples:
        relative = _output_name(sample.name)
        destination = out / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        linked += _link_or_copy(sample.path, destination, link)
        files.append(relative)
    samples = index.samples
    write_manifest(out, files, [sample.split for sample in samples], np.stack([sample.aus for sample in samples]))

    report = PrepareReport(source, out, index.format, index.counts(), index.report, linked, len(files) - linked)
    write_json_atomically(out / REPORT_NAME, report.to_dict())
    return report


def _check_output(out: Path, sources: list[Path], overwrite: bool) -> None:
    resolved = out.resolve()
    for source in sources:
        source = source.resolve()
        if resolved == source or source in resolved.parents or resolved in source.parents:
            raise ValueError(f"The output folder {out} overlaps the source {source}; choose a separate folder.")
    refuse_filled_folder(out, overwrite, "pass --overwrite to replace the dataset in it")


def _output_name(name: str) -> str:
    """`images/<name>`, with any `..` or root dropped so it stays inside the dataset."""
    parts = [part for part in PurePosixPath(name).parts if part not in ("..", "/", "")]
    return PurePosixPath(IMAGES_DIR, *parts).as_posix()


def _link_or_copy(source: Path, destination: Path, link: bool) -> bool:
    """Hard-links (returns `True`) or, across file systems, copies `source`."""
    if link:
        try:
            os.link(source, destination)
            return True
        except OSError:
            pass
    shutil.copyfile(source, destination)
    return False
