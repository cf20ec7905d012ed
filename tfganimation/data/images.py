"""Image files: which ones the data pipeline accepts, and how it vets them.

The pipeline decodes with TensorFlow, whose `tf.io.decode_image` reads JPEG,
PNG, BMP and GIF. Indexing checks every file cheaply so that a bad file is
skipped and counted before training starts instead of surfacing mid-epoch:
the magic bytes, a header parse, and the format's end marker (which catches
the common case of a truncated download or copy). `full_decode=True` decodes
the pixels as well; `prepare` uses it, since it runs once per dataset.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from PIL import Image

IMAGE_EXTENSIONS: tuple[str, ...] = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
"""File extensions treated as images when listing a folder (case-insensitive)."""

_MAGIC = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"BM": "BMP",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}

# A JPEG's end-of-image marker may be followed by padding, and in rare files by
# a little trailing data, which decoders ignore; look for it near the end.
_JPEG_TAIL_BYTES = 4096


def is_image_file(path: Path) -> bool:
    """Whether a file name has one of the `IMAGE_EXTENSIONS`."""
    return path.suffix.lower() in IMAGE_EXTENSIONS


def list_images(folder: Path) -> list[Path]:
    """All image files under `folder` (recursively), sorted for a stable order."""
    return sorted(
        path for path in folder.rglob("*") if is_image_file(path) and path.is_file()
    )


def check_image(path: str | os.PathLike, full_decode: bool = False) -> tuple[tuple[int, int] | None, str | None]:
    """Vets one image file the way the pipeline will need it.

    Args:
        path: str or path-like. The image file.
        full_decode: bool. Also decode every pixel (slower, but catches
            corruption inside the compressed data). Defaults to `False`.

    Returns:
        `((width, height), None)` if the file is usable, else `(None, reason)`
        with reason `"missing_image"`, `"empty_image"`, `"unsupported_image"`
        or `"corrupt_image"`.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            head = file.read(16)
            if not head:
                return None, "empty_image"
            image_format = _sniff(head)
            if image_format is None:
                return None, "unsupported_image"
            if not _has_end_marker(file, image_format):
                return None, "corrupt_image"
    except FileNotFoundError:
        return None, "missing_image"
    except OSError:
        return None, "corrupt_image"
    size = _pil_size(path, image_format, full_decode)
    return (size, None) if size else (None, "corrupt_image")


def _sniff(head: bytes) -> str | None:
    for magic, image_format in _MAGIC.items():
        if head.startswith(magic):
            return image_format
    return None


def _has_end_marker(file, image_format: str) -> bool:
    size = file.seek(0, os.SEEK_END)
    if image_format == "JPEG":
        file.seek(max(0, size - _JPEG_TAIL_BYTES))
        return b"\xff\xd9" in file.read()
    if image_format == "PNG":
        file.seek(max(0, size - 12))
        return file.read()[4:8] == b"IEND"
    if image_format == "GIF":
        file.seek(max(0, size - 1))
        return file.read() == b";"
    # BMP: the header records the file size.
    file.seek(2)
    return int.from_bytes(file.read(4), "little") <= size


def _pil_size(path: Path, image_format: str, full_decode: bool) -> tuple[int, int] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. PIL's DecompressionBombWarning
            with Image.open(path) as image:
                if image.format != image_format or min(image.size) < 1:
                    return None
                if full_decode:
                    image.load()
                return image.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
