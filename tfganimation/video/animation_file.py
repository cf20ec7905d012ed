"""Frames to a file a person opens: a looping GIF, a browser-playable MP4, or a still.

GIFs loop forever (Pillow); MP4s are H.264 in `yuv420p`, the form browsers
and phones play, written by `VideoWriter` like every video the package
makes; a still (`.png`, `.jpg`, `.webp`) is the last frame. The file is
written under a temporary name and renamed (`tfganimation.atomic`), so a
failure never leaves a truncated file behind, and an existing file is kept
unless `overwrite` (`tfganimation.outputs`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from tfganimation.atomic import replacing
from tfganimation.outputs import output_file
from tfganimation.video.video_writer import VideoWriter

ANIMATION_FORMATS = (".gif", ".mp4")
STILL_FORMATS = (".png", ".jpg", ".jpeg", ".webp")
"""Suffixes written as one picture: the last frame (`animate` writes the edited photo so)."""


def write_frames(
    frames: Sequence[np.ndarray],
    path: str | os.PathLike,
    fps: float = 12.0,
    overwrite: bool = False,
) -> Path:
    """Writes uint8 RGB frames as an animation (.gif, .mp4) or a still (.png/.jpg: the last frame).

    Raises:
        ValueError: no frames, or a format other than those above.
        FileExistsError: `path` exists and `overwrite` is False.
    """
    if not len(frames):
        raise ValueError("No frames to write.")
    path = output_file(path, overwrite)
    frames = [np.ascontiguousarray(frame, dtype=np.uint8) for frame in frames]
    suffix = path.suffix.lower()
    if suffix not in (*ANIMATION_FORMATS, *STILL_FORMATS):
        raise ValueError(f"Unsupported output format {suffix!r}: use .gif, .mp4, .png or .jpg.")
    with replacing(path) as temporary:
        if suffix == ".gif":
            images = [Image.fromarray(frame) for frame in frames]
            duration = max(20, round(1000 / fps))
            images[0].save(temporary, save_all=True, append_images=images[1:], duration=duration, loop=0)
        elif suffix == ".mp4":
            _write_mp4(frames, temporary, fps)
        else:
            Image.fromarray(frames[-1]).save(temporary)
    return path


def _write_mp4(frames: list[np.ndarray], path: Path, fps: float) -> None:
    height, width = frames[0].shape[:2]
    with VideoWriter(path, width, height, fps) as writer:
        for index, frame in enumerate(frames):
            writer.write(frame, index / fps)
