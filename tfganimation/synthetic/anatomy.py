"""Where an identity's features sit, in the face frame shared by the renderer and the region masks.

The face frame has its origin at the face centre, x to the image's right,
y down, and lengths in fractions of the image side. `PixelTransform` maps it
onto an image of any size, applying the identity's pose jitter, so every
drawing and every mask is computed once in this frame and is size-independent.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tfganimation.synthetic.identity import Identity

SUBPIXEL_BITS = 4
"""Fractional bits of the coordinates passed to OpenCV's drawing functions."""


@dataclasses.dataclass(frozen=True)
class Anchors:
    """Neutral (all AUs 0) positions and sizes of the features, in the face frame.

    The eyes and brows are mirror images; `eye_x` is the right one's centre.

    Args:
        width, height: float. The face's half-width `W` and half-height `H`.
        eye_x, eye_y: float. Centre of the right eye.
        eye_half_width: float. Half the eye's corner-to-corner width.
        eye_upper, eye_lower: float. How far the open upper and lower lids
            sit above and below the corner-to-corner line.
        brow_y: float. Height of the brows' inner ends.
        nose_y: float. Bottom of the nose.
        nose_half_width: float. Half-width across the nostril wings.
        mouth_y: float. The closed lips' meeting line.
        mouth_half_width: float. Centre to lip corner.
        upper_lip, lower_lip: float. Lip thicknesses at the centre.
    """

    width: float
    height: float
    eye_x: float
    eye_y: float
    eye_half_width: float
    eye_upper: float
    eye_lower: float
    brow_y: float
    nose_y: float
    nose_half_width: float
    mouth_y: float
    mouth_half_width: float
    upper_lip: float
    lower_lip: float


def anchors(identity: Identity) -> Anchors:
    """The neutral layout of `identity`'s face.

    Proportions follow the classical canon: the eyes sit at half the head's
    height, the mouth a third of the way from the nose to the chin.
    """
    width, height = identity.face_width, identity.face_height
    eye_half_width = identity.eye_size * width
    nose_y = identity.nose_length * height
    return Anchors(
        width=width,
        height=height,
        eye_x=identity.eye_spacing * width,
        eye_y=0.0,
        eye_half_width=eye_half_width,
        eye_upper=0.48 * eye_half_width,
        eye_lower=0.36 * eye_half_width,
        brow_y=-0.18 * height,
        nose_y=nose_y,
        nose_half_width=identity.nose_width * width,
        mouth_y=nose_y + 0.36 * (height - nose_y),
        mouth_half_width=identity.mouth_width * width,
        upper_lip=0.055 * height * identity.lip_fullness,
        lower_lip=0.075 * height * identity.lip_fullness,
    )


class PixelTransform:
    """Maps face-frame points to the fixed-point pixel coordinates OpenCV draws with.

    The image spans 0..image_size on both axes, so pixel (row i, column j)
    covers [j, j + 1] × [i, i + 1]; OpenCV puts pixel centres at integers and
    reads `SUBPIXEL_BITS` fractional bits, hence the shift and the scaling.

    Args:
        identity: Identity. Its pose jitter (roll, shift, scale) is applied.
        image_size: int. Side of the square image drawn on.
    """

    def __init__(self, identity: Identity, image_size: int):
        angle = np.deg2rad(identity.roll)
        self._linear = image_size * identity.scale * np.array(
            [[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]]
        ) * (1 << SUBPIXEL_BITS)
        centre = image_size * np.array([0.5 + identity.shift[0], 0.5 + identity.shift[1]]) - 0.5
        self._offset = centre * (1 << SUBPIXEL_BITS)
        self.pixels_per_unit = image_size * identity.scale
        """Pixels per face-frame unit, for line widths."""

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """`[N, 2]` face-frame points to `int32 [N, 2]` fixed-point pixel coordinates."""
        return np.rint(points @ self._linear + self._offset).astype(np.int32)
