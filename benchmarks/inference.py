"""Per-image latency of the generator at batch 1 on this CPU, in every runtime at once.

The full-size generator (conv_dim 64, 6 residual blocks) with random
weights, which time the same as trained ones; the int8 variant is calibrated
on rendered synthetic faces, which only sets its ranges. Each image goes
through:

* Keras eager: `generator((images, aus))`, float in and out;
* `tf.function` and XLA (`tf.function(jit_compile=True)`) around that call;
* SavedModel: the exported `animate` signature (uint8 in/out, conversions
  included), as TensorFlow Serving would run it;
* LiteRT: each `.tflite` variant's `animate` signature in
  `ai_edge_litert.interpreter.Interpreter` (XNNPACK by default) on 1 and 2
  threads.

The runtimes take turns, `--rounds` times, so a busy spell of another
process slows all of them alike; the table gives the median wall time per
image and the process CPU time per image (all threads). Ratios: each mode
against LiteRT float32 at the same thread count (TensorFlow's modes use every
core), and against the theoretical time, the generator's FLOPs (TensorFlow's
profiler, from the convolution shapes) ÷ the FLOP/s of a large `tf.matmul`
measured in this run, scaled to the thread count.

    python benchmarks/inference.py [--image-size 128] [--rounds 3] [--iterations 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from tfganimation.aus import N_AUS, preset
from tfganimation.export import tflite
from tfganimation.export.saved_model import write_saved_model
from tfganimation.generator import Generator
from tfganimation.synthetic import render_face, sample_identity

CORES = os.cpu_count() or 1


def generator_flops(generator: Generator, image_size: int) -> int:
    """FLOPs of one batch-1 forward pass, as TensorFlow's profiler counts them (from op shapes)."""
    function = tf.function(lambda images, aus: generator((images, aus), training=False))
    concrete = function.get_concrete_function(
        tf.TensorSpec([1, image_size, image_size, 3]), tf.TensorSpec([1, N_AUS])
    )
    graph = convert_variables_to_constants_v2(concrete).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return tf.compat.v1.profiler.profile(graph=graph, options=options).total_float_ops


def matmul_flops_per_second(size: int = 2048, repeats: int = 5) -> float:
    """Best FLOP/s of a float32 `size`² matrix product on TensorFlow's default (all-core) pool."""
    a = tf.random.normal([size, size])
    b = tf.random.normal([size, size])
    tf.matmul(a, b).numpy()
    best = min(_seconds(lambda: tf.matmul(a, b).numpy()) for _ in range(repeats))
    return 2.0 * size**3 / best


