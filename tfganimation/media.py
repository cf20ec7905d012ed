"""Writing frames as GIF, MP4 or PNG, never over an existing file by accident."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from tfganimation.atomic import replacing

ANIMATION_FORMATS = (".gif", ".mp4")


def to_uint8(images) -> np.ndarray:
    """Images in [-1, 1] (the networks' scale) to uint8 pixels, rounded and clipped."""
    images = np.clip(np.asarray(images, np.float32), -1.0, 1.0)
    return np.rint((images + 1.0) * 127.5).astype(np.uint8)


def to_signed(images) -> np.ndarray:
    """uint8 pixels to float32 in [-1, 1] (the networks' scale); the inverse of `to_uint8`."""
    return np.asarray(images).astype(np.float32) / 127.5 - 1.0


def prepare_output_dir(folder: str | os.PathLike, overwrite: bool = False, advice: str = "pass --overwrite to replace them") -> Path:
    """Creates `folder` for a command's outputs, refusing one that already holds files.

    Raises:
        FileExistsError: `folder` is a file, or holds files and `overwrite`
            is False; the message ends with `advice`.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} exists and is not a folder.")
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise FileExistsError(f"{folder} already holds files; {advice}.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_writable(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Refuses to replace a file that exists unless told to; creates the folder.

    Raises:
        FileExistsError: `path` exists and `overwrite` is False.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass --overwrite to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_frames(
    frames: Sequence[np.ndarray],
    path: str | os.PathLike,
    fps: float = 12.0,
    overwrite: bool = False,
) -> Path:
    """Writes uint8 RGB frames as an animation (.gif, .mp4) or a still (.png/.jpg: the last frame).

    GIFs loop forever (Pillow); MP4s are H.264 in `yuv420p`, the form browsers
    and phones play, written with PyAV like every video the package makes
    (`tfganimation.video.VideoWriter`). The file is written under a temporary
    name and renamed, so a failure never leaves a truncated file behind.
    """
    if not len(frames):
        raise ValueError("No frames to write.")
    path = check_writable(path, overwrite)
    frames = [np.ascontiguousarray(frame, dtype=np.uint8) for frame in frames]
    suffix = path.suffix.lower()
    if suffix not in (".gif", ".mp4", ".png", ".jpg", ".jpeg", ".webp"):
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
    # Imported here: the video package builds on this module, and PyAV loads only for MP4s.
    from tfganimation.video.video_writer import VideoWriter

    height, width = frames[0].shape[:2]
    with VideoWriter(path, width, height, fps) as writer:
        for index, frame in enumerate(frames):
            writer.write(frame, index / fps)
