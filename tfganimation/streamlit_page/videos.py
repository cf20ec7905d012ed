"""The page's video tab behind its widgets: uploaded bytes in, an MP4's bytes out.

Streamlit hands uploads over as bytes; the video pipeline reads files. Each
function here writes the uploads into a temporary folder (under fixed names
that keep only the suffix, so a file name cannot point anywhere), runs the
pipeline with the viewer's tighter budget, and returns the MP4's bytes and
the report; the folder is gone afterwards. Nothing here imports Streamlit.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from tfganimation.inference.animator import AUs, Animator
from tfganimation.video import (
    VIDEO_SUFFIXES,
    AUTrack,
    VideoError,
    VideoLimits,
    VideoReport,
    drive_photo,
    edit_video,
    is_video,
    read_track,
)

VIDEO_UPLOAD_TYPES = tuple(suffix.lstrip(".") for suffix in VIDEO_SUFFIXES)
CSV_UPLOAD_TYPES = ("csv",)

MAX_VIDEO_UPLOAD_MB = 200
"""Largest video or CSV upload, in megabytes."""

VIEWER_LIMITS = VideoLimits(max_frames=1_800, max_frame_pixels=1920 * 1080)
"""A minute at 30 fps in Full HD: about what a page can be waited on for, on a CPU."""


def drive_uploaded_photo(
    animator: Animator,
    photo: np.ndarray,
    performance: bytes,
    performance_name: str,
    *,
    smooth: float = 0.0,
    scale: float = 1.0,
) -> tuple[bytes, VideoReport]:
    """`drive_photo` of a photo by an uploaded OpenFace CSV or driving video; the MP4's bytes.

    A driving video's sound goes with the performance.
    """
    with tempfile.TemporaryDirectory(prefix="tfganimation-viewer-") as folder:
        folder = Path(folder)
        source = _save(folder, "performance", performance, performance_name)
        report = drive_photo(
            animator,
            photo,
            _track(animator, source, smooth, scale),
            folder / "out.mp4",
            audio_from=source if is_video(source) else None,
            limits=VIEWER_LIMITS,
            progress=False,
        )
        return report.path.read_bytes(), report


def edit_uploaded_video(
    animator: Animator,
    video: bytes,
    video_name: str,
    *,
    target: AUs | None = None,
    performance: bytes | None = None,
    performance_name: str = "",
    smooth: float = 0.0,
    scale: float = 1.0,
) -> tuple[bytes, VideoReport]:
    """`edit_video` of an uploaded video, to `target` or to an uploaded performance; the MP4's bytes."""
    if (target is None) == (performance is None):
        raise ValueError("Give either a target expression or a performance.")
    with tempfile.TemporaryDirectory(prefix="tfganimation-viewer-") as folder:
        folder = Path(folder)
        source = _save(folder, "video", video, video_name)
        if performance is not None:
            path = _save(folder, "performance", performance, performance_name)
            target = _track(animator, path, smooth, scale)
        report = edit_video(
            animator, source, folder / "out.mp4", target, limits=VIEWER_LIMITS, progress=False
        )
        return report.path.read_bytes(), report


def _track(animator: Animator, path: Path, smooth: float, scale: float) -> AUTrack:
    track = read_track(path, animator, limits=VIEWER_LIMITS, progress=False)
    return track.smoothed(smooth).scaled(scale)


def _save(folder: Path, stem: str, data: bytes, name: str) -> Path:
    """Writes an upload as `folder/stem.<its suffix>`, refusing empty or oversized ones."""
    if not data:
        raise VideoError(f"{name} is empty.")
    if len(data) > MAX_VIDEO_UPLOAD_MB * 2**20:
        raise VideoError(
            f"{name} is {len(data) / 2**20:.0f} MB; the viewer takes up to {MAX_VIDEO_UPLOAD_MB} MB."
        )
    path = folder / f"{stem}{Path(name).suffix.lower()}"
    path.write_bytes(data)
    return path
