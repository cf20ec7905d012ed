"""Puts an edited face crop back into the full-resolution photo.

What is pasted is the *change* the generator made, not its output image: the
photo gets `edited - crop`, warped back through the crop's inverse transform
and faded in by a soft mask. Pasting the output itself would replace the
photo's own detail with a 128-pixel crop blown back up, blurring every face
larger than the crop even where nothing was edited; pasting the change keeps
the original pixels wherever the edit did not touch them, and an identity edit
leaves the photo exactly as it was.

One exception: where GANimation's attention says the generator painted new
colour (A near 0, e.g. teeth of a newly opened mouth, closed eyelids), the
photo's fine detail under it belongs to the old expression, so there it is
dropped and the upsampled output alone is used.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from tfganimation.faces.crop import FaceCrop

_ATTENTION_GROW = 0.03
"""Dilation of the changed region, in crop sides: covers the soft rim of each change."""

_ATTENTION_BLUR = 0.02
"""Gaussian sigma that smooths the dilated change mask, in crop sides."""


def paste_face(
    photo: np.ndarray,
    crop: FaceCrop,
    edited_face: np.ndarray,
    attention: np.ndarray | None = None,
    feather: float = 0.1,
) -> np.ndarray:
    """Blends an edit of `crop` back into `photo`; pixels the edit did not reach stay identical.

    The blending mask, in crop coordinates, is the product of

    - a border ramp that rises smoothly from 0 at the crop's edge to 1 at
      `feather` crop sides inside it, so the crop's outline never shows, and
    - if `attention` is given, `1 - attention` (where the generator changed
      things), dilated and blurred so that each change fades in rather than
      stopping at a hard contour.

    The blend adds the warped-back change `edited_face - crop.image` to the
    photo (see the module docstring), except that where the attention says
    the generator painted new colour the photo's finer detail is removed.
    Every photo pixel outside the crop's footprint, and inside it wherever
    the mask is 0, is returned bit-for-bit unchanged.

    Args:
        photo: uint8 array `[H, W, 3]`. The photo `crop` was cut from.
        crop: FaceCrop. From `crop_face(photo, ...)`.
        edited_face: uint8 array `[size, size, 3]`. The generator's output
            for `crop.image`, in the same RGB uint8 form.
        attention: optional float array `[size, size]` or `[size, size, 1]`
            in `[0, 1]`. GANimation's attention map A, where 1 means "kept the
            input pixel". Defaults to None: the whole crop (minus its
            feathered border) is pasted.
        feather: float in `(0, 0.5]`. Width of the border ramp, in crop
            sides. Defaults to 0.1.

    Returns:
        A new uint8 array `[H, W, 3]`; `photo` is not modified.

    Example:
    ```python
    crop = crop_face(photo, face)
    edited, attention = ...  # The generator run on crop.image, as uint8 and [0, 1].
    result = paste_face(photo, crop, edited, attention)
    ```
    """
    if photo.shape[:2] != tuple(crop.photo_shape) or photo.ndim != 3 or photo.dtype != np.uint8:
        raise ValueError(
            f"`photo` must be the uint8 [H, W, 3] photo the crop was cut from, of shape "
            f"{tuple(crop.photo_shape)}. Received: shape={photo.shape}, dtype={photo.dtype}"
        )
    if edited_face.shape != crop.image.shape or edited_face.dtype != np.uint8:
        raise ValueError(
            f"`edited_face` must be uint8 of the crop's shape {crop.image.shape}. "
            f"Received: shape={edited_face.shape}, dtype={edited_face.dtype}"
        )
    if not 0 < feather <= 0.5:
        raise ValueError(f"`feather` must be in (0, 0.5]. Received: feather={feather}")
    mask = _border_ramp(crop.size, feather)
    painted = None
    if attention is not None:
        painted = 1.0 - _check_attention(attention, crop.size)
        mask *= _grow(painted, crop.size)

    result = photo.copy()
    box = _footprint_box(crop, photo.shape[:2])
    if box is None:
        return result
    x0, y0, x1, y1 = box
    to_crop = crop.transform.copy()
    to_crop[:, 2] += to_crop[:, :2] @ np.array([x0, y0])  # From region pixels, not photo pixels.
    warp = functools.partial(_warp_back, to_crop=to_crop, size=(x1 - x0, y1 - y0))

    region = photo[y0:y1, x0:x1].astype(np.float32)
    crop_image = crop.image.astype(np.float32)
    weight = warp(mask)
    blended = region + weight * warp(edited_face.astype(np.float32) - crop_image)
    if painted is not None:
        detail = region - warp(crop_image)  # What the crop's resolution could not hold.
        blended -= weight * warp(painted) * detail
    result[y0:y1, x0:x1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return result


def _warp_back(image: np.ndarray, to_crop: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Samples a crop-space image at each photo-region pixel; 0 outside the crop. Always 3-D."""
    warped = cv2.warpAffine(
        image,
        to_crop,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    return warped if warped.ndim == 3 else warped[:, :, None]


def _check_attention(attention: np.ndarray, size: int) -> np.ndarray:
    attention = np.asarray(attention, np.float32)
    if attention.ndim == 3 and attention.shape[2] == 1:
        attention = attention[:, :, 0]
    if attention.shape != (size, size):
        raise ValueError(
            f"`attention` must be [{size}, {size}] or [{size}, {size}, 1]. "
            f"Received: shape={attention.shape}"
        )
    return np.clip(attention, 0.0, 1.0)


def _border_ramp(size: int, feather: float) -> np.ndarray:
    """`[size, size]` mask: 0 on the outer pixels, rising (smoothstep) to 1 `feather * size` in.

    The outer ring is exactly 0 so that bilinear warping, which blends in
    the neighbouring pixel, cannot leak any weight past the crop's footprint.
    """
    steps = np.arange(size, dtype=np.float32)
    ramp = np.clip(np.minimum(steps, size - 1 - steps) / (feather * size), 0.0, 1.0)
    ramp = ramp * ramp * (3 - 2 * ramp)
    return np.outer(ramp, ramp)


def _grow(painted: np.ndarray, size: int) -> np.ndarray:
    """Dilates then blurs the change map, so each change fades in past its rim."""
    radius = max(1, round(_ATTENTION_GROW * size))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
    grown = cv2.dilate(painted, kernel)
    sigma = max(0.5, _ATTENTION_BLUR * size)
    return np.clip(cv2.GaussianBlur(grown, (0, 0), sigma), 0.0, 1.0)


def _footprint_box(crop: FaceCrop, shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Integer bounds `(x0, y0, x1, y1)` of the crop's footprint in the photo, or None if off it."""
    corners = crop.footprint
    height, width = shape
    x0, y0 = (max(0, math.floor(v) - 1) for v in corners.min(axis=0))
    x1, y1 = (math.ceil(v) + 2 for v in corners.max(axis=0))
    x1, y1 = min(width, x1), min(height, y1)
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, y0, x1, y1
