"""`tfganimation animate`: change the expression of the faces in a photo."""

from __future__ import annotations

import argparse
from pathlib import Path

from tfganimation.choices import BACKENDS, INFERENCE_PRECISIONS
from tfganimation.commands.animate_video import VIDEO_EPILOG, add_video_arguments, run_video
from tfganimation.commands.arguments import add_command, add_renamed_option, positive_int
from tfganimation.commands.model_argument import KINDS, add_model_argument, model_argument
from tfganimation.faces.framing import FRAMINGS  # plain data and NumPy, no TensorFlow

EPILOG = """\
examples:
  tfganimation animate portrait.jpg --preset happy --out smile.png    # the demo model
  tfganimation animate portrait.jpg --model runs/celeba --preset happy --out smile.gif
  tfganimation animate portrait.jpg --model exports/celeba/generator_float32.tflite \\
      --aus "AU12=3,AU06=2" --out smile.png --show-attention
  tfganimation animate group.jpg --model exports/celeba --preset surprise --face all --out wow.mp4

The output's suffix decides what is written: .png/.jpg is the edited photo,
.gif/.mp4 an animation of --frames frames from the start expression (the
critic's estimate of each face when the model has a critic, else neutral) to
the target. --show-attention also writes OUT_attention.png: one row per face
with the crop the model saw, its edit, its attention map (white: pixel kept,
black: repainted) and its colour map.

Without --model, the demo model shipped in the package is used: it was
trained on synthetic faces only, so on real photos it shows the mechanics of
an edit, not real-face quality.
"""


SUMMARY = "edit the faces in a photo or a video, or make a photo perform (PNG, GIF or MP4)"

DESCRIPTION = """\
Find the faces in PHOTO, give them the expression --aus or --preset with a trained model
(--model: any kind, from a run directory to a .tflite file), and write the edited photo or an
animation. PHOTO can be a video, and --aus-from makes the faces perform an OpenFace CSV or a
driving video.
"""


def add_parser(subparsers) -> None:
    parser = add_command(
        subparsers,
        "animate",
        run,
        SUMMARY,
        DESCRIPTION,
        epilog=EPILOG + "\n" + VIDEO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "photo", metavar="PHOTO", help="the photo (JPEG, PNG, ...) or video (MP4, MOV, ...) to edit"
    )
    add_model_argument(parser, KINDS)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--aus", help='target AU intensities, OpenFace scale 0..5: "AU12=3,AU06=2" (others 0)'
    )
    target.add_argument(
        "--preset",
        help="a named expression: neutral, happy, sad, surprise, fear, anger, disgust, contempt",
    )
    target.add_argument(
        "--aus-from",
        metavar="CSV_OR_VIDEO",
        help="a performance: an OpenFace FeatureExtraction CSV, or a driving video whose face "
        "the model's critic reads; writes an MP4 with its timing",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="output .gif, .mp4, .png or .jpg (default: PHOTO_STEM_animated.gif in the working "
        "folder; for a video PHOTO_STEM_edited.mp4, with --aus-from PHOTO_STEM_performance.mp4)",
    )
    parser.add_argument(
        "--frames",
        type=_at_least_two,
        default=24,
        help="photo animation frames, both ends included (default 24)",
    )
    parser.add_argument(
        "--fps", type=float, default=12.0, help="photo animation frame rate (default 12)"
    )
    parser.add_argument(
        "--face",
        type=_face_choice,
        default="largest",
        help="all, largest, or N: the Nth face from the left, from 0 (default largest)",
    )
    parser.add_argument(
        "--center-crop",
        action="store_true",
        help="skip face detection and edit the centre of the photo",
    )
    add_renamed_option(
        parser,
        "--show-attention",
        "--show-masks",
        action="store_true",
        help="also write OUT_attention.png: crop, edit, attention and colour of each face",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="runtime (default: from the model path)",
    )
    parser.add_argument(
        "--precision",
        choices=INFERENCE_PRECISIONS,
        default="auto",
        help="the generator's arithmetic (default auto: a Keras model in bfloat16 where this "
        "machine computes it natively, else float32, $TFGANIMATION_PRECISION overriding; an "
        "exported file in the precision it holds, and any other is refused)",
    )
    parser.add_argument(
        "--framing",
        choices=FRAMINGS,
        default=None,
        help="how faces are cut out for the model (default: as its training faces were, from its "
        "record: openface_simalign for a StarGAN-based checkpoint, else face_recognition)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing --out (and OUT_attention.png)"
    )
    add_video_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from tfganimation.inference.animator import to_aus
    from tfganimation.faces import load_photo
    from tfganimation.outputs import output_file
    from tfganimation.video import ANIMATION_FORMATS, STILL_FORMATS, is_video, write_frames

    if is_video(args.photo) or args.aus_from is not None:
        return run_video(args, open_animator=lambda: _open_animator(args))

    # Everything that can be checked cheaply is, before the model loads.
    target = to_aus(args.aus if args.aus is not None else args.preset)
    if args.fps <= 0:
        raise ValueError(f"--fps must be positive, got {args.fps}")
    out = Path(args.out or f"{Path(args.photo).stem}_animated.gif")
    if out.suffix.lower() not in (*ANIMATION_FORMATS, *STILL_FORMATS):
        raise ValueError(f"Unsupported output {out}: use .gif, .mp4, .png or .jpg.")
    strip_out = out.with_name(f"{out.stem}_attention.png") if args.show_attention else None
    for path in (out, strip_out):
        if path is not None:
            output_file(path, args.overwrite)
    if not Path(args.photo).is_file():
        raise FileNotFoundError(f"Photo not found: {args.photo}")
    photo = load_photo(args.photo)
    animator = _open_animator(args)
    faces = animator.find_faces(photo, face=args.face, center_crop=args.center_crop)
    animation = out.suffix.lower() in ANIMATION_FORMATS
    result = None
    if strip_out is not None or not animation:
        result = animator.edit(photo, target, face=faces)
    if animation:
        frames = animator.interpolate(photo, target, face=faces, frames=args.frames)
        write_frames(frames, out, fps=args.fps, overwrite=args.overwrite)
        what = f"{len(frames)} frames at {args.fps:g} fps"
    else:
        write_frames([result.photo], out, overwrite=args.overwrite)
        what = f"{photo.shape[1]}x{photo.shape[0]} photo"
    print(
        f"Wrote {out}: {what}; {len(faces)} face{'s' * (len(faces) != 1)} edited by the "
        f"{animator.describe_runtime()} ({animator.last_inference_seconds:.2f} s)"
    )
    if strip_out is not None:
        write_frames([result.attention_strip()], strip_out, overwrite=args.overwrite)
        print(f"Wrote {strip_out}: crop | edited | attention | colour, one row per face")
    return 0


def _open_animator(args: argparse.Namespace):
    """The `Animator` of `--model` (the demo, with its notice, when none is given)."""
    from tfganimation.demo.shipped import demo_notice
    from tfganimation.inference.animator import Animator

    model = model_argument(args, KINDS)  # A wrong model path fails here, before loading.
    if model.kind == "demo":
        print(("" if model.given else "No --model given. ") + demo_notice())
    return Animator(
        model.reference, backend=args.backend, framing=args.framing, precision=args.precision
    )


def _face_choice(text: str) -> str | int:
    if text in ("all", "largest"):
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected all, largest or a face number, got {text!r}"
        ) from None


def _at_least_two(text: str) -> int:
    value = positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"an animation needs at least 2 frames, got {value}")
    return value
