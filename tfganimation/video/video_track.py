"""Reading a performance from a driving video with the model's own critic."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tfganimation.inference.animator import Animator
from tfganimation.aus import N_AUS
from tfganimation.data.openface import DEFAULT_MIN_CONFIDENCE
from tfganimation.faces import NoFaceError
from tfganimation.video.au_track import AUTrack
from tfganimation.video.face_follower import DEFAULT_DETECT_EVERY
from tfganimation.video.face_scan import scan_faces
from tfganimation.video.face_track import DEFAULT_CROP_SMOOTHING
from tfganimation.video.frame_editor import DEFAULT_BATCH_SIZE, batched
from tfganimation.video.openface_track import read_openface_track
from tfganimation.video.progress import Progress
from tfganimation.video.video_limits import VideoLimits
from tfganimation.video.video_reader import VIDEO_SUFFIXES, is_video, probe_video, read_frames


def estimate_video_track(
    animator: Animator,
    path: str | os.PathLike,
    *,
    crop_smoothing: float = DEFAULT_CROP_SMOOTHING,
    detect_every: int = DEFAULT_DETECT_EVERY,
    limits: VideoLimits = VideoLimits(),
    progress: bool = True,
) -> AUTrack:
    """The AUs of the most prominent face in each frame of a driving video, as the critic reads them.

    GANimation's critic has an AU head: trained to read the AUs of the
    training faces, it is an AU estimator that comes with every full model.
    It is coarser than OpenFace: it knows only the model's training data, at
    the model's face size, and reads best on faces framed as those were
    (docs/video.md measures the demo's against synthetic ground truth: good on
    the renderer's framing, offset on the detector crops used here), so
    drive with an OpenFace CSV where accuracy matters. Frames where the face
    is not tracked are invalid and hold the last AUs read.

    Args:
        animator: Animator. A model with a critic (`has_critic`): a run, a
            `.keras` file, `demo`, or a SavedModel export with `estimate_aus`.
        path: the driving video.
        crop_smoothing: float. Seconds; see `track_faces`. Defaults to 0.1.
        detect_every: int. Frames from one face detection to the next, the
            faces followed by optical flow between (`FaceFollower`); 1
            detects on every frame. Defaults to 10.
        limits: VideoLimits. Defaults to `VideoLimits()`.
        progress: bool. Progress bars on stderr. Defaults to True.

    Raises:
        ValueError: the model has no critic (LiteRT files hold the generator only).
        VideoError: the video cannot be read or is over `limits`.
        NoFaceError: no frame has a face.
    """
    if not animator.has_critic:
        raise ValueError(
            f"The model {animator.metadata['model']} ({animator.backend}) has no critic, so it "
            "cannot read AUs from a driving video: use a run, a .keras file, demo, a SavedModel "
            "export or a PyTorch checkpoint with its critic beside it, or drive with an OpenFace CSV."
        )
    path = Path(path)
    info = probe_video(path, limits)
    times, tracks = scan_faces(
        path,
        info.n_frames,
        smoothing=crop_smoothing,
        detect_every=detect_every,
        progress=progress,
    )
    if not tracks:
        raise NoFaceError(f"no face found in any of the {len(times)} frames of {path}.")
    faces = tracks[0].faces
    aus = np.zeros((len(times), N_AUS), np.float32)
    indexed = enumerate(read_frames(path))
    with Progress("Reading AUs", len(times), enabled=progress) as bar:
        for batch in batched(indexed, DEFAULT_BATCH_SIZE):
            found = [(index, frame) for index, frame in batch if index in faces]
            if found:
                crops = [
                    animator.crop(frame.image, faces[index]).image
                    for index, frame in found
                ]
                aus[[index for index, _ in found]] = animator.estimate_crops(np.stack(crops))
            bar.advance(len(batch))
    valid = np.isin(np.arange(len(times)), list(faces))
    return AUTrack(times, aus, valid, source=f"{path.name} (read by the model's critic)")


def read_track(
    source: str | os.PathLike,
    animator: Animator | None = None,
    *,
    face_id: int | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    detect_every: int = DEFAULT_DETECT_EVERY,
    limits: VideoLimits = VideoLimits(),
    progress: bool = True,
) -> AUTrack:
    """A performance from an OpenFace CSV (`read_openface_track`) or a driving video
    (`estimate_video_track`, which needs `animator`; `detect_every` is its), told apart by
    the file's suffix."""
    if is_video(source):
        if animator is None:
            raise ValueError("Reading AUs from a driving video needs a model (animator=...).")
        return estimate_video_track(
            animator, source, detect_every=detect_every, limits=limits, progress=progress
        )
    if Path(source).suffix.lower() != ".csv":
        raise ValueError(
            f"A performance comes from an OpenFace CSV (.csv) or a driving video "
            f"({', '.join(VIDEO_SUFFIXES)}). Received: {source}"
        )
    return read_openface_track(source, face_id=face_id, min_confidence=min_confidence)
