"""Cuts a face out of a photo the way GANimation's training faces were cut.

Two framings exist (`faces/framing.py`); this docstring is about the
default, `"face_recognition"`, which the paper's own checkpoints need.

The training images (EmotioNet/CelebA face crops, see the four samples the
original code ships) are tight: cheek to cheek, eyebrows to chin, the eyes a
quarter to a third of the way down and 0.43 of the width apart. Measured on
those samples, that square is 1.1 times as wide as the MTCNN face box and
centred 0.07 of its side below the box centre (MTCNN's box reaches further up
the forehead). Crops are not eye-aligned in training (heads tilt by up to
~10 degrees there), but levelling the eyes costs nothing and gives the
generator the most typical pose.
"""

from __future__ import annotations

import dataclasses
import math

import cv2
import numpy as np

from tfganimation.faces.face import Face
from tfganimation.faces.framing import (
    DEFAULT_FRAMING,
    check_framing,
    openface_simalign_transform,
    similarity_square,
)

DEFAULT_MARGIN = 1.1
"""Crop side over face-box width that reproduces the training crops."""

_DOWN_SHIFT = 0.07
"""How far below the box centre the crop centre is, in crop sides."""


@dataclasses.dataclass(frozen=True, eq=False)
class FaceCrop:
    """A square face crop and where it came from.

    Args:
        image: uint8 array `[size, size, 3]`. The crop, RGB.
        transform: float64 array `[2, 3]`. Affine map from photo pixel
            coordinates to crop pixel coordinates (OpenCV convention: pixel
            centres at integers), for `cv2.warpAffine`.
        face: Face. The face the crop was made for.
        photo_shape: tuple. `(height, width)` of the photo it was cut from,
            so that `paste_face` can check it gets the same photo back.
    """

    image: np.ndarray
    transform: np.ndarray
    face: Face
    photo_shape: tuple[int, int]

    @property
    def size(self) -> int:
        return self.image.shape[0]

    @property
    def footprint(self) -> np.ndarray:
        """The crop's outline in photo pixels: 4 corners `[4, 2]`, clockwise from top-left."""
        edge = self.size - 0.5
        corners = np.array([[-0.5, -0.5], [edge, -0.5], [edge, edge], [-0.5, edge]])
        inverse = cv2.invertAffineTransform(self.transform)
        return corners @ inverse[:, :2].T + inverse[:, 2]


def crop_face(
    photo: np.ndarray,
    face: Face,
    size: int = 128,
    margin: float | None = None,
    align: bool = True,
    framing: str = DEFAULT_FRAMING,
) -> FaceCrop:
    """Cuts a square crop of `face` out of `photo`, framed as a checkpoint's training faces.

    With `framing="face_recognition"` (the default), the crop is a square
    `margin` times the face box's width, centred just below the box centre
    (see the module docstring for how these match the training data). With
    `align` and both eyes known, it is rotated about its centre so the eyes
    are level. With `framing="openface_simalign"` the crop is OpenFace's
    similarity-aligned face: the keypoints are fitted to where OpenFace puts
    them (`faces/framing.py`), so it is always rotated and its scale is
    OpenFace's. Where it reaches past the photo's edge the
    photo is mirrored (`cv2.BORDER_REFLECT_101`): the generator sees plausible
    skin and background instead of a black bar it never saw in training, and
    `paste_face` never writes those pixels back.

    Shrinking (a face bigger than `size` pixels) is area-averaged, so the crop
    does not alias.

    Args:
        photo: uint8 array `[H, W, 3]`, RGB.
        face: Face. From `detect_faces`, `center_crop_face`, or built by hand.
        size: int. Side of the output crop; the generator's image size.
            Defaults to 128.
        margin: float. Crop side over face-box width, for the
            `face_recognition` framing only. Defaults to None:
            `DEFAULT_MARGIN` (1.1).
        align: bool. Level the eyes when the face has eye landmarks. The
            `openface_simalign` framing is always aligned and refuses False.
            Defaults to True.
        framing: str. One of `FRAMINGS`: how the checkpoint's training
            faces were cropped. Defaults to `"face_recognition"`.

    Returns:
        A `FaceCrop` with the crop and the photo-to-crop transform.

    Example:
    ```python
    photo = load_photo("portrait.jpg")
    crop = crop_face(photo, detect_faces(photo)[0], size=128)
    crop.image.shape  # (128, 128, 3)
    ```
    """
    if photo.ndim != 3 or photo.shape[2] != 3 or photo.dtype != np.uint8:
        raise ValueError(
            "`photo` must be a uint8 RGB array [H, W, 3]. "
            f"Received: shape={photo.shape}, dtype={photo.dtype}"
        )
    if not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"`size` must be an int >= 8. Received: size={size!r}")
    check_framing(framing)
    size = int(size)
    if framing == "face_recognition":
        margin = DEFAULT_MARGIN if margin is None else margin
        if margin <= 0:
            raise ValueError(f"`margin` must be positive. Received: margin={margin}")
        center_x, center_y, side, angle = _box_square(face, margin, align)
    else:
        if margin is not None or not align:
            raise ValueError(
                f"The {framing!r} framing fixes the crop's scale and rotation; `margin` and "
                f"`align` apply to 'face_recognition' only. Received: margin={margin}, "
                f"align={align}"
            )
        transform = openface_simalign_transform(face, size)
        center_x, center_y, side, angle = similarity_square(transform, size)

    # Sample at no less than the photo's resolution, then area-average down.
    work_size = max(size, math.ceil(side))
    transform = _square_transform(center_x, center_y, side, angle, work_size)
    image = cv2.warpAffine(
        photo,
        transform,
        (work_size, work_size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT_101,
    )
    if work_size != size:
        image = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
        # Resizing maps pixel centres as u = (v + 0.5) * size / work_size - 0.5.
        ratio = size / work_size
        transform = transform * ratio
        transform[:, 2] += 0.5 * ratio - 0.5
    return FaceCrop(image=image, transform=transform, face=face, photo_shape=photo.shape[:2])


def _box_square(face: Face, margin: float, align: bool) -> tuple[float, float, float, float]:
    """`(center_x, center_y, side, angle)` of the face_recognition framing's square."""
    side = margin * face.box[2]
    angle = _eye_angle(face) if align else 0.0
    cos, sin = math.cos(angle), math.sin(angle)
    center_x, center_y = face.center
    # "Down" in the face's own frame is perpendicular to the eye line.
    center_x -= sin * _DOWN_SHIFT * side
    center_y += cos * _DOWN_SHIFT * side
    return center_x, center_y, side, angle


def _eye_angle(face: Face) -> float:
    """Angle of the eye line in radians, clockwise in image coordinates; 0 without eyes."""
    if face.eyes is None:
        return 0.0
    (left_x, left_y), (right_x, right_y) = face.eyes
    return math.atan2(right_y - left_y, right_x - left_x)


def _square_transform(
    center_x: float, center_y: float, side: float, angle: float, size: int
) -> np.ndarray:
    """Affine map from the photo to a `size` x `size` image of the rotated square.

    The square's edges map to the image's outer pixel edges (-0.5 and
    size - 0.5), so the square's centre lands on (size - 1) / 2.
    """
    scale = size / side
    cos, sin = math.cos(angle) * scale, math.sin(angle) * scale
    # Rotating by -angle takes the eye line to horizontal.
    linear = np.array([[cos, sin], [-sin, cos]])
    offset = (size - 1) / 2 - linear @ np.array([center_x, center_y])
    return np.concatenate([linear, offset[:, None]], axis=1)