def _seconds(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def face_images(count: int, image_size: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack(
        [render_face(sample_identity(rng), np.zeros(N_AUS), image_size) for _ in range(count)]
    )


def build_modes(generator: Generator, folder: Path, image_size: int, threads: list[int]):
    """`{name: (threads, run_one_image)}`, and the LiteRT file sizes."""
    image = face_images(1, image_size)
    aus = preset("happy")[None]
    model_image = tf.constant(image / 127.5 - 1.0, tf.float32)
    model_aus = tf.constant(aus / 5.0)

    def call():
        return generator((model_image, model_aus), training=False)[0].numpy()

    function = tf.function(lambda x, a: generator((x, a), training=False)[0])
    xla = tf.function(lambda x, a: generator((x, a), training=False)[0], jit_compile=True)
    saved = write_saved_model(folder / "saved_model", generator, image_size=image_size)
    animate = tf.saved_model.load(str(saved)).signatures["animate"]
    uint8_image, float_aus = tf.constant(image), tf.constant(aus)
    modes = {
        "Keras eager": (CORES, call),
        "tf.function": (CORES, lambda: function(model_image, model_aus).numpy()),
        "XLA (jit_compile)": (CORES, lambda: xla(model_image, model_aus).numpy()),
        "SavedModel animate": (
            CORES,
            lambda: animate(image=uint8_image, aus=float_aus)["image"].numpy(),
        ),
    }

    single = write_saved_model(folder / "batch1", generator, image_size=image_size, batch_size=1)
    calibration_images = face_images(8, image_size, seed=1)

    def calibration():
        for index, face in enumerate(calibration_images):
            yield {
                "image": face[None],
                "aus": preset(["happy", "sad", "surprise", "anger"][index % 4])[None],
            }

    sizes = {}
    for variant in tflite.VARIANTS:
        started = time.perf_counter()
        model = tflite.convert(single, variant, calibration if variant == "int8" else None)
        sizes[variant] = len(model)
        print(
            f"converted {variant} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        for count in threads:
            runner = Interpreter(model_content=model, num_threads=count).get_signature_runner(
                "animate"
            )
            modes[litert_mode(variant, count)] = (
                count,
                lambda runner=runner: runner(image=image, aus=aus),
            )
    return modes, sizes


def litert_mode(variant: str, threads: int) -> str:
    return f"LiteRT {variant}, {threads} thread{'s' if threads > 1 else ''}"


def measure(modes, rounds: int, iterations: int) -> tuple[dict, dict]:
    """Median wall and process-CPU ms per image of each mode, the modes taking turns."""
    for _, run in modes.values():  # Warm-up: graph building, delegate set-up, XLA compilation.
        run()
        run()
    wall = {name: [] for name in modes}
    cpu = {name: [] for name in modes}
    for _ in range(rounds):
        for name, (_, run) in modes.items():
            for _ in range(iterations):
                wall_start, cpu_start = time.perf_counter(), time.process_time()
                run()
                wall[name].append(time.perf_counter() - wall_start)
                cpu[name].append(time.process_time() - cpu_start)
    return (
        {name: 1000.0 * statistics.median(values) for name, values in wall.items()},
        {name: 1000.0 * statistics.median(values) for name, values in cpu.items()},
    )


def print_table(
    modes, wall: dict, cpu: dict, flops: float, rate: float, threads: list[int]
) -> None:
    baseline = {count: wall[litert_mode("float32", count)] for count in threads}
    columns = ("mode", "threads", "ms/image", "CPU ms", "speed-up vs f32", "x theory")
    header = "{:28s} {:>7s} {:>9s} {:>8s} {:>15s} {:>9s}".format(*columns)
    print(header)
    print("-" * len(header))
    for name, (count, _) in modes.items():
        theory = 1000.0 * flops / (rate * count / CORES)
        reference = baseline.get(min(count, max(threads)))
        print(
            f"{name:28s} {count:7d} {wall[name]:9.1f} {cpu[name]:8.1f} "
            f"{reference / wall[name]:14.2f}x {wall[name] / theory:8.1f}x"
        )
    one_core = 1000.0 * flops / (rate / CORES)
    print(
        f"\ntheoretical ms/image: {1000.0 * flops / rate:.1f} on {CORES} cores, {one_core:.1f} on 1"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=5, help="timed images per mode and round")
    parser.add_argument("--threads", default="1,2", help="LiteRT thread counts, comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    threads = [int(count) for count in args.threads.split(",")]

    tf.get_logger().setLevel("ERROR")  # The v1 profiler's deprecation notices.
    keras.utils.set_random_seed(args.seed)
    generator = Generator(image_size=args.image_size)
    print(
        f"Generator at {args.image_size} px: {generator.count_params():,} weights (random); "
        f"{CORES} CPU cores; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    flops = generator_flops(generator, args.image_size)
    rate = matmul_flops_per_second()
    print(f"{flops / 1e9:.2f} GFLOP per image; tf.matmul 2048² reaches {rate / 1e9:.1f} GFLOP/s")

    with tempfile.TemporaryDirectory() as folder:
        modes, sizes = build_modes(generator, Path(folder), args.image_size, threads)
        wall, cpu = measure(modes, args.rounds, args.iterations)
    print(
        f"\n{args.rounds} rounds x {args.iterations} images per mode, batch 1, "
        f"{args.image_size} px (median wall ms; CPU ms = process CPU time, all threads):\n"
    )
    print_table(modes, wall, cpu, flops, rate, threads)
    print("file sizes: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sizes.items()))
    print(f"load average (1, 5, 15 min): {', '.join(f'{load:.1f}' for load in os.getloadavg())}")


if __name__ == "__main__":
    main()
