"""The renderer's drawing primitives: a canvas that paints face-frame shapes, and the shapes.

`Painter` owns the supersampled canvas and the face-frame-to-pixel transform,
so the renderer's feature functions say *what* to draw (a lid, a fold, a lip)
in face units and never touch OpenCV or pixel coordinates. The point and
colour helpers below are the vocabulary those functions build shapes from;
the grids are cached because the renderer asks for the same few hundreds of
times per face.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from tfganimation.synthetic.anatomy import SUBPIXEL_BITS, PixelTransform
from tfganimation.synthetic.identity import Identity


class Painter:
    """Fills and strokes face-frame shapes on the supersampled canvas."""

    def __init__(self, identity: Identity, canvas_size: int):
        self.image = np.empty((canvas_size, canvas_size, 3), np.uint8)
        corner = (canvas_size, canvas_size)
        cv2.rectangle(self.image, (0, 0), corner, identity.background, cv2.FILLED)
        self._to_pixels = PixelTransform(identity, canvas_size)

    def fill(self, colour, polygon: np.ndarray) -> None:
        cv2.fillPoly(self.image, [self._to_pixels(polygon)], colour, cv2.LINE_AA, SUBPIXEL_BITS)

    def line(self, colour, points: np.ndarray, width: float, closed: bool = False) -> None:
        thickness = max(1, round(width * self._to_pixels.pixels_per_unit))
        pixels = [self._to_pixels(points)]
        cv2.polylines(self.image, pixels, closed, colour, thickness, cv2.LINE_AA, SUBPIXEL_BITS)

    def crease(self, skin, strength: float, points: np.ndarray, width: float = 0.006) -> None:
        """A wrinkle or fold, `strength` 0 (invisible) .. 1 (a dark line)."""
        if strength > 1e-3:
            self.line(mix(skin, shade(skin, 0.5), min(strength, 1.0)), points, width)


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0,
             stop: float = 2 * np.pi, flip: float = 1.0, n: int = 40) -> np.ndarray:
    """Points on an ellipse, or an arc from `start` to `stop` radians; `flip=-1` mirrors it."""
    return _unit_arc(start, stop, n) * (flip * rx, ry) + (cx, cy)


@functools.lru_cache(maxsize=None)
def _unit_arc(start: float, stop: float, n: int) -> np.ndarray:
    angle = grid(start, stop, n, closed=stop - start < 2 * np.pi - 1e-9)
    return _readonly(np.stack([np.cos(angle), np.sin(angle)], axis=1))


@functools.lru_cache(maxsize=None)
def grid(start: float, stop: float, n: int, closed: bool = True) -> np.ndarray:
    """`np.linspace`, cached: the renderer asks for the same few grids over and over."""
    return _readonly(np.linspace(start, stop, n, endpoint=closed))


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def xy(x, y) -> np.ndarray:
    """Points from their x and y coordinates (arrays or scalars, broadcast)."""
    points = np.empty((max(np.size(x), np.size(y)), 2))
    points[:, 0], points[:, 1] = x, y
    return points


def band(x: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """The polygon between two curves sampled at the same x."""
    n = len(x)
    polygon = np.empty((2 * n, 2))
    polygon[:n, 0], polygon[:n, 1] = x, top
    polygon[n:, 0], polygon[n:, 1] = x[::-1], bottom[::-1]
    return polygon


def mix(colour, other, t: float) -> tuple[float, float, float]:
    return tuple(float(c + (o - c) * t) for c, o in zip(colour, other))


def shade(colour, factor: float) -> tuple[float, float, float]:
    return tuple(float(c * factor) for c in colour)
