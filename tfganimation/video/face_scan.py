"""The first pass over a video: find and track its faces before anything is edited."""

from __future__ import annotations

import os

import numpy as np

from tfganimation.faces import detect_faces
from tfganimation.video.face_track import DEFAULT_CROP_SMOOTHING, FaceTrack, track_faces
from tfganimation.video.progress import Progress
from tfganimation.video.stage_timer import StageTimer
from tfganimation.video.video_reader import read_frames


def scan_faces(
    path: str | os.PathLike,
    expected_frames: int,
    *,
    smoothing: float = DEFAULT_CROP_SMOOTHING,
    timer: StageTimer | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, list[FaceTrack]]:
    """Decodes every frame, detects its faces (MTCNN) and links them into smoothed tracks.

    Only the faces are kept, not the frames, so a long video costs little
    memory; the edit decodes it again. Tracking needs the whole video first:
    the crop smoothing is centred in time.

    Args:
        path: the video.
        expected_frames: int. For the progress bar (`VideoInfo.n_frames`).
        smoothing: float. See `track_faces`. Defaults to 0.1 s.
        timer: StageTimer or `None`. Gets `"decode"` and `"detect"`.
        progress: bool. Draw a progress bar on stderr. Defaults to True.

    Returns:
        `(times, tracks)`: each frame's time in seconds and the face tracks,
        most prominent first (empty when no frame has a face).
    """
    timer = timer or StageTimer()
    times, detections = [], []
    with Progress("Finding faces", expected_frames, enabled=progress) as bar:
        for frame in timer.iterate("decode", read_frames(path)):
            with timer("detect"):
                detections.append(detect_faces(frame.image))
            times.append(frame.time)
            bar.advance()
    with timer("detect"):
        tracks = track_faces(detections, times, smoothing=smoothing)
    return np.asarray(times), tracks
