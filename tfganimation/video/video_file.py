"""Reading and writing video files with PyAV, whose wheels carry FFmpeg and its encoders.

Nothing is downloaded at run time: decoding, H.264 encoding (libx264) and AAC
audio come with the `av` wheel. Frames are uint8 RGB arrays; times are
seconds from the first frame, taken from each frame's presentation time, so
variable-frame-rate sources keep their timing.

Written files are H.264 in MP4 (`yuv420p`, the form browsers and phones
play), with the source's audio copied when MP4 can hold its codec and
re-encoded to AAC otherwise.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi")
"""Inputs read as videos (`tfganimation animate` edits them frame by frame)."""

OUTPUT_SUFFIX = ".mp4"

DEFAULT_MAX_FRAMES = 9_000
"""Five minutes at 30 fps: at the 1-3 frames per second a CPU edits, over an hour of work."""

DEFAULT_MAX_FRAME_PIXELS = 3840 * 2160
"""4K UHD: a larger frame is ~25 MB decoded, and its faces are far larger than the model's."""

TIME_BASE = Fraction(1, 90_000)
"""The MPEG clock: fine enough to keep any source's frame times as they are."""

_MP4_AUDIO = frozenset({"aac", "mp3", "alac", "ac3", "eac3"})
"""Audio codecs copied into MP4 as they are; any other is re-encoded to AAC."""


class VideoError(ValueError):
    """Raised for a video that cannot be read, or is over the size budget."""


@dataclasses.dataclass(frozen=True)
class VideoLimits:
    """The largest video a command takes unless told otherwise (`--allow-large`).

    Args:
        max_frames: int. Frames in the whole video. Defaults to
            `DEFAULT_MAX_FRAMES` (9,000).
        max_frame_pixels: int. Width times height of one frame. Defaults to
            `DEFAULT_MAX_FRAME_PIXELS` (4K UHD).
    """

    max_frames: int = DEFAULT_MAX_FRAMES
    max_frame_pixels: int = DEFAULT_MAX_FRAME_PIXELS

    @classmethod
    def unlimited(cls) -> "VideoLimits":
        return cls(max_frames=2**62, max_frame_pixels=2**62)

    def check_frames(self, n_frames: int, what: str) -> None:
        """Raises `VideoError` when `n_frames` is over the budget."""
        if n_frames > self.max_frames:
            raise VideoError(
                f"{what} has {n_frames:,} frames, over the limit of {self.max_frames:,}; "
                "pass --allow-large to process it anyway (or cut it shorter)."
            )


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
    av = _import_av()
    path = _existing(path)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError(f"{path} has no video stream.")
            stream = container.streams.video[0]
            rate = float(stream.average_rate or stream.guessed_rate or 0) or 25.0
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
    av = _import_av()
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
                time = float(frame.time) if frame.time is not None else index / float(stream.average_rate or 25)
                start = time if start is None else start
                index += 1
                yield VideoFrame(time=time - start, image=frame.to_ndarray(format="rgb24"))
        except av.error.FFmpegError as error:
            if index == 0:
                raise VideoError(f"{path} could not be decoded ({error}).") from error
        if index == 0:
            raise VideoError(f"{path} holds no decodable frame.")


