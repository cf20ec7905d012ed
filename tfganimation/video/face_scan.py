"""The first pass over a video: find and track its faces before anything is edited."""

from __future__ import annotations

import contextlib
import os

import numpy as np

from tfganimation.video.face_follower import DEFAULT_DETECT_EVERY, FaceFollower
from tfganimation.video.face_track import DEFAULT_CROP_SMOOTHING, FaceTrack, track_faces
from tfganimation.video.prefetch import prefetched
from tfganimation.video.progress import Progress
from tfganimation.video.stage_timer import StageTimer
from tfganimation.video.video_reader import read_frames


def scan_faces(
    path: str | os.PathLike,
    expected_frames: int,
    *,
    smoothing: float = DEFAULT_CROP_SMOOTHING,
    detect_every: int = DEFAULT_DETECT_EVERY,
    timer: StageTimer | None = None,
    progress: bool = True,
) -> tuple[np.ndarray, list[FaceTrack]]:
    """Decodes every frame, finds its faces and links them into smoothed tracks.

    Faces are detected (MTCNN) on key frames and followed by optical flow
    between them (`FaceFollower`); frames are decoded by a background thread
    meanwhile. Only the faces are kept, not the frames, so a long video
    costs little memory; the edit decodes it again. Tracking needs the
    whole video first: the crop smoothing is centred in time.

    Args:
        path: the video.
        expected_frames: int. For the progress bar (`VideoInfo.n_frames`).
        smoothing: float. See `track_faces`. Defaults to 0.1 s.
        detect_every: int. Frames from one detection to the next; 1 detects
            on every frame. Defaults to `DEFAULT_DETECT_EVERY` (10).
        timer: StageTimer or `None`. Gets `"decode"`, `"detect"` and `"track"`.
        progress: bool. Draw a progress bar on stderr. Defaults to True.

    Returns:
        `(times, tracks)`: each frame's time in seconds and the face tracks,
        most prominent first (empty when no frame has a face).
    """
    timer = timer or StageTimer()
    follower = FaceFollower(detect_every, timer=timer)
    times, detections = [], []
    decoded = prefetched(timer.iterate("decode", read_frames(path)))
    with (
        contextlib.closing(decoded) as frames,
        Progress("Finding faces", expected_frames, enabled=progress) as bar,
    ):
        for frame in frames:
            detections.append(list(follower(frame.image)))
            for back, face in follower.found_late:
                detections[-1 - back].append(face)
            times.append(frame.time)
            bar.advance()
    with timer("track"):
        tracks = track_faces(detections, times, smoothing=smoothing)
    return np.asarray(times), tracks
