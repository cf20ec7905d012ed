"""Who is drawn: the `Identity` of a synthetic face, and how identities are drawn at random.

An identity holds everything about a face that an expression does not change:
colours, proportions, hair, glasses and a small pose jitter. The renderer
combines it with an AU vector; so a trained editor is asked to change the
expression while keeping exactly this.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

import numpy as np

RGB = tuple[int, int, int]

HAIR_STYLES: tuple[str, ...] = ("short", "long", "bangs", "buzz")
"""`short`: a cap with sideburns; `long`: falls past the chin over the ears;
`bangs`: a fringe over the forehead (stops above the raised brows);
`buzz`: a close crop, skin showing through."""

# Anchor colours that random draws interpolate between, so that the palette is
# continuous rather than a handful of fixed tones.
_SKIN_TONES = np.array(
    [
        (255, 226, 204), (241, 200, 172), (226, 175, 140), (200, 140, 100),
        (165, 110, 75), (125, 82, 55), (92, 60, 42),
    ],
    dtype=np.float64,
)
_HAIR_COLOURS = np.array(
    [
        (28, 22, 20), (62, 42, 30), (105, 70, 42), (146, 72, 38),
        (205, 172, 112), (150, 148, 145), (214, 212, 206),
    ],
    dtype=np.float64,
)
_HAIR_WEIGHTS = np.array([0.3, 0.25, 0.17, 0.06, 0.12, 0.06, 0.04])
_IRIS_COLOURS = np.array(
    [(88, 54, 30), (50, 32, 22), (76, 118, 168), (86, 128, 88), (128, 108, 60), (118, 128, 138)],
    dtype=np.float64,
)
_IRIS_WEIGHTS = np.array([0.3, 0.3, 0.15, 0.08, 0.1, 0.07])
_LIP_TINT = np.array((196, 78, 92), dtype=np.float64)


@dataclasses.dataclass(frozen=True)
class Identity:
    """The expression-independent appearance of one synthetic face.

    Lengths are fractions: of the image side for the face itself, of the
    face's half-width (`W`) or half-height (`H`) for the features on it.
    Colours are RGB tuples of ints in 0..255.

    Args:
        skin: RGB. Skin tone.
        lips: RGB. Lip colour.
        hair: RGB. Hair colour (the brows are a darker shade of it).
        iris: RGB. Iris colour.
        background: RGB. Backdrop colour.
        clothes: RGB. Colour of the shoulders at the bottom edge.
        hair_style: str. One of `HAIR_STYLES`.
        face_width: float. Half-width `W` of the face, fraction of the image.
        face_height: float. Half-height `H` of the face (crown to chin).
        jaw: float. 0 for a round, tapering chin .. 1 for a square jaw.
        eye_spacing: float. Eye centre's distance from the midline, in `W`.
        eye_size: float. Half-width of an eye, in `W`.
        brow_thickness: float. Brow thickness at its inner end, in `H`.
        nose_length: float. Nose bottom below the eye line, in `H`.
        nose_width: float. Half-width of the nostril wings, in `W`.
        mouth_width: float. Half-width of the closed mouth, in `W`.
        lip_fullness: float. Scales both lips' thickness, ~1.
        glasses: bool. Whether the face wears glasses.
        roll: float. In-plane head tilt in degrees.
        shift: tuple[float, float]. Face centre offset from the image centre,
            fraction of the image.
        scale: float. Overall size jitter, ~1.
    """

    skin: RGB
    lips: RGB
    hair: RGB
    iris: RGB
    background: RGB
    clothes: RGB
    hair_style: str
    face_width: float
    face_height: float
    jaw: float
    eye_spacing: float
    eye_size: float
    brow_thickness: float
    nose_length: float
    nose_width: float
    mouth_width: float
    lip_fullness: float
    glasses: bool
    roll: float
    shift: tuple[float, float]
    scale: float

    def __post_init__(self):
        if self.hair_style not in HAIR_STYLES:
            raise ValueError(
                f"hair_style must be one of {HAIR_STYLES}. Received: hair_style={self.hair_style!r}"
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (tuples become lists)."""
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in dataclasses.asdict(self).items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Identity":
        """Inverse of `to_dict`; raises `ValueError` on missing or unknown keys."""
        names = {field.name for field in dataclasses.fields(cls)}
        if set(data) != names:
            raise ValueError(
                f"Not an Identity: missing {sorted(names - set(data))}, "
                f"unknown {sorted(set(data) - names)}."
            )
        return cls(**{key: tuple(value) if isinstance(value, list) else value
                      for key, value in data.items()})


