"""Writing H.264 MP4s with PyAV (libx264 and AAC ship in its wheel), with a source's audio.

MP4 in `yuv420p` is the form browsers and phones play. The source's audio is
copied when MP4 can hold its codec and re-encoded to AAC otherwise.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from tfganimation.outputs import output_file
from tfganimation.video.video_limits import VideoError

OUTPUT_SUFFIX = ".mp4"

TIME_BASE = Fraction(1, 90_000)
"""The MPEG clock: fine enough to keep any source's frame times as they are."""

_MP4_AUDIO = frozenset({"aac", "mp3", "alac", "ac3", "eac3"})
"""Audio codecs copied into MP4 as they are; any other is re-encoded to AAC."""


def check_output(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """The `.mp4` to write, refused before any work if it exists (unless `overwrite`).

    Raises:
        ValueError: not an `.mp4` path.
        FileExistsError: it exists and `overwrite` is False.
    """
    path = Path(path)
    if path.suffix.lower() != OUTPUT_SUFFIX:
        raise ValueError(f"Video output must be an {OUTPUT_SUFFIX} file (H.264). Received: {path}")
    return output_file(path, overwrite)


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
        import av

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
        import av

        pts = max(round(time / TIME_BASE), self._last_pts + 1)
        self._last_pts = pts
        frame = av.VideoFrame.from_ndarray(
            np.ascontiguousarray(image[: self._height, : self._width]), format="rgb24"
        )
        frame.pts, frame.time_base = pts, TIME_BASE
        self._container.mux(self._stream.encode(frame))

    @property
    def has_audio(self) -> bool:
        """Whether the video gets a sound track (`audio_from` has one)."""
        return self._audio_source is not None

    def close(self) -> None:
        """Closes the files; a video not finished by leaving the `with` block is unusable."""
        if self._audio_source is not None:
            self._audio_source[0].close()
        self._container.close()

    def _open_audio(self, source: str | os.PathLike) -> None:
        import av

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
