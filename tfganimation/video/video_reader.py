"""Reading videos with PyAV, whose wheels carry FFmpeg: nothing is downloaded at run time.

Frames are uint8 RGB arrays; times are seconds from the first frame, taken
from each frame's presentation time, so variable-frame-rate sources keep
their timing. PyAV is imported when a video is first read.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from tfganimation.video.video_limits import VideoError, VideoLimits

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi")
"""Inputs read as videos (`tfganimation animate` edits them frame by frame)."""

_FALLBACK_RATE = 25.0
"""Frames per second assumed for a stream whose header gives none (PAL's rate)."""


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    """What a video holds, read from its header.

    Args:
        width, height: int. Frame size in pixels.
        frame_rate: float. The stream's nominal frames per second.
        n_frames: int. Frames in the stream (from the header, else from its
            duration and frame rate).
        has_audio: bool. Whether it has an audio stream.
    """

    width: int
    height: int
    frame_rate: float
    n_frames: int
    has_audio: bool


@dataclasses.dataclass(frozen=True, eq=False)
class VideoFrame:
    """One decoded frame: uint8 RGB `image [H, W, 3]` shown at `time` seconds."""

    time: float
    image: np.ndarray


def is_video(path: str | os.PathLike) -> bool:
    """Whether a path names a video by its suffix (`VIDEO_SUFFIXES`)."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def probe_video(path: str | os.PathLike, limits: VideoLimits = VideoLimits()) -> VideoInfo:
    """Reads a video's header and checks it against `limits`, before any frame is decoded.

    Raises:
        FileNotFoundError: nothing at `path`.
        VideoError: not a video FFmpeg can read, no video stream, or over
            `limits`.
    """
    import av

    path = _existing(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError(f"{path} has no video stream.")
            stream = container.streams.video[0]
            rate = float(stream.average_rate or stream.guessed_rate or _FALLBACK_RATE)
            n_frames = stream.frames
            if not n_frames:
                seconds = _duration_seconds(stream, container)
                n_frames = round(seconds * rate)
            info = VideoInfo(
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                frame_rate=rate,
                n_frames=int(n_frames),
                has_audio=bool(container.streams.audio),
            )
    except av.error.FFmpegError as error:
        raise VideoError(f"{path} is not a video FFmpeg can read ({error}).") from error
    if info.width * info.height > limits.max_frame_pixels:
        raise VideoError(
            f"{path} is {info.width}x{info.height} = {info.width * info.height / 1e6:.1f} "
            f"megapixels a frame, over the limit of {limits.max_frame_pixels / 1e6:.1f}; pass "
            "--allow-large to process it anyway (or scale it down)."
        )
    limits.check_frames(info.n_frames, str(path))
    return info


def read_frames(path: str | os.PathLike) -> Iterator[VideoFrame]:
    """Decodes a video's frames in order, as RGB, timed from the first frame.

    Raises:
        VideoError: the stream is corrupt before its first frame (later
            damage ends the video where FFmpeg gives up, as players do).
    """
    import av

    path = _existing(path)
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as error:
        raise VideoError(f"{path} is not a video FFmpeg can read ({error}).") from error
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start = None
        index = 0
        try:
            for frame in container.decode(stream):
                time = (
                    float(frame.time)
                    if frame.time is not None
                    else index / float(stream.average_rate or _FALLBACK_RATE)
                )
                start = time if start is None else start
                index += 1
                yield VideoFrame(time=time - start, image=frame.to_ndarray(format="rgb24"))
        except av.error.FFmpegError as error:
            if index == 0:
                raise VideoError(f"{path} could not be decoded ({error}).") from error
        if index == 0:
            raise VideoError(f"{path} holds no decodable frame.")


def _duration_seconds(stream, container) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return 0.0


def _existing(path: str | os.PathLike) -> Path:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Video not found: {path}")
    return path
