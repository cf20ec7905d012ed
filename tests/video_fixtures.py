"""Small videos and OpenFace CSVs for the video tests, made on the spot with known AUs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tfganimation.aus import AU_CODES, N_AUS
from tfganimation.synthetic import render_face, sample_identity
from tfganimation.video import VideoWriter

FACE = 64
"""Side of the rendered face, in pixels: MTCNN finds it, the TINY model edits it fast."""

CANVAS = (96, 128)
"""Frame height and width: the face with room around it."""

BACKGROUND = (90, 110, 130)


def face_frame(aus: np.ndarray, seed: int = 4, shift: tuple[int, int] = (0, 0)) -> np.ndarray:
    """A frame with one synthetic face (identity `seed`) showing `aus` (OpenFace scale)."""
    frame = np.empty((*CANVAS, 3), np.uint8)
    frame[:] = BACKGROUND
    top = (CANVAS[0] - FACE) // 2 + shift[0]
    left = (CANVAS[1] - FACE) // 2 + shift[1]
    face = render_face(sample_identity(np.random.default_rng(seed)), aus, FACE)
    frame[top : top + FACE, left : left + FACE] = face
    return frame


def placed_face_frame(
    left: int, top: int | None = None, canvas: tuple[int, int] = CANVAS, seed: int = 4
) -> np.ndarray:
    """A neutral face with its top-left corner at `(left, top)` (default: centred vertically) on
    a `canvas` of (height, width); the part outside the canvas is cut off, so it can enter and
    leave the picture."""
    height, width = canvas
    top = (height - FACE) // 2 if top is None else top
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = BACKGROUND
    face = render_face(sample_identity(np.random.default_rng(seed)), np.zeros(N_AUS), FACE)
    rows = slice(max(0, top), min(height, top + FACE))
    columns = slice(max(0, left), min(width, left + FACE))
    if rows.start < rows.stop and columns.start < columns.stop:
        frame[rows, columns] = face[
            rows.start - top : rows.stop - top, columns.start - left : columns.stop - left
        ]
    return frame


def empty_frame() -> np.ndarray:
    frame = np.empty((*CANVAS, 3), np.uint8)
    frame[:] = BACKGROUND
    return frame


def write_video(
    path: Path, frames: list[np.ndarray], fps: float = 10.0, audio: Path | None = None
) -> Path:
    """Frames as an H.264 MP4 at a nearly lossless quality, optionally with `audio`'s sound."""
    with VideoWriter(
        path, frames[0].shape[1], frames[0].shape[0], fps, audio_from=audio, crf=4
    ) as writer:
        for index, frame in enumerate(frames):
            writer.write(frame, index / fps)
    return path


def write_tone(path: Path, seconds: float, codec: str = "aac", rate: int = 16_000) -> Path:
    """A 440 Hz tone as an audio-only file (`.m4a` for AAC, `.wav` for PCM)."""
    import av

    samples = (0.3 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)).astype(
        np.float32
    )
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(samples[None], format="flt", layout="mono")
        frame.sample_rate, frame.pts = rate, 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def audio_seconds(path: Path) -> float:
    """Seconds of sound in a file's first audio stream (0 without one)."""
    import av

    with av.open(str(path)) as container:
        if not container.streams.audio:
            return 0.0
        return sum(frame.samples / frame.sample_rate for frame in container.decode(audio=0))


def write_openface_csv(
    path: Path,
    times: np.ndarray,
    aus: np.ndarray,
    success: np.ndarray | None = None,
    confidence: np.ndarray | None = None,
    face_ids: np.ndarray | None = None,
    separator: str = ", ",
) -> Path:
    """A FeatureExtraction-style CSV: frame, [face_id,] timestamp, confidence, success, a landmark, AUs."""
    n = len(times)
    success = np.ones(n, int) if success is None else success
    confidence = np.full(n, 0.98) if confidence is None else confidence
    columns = [
        "frame",
        *(["face_id"] if face_ids is not None else []),
        "timestamp",
        "confidence",
        "success",
        "x_0",
    ]
    columns += [f"{code}_r" for code in AU_CODES] + [f"{code}_c" for code in AU_CODES]
    lines = [separator.join(columns)]
    for row in range(n):
        values = [str(row + 1), *([str(face_ids[row])] if face_ids is not None else [])]
        values += [f"{times[row]:.3f}", f"{confidence[row]:.2f}", str(success[row]), "312.5"]
        values += [f"{value:.2f}" for value in aus[row]] + ["1.00"] * N_AUS
        lines.append(separator.join(values))
    path.write_text("\n".join(lines) + "\n")
    return path
