"""Reader for OpenFace 2.x action-unit CSVs next to a folder of images.

Three kinds of CSV are recognised, per file, from their header:

* per image (`FaceLandmarkImg -aus`): header `face, confidence, AU01_r, ...`,
  one row per detected face, named after its image (`<stem>.csv` matches
  `<stem>.<ext>` at the same relative place under the image folder, or by
  stem alone);
* per sequence (`FeatureExtraction`): header `frame, [face_id,] timestamp,
  confidence, success, ...` (no `face_id` in older builds). Frames are
  matched to images in the folder `<stem>_aligned/` (OpenFace's own
  aligned-face output, named `frame_det_<face:02d>_<frame:06d>.bmp`) or,
  failing that, `<stem>/`: the folder `FeatureExtraction -fdir <stem>/`
  read, which names its CSV after the folder. Its frames are the folder's
  files that OpenCV reads (`OPENCV_IMAGE_EXTENSIONS`; not GIF), in sorted
  name order, frame 1 first, as OpenFace numbers them. The folder is looked
  for at the CSV's relative place under the image folder, then as the image
  folder itself, then as the only folder of that name below it;
* per image, but from `FeatureExtraction -f face.jpg` (the same frame
  header): with no such folder, a CSV whose stem names an image is that
  image's frame 1, and its most confident row is kept, as for `face` rows;
* one table for many images: a file-name column (`FILE_COLUMNS`) relative to
  the image folder, with or without extension.

Columns are found by name after stripping the spaces around them, so both
the `", "` (older builds) and `","` (newer) separators work; the AUs are the
`AU*_r` intensity columns in catalogue order. Rows with `success == 0` or a
confidence below `min_confidence` are dropped and counted. When one image has
several face rows, the most confident is kept (and counted as a note).

OpenFace output has no train/test split: one is drawn with `test_fraction`
and `seed`, by image, or by sequence for sequence CSVs (so frames of a video
never straddle the split).
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import os
import re
from pathlib import Path

from tfganimation.data.images import is_image_file, list_images
from tfganimation.aus import AU_CODES
from tfganimation.data.index import Candidate, DatasetIndex, IndexReport, assign_splits, build_index

DEFAULT_MIN_CONFIDENCE = 0.8
"""OpenFace's own tracker calls a detection successful above a certainty of 0.725
(`FaceModelParameters::validation_boundary`) and its author reads values below
about 0.7 as failed landmark detection; FaceLandmarkImg writes no `success`
column, so the confidence is the only filter there. 0.8 keeps a margin above
that boundary, as downstream OpenFace tools (e.g. OpenDBM) do: a wrong AU label
costs the generator more than one fewer training image."""

FILE_COLUMNS: tuple[str, ...] = ("file", "filename", "file_name", "image", "image_path", "img", "path", "name")
"""Header names (case-insensitive) of the image column of a one-table CSV."""

OPENCV_IMAGE_EXTENSIONS: tuple[str, ...] = (
    ".bmp", ".dib", ".jpeg", ".jpg", ".jpe", ".jp2", ".png", ".webp", ".pbm", ".pgm", ".ppm",
    ".pxm", ".pnm", ".sr", ".ras", ".tiff", ".tif", ".exr", ".hdr", ".pic",
)  # fmt: skip
"""Files `FeatureExtraction -fdir` counts as frames (those OpenCV's `imread` reads):
a frame that lands on one the pipeline cannot decode (TIFF, WebP) is skipped and
counted, and the frames after it still line up."""

AU_COLUMNS = tuple(f"{code}_r" for code in AU_CODES)
"""OpenFace's intensity column of each AU, in catalogue order."""

_ALIGNED_NAME = re.compile(r"frame_det_\d+_\d+")
_META_COLUMNS = frozenset({"frame", "face", "face_id", "confidence", "success"})


@dataclasses.dataclass
class _Target:
    """All rows that name one image (one row per face), plus how to split it."""

    image: Path
    group: str
    has_faces: bool
    n_rows: int = 0
    kept: list = dataclasses.field(default_factory=list)  # (confidence, AU strings)


def is_openface_csv(path: str | os.PathLike) -> bool:
    """Whether a CSV file's header has OpenFace AU intensity columns."""
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as file:
            header = next(csv.reader(file, skipinitialspace=True), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return AU_COLUMNS[0] in (name.strip() for name in header)


def read_table(csv_file: str | os.PathLike) -> tuple[dict[str, int], list[list[str]]]:
    """An OpenFace CSV's columns by name (spaces around names stripped) and its data rows.

    Both separators OpenFace has written (`", "` and `","`) read the same.

    Raises:
        OSError, UnicodeDecodeError, csv.Error: the file cannot be read as CSV.
    """
    with Path(csv_file).open(newline="", encoding="utf-8-sig") as file:
        rows = list(csv.reader(file, skipinitialspace=True))
    header = {name.strip(): i for i, name in enumerate(rows[0])} if rows else {}
    return header, rows[1:]


def read_openface(
    path: str | os.PathLike,
    images: str | os.PathLike | None = None,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    test_fraction: float = 0.1,
    seed: int = 0,
    full_decode: bool = False,
) -> DatasetIndex:
    """Reads OpenFace CSVs and matches them to images (see the module doc).

    Args:
        path: str or path-like. One CSV file or a folder searched recursively
            for `*.csv`.
        images: str or path-like. The image folder. Defaults to `path` if it
            is a folder, else the CSV's folder.
        min_confidence: float. Rows with a lower `confidence` are dropped.
            Defaults to `DEFAULT_MIN_CONFIDENCE` (0.8).
        test_fraction: float. Share of images (or sequences) put in the
            test split. Defaults to 0.1.
        seed: int. Seed of the split. Defaults to 0.
        full_decode: bool. Decode every image while validating. Defaults
            to `False`.

    Returns:
        A `DatasetIndex`; sample names are image paths relative to `images`.
    """
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be in [0, 1]. Received: min_confidence={min_confidence}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"OpenFace CSV path not found: {path}")
    csv_root = path if path.is_dir() else path.parent
    image_root = Path(images) if images is not None else csv_root
    if not image_root.is_dir():
        raise FileNotFoundError(f"Image folder not found: {image_root}")
    csv_files = sorted(csv_root.rglob("*.csv")) if path.is_dir() else [path]
    all_images = list_images(image_root)
    finder = _ImageFinder(image_root, all_images)

    report = IndexReport()
    targets: dict[Path, _Target] = {}
    for csv_file in csv_files:
        _read_csv(csv_file, csv_file.relative_to(csv_root), finder, min_confidence, targets, report)

    referenced = set(targets)
    report.skip("no_aus", sum(1 for image in all_images if image not in referenced))
    usable = []
    for target in targets.values():
        if target.n_rows > 1 and target.has_faces:
            report.note("multi_face")
        if len(target.kept) > 1 and not target.has_faces:
            report.skip("duplicate_id", len(target.kept) - 1)
        if target.kept:
            usable.append(target)
    splits = assign_splits((target.group for target in usable), test_fraction, seed)
    candidates = [
        Candidate(finder.name(target.image), target.image, _most_confident(target.kept), splits[target.group])
        for target in usable
    ]
    return build_index(path, "openface", candidates, report, root=image_root, full_decode=full_decode)


def _most_confident(rows: list) -> list[str]:
    """The AUs of the most confident face (the first one on a tie)."""
    return max(rows, key=lambda row: row[0])[1]


def _read_csv(
    csv_file: Path,
    relative: Path,
    finder: "_ImageFinder",
    min_confidence: float,
    targets: dict[Path, _Target],
    report: IndexReport,
) -> None:
    """Adds every row of one CSV to `targets`, counting the rows it drops."""
    try:
        header, rows = read_table(csv_file)
    except (OSError, UnicodeDecodeError, csv.Error):
        report.skip("unrecognized_csv")
        return
    if not any(name in header for name in AU_COLUMNS):
        report.skip("unrecognized_csv")
        return
    complete = all(name in header for name in AU_COLUMNS)
    locate, has_faces = _locator(header, relative, finder)
    wanted = {name: i for name, i in header.items() if name in _META_COLUMNS or name.lower() in FILE_COLUMNS}
    for row in rows:
        if not any(value.strip() for value in row):
            continue
        try:
            values = {name: row[i].strip() for name, i in wanted.items()}
            image, group = locate(values)
            confidence = float(values.get("confidence", "1"))
            success = float(values.get("success", "1"))
            aus = [row[header[name]] for name in AU_COLUMNS] if complete else None
        except (IndexError, ValueError):
            report.skip("unparsable_row")
            continue
        target = targets.setdefault(image, _Target(image, group, has_faces))
        target.n_rows += 1
        if aus is None:
            report.skip("wrong_au_count")
        elif success == 0:
            report.skip("openface_failed")
        elif not confidence >= min_confidence:  # also drops NaN
            report.skip("low_confidence")
        else:
            target.kept.append((confidence, aus))


def _locator(header: dict[str, int], relative: Path, finder: "_ImageFinder"):
    """How rows of this CSV map to `(image path, split group)`, and whether
    several rows for one image are several faces (else they are duplicates)."""
    face_column = "face" in header or "face_id" in header
    file_column = next((name for name in header if name.lower() in FILE_COLUMNS), None)
    if file_column is not None:

        def locate(values):
            image = finder.by_name(values[file_column])
            return image, image.as_posix()

        return locate, face_column
    if "frame" in header:
        return _sequence_locator(relative, finder)
    image = finder.by_stem(relative.with_suffix("").as_posix())
    return (lambda values: (image, image.as_posix())), True


def _sequence_locator(relative: Path, finder: "_ImageFinder"):
    group = relative.with_suffix("").as_posix()
    folder = finder.folder(group)
    if folder is None:
        image = finder.find_stem(group)
        if image is not None:
            return _single_image_locator(image), True
        folder = finder.root / group  # nothing to match: every row counts as a missing image
    frames = _frames(folder)
    if any(_ALIGNED_NAME.fullmatch(p.stem) for p in frames):
        by_stem = {p.stem: p for p in frames}

        def locate_aligned(values):
            face, frame = int(float(values.get("face_id", "0"))), int(float(values["frame"]))
            stem = f"frame_det_{face:02d}_{frame:06d}"
            return by_stem.get(stem, folder / stem), group

        return locate_aligned, False

    def locate_in_order(values):
        frame = int(float(values["frame"]))
        image = frames[frame - 1] if 1 <= frame <= len(frames) else folder / f"frame {frame}"
        return image, group

    return locate_in_order, True


def _single_image_locator(image: Path):
    """Rows of `FeatureExtraction -f image`: frame 1 is the image, any later frame a missing one."""
    group = image.as_posix()

    def locate(values):
        frame = int(float(values["frame"]))
        return (image if frame == 1 else image.with_name(f"{image.name} frame {frame}")), group

    return locate


def _frames(folder: Path) -> list[Path]:
    """The frames of `FeatureExtraction -fdir folder`, in OpenFace's order (sorted names)."""
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in OPENCV_IMAGE_EXTENSIONS and p.is_file()),
        key=lambda p: p.name,
    )


