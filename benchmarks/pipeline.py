"""Throughput of `tfganimation.data.load_dataset` against raw JPEG decoding.

Writes a temporary manifest dataset of synthetic 128-px JPEG "faces" (a
shaded ellipse with eyes and a mouth on a gradient, plus sensor noise, so the
files are about the size of real face crops), then measures images/s of

* raw (memory): `tf.io.decode_jpeg` in a `tf.data` parallel map over the
  JPEG bytes held in memory, batched the same way, uint8 out: the ceiling for
  any pipeline that must decode these images;
* raw (files): the same, reading each file with `tf.io.read_file` (page
  cache), as the pipeline must;
* pipeline: the full `load_dataset` (file reads, decode, flip, float32
  scaling, real and target AUs, batching, prefetch).

Each round times `--batches` batches of each, after a warm-up, one after the
other; the ratios are taken within each round and their medians printed.
Besides images per wall-clock second it reports CPU time per image (all
threads of this process): on a busy machine the wall-clock rates swing with
other processes, the CPU cost per image much less. The load average is
printed for that reason.

    python benchmarks/pipeline.py [--images 2000] [--rounds 10] [--batches 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import cv2
import numpy as np
import tensorflow as tf

from tfganimation.aus import N_AUS
from tfganimation.data import load_dataset, write_manifest


def synthetic_face(rng: np.random.Generator, size: int) -> np.ndarray:
    """A face-like BGR uint8 image: smooth regions and edges, as JPEG sees faces."""
    ramp = np.linspace(0, 1, size, dtype=np.float32)
    background = rng.uniform(40, 200, 3) * (0.6 + 0.4 * ramp[:, None, None])
    image = np.broadcast_to(background, (size, size, 3)).astype(np.uint8).copy()
    center = (size // 2 + int(rng.integers(-8, 9)), size // 2 + int(rng.integers(-8, 9)))
    skin = tuple(int(v) for v in rng.uniform(90, 230, 3))
    cv2.ellipse(image, center, (size // 3, size * 2 // 5), 0, 0, 360, skin, -1, cv2.LINE_AA)
    for dx in (-size // 7, size // 7):
        cv2.circle(image, (center[0] + dx, center[1] - size // 10), size // 18, (40, 30, 30), -1, cv2.LINE_AA)
    mouth_open = int(rng.integers(1, size // 12))
    cv2.ellipse(image, (center[0], center[1] + size // 6), (size // 8, mouth_open), 0, 0, 360, (60, 50, 140), -1, cv2.LINE_AA)
    noise = rng.normal(0, 6, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


def make_dataset(root: Path, n_images: int, image_size: int, seed: int) -> list[bytes]:
    """Writes `n_images` JPEGs and a manifest under `root`; returns the JPEG bytes."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True)
    files, encoded = [], []
    for i in range(n_images):
        ok, jpeg = cv2.imencode(".jpg", synthetic_face(rng, image_size), [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
        files.append(f"images/{i:05d}.jpg")
        (root / files[-1]).write_bytes(jpeg.tobytes())
        encoded.append(jpeg.tobytes())
    aus = rng.uniform(0, 5, (n_images, N_AUS))
    write_manifest(root, files, ["train"] * n_images, aus)
    return encoded


def raw_decode(contents: tf.data.Dataset, batch_size: int) -> tf.data.Dataset:
    return (
        contents.repeat()
        .map(lambda data: tf.io.decode_jpeg(data, channels=3), num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def measure(dataset: tf.data.Dataset, batches: int, warmup: int, batch_size: int) -> tuple[float, float]:
    """Images per wall-clock second, and CPU microseconds (all threads) per image."""
    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(batches):
        next(iterator)
    images = batches * batch_size
    return images / (time.perf_counter() - wall), 1e6 * (time.process_time() - cpu) / images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--batches", type=int, default=100, help="timed batches per round and pipeline")
    parser.add_argument("--warmup", type=int, default=10, help="untimed batches before each round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        start = time.perf_counter()
        encoded = make_dataset(root, args.images, args.image_size, args.seed)
        print(
            f"{args.images} JPEGs of {args.image_size} px, mean {np.mean([len(b) for b in encoded]) / 1024:.1f} KiB, "
            f"written in {time.perf_counter() - start:.1f} s; {os.cpu_count()} CPU cores"
        )
        files = sorted(str(path) for path in (root / "images").iterdir())
        baselines = {
            "raw decode_jpeg, bytes in memory": raw_decode(tf.data.Dataset.from_tensor_slices(encoded), args.batch_size),
            "raw decode_jpeg, files": raw_decode(
                tf.data.Dataset.from_tensor_slices(files).map(tf.io.read_file), args.batch_size
            ),
        }
        start = time.perf_counter()
        pipeline = load_dataset(root, image_size=args.image_size, batch_size=args.batch_size, seed=args.seed)
        print(f"load_dataset indexed and validated {args.images} files in {time.perf_counter() - start:.2f} s")
        pipeline = pipeline.repeat()

        candidates = {**baselines, "load_dataset": pipeline}
        runs = {name: [] for name in candidates}
        for _ in range(args.rounds):
            for name, dataset in candidates.items():
                runs[name].append(measure(dataset, args.batches, args.warmup, args.batch_size))
        print(f"{args.rounds} rounds of {args.batches} timed batches of {args.batch_size} (medians):")
        for name, values in runs.items():
            print(
                f"  {name:34s} {statistics.median(r for r, _ in values):7.0f} images/s "
                f"{statistics.median(c for _, c in values):6.0f} CPU-us/image"
            )
        for name in baselines:
            # Ratios within a round, so that a busy spell of another process
            # that slows one round slows both sides of its ratio.
            ratios = [p[0] / b[0] for p, b in zip(runs["load_dataset"], runs[name])]
            cpu_ratios = [b[1] / p[1] for p, b in zip(runs["load_dataset"], runs[name])]
            print(
                f"load_dataset vs {name}: {statistics.median(ratios):.0%} of its images/s "
                f"(rounds {min(ratios):.0%}..{max(ratios):.0%}), "
                f"{statistics.median(cpu_ratios):.0%} of its images per CPU-second"
            )
        print(f"load average (1, 5, 15 min): {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
