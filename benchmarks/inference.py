"""Per-image latency of the generator at batch 1 on this CPU, in every runtime at once.

The full-size generator (conv_dim 64, 6 residual blocks) with random
weights, which time the same as trained ones, or a trained model
(`--model demo`, a run, a `.keras` file); the int8 variant is calibrated on
rendered synthetic faces (the demo's held-out faces for `demo`). Each image
goes through:

* Keras eager: `generator((images, aus))`, float in and out;
* `tf.function` and XLA (`tf.function(jit_compile=True)`) around that call,
  and `tf.function` with the residual blocks' 3×3 convolutions as the
  direct kernels instead of Winograd products (`tfganimation.winograd`);
* frozen graph: the `animate` function as the Keras backend of `Animator`
  runs it (`GraphSession`: weights frozen to constants, so TensorFlow folds
  the Winograd kernel transforms), in float32, with direct 3×3
  convolutions, and in bfloat16;
* SavedModel: the exported `animate` signature (uint8 in/out, conversions
  included), as TensorFlow Serving would run it;
* bfloat16: `tf.function` and SavedModel again with the generator computing
  in bfloat16 (`tfganimation.precision.in_precision`, what `--precision
  bfloat16` runs), with the PSNR of its edits against float32's;
* LiteRT: each `.tflite` variant's `animate` signature in
  `ai_edge_litert.interpreter.Interpreter` (XNNPACK by default) on 1 and 2
  threads, converted as `tfganimation export` converts it.

Each LiteRT file's quality is its PSNR against the Keras model in float
on parity faces (4 faces × the 8 presets), as `tfganimation export` checks
it; with random weights that figure says little, with a trained model it is
the export's.

The runtimes take turns, `--rounds` times, so a busy spell of another
process slows all of them alike; the table gives the median wall time per
image and the process CPU time per image (all threads). Ratios: each mode
against LiteRT float32 at the same thread count (TensorFlow's modes use every
core), and against the theoretical time: the reference network's FLOPs (its
convolutions as the reference computes them, AU planes and all) ÷ the FLOP/s
of a large `tf.matmul` measured in this run, in float32 (bfloat16 for the
bfloat16 modes), scaled to the thread count. Both ceilings are printed, and
the FLOPs of the graph this project actually runs (TensorFlow's profiler),
which are fewer: the AU planes are never built.

    python benchmarks/inference.py [--model demo] [--image-size 128] [--rounds 3] [--iterations 5]
        [--json PATH] [--reference-python venv-torch/bin/python]

`--reference-python` runs `benchmarks/reference_pytorch.py` (the reference
networks in PyTorch) before and after the measurement in that interpreter,
and reports the faster of its two batch-1 times beside ours, in float32 as
its users run it and under PyTorch's bfloat16 autocast.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import statistics
import subprocess
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
from tfganimation.demo.shipped import demo_faces
from tfganimation.model_files.reference import is_demo
from tfganimation.export import parity, representative, tflite
from tfganimation.model_files.loading import load_model
from tfganimation.export.saved_model import write_saved_model
from tfganimation.generator import Generator
from tfganimation.inference.graph_session import frozen_animate
from tfganimation.precision import bfloat16_cpu_flags, in_precision
from tfganimation.synthetic import render_face, sample_identity
from tfganimation.winograd import direct_convolutions

CORES = os.cpu_count() or 1
BFLOAT16_MODES = (
    "tf.function bfloat16",
    "SavedModel animate bfloat16",
    "frozen graph bfloat16 (Animator)",
)

REFERENCE_SCRIPT = Path(__file__).with_name("reference_pytorch.py")


def reference_flops(generator: Generator) -> int:
    """FLOPs of the reference network's batch-1 forward pass: its convolutions, as it computes them.

    2 × multiply-adds of every convolution at its output size (a transposed
    one at its input size), the first reading all 3 + 17 channels.
    """
    flops, size = 0, generator.image_size
    sequences = [generator.encoder, *generator.bottleneck.layers, generator.decoder]
    sequences += [generator.color_head, generator.attention_head]
    for sequence in sequences:
        for layer in getattr(sequence, "layers", None) or sequence._layers:
            if isinstance(layer, keras.layers.Conv2DTranspose):
                flops += 2 * size * size * int(np.prod(layer.kernel.shape))
                size *= 2
            elif isinstance(layer, keras.layers.Conv2D):
                size //= layer.strides[0]
                flops += 2 * size * size * int(np.prod(layer.kernel.shape))
    return flops


def generator_flops(generator: Generator, image_size: int) -> int:
    """FLOPs of the graph this project runs, batch 1, as TensorFlow's profiler counts them."""
    function = tf.function(lambda images, aus: generator((images, aus), training=False))
    concrete = function.get_concrete_function(
        tf.TensorSpec([1, image_size, image_size, 3]), tf.TensorSpec([1, N_AUS])
    )
    graph = convert_variables_to_constants_v2(concrete).graph
    options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return tf.compat.v1.profiler.profile(graph=graph, options=options).total_float_ops