class VideoWriter:
    """Encodes RGB frames at given times into an H.264 MP4, optionally with another file's audio.

    Frames are written with their own presentation times (seconds), so
    irregular timing is kept; `frame_rate` is the stream's nominal rate and
    the last frame's duration. Odd widths and heights lose their last
    column or row (H.264's 4:2:0 needs even sizes). The audio, cut at the
    video's end, is copied when MP4 can hold its codec and re-encoded to AAC
    otherwise.

    Args:
        path: the `.mp4` to write (callers write a temporary name and rename
            it, see `tfganimation.atomic.replacing`).
        width, height: int. The frames' size.
        frame_rate: float. Nominal frames per second.
        audio_from: path or `None`. A media file whose first audio stream is
            added to the video, if it has one.
        crf: int. x264's constant rate factor: 0 is lossless, 18 looks
            lossless, 23 is x264's default. Defaults to 18.

    Example:
    ```python
    with VideoWriter("out.mp4", 640, 480, 30.0, audio_from="clip.mp4") as writer:
        for frame in read_frames("clip.mp4"):
            writer.write(frame.image, frame.time)
    ```
    """

    def __init__(
        self,
        path: str | os.PathLike,
        width: int,
        height: int,
        frame_rate: float,
        audio_from: str | os.PathLike | None = None,
        crf: int = 18,
    ):
        if frame_rate <= 0:
            raise ValueError(f"`frame_rate` must be positive. Received: frame_rate={frame_rate}")
        av = _import_av()
        self._width, self._height = width - width % 2, height - height % 2
        if self._width < 2 or self._height < 2:
            raise VideoError(f"Frames of {width}x{height} pixels are too small to encode.")
        self._frame_duration = 1.0 / frame_rate
        self._last_pts = -1
        self._audio_source = None
        self._container = av.open(str(path), mode="w", format="mp4")
        try:
            self._stream = self._container.add_stream(
                "libx264", rate=Fraction(frame_rate).limit_denominator(1001)
            )
            self._stream.width, self._stream.height = self._width, self._height
            self._stream.pix_fmt = "yuv420p"
            self._stream.codec_context.time_base = TIME_BASE
            self._stream.options = {"crf": str(crf), "preset": "veryfast"}
            if audio_from is not None:
                self._open_audio(audio_from)  # Every stream exists before the first write.
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if kind is None:
                self._finish()
        finally:
            self.close()

    def write(self, image: np.ndarray, time: float) -> None:
        """Adds one uint8 RGB frame shown from `time` seconds (after the previous frame's)."""
        av = _import_av()
        pts = max(round(time / TIME_BASE), self._last_pts + 1)
        self._last_pts = pts
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(image[: self._height, : self._width]), format="rgb24"
        )
        frame.pts, frame.time_base = pts, TIME_BASE
        self._container.mux(self._stream.encode(frame))

    def close(self) -> None:
        """Closes the files; a video not finished by leaving the `with` block is unusable."""
        if self._audio_source is not None:
            self._audio_source[0].close()
        self._container.close()

    def _open_audio(self, source: str | os.PathLike) -> None:
        av = _import_av()
        container = av.open(str(source))
        if not container.streams.audio:
            container.close()
            return
        audio = container.streams.audio[0]
        copy = audio.codec_context.name in _MP4_AUDIO
        if copy:
            stream = self._container.add_stream_from_template(audio)
        else:
            stream = self._container.add_stream("aac", rate=audio.codec_context.sample_rate)
        self._audio_source = (container, audio, stream, copy)

    def _finish(self) -> None:
        self._container.mux(self._stream.encode(None))
        if self._audio_source is None:
            return
        container, audio, stream, copy = self._audio_source
        end = float((self._last_pts + 1) * TIME_BASE) + self._frame_duration
        if copy:
            for packet in container.demux(audio):
                if packet.pts is None:
                    continue  # The demuxer's end-of-stream marker.
                if packet.pts * packet.time_base > end:
                    break
                packet.stream = stream
                self._container.mux(packet)
            return
        for frame in container.decode(audio):
            if frame.time is not None and frame.time > end:
                break
            frame.pts = None
            self._container.mux(stream.encode(frame))
        self._container.mux(stream.encode(None))


def check_output(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """The `.mp4` to write, refused before any work if it exists (unless `overwrite`).

    Raises:
        ValueError: not an `.mp4` path.
        FileExistsError: it exists and `overwrite` is False.
    """
    from tfganimation.media import check_writable

    path = Path(path)
    if path.suffix.lower() != OUTPUT_SUFFIX:
        raise ValueError(f"Video output must be an {OUTPUT_SUFFIX} file (H.264). Received: {path}")
    return check_writable(path, overwrite)


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


def _import_av():
    """PyAV, imported when a video is first touched (importing it loads FFmpeg)."""
    import av

    return av

