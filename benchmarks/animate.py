"""Photo-to-edited-photo latency of `Animator` on a ~1-megapixel photo, in every backend.

What a user waits for after pressing "edit": the JPEG is decoded (EXIF,
colour), the face found (MTCNN), cut out, run through the generator and
blended back; `EditResult.timings` times each stage. The model is the
full-size generator (128 px, conv_dim 64, 6 residual blocks) with random
weights, which time the same as trained ones. It is saved as `.keras` (the
Keras backend) and exported with `export_model` into a temporary folder: the
SavedModel, LiteRT float32 and the quantized variants asked for. Random
weights make the quantized files' PSNR meaningless, so their parity floors
are set to 0 dB here; the float files keep their usual gate.

The photo is a rendered synthetic face (360 px) in a 1200 x 900 canvas,
JPEG-encoded. The backends take turns, `--rounds` times, so a busy spell of
another process slows all of them alike; the table gives the median of each
stage over every timed edit, and the load average is printed before and
after.

    python benchmarks/animate.py [--variants float32,dynamic,int8] [--rounds 3] [--iterations 3]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
from PIL import Image

from tfganimation.inference.animator import Animator
from tfganimation.aus import N_AUS
from tfganimation.export import export_model
from tfganimation.generator import Generator
from tfganimation.synthetic import render_face, sample_identity

STAGES = ("load", "detect", "crop", "model", "paste", "total")
PHOTO_SIZE = (1200, 900)
FACE_AT = (420, 220, 360)
"""x, y and side of the face in the photo."""


def make_photo(seed: int) -> bytes:
    """A JPEG of a synthetic face on a plain background, `PHOTO_SIZE` (about 1 MP)."""
    width, height = PHOTO_SIZE
    x, y, side = FACE_AT
    photo = np.full((height, width, 3), (90, 110, 130), np.uint8)
    photo[y : y + side, x : x + side] = render_face(
        sample_identity(np.random.default_rng(seed)), np.zeros(N_AUS), side
    )
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def export(folder: Path, variants: list[str], seed: int) -> dict[str, Path]:
    """The random full-size generator as `.keras` and exported; `{backend label: path}`."""
    keras.utils.set_random_seed(seed)
    keras_file = folder / "generator.keras"
    Generator(image_size=128).save(keras_file)
    faces = folder / "faces"
    faces.mkdir()
    rng = np.random.default_rng(seed)
    for index in range(8):
        image = render_face(sample_identity(rng), np.zeros(N_AUS), 128)
        Image.fromarray(image).save(faces / f"{index}.png")
    started = time.perf_counter()
    report = export_model(
        keras_file,
        folder / "export",
        variants=variants,
        representative_data=faces,
        calibration_images=8,
        parity_images=1,
        psnr_floors={"float16": 0.0, "dynamic": 0.0, "int8": 0.0},
    )
    print(f"exported in {time.perf_counter() - started:.0f} s:\n{report.format_table()}\n")
    paths = {"keras": keras_file, "saved_model": folder / "export"}
    paths.update({f"litert {variant}": report.files[variant] for variant in variants})
    return paths


def measure(animators: dict[str, Animator], photo: bytes, rounds: int, iterations: int) -> dict:
    """`{label: {stage: median ms}}`, the backends taking turns."""
    for animator in animators.values():  # Warm-up: tracing, delegates, the detector.
        animator.edit(photo, "happy")
    samples = {label: {stage: [] for stage in STAGES} for label in animators}
    for _ in range(rounds):
        for label, animator in animators.items():
            for _ in range(iterations):
                timings = animator.edit(photo, "happy").timings
                for stage in STAGES:
                    samples[label][stage].append(timings[stage])
    return {
        label: {stage: 1000.0 * statistics.median(values) for stage, values in stages.items()}
        for label, stages in samples.items()
    }


def print_table(results: dict, init_seconds: dict) -> None:
    header = f"{'backend':18s} {'init s':>7s}" + "".join(
        f" {stage + ' ms':>10s}" for stage in STAGES
    )
    print(header)
    print("-" * len(header))
    for label, stages in results.items():
        cells = "".join(f" {stages[stage]:10.1f}" for stage in STAGES)
        print(f"{label:18s} {init_seconds[label]:7.1f}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="float32,dynamic,int8", help="LiteRT variants")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--iterations", type=int, default=3, help="timed edits per backend and round"
    )
    parser.add_argument("--seed", type=int, default=8, help="synthetic identity (MTCNN finds 8)")
    args = parser.parse_args()
    variants = [variant.strip() for variant in args.variants.split(",") if variant.strip()]

    print(f"{os.cpu_count()} CPU cores; load average {os.getloadavg()[0]:.1f}", flush=True)
    photo = make_photo(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        paths = export(Path(folder), variants, args.seed)
        animators, init_seconds = {}, {}
        for label, path in paths.items():
            started = time.perf_counter()
            animators[label] = Animator(path)
            init_seconds[label] = time.perf_counter() - started
        if not animators["keras"].detect(photo):
            raise SystemExit(f"MTCNN finds no face in the photo of identity {args.seed}.")
        results = measure(animators, photo, args.rounds, args.iterations)
    width, height = PHOTO_SIZE
    print(
        f"{width}x{height} JPEG ({width * height / 1e6:.2f} MP), one {FACE_AT[2]}-px face; "
        f"generator 128 px, conv_dim 64, 6 blocks, random weights; LiteRT on "
        f"{os.cpu_count()} threads. Median ms over {args.rounds} rounds x {args.iterations} "
        "edits; init s = building the Animator, load = decoding the JPEG:\n"
    )
    print_table(results, init_seconds)
    print(f"\nload average (1, 5, 15 min): {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
