"""The video half of `tfganimation animate`: drive a photo with a performance, or edit a video."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tfganimation.commands.arguments import add_renamed_option, non_negative_float, positive_int
from tfganimation.data.openface import DEFAULT_MIN_CONFIDENCE  # plain data, no TensorFlow

if TYPE_CHECKING:  # The library is imported when the command runs, not when it parses.
    from tfganimation.video import AUTrack, VideoLimits

VIDEO_EPILOG = """\
performances and videos:
  tfganimation animate photo.jpg --aus-from performance.csv --out out.mp4   # OpenFace CSV
  tfganimation animate photo.jpg --aus-from driving.mp4 --out out.mp4       # the critic reads it
  tfganimation animate clip.mp4 --preset happy --out clip_happy.mp4         # edit a video
  tfganimation animate clip.mp4 --aus-from performance.csv --smooth 0.05 --aus-scale 1.5

A photo with --aus-from becomes an MP4 with one frame per row of the
performance, timed by it. PHOTO may be a video (.mp4, .mov, .m4v, .mkv,
.webm, .avi): it is edited frame by frame; faces are detected every
--detect-every frames and followed by optical flow between, their crops
smoothed over time, frames without a face kept as they are, and the frame
rate and audio kept. OpenFace rows that failed (success 0, confidence
below --hold-below), and driving frames without a face, hold the last good
AUs. Videos over 9,000 frames or 3840x2160 pixels are refused unless
--allow-large.
"""


def add_video_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of performance driving and video editing (`--aus-from` is in the target group)."""
    group = parser.add_argument_group("performances and videos")
    group.add_argument(
        "--track-face",
        type=int,
        default=None,
        metavar="ID",
        help="with an OpenFace CSV that tracked several faces: the face_id to follow "
        "(default: the face with the most successful rows)",
    )
    add_renamed_option(
        group,
        "--hold-below",
        "--min-confidence",
        type=float,
        default=DEFAULT_MIN_CONFIDENCE,
        metavar="CONFIDENCE",
        help="with an OpenFace CSV: rows less confident than this hold the last good AUs "
        "(default %(default)s, the confidence prepare keeps)",
    )
    group.add_argument(
        "--smooth",
        type=non_negative_float,
        default=None,
        metavar="SECONDS",
        help="with --aus-from: smooth the AUs over time (Gaussian, this standard deviation; "
        "default: not smoothed)",
    )
    group.add_argument(
        "--aus-scale",
        type=non_negative_float,
        default=None,
        metavar="FACTOR",
        help="with --aus-from: multiply every intensity (>1 exaggerates, <1 damps; kept in 0..5; "
        "default 1)",
    )
    group.add_argument(
        "--crop-smoothing",
        type=non_negative_float,
        default=0.1,
        metavar="SECONDS",
        help="video faces: smooth the crop boxes over time so the edit does not jitter "
        "(default 0.1)",
    )
    group.add_argument(
        "--detect-every",
        type=positive_int,
        default=10,
        metavar="FRAMES",
        help="video faces: run the face detector every FRAMES frames and follow the faces by "
        "optical flow between (and detect again where a face is lost); 1 detects on every frame, "
        "slower (default 10)",
    )
    add_renamed_option(
        group,
        "--frames-per-call",
        "--batch-size",
        type=positive_int,
        default=8,
        metavar="FRAMES",
        help="video frames the model edits per call (default 8)",
    )
    group.add_argument(
        "--allow-large", action="store_true", help="process videos over the frame and pixel budget"
    )
    group.add_argument("--quiet", action="store_true", help="no progress bars")


def run_video(args: argparse.Namespace, open_animator: Callable[[], Any]) -> int:
    """Runs `animate` on a video PHOTO or with `--aus-from`; `open_animator()` loads the model."""
    from tfganimation.inference.animator import to_aus
    from tfganimation.video import VideoLimits, check_output, drive_photo, edit_video, is_video

    # Everything that can be checked cheaply is, before the model loads.
    source = Path(args.photo)
    editing = is_video(source)
    if args.show_attention:
        raise ValueError("--show-attention is for photo edits, not for videos.")
    if args.aus_from is None and (args.smooth is not None or args.aus_scale is not None):
        raise ValueError("--smooth and --aus-scale shape a performance: use them with --aus-from.")
    if editing and (args.center_crop or not isinstance(args.face, str)):
        raise ValueError("In a video, --face is all or largest, and --center-crop is for photos.")
    out = check_output(
        args.out or f"{source.stem}_{'edited' if editing else 'performance'}.mp4", args.overwrite
    )
    if not source.is_file():
        raise FileNotFoundError(f"{'Video' if editing else 'Photo'} not found: {source}")
    limits = VideoLimits.unlimited() if args.allow_large else VideoLimits()
    driving_video = args.aus_from is not None and is_video(args.aus_from)

    animator = open_animator() if driving_video else None  # Its critic reads the driver.
    if args.aus_from is not None:
        target = _performance(args, animator, limits)
    else:
        target = to_aus(args.aus if args.aus is not None else args.preset)
    animator = animator or open_animator()
    common = {
        "batch_size": args.frames_per_call,
        "limits": limits,
        "overwrite": args.overwrite,
        "progress": not args.quiet,
    }
    if editing:
        report = edit_video(
            animator,
            source,
            out,
            target,
            face=args.face,
            crop_smoothing=args.crop_smoothing,
            detect_every=args.detect_every,
            **common,
        )
    else:
        report = drive_photo(
            animator,
            source,
            target,
            out,
            face=args.face,
            center_crop=args.center_crop,
            audio_from=args.aus_from if driving_video else None,
            **common,
        )
    print(report.summary())
    return 0


def _performance(args: argparse.Namespace, animator: Any, limits: VideoLimits) -> AUTrack:
    """The `--aus-from` track, smoothed and scaled as asked; says what it read."""
    from tfganimation.video import read_track

    track = read_track(
        args.aus_from,
        animator,
        face_id=args.track_face,
        detect_every=args.detect_every,
        min_confidence=args.hold_below,
        limits=limits,
        progress=not args.quiet,
    )
    track = track.smoothed(args.smooth or 0.0)
    track = track.scaled(1.0 if args.aus_scale is None else args.aus_scale)
    print(
        f"Performance {track.source}: {len(track)} frames at {track.frame_rate:.3g} fps; "
        f"{track.n_invalid} held the last good AUs."
    )
    return track
