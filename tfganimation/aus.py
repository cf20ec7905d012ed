"""The action-unit (AU) catalogue: which AUs, in which order, on which scale.

GANimation conditions its generator on the 17 AU intensities that OpenFace 2.x
regresses (the `AU*_r` columns). OpenFace reports them on the FACS intensity
scale 0..5; the networks see them divided by 5 (0..1). Everything in the
project that touches an AU vector goes through this module, so that the order
and the scale are defined in exactly one place.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Mapping

import numpy as np

OPENFACE_MAX_INTENSITY = 5.0
"""Upper end of OpenFace's (and FACS') intensity scale A..E = 1..5."""


@dataclasses.dataclass(frozen=True)
class ActionUnit:
    """One facial action unit.

    Args:
        code: str. OpenFace column stem, e.g. `"AU12"`.
        name: str. The FACS name, e.g. `"Lip Corner Puller"`.
        region: str. The face region it moves; used to group sliders and to
            know which pixels an AU is allowed to change.
    """

    code: str
    name: str
    region: str


ACTION_UNITS: tuple[ActionUnit, ...] = (
    ActionUnit("AU01", "Inner Brow Raiser", "brows/eyes"),
    ActionUnit("AU02", "Outer Brow Raiser", "brows/eyes"),
    ActionUnit("AU04", "Brow Lowerer", "brows/eyes"),
    ActionUnit("AU05", "Upper Lid Raiser", "brows/eyes"),
    ActionUnit("AU06", "Cheek Raiser", "nose/cheeks"),
    ActionUnit("AU07", "Lid Tightener", "brows/eyes"),
    ActionUnit("AU09", "Nose Wrinkler", "nose/cheeks"),
    ActionUnit("AU10", "Upper Lip Raiser", "mouth"),
    ActionUnit("AU12", "Lip Corner Puller", "mouth"),
    ActionUnit("AU14", "Dimpler", "nose/cheeks"),
    ActionUnit("AU15", "Lip Corner Depressor", "mouth"),
    ActionUnit("AU17", "Chin Raiser", "jaw/lids"),
    ActionUnit("AU20", "Lip Stretcher", "mouth"),
    ActionUnit("AU23", "Lip Tightener", "mouth"),
    ActionUnit("AU25", "Lips Part", "mouth"),
    ActionUnit("AU26", "Jaw Drop", "jaw/lids"),
    ActionUnit("AU45", "Blink", "jaw/lids"),
)
"""The 17 AUs in OpenFace's `AU*_r` column order, which is GANimation's order."""

AU_CODES: tuple[str, ...] = tuple(au.code for au in ACTION_UNITS)
AU_NAMES: dict[str, str] = {au.code: au.name for au in ACTION_UNITS}
N_AUS = len(ACTION_UNITS)
REGIONS: tuple[str, ...] = ("brows/eyes", "nose/cheeks", "mouth", "jaw/lids")


def to_model_scale(openface_intensities) -> np.ndarray:
    """Converts OpenFace intensities (0..5) to the networks' scale (0..1)."""
    return np.asarray(openface_intensities, dtype=np.float32) / OPENFACE_MAX_INTENSITY


def to_openface_scale(model_values) -> np.ndarray:
    """Converts the networks' AU scale (0..1) back to OpenFace intensities."""
    return np.asarray(model_values, dtype=np.float32) * OPENFACE_MAX_INTENSITY


def au_index(code: str) -> int:
    """Position of an AU in the vector; accepts `"AU12"`, `"au12"`, `"12"`."""
    normalized = _normalize_code(code)
    try:
        return AU_CODES.index(normalized)
    except ValueError:
        raise ValueError(
            f"Unknown action unit {code!r}. Expected one of: {', '.join(AU_CODES)}."
        ) from None


def au_vector(intensities: Mapping[str, float]) -> np.ndarray:
    """Builds a full 17-vector (OpenFace scale) from `{code: intensity}`.

    AUs that are not named are 0. Values must lie in 0..5.
    """
    vector = np.zeros(N_AUS, dtype=np.float32)
    for code, value in intensities.items():
        value = float(value)
        if not np.isfinite(value) or not 0.0 <= value <= OPENFACE_MAX_INTENSITY:
            raise ValueError(
                f"AU intensity must be a number in 0..{OPENFACE_MAX_INTENSITY:g}. "
                f"Received: {code}={value}"
            )
        vector[au_index(code)] = value
    return vector


def parse_aus(text: str) -> np.ndarray:
    """Parses `"AU12=3, AU06=2"` (OpenFace scale) into a 17-vector.

    This is the format of the command line's `--aus` option.
    """
    intensities = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        code, separator, value = item.partition("=")
        if not separator:
            raise ValueError(f"Expected AU=VALUE pairs like 'AU12=3'. Received: {item!r}")
        try:
            intensities[code.strip()] = float(value)
        except ValueError:
            raise ValueError(f"Not a number in {item!r}.") from None
    if not intensities:
        raise ValueError("No AU=VALUE pairs given.")
    return au_vector(intensities)


def _normalize_code(code: str) -> str:
    match = re.fullmatch(r"(?:AU)?0*(\d+)(?:_r)?", code.strip(), flags=re.IGNORECASE)
    if not match:
        return code.strip()
    return f"AU{int(match.group(1)):02d}"


# Prototypical expressions, from the EMFACS emotion predictions as tabulated
# in Ekman, Friesen & Hager, "Facial Action Coding System: Investigator's
# Guide" (2002), restricted to the AUs that OpenFace measures. FACS intensity
# letters map to numbers A=1 .. E=5; where the table gives no letter we use
# C (3), a clearly visible but not extreme intensity. Substitutions:
#   * disgust is 9+15+16; AU16 (lower lip depressor) is not measured by
#     OpenFace, so it is 9+15 with AU10, the alternative disgust AU in EMFACS;
#   * contempt is the unilateral R12A+R14A; OpenFace's AUs are bilateral, so
#     it is a weak bilateral 12+14.
PRESETS: dict[str, dict[str, float]] = {
    "neutral": {},
    "happy": {"AU06": 3.0, "AU12": 3.0},
    "sad": {"AU01": 3.0, "AU04": 3.0, "AU15": 3.0},
    "surprise": {"AU01": 3.0, "AU02": 3.0, "AU05": 2.0, "AU26": 3.0},
    "fear": {
        "AU01": 3.0, "AU02": 3.0, "AU04": 3.0, "AU05": 3.0,
        "AU07": 3.0, "AU20": 3.0, "AU26": 3.0,
    },
    "anger": {"AU04": 3.0, "AU05": 3.0, "AU07": 3.0, "AU23": 3.0},
    "disgust": {"AU09": 3.0, "AU10": 3.0, "AU15": 3.0},
    "contempt": {"AU12": 1.0, "AU14": 1.0},
}


def preset(name: str) -> np.ndarray:
    """The named expression as a 17-vector on the OpenFace scale (0..5)."""
    try:
        return au_vector(PRESETS[name.lower()])
    except KeyError:
        raise ValueError(
            f"Unknown preset {name!r}. Expected one of: {', '.join(PRESETS)}."
        ) from None