def sample_identity(rng: np.random.Generator) -> Identity:
    """Draws a random identity; the same generator state gives the same identity.

    Example:
    ```python
    identity = sample_identity(np.random.default_rng(0))
    image = render_face(identity, np.zeros(17), 128)
    ```
    """
    skin = _interpolate(_SKIN_TONES, rng.uniform(0, len(_SKIN_TONES) - 1))
    skin = skin * rng.uniform(0.96, 1.04, size=3)
    hair = _HAIR_COLOURS[rng.choice(len(_HAIR_COLOURS), p=_HAIR_WEIGHTS)]
    hair = hair * rng.uniform(0.85, 1.12)
    iris = _IRIS_COLOURS[rng.choice(len(_IRIS_COLOURS), p=_IRIS_WEIGHTS)]
    lips = (skin + (_LIP_TINT - skin) * rng.uniform(0.35, 0.55)) * rng.uniform(0.72, 0.88)
    background = _hsv_to_rgb(rng.uniform(), rng.uniform(0.05, 0.45), rng.uniform(0.45, 0.95))
    clothes = _hsv_to_rgb(rng.uniform(), rng.uniform(0.1, 0.8), rng.uniform(0.2, 0.9))
    face_width = rng.uniform(0.29, 0.34)
    # Proportions are rounded only to keep identities.json readable.
    return Identity(
        skin=_rgb(skin),
        lips=_rgb(lips),
        hair=_rgb(hair),
        iris=_rgb(iris * rng.uniform(0.85, 1.15)),
        background=_rgb(background),
        clothes=_rgb(clothes),
        hair_style=str(rng.choice(HAIR_STYLES, p=[0.4, 0.3, 0.15, 0.15])),
        face_width=round(face_width, 4),
        face_height=round(face_width * rng.uniform(1.25, 1.42), 4),
        jaw=round(rng.uniform(0.0, 1.0), 4),
        eye_spacing=round(rng.uniform(0.38, 0.45), 4),
        eye_size=round(rng.uniform(0.22, 0.26), 4),
        brow_thickness=round(rng.uniform(0.04, 0.065), 4),
        nose_length=round(rng.uniform(0.34, 0.42), 4),
        nose_width=round(rng.uniform(0.17, 0.24), 4),
        mouth_width=round(rng.uniform(0.33, 0.42), 4),
        lip_fullness=round(rng.uniform(0.8, 1.25), 4),
        glasses=bool(rng.uniform() < 0.2),
        roll=round(rng.uniform(-6.0, 6.0), 3),
        shift=(round(rng.uniform(-0.025, 0.025), 4), round(rng.uniform(-0.02, 0.025), 4)),
        scale=round(rng.uniform(0.93, 1.05), 4),
    )


def _interpolate(anchors: np.ndarray, position: float) -> np.ndarray:
    low = min(int(position), len(anchors) - 2)
    return anchors[low] + (anchors[low + 1] - anchors[low]) * (position - low)


def _hsv_to_rgb(hue: float, saturation: float, value: float) -> np.ndarray:
    channel = (np.array([5.0, 3.0, 1.0]) + hue * 6.0) % 6.0
    return 255.0 * value * (1.0 - saturation * np.clip(np.minimum(channel, 4.0 - channel), 0, 1))


def _rgb(colour: np.ndarray) -> RGB:
    return tuple(int(c) for c in np.clip(np.round(colour), 0, 255))
