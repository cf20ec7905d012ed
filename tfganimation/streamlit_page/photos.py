"""The photos of the Streamlit page: uploads read safely, the built-in examples, the faces in them.

An upload is refused by its header before it is decoded (size, pixel count),
shrunk to a working size, and keyed by its bytes so that the page knows when
it changed; faces are ordered left to right and drawn with their labels.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import warnings
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from tfganimation.aus import ACTION_UNITS, OPENFACE_MAX_INTENSITY
from tfganimation.faces import Face, PhotoError, load_photo, select_faces

UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp")
MAX_UPLOAD_MB = 25
"""Largest upload accepted, in megabytes (phone photos are 2-10 MB)."""

MAX_PIXELS = 24_000_000
"""Largest photo accepted, in pixels (a 24-megapixel camera); refused before decoding."""

WORKING_SIDE = 2048
"""Photos with a longer side are shrunk to it: the page stays responsive and faces stay sharp."""


@dataclasses.dataclass(frozen=True, eq=False)
class Photo:
    """A photo ready to edit, and what the page needs to know about it.

    Args:
        image: uint8 array `[H, W, 3]`, RGB, at most `WORKING_SIDE` on its
            longer side.
        name: str. File name (or example name) for downloads and messages.
        original_size: tuple. `(width, height)` before any shrinking.
        key: str. Digest of the pixels: the same photo gets the same key.
    """

    image: np.ndarray
    name: str
    original_size: tuple[int, int]
    key: str

    @property
    def shrunk(self) -> bool:
        return self.original_size != (self.image.shape[1], self.image.shape[0])

    @property
    def stem(self) -> str:
        return Path(self.name).stem or "photo"


def make_photo(image: np.ndarray, name: str, max_side: int = WORKING_SIDE) -> Photo:
    """Wraps a uint8 RGB photo, shrinking it (area-averaged) to `max_side` if larger."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    image = np.ascontiguousarray(image, dtype=np.uint8)
    key = hashlib.sha256(image.tobytes() + repr(image.shape).encode()).hexdigest()[:16]
    return Photo(image=image, name=name, original_size=(width, height), key=key)


def read_upload(
    data: bytes,
    name: str = "the upload",
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_UPLOAD_MB * 2**20,
) -> Photo:
    """Reads uploaded (or webcam) bytes as a `Photo`, with messages fit to show a user.

    Raises:
        PhotoError: empty, over `max_bytes`, over `max_pixels` (checked from
            the header, before decoding), or not a readable image.
    """
    if not data:
        raise PhotoError(f"{name} is empty.")
    if len(data) > max_bytes:
        raise PhotoError(
            f"{name} is {len(data) / 2**20:.1f} MB; the viewer takes photos up to "
            f"{max_bytes / 2**20:g} MB."
        )
    size = _header_size(data)
    if size is not None and size[0] * size[1] > max_pixels:
        raise PhotoError(
            f"{name} is {size[0]} × {size[1]} pixels ({size[0] * size[1] / 1e6:.0f} megapixels); "
            f"the viewer takes photos up to {max_pixels / 1e6:g} megapixels. "
            "Shrink it and upload it again."
        )
    try:
        image = load_photo(bytes(data), max_pixels=max_pixels)
    except (OSError, SyntaxError, ValueError) as error:
        # PhotoError is a ValueError; Pillow raises OSError for some truncated headers.
        raise PhotoError(
            f"{name} is not a photo the viewer can read: upload a JPEG, PNG or WebP image. "
            f"({error})"
        ) from error
    return make_photo(image, name)


def _header_size(data: bytes) -> tuple[int, int] | None:
    """`(width, height)` from the image header alone, or `None` if Pillow cannot tell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                return image.size
        except Image.DecompressionBombError:
            return (2**16, 2**16)  # Over Pillow's own limit, so over ours.
        except Exception:  # noqa: BLE001 (any failure here means: not an image; load_photo says so)
            return None


EXAMPLES: dict[str, tuple[int, ...]] = {
    "Synthetic face 1": (4,),
    "Synthetic face 2": (1,),
    "Synthetic face 3": (14,),
    "Two synthetic faces": (3, 4),
}
"""Built-in photos: the `sample_identity` seeds drawn in each, left to right.

