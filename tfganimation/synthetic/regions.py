"""Which pixels each action unit may change: anatomical zones of the synthetic face.

The zones are declared from anatomy (the forehead, the eyes, the nose, the
cheeks, the mouth with the skin around it, the jaw), not measured from the
renderer, so that the tests can check the renderer against them: an AU that
changed a pixel outside its zones would be moving the wrong part of the face.
They are deliberately generous boxes; they bound where an AU may act, they do
not claim that every pixel in them changes.
"""

from __future__ import annotations

import cv2
import numpy as np

from tfganimation.aus import AU_CODES, au_index
from tfganimation.synthetic.anatomy import SUBPIXEL_BITS, Anchors, PixelTransform, anchors
from tfganimation.synthetic.identity import Identity
from tfganimation.synthetic.renderer import check_image_size

AU_ZONES: dict[str, tuple[str, ...]] = {
    "AU01": ("forehead",),
    "AU02": ("forehead",),
    "AU04": ("forehead",),
    "AU05": ("eyes",),
    "AU06": ("eyes", "cheeks"),
    "AU07": ("eyes",),
    "AU09": ("nose", "cheeks", "mouth"),
    "AU10": ("nose", "cheeks", "mouth"),
    "AU12": ("mouth", "cheeks"),
    "AU14": ("mouth",),
    "AU15": ("mouth",),
    "AU17": ("mouth", "jaw"),
    "AU20": ("mouth", "cheeks"),
    "AU23": ("mouth",),
    "AU25": ("mouth",),
    "AU26": ("mouth", "jaw"),
    "AU45": ("eyes",),
}
"""The zones each AU acts on. The cheeks carry the nasolabial folds, which
deepen with AU06, AU09, AU10, AU12 and AU20; the mouth zone is the whole lower
face below the nose, because the folds' lower ends follow the lip corners."""


def au_region_mask(identity: Identity, au: str | int, image_size: int) -> np.ndarray:
    """The pixels that action unit `au` may change on `identity`'s face.

    Args:
        identity: Identity. The face.
        au: str or int. An AU code (`"AU12"`, `"12"`) or its index in
            `tfganimation.aus.AU_CODES`.
        image_size: int. Side of the square image.

    Returns:
        A boolean array `[image_size, image_size]`, True inside the AU's zones
        (plus a one-pixel margin for anti-aliased edges).
    """
    code = AU_CODES[au] if isinstance(au, (int, np.integer)) else AU_CODES[au_index(au)]
    image_size = check_image_size(image_size)
    boxes = _zone_boxes(anchors(identity))
    to_pixels = PixelTransform(identity, image_size)
    mask = np.zeros((image_size, image_size), np.uint8)
    for zone in AU_ZONES[code]:
        for left, top, right, bottom in boxes[zone]:
            corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
            # Anti-aliased, so that any partly covered pixel is non-zero.
            cv2.fillPoly(mask, [to_pixels(corners)], 255, cv2.LINE_AA, SUBPIXEL_BITS)
    return cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0


def _zone_boxes(anchor: Anchors) -> dict[str, list[tuple[float, float, float, float]]]:
    """Each zone as (left, top, right, bottom) boxes in the face frame."""
    width, height, eye = anchor.width, anchor.height, anchor.eye_half_width
    brows_x = anchor.eye_x + 1.6 * eye
    cheek_inner, cheek_outer = 0.9 * anchor.nose_half_width, 0.98 * width
    cheek_top, cheek_bottom = anchor.eye_y + 0.5 * eye, anchor.mouth_y + 0.15 * height
    return {
        "forehead": [(-brows_x, anchor.brow_y - 0.32 * height, brows_x, anchor.eye_y)],
        "eyes": [
            (side * anchor.eye_x - 1.8 * eye, anchor.eye_y - 1.05 * eye,
             side * anchor.eye_x + 1.8 * eye, anchor.eye_y + 1.1 * eye)
            for side in (-1.0, 1.0)
        ],
        "nose": [(-1.6 * anchor.nose_half_width, anchor.eye_y,
                  1.6 * anchor.nose_half_width, anchor.nose_y + 0.05 * height)],
        "cheeks": [
            (-cheek_outer, cheek_top, -cheek_inner, cheek_bottom),
            (cheek_inner, cheek_top, cheek_outer, cheek_bottom),
        ],
        "mouth": [(-0.9 * width, anchor.nose_y - 0.06 * height,
                   0.9 * width, anchor.mouth_y + 0.42 * height)],
        "jaw": [(-1.02 * width, anchor.mouth_y, 1.02 * width, 1.2 * height)],
    }
