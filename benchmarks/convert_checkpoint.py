"""Converting a full-size PyTorch GANimation checkpoint: time, peak memory, and edit speed after.

No full-size fixture ships, so the benchmark writes one: the paper's networks
(generator conv_dim 64, 6 residual blocks, 17 AUs; critic conv_dim 64, 6
layers, 128 px) with random weights, named as donydchen/ganimation_replicate
names them (its published CelebA checkpoints have this layout), in the
legacy format PyTorch 0.4.1 wrote (`torch_writer.write_state_dict`).

Measured, each in a fresh Python process so that peak memory (the process's
maximum resident set) belongs to one task:

- `baseline`: import TensorFlow and build the two empty networks, the floor
  every conversion pays;
- `convert`: `convert_checkpoint(G, D)` (read, check, port), then
  `save_converted` to `.keras`;
- `load_keras`: `load_model` of that `.keras` file, the same weights through
  Keras' own format: the ratio says what reading PyTorch's format costs.

Then the converted model's edit time (batch 1, 128 px, median over
`--iterations` after a warm-up) in each runtime an `Animator` drives: the
Keras backend on the `.pth` itself, the exported SavedModel and LiteRT
float32 (`--threads` threads).

    python benchmarks/convert_checkpoint.py [--repeats 3] [--iterations 20] [--threads 2] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PAPER_GENERATOR_WEIGHTS = 8_471_296
PAPER_CRITIC_WEIGHTS = 44_860_352

_TASKS = {
    "baseline": (
        "from tfganimation.critic import Critic; from tfganimation.generator import Generator\n"
        "Generator(image_size=128); Critic(image_size=128)\n"
    ),
    "convert": (
        "from tfganimation.torch_checkpoints.conversion import convert_checkpoint, save_converted\n"
        "converted = convert_checkpoint(GENERATOR, CRITIC)\n"
        "save_converted(converted, KERAS, overwrite=True)\n"
        "RESULT['parameters'] = [converted.generator.count_params(), converted.critic.count_params()]\n"
    ),
    "load_keras": "from tfganimation.model_files.loading import load_model\nload_model(KERAS)\n",
}
"""What each measuring process times (after its imports), with `GENERATOR`, `CRITIC`,
`KERAS` and `RESULT` defined."""


def replicate_state_dicts(rng: np.random.Generator, conv_dim: int = 64, blocks: int = 6,
                          critic_layers: int = 6, image_size: int = 128, n_aus: int = 17):  # fmt: skip
    """Random generator and critic state_dicts with the replicate's names and shapes."""

    def normal(*shape):
        return rng.normal(0.0, 0.02, shape).astype(np.float32)

    generator = {}
    channels = [(3 + n_aus, conv_dim, 7), (conv_dim, 2 * conv_dim, 4), (2 * conv_dim, 4 * conv_dim, 4)]
    for index, (inputs, outputs, kernel) in zip((0, 3, 6), channels):
        generator[f"model.{index}.weight"] = normal(outputs, inputs, kernel, kernel)
        generator[f"model.{index}.bias"] = normal(outputs)
    width = 4 * conv_dim
    for block in range(blocks):
        for index in (0, 3):
            generator[f"model.{9 + block}.conv_block.{index}.weight"] = normal(width, width, 3, 3)
            generator[f"model.{9 + block}.conv_block.{index}.bias"] = normal(width)
    for step, index in enumerate((9 + blocks, 12 + blocks)):
        inputs = width // 2**step
        generator[f"model.{index}.weight"] = normal(inputs, inputs // 2, 4, 4)  # transposed: [in, out]
        generator[f"model.{index}.bias"] = normal(inputs // 2)
    generator["color_top.0.weight"] = normal(3, conv_dim, 7, 7)
    generator["au_top.0.weight"] = normal(1, conv_dim, 7, 7)

    critic, inputs = {}, 3
    for layer in range(critic_layers):
        outputs = conv_dim * 2**layer
        critic[f"model.{2 * layer}.weight"] = normal(outputs, inputs, 4, 4)
        critic[f"model.{2 * layer}.bias"] = normal(outputs)
        inputs = outputs
    critic["dis_top.weight"] = normal(1, inputs, 3, 3)
    head = image_size // 2**critic_layers
    critic["aus_top.weight"] = normal(n_aus, inputs, head, head)
    return generator, critic


def measure_in_process(task: str, paths: dict[str, Path]) -> dict:
    """Runs one task in a fresh interpreter: its seconds (after imports) and peak RSS."""
    script = (
        "import json, resource, sys, time\n"
        "import tensorflow, keras\n"
        f"GENERATOR, CRITIC, KERAS = {str(paths['generator'])!r}, {str(paths['critic'])!r}, "
        f"{str(paths['keras'])!r}\n"
        "RESULT = {}\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "started = time.perf_counter()\n"
        f"{_TASKS[task]}"
        "RESULT['seconds'] = time.perf_counter() - started\n"
        "RESULT['peak_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "RESULT['rss_before_mib'] = before / 1024\n"
        "print(json.dumps(RESULT))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"{task} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def edit_times(model: Path, export_dir: Path, iterations: int, threads: int) -> dict[str, float]:
    """Median ms of one 128-px edit in each runtime, after a warm-up call."""
    from tfganimation.inference import Animator

    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, (1, 128, 128, 3), dtype=np.uint8)
    aus = rng.uniform(0, 5, (1, 17)).astype(np.float32)
    runtimes = {
        "keras (the .pth, converted on load)": Animator(str(model)),
        "saved_model": Animator(str(export_dir)),
        "litert float32": Animator(str(export_dir / "generator_float32.tflite"), threads=threads),
    }
    times = {}
    for name, animator in runtimes.items():
        animator.edit_crops(crops, aus)
        samples = []
        for _ in range(iterations):
            started = time.perf_counter()
            animator.edit_crops(crops, aus)
            samples.append(time.perf_counter() - started)
        times[name] = 1000 * statistics.median(samples)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="processes per task (default 3)")
    parser.add_argument("--iterations", type=int, default=20, help="timed edits per runtime")
    parser.add_argument("--threads", type=int, default=2, help="LiteRT threads (default 2)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()

    from tfganimation.export import export_model
    from tfganimation.torch_checkpoints.torch_writer import write_state_dict

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        generator, critic = replicate_state_dicts(np.random.default_rng(0))
        paths = {
            "generator": write_state_dict(folder / "30_net_gen.pth", generator),
            "critic": write_state_dict(folder / "30_net_dis.pth", critic),
            "keras": folder / "converted.keras",
        }
        sizes = {name: paths[name].stat().st_size / 2**20 for name in ("generator", "critic")}
        runs = {task: [] for task in _TASKS}
        for _ in range(args.repeats):  # Tasks take turns: a busy spell slows all alike.
            for task in _TASKS:
                runs[task].append(measure_in_process(task, paths))
        parameters = runs["convert"][0]["parameters"]
        faces = folder / "faces"
        faces.mkdir()
        import cv2

        for seed in range(4):
            pixels = np.random.default_rng(seed).integers(0, 256, (128, 128, 3), dtype=np.uint8)
            cv2.imwrite(str(faces / f"{seed}.png"), pixels)
        started = time.perf_counter()
        export_model(
            paths["generator"], folder / "export", variants=("float32",),
            representative_data=faces, parity_images=2,
        )  # fmt: skip
        export_seconds = time.perf_counter() - started
        edits = edit_times(paths["generator"], folder / "export", args.iterations, args.threads)
    load_after = os.getloadavg()

    def worst(task: str, key: str) -> float:
        return max(run[key] for run in runs[task])

    print(f"Host: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")  # fmt: skip
    print(f"Checkpoint: generator {sizes['generator']:.1f} MiB, critic {sizes['critic']:.1f} MiB "
          f"(legacy format); weights {parameters[0]:,} + {parameters[1]:,} "
          f"(the paper's {PAPER_GENERATOR_WEIGHTS:,} + {PAPER_CRITIC_WEIGHTS:,}: "
          f"{'equal' if parameters == [PAPER_GENERATOR_WEIGHTS, PAPER_CRITIC_WEIGHTS] else 'DIFFERENT'})")  # fmt: skip
    print(f"\n{'task (worst of ' + str(args.repeats) + ')':<34}{'seconds':>9}{'peak RSS MiB':>14}")
    for task in _TASKS:
        print(f"{task:<34}{worst(task, 'seconds'):>9.2f}{worst(task, 'peak_rss_mib'):>14.0f}")
    ratio = worst("convert", "seconds") / worst("load_keras", "seconds")
    extra = worst("convert", "peak_rss_mib") - worst("baseline", "peak_rss_mib")
    print(f"convert / load_keras: {ratio:.2f}x the time; convert's peak is {extra:.0f} MiB above the baseline")
    print(f"export (SavedModel + LiteRT float32, parity checked): {export_seconds:.1f} s")
    print(f"\n{'runtime (batch 1, 128 px)':<40}{'ms per edit':>12}{'vs keras':>10}")
    keras_ms = next(iter(edits.values()))
    for name, ms in edits.items():
        print(f"{name:<40}{ms:>12.1f}{ms / keras_ms:>9.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "load_average": {"before": load_before, "after": load_after},
            "cpu_count": os.cpu_count(), "checkpoint_mib": sizes, "parameters": parameters,
            "runs": runs, "export_seconds": export_seconds, "edit_ms": edits,
            "litert_threads": args.threads, "iterations": args.iterations,
        }, indent=1) + "\n", encoding="utf-8")  # fmt: skip


if __name__ == "__main__":
    main()