The seeds are ones whose faces MTCNN finds with a score above 0.98.
"""

_EXAMPLE_FACE = 256
_EXAMPLE_HEIGHT = 448


@functools.lru_cache(maxsize=len(EXAMPLES))
def _example_image(name: str) -> np.ndarray:
    from tfganimation.synthetic import render_face, sample_identity

    seeds = EXAMPLES[name]
    width = max(640, len(seeds) * (_EXAMPLE_FACE + 64) + 64)
    # A soft vertical gradient, like a studio backdrop.
    shade = np.linspace(0.0, 1.0, _EXAMPLE_HEIGHT)[:, None, None]
    top, bottom = np.array([96, 116, 138]), np.array([54, 64, 80])
    canvas = np.broadcast_to(top + shade * (bottom - top), (_EXAMPLE_HEIGHT, width, 3))
    canvas = np.rint(canvas).astype(np.uint8)
    gap = (width - len(seeds) * _EXAMPLE_FACE) // (len(seeds) + 1)
    top_edge = (_EXAMPLE_HEIGHT - _EXAMPLE_FACE) // 2
    for index, seed in enumerate(seeds):
        face = render_face(
            sample_identity(np.random.default_rng(seed)), np.zeros(17), _EXAMPLE_FACE
        )
        left = gap + index * (_EXAMPLE_FACE + gap)
        canvas[top_edge : top_edge + _EXAMPLE_FACE, left : left + _EXAMPLE_FACE] = face
    canvas.flags.writeable = False
    return canvas


def example_photo(name: str) -> Photo:
    """A built-in photo of synthetic faces (`tfganimation.synthetic`), named in `EXAMPLES`."""
    if name not in EXAMPLES:
        raise ValueError(f"Unknown example {name!r}. Expected one of: {', '.join(EXAMPLES)}.")
    return make_photo(_example_image(name).copy(), name.lower().replace(" ", "_") + ".png")


# Faces.


def order_faces(faces: Sequence[Face]) -> list[Face]:
    """The faces left to right: the numbering the page shows. Empty stays empty."""
    return select_faces(faces, "all") if faces else []


def face_label(index: int, face: Face) -> str:
    """How a face is named in the face picker; `index` counts from 0, left to right."""
    if face.score <= 0:
        return f"Face {index + 1} (centre of the photo)"
    return f"Face {index + 1} ({face.score:.0%} sure)"


def draw_faces(photo: np.ndarray, faces: Sequence[Face], selected: int | None = None) -> np.ndarray:
    """A copy of `photo` with each face's box and number; the selected one in green.

    `faces` are numbered from 1 in the order given (use `order_faces`).
    """
    canvas = np.array(photo, dtype=np.uint8, copy=True)
    thickness = max(2, round(max(canvas.shape[:2]) / 300))
    for index, face in enumerate(faces):
        color = (60, 220, 90) if index == selected else (255, 210, 40)
        x, y, w, h = (round(value) for value in face.box)
        cv2.rectangle(canvas, (x, y), (x + w, y + h), color, thickness, cv2.LINE_AA)
        scale = max(0.6, w / 160)
        label = str(index + 1)
        (text_w, text_h), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        top = max(0, y - text_h - base - 2 * thickness)
        cv2.rectangle(
            canvas,
            (x, top),
            (x + text_w + 2 * thickness, top + text_h + base + 2 * thickness),
            color,
            -1,
        )
        cv2.putText(
            canvas,
            label,
            (x + thickness, top + text_h + thickness),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (20, 20, 20),
            thickness,
            cv2.LINE_AA,
        )
    return canvas


def starting_expression(animator, photo: np.ndarray, face: Face) -> tuple[np.ndarray, str]:
    """Where the sliders start for a face: the critic's estimate of its AUs, or neutral.

    Returns:
        `(aus, where_from)`: a float32 17-vector on the OpenFace scale, and
        a few words saying where it came from.
    """
    crop = animator.crop(photo, face)
    estimate = animator.estimate_aus(crop.image)
    if estimate is None:
        return np.zeros(
            len(ACTION_UNITS), np.float32
        ), "neutral (this model has no critic to read the face)"
    estimate = np.clip(np.nan_to_num(np.asarray(estimate, np.float32)), 0.0, OPENFACE_MAX_INTENSITY)
    return estimate, "the critic's estimate of this face"
