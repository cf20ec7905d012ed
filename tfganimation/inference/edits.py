"""What an edit gives back: the edited photo (`EditResult`) and each face's change (`FaceEdit`).

Plain data for whoever shows or saves an edit (the command line's attention
strip, the viewer's panels); `tfganimation.inference.animator.Animator`
makes them, and its module, where they were first defined, still holds both.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from tfganimation.faces import Face, FaceCrop
from tfganimation.pixels import attention_to_grey


@dataclasses.dataclass
class FaceEdit:
    """What the model did to one face.

    Args:
        face: Face. The face in the photo.
        crop: FaceCrop. The crop the model saw, and where it came from.
        edited: uint8 array `[S, S, 3]`. The model's edited crop.
        attention: float32 array `[S, S, 1]` in [0, 1]. GANimation's
            attention: 1 kept the input pixel, 0 took the colour map's.
        color: uint8 array `[S, S, 3]`. The colour map the model painted.
    """

    face: Face
    crop: FaceCrop
    edited: np.ndarray
    attention: np.ndarray
    color: np.ndarray


@dataclasses.dataclass
class EditResult:
    """An edited photo and how it was made.

    Args:
        photo: uint8 array `[H, W, 3]`. The edited photo, at full resolution.
        faces: list of FaceEdit. One per edited face.
        seconds: float. Model inference time (detection, crop and paste
            excluded).
        timings: dict. Seconds per stage: `"load"`, `"detect"`, `"crop"`,
            `"model"`, `"paste"` and `"total"`.
    """

    photo: np.ndarray
    faces: list[FaceEdit]
    seconds: float
    timings: dict[str, float] = dataclasses.field(default_factory=dict)

    def mask_strip(self) -> np.ndarray:
        """Deprecated name of `attention_strip` (the attention map was also called a mask)."""
        warnings.warn(
            "EditResult.mask_strip is deprecated; use attention_strip", DeprecationWarning, 2
        )
        return self.attention_strip()

    def attention_strip(self) -> np.ndarray:
        """The model's view of each face, one row per face: crop · edited · attention · colour.

        The attention map is shown as grey levels: white where the input
        pixel was kept, black where the colour map replaced it.
        """
        rows = []
        for edit in self.faces:
            row = [edit.crop.image, edit.edited, attention_to_grey(edit.attention), edit.color]
            rows.append(np.concatenate(row, axis=1))
        return np.concatenate(rows, axis=0)
