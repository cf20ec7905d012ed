"""The controls and outputs of the Streamlit page: AU sliders by face region, panels, downloads.

Slider values live in the page's session state under one key per AU; the
panels compare the original and edited face with the attention and colour
maps; downloads are PNG, GIF or MP4 bytes.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from tfganimation import pixels
from tfganimation.aus import ACTION_UNITS, OPENFACE_MAX_INTENSITY, REGIONS, ActionUnit

SLIDER_STEP = 0.1
DISPLAY_SIZE = 256
"""Face panels are enlarged to about this many pixels, by whole-pixel repetition."""

ANIMATION_FORMATS = {"GIF": ("gif", "image/gif"), "MP4": ("mp4", "video/mp4")}


# Sliders.


@dataclasses.dataclass(frozen=True)
class Slider:
    """One AU slider: the AU, its position in the 17-vector, and how it is labelled."""

    au: ActionUnit
    index: int

    @property
    def key(self) -> str:
        return f"au_{self.au.code}"

    @property
    def label(self) -> str:
        return f"{self.au.code} {self.au.name}"

    @property
    def help(self) -> str:
        return (
            f"FACS {self.au.code}, {self.au.name}, on the OpenFace intensity scale: "
            "0 absent, 1 trace (A), 2 slight (B), 3 marked (C), 4 severe (D), 5 maximum (E)."
        )


def slider_groups() -> list[tuple[str, list[Slider]]]:
    """The 17 sliders grouped by face region, regions in `REGIONS` order, AUs in vector order."""
    sliders = [Slider(au, index) for index, au in enumerate(ACTION_UNITS)]
    return [(region, [s for s in sliders if s.au.region == region]) for region in REGIONS]


def region_title(region: str) -> str:
    """`"brows/eyes"` → `"Brows / eyes"`."""
    return region.replace("/", " / ").capitalize()


def slider_state(aus) -> dict[str, float]:
    """Slider values `{key: value}` for a 17-vector, clipped to 0..5, on the slider's grid."""
    aus = np.clip(np.asarray(aus, np.float64).reshape(-1), 0.0, OPENFACE_MAX_INTENSITY)
    if aus.shape != (len(ACTION_UNITS),):
        raise ValueError(f"Expected {len(ACTION_UNITS)} AU values. Received: shape={aus.shape}")
    return {
        slider.key: round(round(float(aus[slider.index]) / SLIDER_STEP) * SLIDER_STEP, 1)
        for _, group in slider_groups()
        for slider in group
    }


def aus_from_state(state: Mapping[str, Any]) -> np.ndarray:
    """The 17-vector the sliders in `state` (`st.session_state`) describe; missing ones are 0."""
    aus = np.zeros(len(ACTION_UNITS), np.float32)
    for _, group in slider_groups():
        for slider in group:
            aus[slider.index] = float(state.get(slider.key, 0.0))
    return aus


# Panels and downloads.


@dataclasses.dataclass(frozen=True, eq=False)
class Panel:
    caption: str
    image: np.ndarray


def enlarge(image: np.ndarray, size: int = DISPLAY_SIZE) -> np.ndarray:
    """Repeats each pixel so the image is about `size` wide: the model's pixels, unsmoothed."""
    return pixels.enlarge(image, max(1, round(size / image.shape[1])))


def face_panels(edit, size: int = DISPLAY_SIZE) -> list[Panel]:
    """Original face, edited face, attention and colour of one `FaceEdit`, side by side."""
    return [
        Panel("Original face", enlarge(edit.crop.image, size)),
        Panel("Edited face", enlarge(edit.edited, size)),
        Panel("Attention (white: kept)", enlarge(pixels.attention_to_grey(edit.attention), size)),
        Panel("Colour (painted)", enlarge(edit.color, size)),
    ]


def png_bytes(image: np.ndarray) -> bytes:
    """A uint8 RGB image as PNG file bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def animation_bytes(frames: Sequence[np.ndarray], fmt: str, fps: float) -> bytes:
    """Frames as the bytes of a `"gif"` or `"mp4"` file (`tfganimation.video.write_frames`)."""
    from tfganimation.video.animation_file import write_frames

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("gif", "mp4"):
        raise ValueError(f'`fmt` must be "gif" or "mp4". Received: fmt={fmt!r}')
    with tempfile.TemporaryDirectory(prefix="tfganimation-viewer-") as folder:
        path = write_frames(frames, Path(folder) / f"animation.{fmt}", fps=fps)
        return path.read_bytes()