class _ImageFinder:
    """Finds an image under the image folder by relative name or by stem."""

    def __init__(self, root: Path, images: list[Path]):
        self.root = root
        self._by_relative_stem = collections.defaultdict(list)
        self._by_stem = collections.defaultdict(list)
        self._folders_by_name = collections.defaultdict(set)
        for image in images:
            relative = image.relative_to(root)
            self._by_relative_stem[relative.with_suffix("").as_posix()].append(image)
            self._by_stem[image.stem].append(image)
            for parent in list(relative.parents)[:-1]:
                self._folders_by_name[parent.name].add(root / parent)

    def find_stem(self, stem: str) -> Path | None:
        """The image `<stem>.<any ext>`; else the only image with that base stem; else `None`."""
        matches = self._by_relative_stem.get(stem)
        if matches:
            return matches[0]
        matches = self._by_stem.get(stem.rsplit("/", 1)[-1], [])
        return matches[0] if len(matches) == 1 else None

    def by_stem(self, stem: str) -> Path:
        """`find_stem(stem)`, or the (missing) path `root/stem`."""
        return self.find_stem(stem) or self.root / stem

    def folder(self, group: str) -> Path | None:
        """The image folder a sequence CSV `<group>.csv` describes, if there is one.

        `<group>_aligned/` or `<group>/` under the root; the root itself if
        it has the CSV's name (OpenFace names `-fdir` output after the
        folder); else the only folder below the root with that name.
        """
        for candidate in (self.root / f"{group}_aligned", self.root / group):
            if candidate.is_dir():
                return candidate
        name = group.rsplit("/", 1)[-1]
        if self.root.resolve().name == name:
            return self.root
        for folder_name in (f"{name}_aligned", name):
            matches = self._folders_by_name.get(folder_name, set())
            if len(matches) == 1:
                return next(iter(matches))
        return None

    def by_name(self, name: str) -> Path:
        path = self.root / name
        if path.is_file():
            return path
        return self.by_stem(name[: -len(path.suffix)] if is_image_file(path) else name)

    def name(self, image: Path) -> str:
        try:
            return image.relative_to(self.root).as_posix()
        except ValueError:  # an absolute path outside the image folder
            return image.name
