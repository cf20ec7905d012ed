"""Video throughput per runtime and stage, and how well the critic reads a driving video.

Two measurements on this machine's CPU:

1. **Frames per second** of editing a video (`edit_video`: decode, detect,
   track, edit, paste, encode; faces detected every `--detect-every` frames
   and followed by optical flow between) and of driving a photo from an
   OpenFace CSV (`drive_photo`), with the shipped demo model (64 px, Keras)
   and with each runtime of the paper's 128-px generator (conv_dim 64, 6
   residual blocks): Keras, SavedModel and LiteRT. That generator has
   random weights, which time the same as trained ones (no trained 128-px
   model ships); it is saved and exported as `benchmarks/animate.py` does.
   Each edit is timed `--repeats` times and the worst run is reported too;
   the demo is also timed detecting on every frame (`detect_every=1`, as
   before key frames). The clip is `--frames` frames of `--size` (640x360)
   at 30 fps with one synthetic 200-px face and an AAC sound track.
2. **Driving-video AU error**: the shipped demo model's critic reads a
   rendered driving video whose AUs are known for every frame (smooth
   random expressions, `tfganimation.synthetic`); its mean absolute error
   on OpenFace's 0..5 scale is set beside always answering the clip's mean
   AUs (a reader that sees nothing), with each AU's correlation: through
   the whole pipeline, on the pipeline's crops placed where the face is,
   and on the framing the demo was trained on.

    python benchmarks/video.py [--frames 72] [--size 640x360] [--repeats 3] [--detect-every 10]
        [--driving-frames 120] [--no-driving-error] [--variants dynamic] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2
import numpy as np
from animate import export

from tfganimation.inference.animator import Animator
from tfganimation.aus import AU_CODES, N_AUS
from tfganimation.faces import crop_face, detect_faces
from tfganimation.synthetic import render_face, sample_aus, sample_identity
from tfganimation.video import (
    AUTrack,
    VideoWriter,
    drive_photo,
    edit_video,
    estimate_video_track,
    read_frames,
)
from tfganimation.video.face_follower import DEFAULT_DETECT_EVERY
from tfganimation.video.video_report import STAGES

FRAME_SIZE = (360, 640)
FACE_SIDE = 200
FRAME_RATE = 30.0


def performance(frames: int, seed: int) -> np.ndarray:
    """Smooth random expressions: `[frames, 17]` AUs, a new key expression every 10 frames."""
    rng = np.random.default_rng(seed)
    keys = sample_aus(rng, frames // 10 + 2)
    positions = np.arange(frames) / 10
    return np.stack(
        [np.interp(positions, np.arange(len(keys)), keys[:, au]) for au in range(N_AUS)], axis=1
    ).astype(np.float32)


def face_frame(identity, aus: np.ndarray) -> np.ndarray:
    """One synthetic face showing `aus`, centred in a `FRAME_SIZE` frame."""
    height, width = FRAME_SIZE
    top, left = (height - FACE_SIDE) // 2, (width - FACE_SIDE) // 2
    frame = np.full((height, width, 3), (90, 110, 130), np.uint8)
    frame[top : top + FACE_SIDE, left : left + FACE_SIDE] = render_face(identity, aus, FACE_SIDE)
    return frame


def render_clip(path: Path, aus: np.ndarray, seed: int, audio: Path | None = None) -> Path:
    """One synthetic face (identity `seed`) performing `aus`, at `FRAME_RATE`."""
    identity = sample_identity(np.random.default_rng(seed))
    height, width = FRAME_SIZE
    with VideoWriter(path, width, height, FRAME_RATE, audio_from=audio) as writer:
        for index, frame_aus in enumerate(aus):
            writer.write(face_frame(identity, frame_aus), index / FRAME_RATE)
    return path


def tone(path: Path, seconds: float) -> Path:
    import av

    rate = 44_100
    samples = (0.2 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)).astype(
        np.float32
    )
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=rate)
        frame = av.AudioFrame.from_ndarray(samples[None], format="flt", layout="mono")
        frame.sample_rate, frame.pts = rate, 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def throughput(
    folder: Path,
    frames: int,
    variants: list[str],
    seed: int,
    repeats: int,
    detect_every: int,
    runtimes: list[str],
) -> dict:
    """`{model: {"edit_video": {...}, "drive_csv": {...}}}`: frames/s and the share per stage."""
    aus = performance(frames, seed)
    clip = render_clip(
        folder / "clip.mp4", aus, seed, audio=tone(folder / "tone.m4a", frames / FRAME_RATE)
    )
    track = AUTrack(np.arange(frames) / FRAME_RATE, aus, np.ones(frames, bool), source="benchmark")
    photo = face_frame(sample_identity(np.random.default_rng(seed)), np.zeros(N_AUS))
    models = {"demo": "demo"} if "demo" in runtimes else {}
    if set(runtimes) - {"demo"}:
        exported = export(folder, variants, seed)
        models.update(
            {
                f"128px {label}": path
                for label, path in exported.items()
                if label.split()[0] in runtimes
            }
        )
    results = {}
    for label, path in models.items():
        animator = Animator(path)
        animator.edit(photo, "happy")  # Warm-up: tracing, delegates, the detector.

        def edit(every: int) -> dict:
            out = folder / f"{label.replace(' ', '_')}_edit.mp4"
            return summarize(
                edit_video(
                    animator, clip, out, "happy", detect_every=every, overwrite=True, progress=False
                )
            )

        runs = [edit(detect_every) for _ in range(repeats)]
        results[label] = {
            "edit_video": {
                "detect_every": detect_every,
                "runs": runs,
                "worst_frames_per_second": min(run["frames_per_second"] for run in runs),
            },
            "drive_csv": summarize(
                drive_photo(
                    animator, photo, track, folder / "drive.mp4", overwrite=True, progress=False
                )
            ),
        }
        if label == "demo":
            results[label]["edit_video_detect_every_frame"] = edit(1)
        print(label, json.dumps(results[label]), flush=True)
    return results


def summarize(report) -> dict:
    """Frames/s over the wall-clock time; each stage's share of the stages' own time."""
    total = sum(report.seconds.values())
    return {
        "frames": report.frames,
        "frames_edited": report.frames_edited,
        "frames_per_second": round(report.throughput, 2),
        "wall_seconds": round(report.elapsed, 3),
        "stage_seconds": {stage: round(report.seconds.get(stage, 0.0), 3) for stage in STAGES},
        "share": {stage: round(report.seconds.get(stage, 0.0) / total, 3) for stage in STAGES},
    }


def driving_error(folder: Path, frames: int, seed: int) -> dict:
    """The demo critic's AU error on a rendered driving video, against knowing nothing.

    Three ways: through the whole pipeline (`estimate_video_track`: MTCNN
    finds and tracks the face, the critic reads each crop; frames where the
    face is not found hold the last AUs read and are left out of the error);
    on every frame cropped where the face is, as the pipeline crops (the
    face does not move, so the box MTCNN finds on the neutral face serves
    all frames): the critic alone; and on the rendered face square, the
    framing the demo was trained on (`render_face`'s whole image).
    """
    truth = performance(frames, seed + 1)
    clip = render_clip(folder / "driving.mp4", truth, seed)
    animator = Animator("demo")
    track = estimate_video_track(animator, clip, progress=False)
    images = [frame.image for frame in read_frames(clip)]
    face = detect_faces(face_frame(sample_identity(np.random.default_rng(seed)), np.zeros(N_AUS)))[
        0
    ]
    placed = [crop_face(image, face, size=animator.image_size).image for image in images]
    top, left = (FRAME_SIZE[0] - FACE_SIDE) // 2, (FRAME_SIZE[1] - FACE_SIDE) // 2
    size = (animator.image_size, animator.image_size)
    squares = [
        cv2.resize(
            image[top : top + FACE_SIDE, left : left + FACE_SIDE],
            size,
            interpolation=cv2.INTER_AREA,
        )
        for image in images
    ]
    return {
        "frames": frames,
        "pipeline": au_error(track.aus[track.valid], truth[track.valid]),
        "critic_on_detector_crops": au_error(animator.estimate_crops(np.stack(placed)), truth),
        "critic_on_training_framing": au_error(animator.estimate_crops(np.stack(squares)), truth),
    }


def au_error(estimate: np.ndarray, truth: np.ndarray) -> dict:
    """Mean absolute error (OpenFace scale), the same for always answering the mean, and how
    well each AU's ups and downs are followed (correlation, over AUs that move)."""
    error = np.abs(estimate - truth)
    moving = [au for au in range(N_AUS) if truth[:, au].std() > 0 and estimate[:, au].std() > 0]
    correlation = {
        AU_CODES[au]: float(np.corrcoef(estimate[:, au], truth[:, au])[0, 1]) for au in moving
    }
    return {
        "frames": len(truth),
        "mae": round(float(error.mean()), 3),
        "mae_answering_the_mean": round(float(np.abs(truth.mean(axis=0) - truth).mean()), 3),
        "mean_correlation": round(float(np.mean(list(correlation.values()))), 2),
        "per_au": {
            code: {
                "mae": round(float(error[:, au].mean()), 3),
                "correlation": round(correlation[code], 2) if code in correlation else None,
            }
            for au, code in enumerate(AU_CODES)
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=72, help="frames of each clip")
    parser.add_argument("--size", default="640x360", help="WIDTHxHEIGHT of the edited clip")
    parser.add_argument("--repeats", type=int, default=3, help="timed edits per model")
    parser.add_argument(
        "--detect-every",
        type=int,
        default=DEFAULT_DETECT_EVERY,
        help="frames from one face detection to the next (1: every frame)",
    )
    parser.add_argument(
        "--no-driving-error", action="store_true", help="skip the critic's driving-video error"
    )
    parser.add_argument(
        "--driving-frames", type=int, default=120, help="frames of the driving clip"
    )
    parser.add_argument("--variants", default="dynamic", help="LiteRT variants to time")
    parser.add_argument(
        "--runtimes",
        default="demo,keras,saved_model,litert",
        help="what to time: demo (the shipped 64-px model) and the 128-px generator's runtimes",
    )
    parser.add_argument("--seed", type=int, default=8, help="synthetic identity (MTCNN finds 8)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    variants = [variant.strip() for variant in args.variants.split(",") if variant.strip()]
    width, height = (int(side) for side in args.size.lower().split("x"))
    global FRAME_SIZE
    FRAME_SIZE = (height, width)

    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{os.cpu_count()} CPU cores; load average {load_before[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        results = {
            "date": started,
            "cpu_cores": os.cpu_count(),
            "frame_size": [width, height],
            "throughput": throughput(
                Path(folder),
                args.frames,
                variants,
                args.seed,
                args.repeats,
                args.detect_every,
                [runtime.strip() for runtime in args.runtimes.split(",")],
            ),
        }
        if not args.no_driving_error:
            results["driving_video_au_error"] = driving_error(
                Path(folder), args.driving_frames, args.seed
            )
    results["load_average"] = {
        "before": [round(v, 1) for v in load_before],
        "after": [round(v, 1) for v in os.getloadavg()],
    }
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
