"""Edits the faces of a batch of frames in one model call: the inner loop of every video command."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from tfganimation.inference.animator import DEFAULT_FEATHER, Animator
from tfganimation.faces import Face, paste_face
from tfganimation.video.stage_timer import StageTimer

DEFAULT_BATCH_SIZE = 8
"""Frames per model call: amortises the per-call cost, bounds the frames held in memory."""


def edit_frames(
    animator: Animator,
    frames: Sequence[np.ndarray],
    faces: Sequence[Sequence[Face]],
    aus: np.ndarray,
    timer: StageTimer,
    feather: float = DEFAULT_FEATHER,
) -> list[np.ndarray]:
    """Gives the faces of each frame that frame's AUs; every face of the batch in one model call.

    Each face is cut as `Animator.edit` cuts it, and only the change is
    pasted back (`paste_face`). A frame with no faces is returned as it is,
    the very same array.

    Args:
        animator: Animator. The model.
        frames: uint8 RGB frames `[H, W, 3]`.
        faces: for each frame, the faces to edit in it (may be empty).
        aus: float array `[len(frames), 17]`, OpenFace scale: each frame's target.
        timer: StageTimer. Cropping and pasting count as `"paste"`, the
            model as `"edit"`.
        feather: float. See `paste_face`. Defaults to 0.1.

    Returns:
        The frames, edited.
    """
    with timer("paste"):
        owners = [index for index, frame_faces in enumerate(faces) for _ in frame_faces]
        crops = [
            animator.crop(frames[index], face)
            for index, frame_faces in enumerate(faces)
            for face in frame_faces
        ]
    if not crops:
        return list(frames)
    with timer("edit"):
        outputs = animator.edit_crops(
            np.stack([crop.image for crop in crops]), np.asarray(aus)[owners]
        )
    edited = list(frames)
    with timer("paste"):
        for index, (owner, crop) in enumerate(zip(owners, crops)):
            edited[owner] = paste_face(
                edited[owner], crop, outputs["image"][index], outputs["attention"][index], feather
            )
    return edited


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of `size` items (the last may be shorter): `itertools.batched` before 3.12."""
    if size < 1:
        raise ValueError(f"The batch size must be >= 1. Received: {size}")
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
