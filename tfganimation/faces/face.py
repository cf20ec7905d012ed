"""`Face`: one detected face, and how to choose among several or fall back to none."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

Point = tuple[float, float]


NO_FACE_MESSAGE = (
    "no face found in the photo; pass center_crop=True / --center-crop "
    "to use the centre of the image"
)


class NoFaceError(ValueError):
    """Raised when a photo has no face to edit and no fallback was asked for."""

    def __init__(self, message: str = NO_FACE_MESSAGE):
        super().__init__(message)


@dataclasses.dataclass(frozen=True)
class Face:
    """A face in a photo, in that photo's pixel coordinates.

    Args:
        box: tuple of 4 floats. `(x, y, w, h)` of the face box: top-left corner,
            width and height, in pixels of the photo it was found in.
        score: float. Detector confidence in `[0, 1]`; `center_crop_face`
            reports 0 because nothing was detected.
        landmarks: mapping from name to `(x, y)`. Keypoints the detector found,
            named as seen in the picture: `"left_eye"` is the eye nearer the
            photo's left edge (the subject's right eye). `crop_face` levels the
            eyes when both are present. Defaults to none.

    Example:
    ```python
    face = Face(box=(40, 30, 100, 120), score=0.9,
                landmarks={"left_eye": (70, 75), "right_eye": (110, 78)})
    face.center  # (90.0, 90.0)
    ```
    """

    box: tuple[float, float, float, float]
    score: float
    landmarks: Mapping[str, Point] = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if len(self.box) != 4 or self.box[2] <= 0 or self.box[3] <= 0:
            raise ValueError(
                f"`box` must be (x, y, w, h) with positive w and h. Received: box={self.box}"
            )

    @property
    def center(self) -> Point:
        x, y, w, h = self.box
        return (x + w / 2, y + h / 2)

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]

    def overlap(self, other: Face) -> float:
        """Intersection over union of the two face boxes: 1 for the same box, 0 apart."""
        ax, ay, aw, ah = self.box
        bx, by, bw, bh = other.box
        width = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
        height = max(0.0, min(ay + ah, by + bh) - max(ay, by))
        intersection = width * height
        return intersection / (self.area + other.area - intersection)

    @property
    def eyes(self) -> tuple[Point, Point] | None:
        """`(left_eye, right_eye)` in picture order, or None if either is missing."""
        if "left_eye" in self.landmarks and "right_eye" in self.landmarks:
            return self.landmarks["left_eye"], self.landmarks["right_eye"]
        return None


def select_faces(faces: Sequence[Face], which: str | int = "all") -> list[Face]:
    """Chooses which detected faces to edit.

    Args:
        faces: the detector's faces, in any order.
        which: `"all"` for every face, left to right (a stable order for
            batch output names); `"largest"` for the one with the biggest box
            (the subject of a portrait); or an int index into the
            left-to-right order. Defaults to `"all"`.

    Returns:
        The chosen faces; a list, so callers handle one face and many alike.

    Raises:
        NoFaceError: if `faces` is empty.
        ValueError: if `which` is not a valid choice or index.
    """
    if not faces:
        raise NoFaceError()
    ordered = sorted(faces, key=lambda face: face.center[0])
    if which == "all":
        return ordered
    if which == "largest":
        return [max(faces, key=lambda face: face.area)]
    if isinstance(which, int) and not isinstance(which, bool):
        if not -len(ordered) <= which < len(ordered):
            raise ValueError(
                f"Face index out of range: the photo has {len(ordered)} face(s), "
                f"numbered left to right from 0. Received: which={which}"
            )
        return [ordered[which]]
    raise ValueError(f'`which` must be "all", "largest" or an int. Received: which={which!r}')


def center_crop_face(photo: np.ndarray, fraction: float = 0.6) -> Face:
    """A stand-in `Face` for photos where detection failed: a centred square.

    The square is `fraction` of the photo's shorter side, which for a
    head-and-shoulders portrait roughly covers the face. It has no landmarks,
    so the crop is not rotated. Only use it when the caller opted in: editing
    a region that is not a face gives meaningless output.

    Args:
        photo: uint8 array `[H, W, 3]`.
        fraction: float in `(0, 1]`. Side of the square over the shorter
            image side. Defaults to 0.6.

    Returns:
        A `Face` with score 0 and no landmarks.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"`fraction` must be in (0, 1]. Received: fraction={fraction}")
    height, width = photo.shape[:2]
    side = fraction * min(height, width)
    return Face(box=((width - side) / 2, (height - side) / 2, side, side), score=0.0)
