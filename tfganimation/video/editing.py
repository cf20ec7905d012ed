"""Editing the faces of a video: `edit_video`."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np

from tfganimation.inference.animator import AUs, Animator, to_aus
from tfganimation.atomic import replacing
from tfganimation.faces import NoFaceError
from tfganimation.video.au_track import AUTrack
from tfganimation.video.background_writer import BackgroundWriter
from tfganimation.video.face_follower import DEFAULT_DETECT_EVERY
from tfganimation.video.face_scan import scan_faces
from tfganimation.video.face_track import DEFAULT_CROP_SMOOTHING, select_tracks
from tfganimation.video.frame_editor import DEFAULT_BATCH_SIZE, batched, edit_frames
from tfganimation.video.prefetch import prefetched
from tfganimation.video.progress import Progress
from tfganimation.video.stage_timer import StageTimer
from tfganimation.video.video_limits import VideoLimits
from tfganimation.video.video_reader import probe_video, read_frames
from tfganimation.video.video_writer import VideoWriter, check_output
from tfganimation.video.video_report import VideoReport


def edit_video(
    animator: Animator,
    source: str | os.PathLike,
    out: str | os.PathLike,
    target: AUs | AUTrack,
    *,
    face: str = "largest",
    crop_smoothing: float = DEFAULT_CROP_SMOOTHING,
    detect_every: int = DEFAULT_DETECT_EVERY,
    batch_size: int = DEFAULT_BATCH_SIZE,
    limits: VideoLimits = VideoLimits(),
    overwrite: bool = False,
    progress: bool = True,
) -> VideoReport:
    """Gives the faces of a video an expression, or a performance, and writes it as MP4.

    Two passes: the first finds the faces in every frame and follows them
    (`scan_faces`: the detector on every `detect_every`-th frame and
    wherever a face is lost, optical flow between; tracks linked by
    overlap, short misses bridged, crops smoothed over time so the edit
    does not jitter); the second decodes again, edits `batch_size` frames
    per model call and encodes. In both, frames are decoded by a background
    thread, and in the second encoded by another, beside the model. Frames
    without a tracked face are written unchanged. Frame times (hence the
    frame rate) are the source's, and its audio is kept.

    Args:
        animator: Animator. The model, in the precision it was opened with
            (`Animator(precision="auto")`: the fastest the model and this
            machine have); the report says which.
        source: the video (anything FFmpeg reads).
        out: the `.mp4` to write; written under a temporary name and renamed
            when complete.
        target: a fixed expression (anything `Animator.edit` takes: a preset
            name, `"AU12=3"`, 17 values) or an `AUTrack`, sampled at each
            frame's time (held past its end).
        face: `"largest"` (the most prominent face over the video) or
            `"all"`. Defaults to `"largest"`.
        crop_smoothing: float. Seconds; see `track_faces`. Defaults to 0.1.
        detect_every: int. Frames from one face detection to the next (faces
            are followed by optical flow between); 1 detects on every frame.
            Defaults to 10.
        batch_size: int. Frames per model call. Defaults to 8.
        limits: VideoLimits. Refuse larger videos. Defaults to `VideoLimits()`.
        overwrite: bool. Replace an existing `out`. Defaults to False.
        progress: bool. Progress bars on stderr. Defaults to True.

    Returns:
        A `VideoReport`.

    Raises:
        FileExistsError: `out` exists and `overwrite` is False.
        VideoError: the video cannot be read or is over `limits`.
        NoFaceError: no frame has a face.
    """
    started = time.perf_counter()
    out = check_output(out, overwrite)
    targets = target if isinstance(target, AUTrack) else to_aus(target)
    info = probe_video(source, limits)
    timer = StageTimer()
    times, tracks = scan_faces(
        source,
        info.n_frames,
        smoothing=crop_smoothing,
        detect_every=detect_every,
        timer=timer,
        progress=progress,
    )
    chosen = select_tracks(tracks, face)
    if not chosen:
        raise NoFaceError(f"no face found in any of the {len(times)} frames of {source}.")
    aus = targets.at(times) if isinstance(targets, AUTrack) else np.tile(targets, (len(times), 1))
    faces = [
        [track.faces[index] for track in chosen if index in track.faces]
        for index in range(len(times))
    ]
    decoded = prefetched(timer.iterate("decode", read_frames(source)), depth=batch_size)
    with (
        contextlib.closing(decoded) as frames,
        replacing(out) as temporary,
        VideoWriter(
            temporary, info.width, info.height, info.frame_rate, audio_from=source
        ) as video,
        BackgroundWriter(video, timer, depth=batch_size) as writer,
        Progress("Editing frames", len(times), enabled=progress) as bar,
    ):
        start = 0
        for batch in batched(frames, batch_size):
            stop = start + len(batch)
            images = edit_frames(
                animator,
                [frame.image for frame in batch],
                faces[start:stop],
                aus[start:stop],
                timer,
            )
            for frame, image in zip(batch, images):
                writer.write(image, frame.time)
            bar.advance(len(batch))
            start = stop
    edited = sum(1 for frame_faces in faces if frame_faces)
    return VideoReport(
        path=Path(out),
        frames=len(times),
        frame_rate=info.frame_rate,
        duration=float(times[-1]) + 1.0 / info.frame_rate,
        frames_edited=edited,
        frames_without_face=len(times) - edited,
        held_rows=targets.n_invalid if isinstance(targets, AUTrack) else 0,
        audio=video.has_audio,
        backend=animator.backend,
        precision=animator.precision or "",
        seconds=dict(timer.seconds),
        wall_seconds=time.perf_counter() - started,
    )
