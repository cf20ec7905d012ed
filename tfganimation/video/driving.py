"""Making a photo perform: `drive_photo`."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tfganimation.inference.animator import Animator, FaceChoice
from tfganimation.atomic import replacing
from tfganimation.faces import load_photo
from tfganimation.faces.photos import PhotoSource
from tfganimation.video.au_track import AUTrack
from tfganimation.video.background_writer import BackgroundWriter
from tfganimation.video.frame_editor import DEFAULT_BATCH_SIZE, batched, edit_frames
from tfganimation.video.progress import Progress
from tfganimation.video.stage_timer import StageTimer
from tfganimation.video.video_limits import VideoLimits
from tfganimation.video.video_writer import VideoWriter, check_output
from tfganimation.video.video_report import VideoReport


def drive_photo(
    animator: Animator,
    photo: PhotoSource,
    track: AUTrack,
    out: str | os.PathLike,
    *,
    face: FaceChoice = "largest",
    center_crop: bool = False,
    audio_from: str | os.PathLike | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    limits: VideoLimits = VideoLimits(),
    overwrite: bool = False,
    progress: bool = True,
) -> VideoReport:
    """Animates the face(s) of one photo with a performance: one output frame per track row.

    Frame `k` is the photo edited to `track.aus[k]`, shown at
    `track.times[k]`: the video has the performance's timing and frame rate
    (irregular timestamps included). Faces are found once; `batch_size`
    frames go through the model per call while the previous ones are
    encoded on a background thread.

    Args:
        animator: Animator. The model.
        photo: anything `load_photo` reads.
        track: AUTrack. The performance (`read_openface_track`,
            `estimate_video_track`), already smoothed or scaled as wanted.
        out: the `.mp4` to write; written under a temporary name and renamed
            when complete.
        face, center_crop: which faces; see `Animator.find_faces`.
        audio_from: path or `None`. A file whose sound goes with the
            performance, such as the driving video: its audio is added, cut
            at the video's end. Defaults to `None` (silent).
        batch_size: int. Frames per model call. Defaults to 8.
        limits: VideoLimits. Tracks with more rows than `max_frames` are
            refused. Defaults to `VideoLimits()`.
        overwrite: bool. Replace an existing `out`. Defaults to False.
        progress: bool. A progress bar on stderr. Defaults to True.

    Returns:
        A `VideoReport`.
    """
    started = time.perf_counter()
    out = check_output(out, overwrite)
    limits.check_frames(len(track), track.source or "The AU track")
    image = load_photo(photo, max_pixels=animator.max_pixels)
    timer = StageTimer()
    with timer("detect"):
        faces = animator.find_faces(image, face=face, center_crop=center_crop)
    height, width = image.shape[:2]
    rows = batched(range(len(track)), batch_size)
    with (
        replacing(out) as temporary,
        VideoWriter(temporary, width, height, track.frame_rate, audio_from=audio_from) as video,
        BackgroundWriter(video, timer, depth=batch_size) as writer,
        Progress("Animating frames", len(track), enabled=progress) as bar,
    ):
        for batch in rows:
            frames = edit_frames(
                animator, [image] * len(batch), [faces] * len(batch), track.aus[batch], timer
            )
            for row, frame in zip(batch, frames):
                writer.write(frame, track.times[row])
            bar.advance(len(batch))
    return VideoReport(
        path=Path(out),
        frames=len(track),
        frame_rate=track.frame_rate,
        duration=track.duration,
        frames_edited=len(track),
        held_rows=track.n_invalid,
        audio=video.has_audio,
        backend=animator.backend,
        precision=animator.precision or "",
        seconds=dict(timer.seconds),
        wall_seconds=time.perf_counter() - started,
    )