def matmul_flops_per_second(size: int = 2048, repeats: int = 5, dtype=tf.float32) -> float:
    """Best FLOP/s of a `size`² matrix product in `dtype` on TensorFlow's default (all-core) pool."""
    a = tf.cast(tf.random.normal([size, size]), dtype)
    b = tf.cast(tf.random.normal([size, size]), dtype)
    tf.matmul(a, b).numpy()
    best = min(_seconds(lambda: tf.matmul(a, b).numpy()) for _ in range(repeats))
    return 2.0 * size**3 / best


def _seconds(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def face_images(count: int, image_size: int, model: str | None, seed: int = 0) -> np.ndarray:
    """Faces for calibration and parity: the demo's held-out ones, else rendered synthetic faces."""
    if model is not None and is_demo(model):
        return demo_faces(count, image_size, seed=seed)
    rng = np.random.default_rng(seed)
    return np.stack(
        [render_face(sample_identity(rng), np.zeros(N_AUS), image_size) for _ in range(count)]
    )


def litert_mode(variant: str, threads: int) -> str:
    return f"LiteRT {variant}, {threads} thread{'s' if threads > 1 else ''}"


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of two float images in [-1, 1], as uint8 pictures."""
    error = np.mean((np.round((a + 1) * 127.5) - np.round((b + 1) * 127.5)) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(255.0**2 / error))


def build_modes(generator, folder: Path, args, threads: list[int]):
    """`{name: (threads, run_one_image)}`, and per LiteRT file its size and PSNR against Keras."""
    image_size = args.image_size
    image = face_images(1, image_size, args.model)
    aus = preset("happy")[None]
    model_image = tf.constant(image / 127.5 - 1.0, tf.float32)
    model_aus = tf.constant(aus / 5.0)

    def call():
        return generator((model_image, model_aus), training=False)[0].numpy()

    function = tf.function(lambda x, a: generator((x, a), training=False)[0])

    @tf.function
    def direct_function(x, a):
        with direct_convolutions():
            return generator((x, a), training=False)[0]

    half = in_precision(generator, "bfloat16")
    half_function = tf.function(lambda x, a: half((x, a), training=False)[0])
    uint8_image, float_aus = tf.constant(image), tf.constant(aus)

    def saved_animate(model, name):
        saved = write_saved_model(folder / name, model, image_size=image_size)
        animate = tf.saved_model.load(str(saved)).signatures["animate"]
        return lambda: animate(image=uint8_image, aus=float_aus)["image"].numpy()

    def frozen_graph_run(model, direct=False):
        with direct_convolutions() if direct else contextlib.nullcontext():
            session = frozen_animate(model, image_size)
        return lambda: session(image=image, aus=aus)["image"]

    modes = {
        "Keras eager": (CORES, call),
        "tf.function": (CORES, lambda: function(model_image, model_aus).numpy()),
        "tf.function, direct 3x3": (CORES, lambda: direct_function(model_image, model_aus).numpy()),
        "SavedModel animate": (CORES, saved_animate(generator, "saved_model")),
        "frozen graph (Animator)": (CORES, frozen_graph_run(generator)),
        "frozen graph, direct 3x3": (CORES, frozen_graph_run(generator, direct=True)),
        BFLOAT16_MODES[0]: (CORES, lambda: half_function(model_image, model_aus).numpy()),
        BFLOAT16_MODES[1]: (CORES, saved_animate(half, "saved_model_bfloat16")),
        BFLOAT16_MODES[2]: (CORES, frozen_graph_run(half)),
    }
    if not args.no_xla:
        xla = tf.function(lambda x, a: generator((x, a), training=False)[0], jit_compile=True)
        modes["XLA (jit_compile)"] = (CORES, lambda: xla(model_image, model_aus).numpy())

    faces = face_images(args.calibration + 4, image_size, args.model, seed=1)
    calibration_images, parity_faces = faces[:-4], faces[-4:]
    targets = representative.target_aus(len(calibration_images), seed=1)

    def calibration():
        for index in range(len(calibration_images)):
            yield {
                "image": calibration_images[index : index + 1],
                "aus": targets[index : index + 1],
            }

    presets = representative.preset_aus()
    test_images = np.repeat(parity_faces, len(presets), axis=0)
    test_aus = np.tile(presets, (len(parity_faces), 1))
    reference = parity.keras_reference(generator, test_images, test_aus)
    # Named apart from the batch-1 inputs above: the SavedModel closures read those when timed.
    parity_inputs = (
        tf.constant(test_images / 127.5 - 1.0, tf.float32),
        tf.constant(test_aus / 5.0, tf.float32),
    )
    bfloat16_psnr = psnr(half(parity_inputs)[0].numpy(), generator(parity_inputs)[0].numpy())
    files = {"bfloat16 generator": {"psnr_vs_keras_db": round(bfloat16_psnr, 2)}}
    print(
        f"bfloat16 generator: PSNR {files['bfloat16 generator']['psnr_vs_keras_db']} dB vs float32"
    )

    for variant in tflite.VARIANTS:
        started = time.perf_counter()
        model = tflite.convert_generator(generator, image_size, variant, folder, calibration)
        path = folder / f"{variant}.tflite"
        path.write_bytes(model)
        outputs, _ = parity.run_litert(path, test_images, test_aus)
        checked = parity.compare(variant, path, outputs, 0.0, reference)
        label = f"LiteRT {variant}"
        files[label] = {"size_bytes": len(model), "psnr_vs_keras_db": round(checked.psnr, 2)}
        print(
            f"converted {label} in {time.perf_counter() - started:.0f} s: "
            f"{len(model) / 1e6:.1f} MB, PSNR {checked.psnr:.1f} dB against Keras",
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
    return modes, files


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


def run_reference(python: str, image_size: int, threads: list[int]) -> dict:
    """The PyTorch reference generator's batch-1 ms per thread count, from its own interpreter."""
    command = [python, str(REFERENCE_SCRIPT), "--image-size", str(image_size), "--batch-sizes"]
    command += ["--threads", *map(str, threads)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def print_table(modes, wall: dict, cpu: dict, flops: float, rates: dict, threads, reference):
    baseline = {count: wall.get(litert_mode("float32", count)) for count in threads}
    columns = ("mode", "threads", "ms/image", "CPU ms", "vs LiteRT f32", "vs PyTorch", "x theory")
    header = "{:40s} {:>7s} {:>9s} {:>8s} {:>13s} {:>10s} {:>9s}".format(*columns)
    print(header)
    print("-" * len(header))
    for name, (count, _) in modes.items():
        rate = rates["bfloat16" if name in BFLOAT16_MODES else "float32"]
        theory = 1000.0 * flops / (rate * count / CORES)
        own = baseline.get(min(count, max(threads)))
        torch_ms = reference["float32"].get(str(min(count, max(threads)))) if reference else None
        print(
            f"{name:40s} {count:7d} {wall[name]:9.1f} {cpu[name]:8.1f} "
            f"{own / wall[name] if own else float('nan'):12.2f}x "
            f"{torch_ms / wall[name] if torch_ms else float('nan'):9.2f}x {wall[name] / theory:8.1f}x"
        )
    for precision, times in (reference or {}).items():
        print(f"PyTorch reference, eager, batch 1, {precision}: " + ", ".join(
            f"{ms:.1f} ms on {count} thread(s)" for count, ms in times.items()
        ))  # fmt: skip
    for precision, rate in rates.items():
        print(
            f"theoretical ms/image in {precision}: {1000.0 * flops / rate:.1f} on {CORES} cores, "
            f"{1000.0 * flops / (rate / CORES):.1f} on 1"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="demo, a run or a .keras file; default: random full-size")
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=5, help="timed images per mode and round")
    parser.add_argument("--threads", default="1,2", help="LiteRT thread counts, comma-separated")
    parser.add_argument("--calibration", type=int, default=64, help="int8 calibration faces")
    parser.add_argument("--no-xla", action="store_true", help="leave XLA out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--reference-python", help="an interpreter with PyTorch, for the reference")
    args = parser.parse_args()
    threads = [int(count) for count in args.threads.split(",")]

    tf.get_logger().setLevel("ERROR")  # The v1 profiler's deprecation notices.
    keras.utils.set_random_seed(args.seed)
    if args.model:
        generator = load_model(args.model).generator
        args.image_size = generator.image_size
    else:
        generator = Generator(image_size=args.image_size)
    load_before = os.getloadavg()
    print(
        f"Generator at {args.image_size} px: {generator.count_params():,} weights "
        f"({args.model or 'random'}); {CORES} CPU cores; load average {load_before[0]:.1f}",
        flush=True,
    )
    flops, executed = reference_flops(generator), generator_flops(generator, args.image_size)
    rates = {
        "float32": matmul_flops_per_second(),
        "bfloat16": matmul_flops_per_second(dtype=tf.bfloat16),
    }
    print(
        f"{flops / 1e9:.2f} GFLOP per image in the reference network, {executed / 1e9:.2f} in the "
        f"graph run here; tf.matmul 2048² reaches {rates['float32'] / 1e9:.1f} GFLOP/s in float32, "
        f"{rates['bfloat16'] / 1e9:.1f} in bfloat16"
    )  # fmt: skip

    references = []
    if args.reference_python:
        references.append(run_reference(args.reference_python, args.image_size, threads))
    with tempfile.TemporaryDirectory() as folder:
        modes, files = build_modes(generator, Path(folder), args, threads)
        wall, cpu = measure(modes, args.rounds, args.iterations)
    if args.reference_python:
        references.append(run_reference(args.reference_python, args.image_size, threads))
    # The faster of the two runs: a spell of load slows PyTorch's threads badly.
    reference = {
        precision: {
            count: min(run[key][count] for run in references) for count in references[0][key]
        }
        for precision, key in (("float32", "inference_ms"), ("bfloat16", "inference_bfloat16_autocast_ms"))
        if references
    }  # fmt: skip
    print(
        f"\n{args.rounds} rounds x {args.iterations} images per mode, batch 1, "
        f"{args.image_size} px (median wall ms; CPU ms = process CPU time, all threads):\n"
    )
    print_table(modes, wall, cpu, flops, rates, threads, reference)
    for label, file in files.items():
        size = f"{file['size_bytes'] / 1e6:.2f} MB, " if "size_bytes" in file else ""
        print(f"{label}: {size}PSNR {file['psnr_vs_keras_db']} dB")
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min): {', '.join(f'{load:.1f}' for load in load_after)}")
    if args.json:
        document = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "model": args.model or "random full-size",
            "image_size": args.image_size,
            "cores": CORES,
            "load_before": load_before,
            "load_after": load_after,
            "host_cpu_flags": bfloat16_cpu_flags(),
            "gflop_per_image": flops / 1e9,
            "gflop_per_image_executed": executed / 1e9,
            "matmul_gflop_per_s": rates["float32"] / 1e9,
            "matmul_bfloat16_gflop_per_s": rates["bfloat16"] / 1e9,
            "modes": {
                name: {"threads": count, "ms_per_image": wall[name], "cpu_ms": cpu[name]}
                for name, (count, _) in modes.items()
            },
            "litert_files": files,
            "pytorch_reference_ms": reference or None,
            "pytorch_runs": references,
        }
        Path(args.json).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
