"""Where the generator's batch-1 time goes, op by op: `python benchmarks/generator_profile.py`.

Runs the full-size generator's forward pass (128 px, random weights) one
stage at a time, each stage its own `tf.function` on the input it gets in the
real pass, in float32 and in bfloat16 (`in_precision`), and prints per stage
and per kind of op (convolutions by shape, instance norms, ReLUs, the AU term,
the heads) the median time, the FLOPs, the rate reached and that rate as a
share of the matrix-multiply ceiling measured in the same process. The sum of
the stages against the whole pass shows what running them apart costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import defaultdict

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from inference import matmul_flops_per_second  # noqa: E402
from keras import layers, ops  # noqa: E402

from tfganimation.au_conditioning import au_conv_term  # noqa: E402
from tfganimation.aus import N_AUS  # noqa: E402
from tfganimation.generator import Generator, composite  # noqa: E402
from tfganimation.layers import instance_normalize  # noqa: E402
from tfganimation.precision import in_precision  # noqa: E402


def conv_flops(kernel_shape, output_height: int, output_width: int, transposed: bool) -> int:
    """2 × multiply-adds of one image; a transposed kernel is `[k, k, out, in]` at its input size."""
    taps = kernel_shape[0] * kernel_shape[1] * kernel_shape[2] * kernel_shape[3]
    size = output_height * output_width // (4 if transposed else 1)
    return 2 * size * taps


class Stages:
    """The stages of one forward pass, run for real as they are recorded."""

    def __init__(self):
        self.rows = []  # (label, kind, flops, function, inputs)

    def run(self, label: str, kind: str, function, *inputs, flops: int = 0):
        self.rows.append((label, kind, flops, tf.function(function), inputs))
        return function(*inputs)

    def layer(self, label: str, layer, x):
        if isinstance(layer, layers.GroupNormalization):
            return self.run(
                label, "instance norm", lambda x: instance_normalize(x, layer, fused=True), x
            )
        if isinstance(layer, layers.ReLU):
            return self.run(label, "ReLU", layer, x)
        transposed = isinstance(layer, layers.Conv2DTranspose)
        _, height, width, _ = layer.compute_output_shape(x.shape)
        k = layer.kernel.shape
        kind = f"conv{'-transpose' if transposed else ''} {k[0]}x{k[1]}"
        kind += f"/{layer.strides[0]}" if layer.strides[0] > 1 else ""
        flops = conv_flops(k, height, width, transposed)
        return self.run(label, kind, layer, x, flops=flops)


def record_stages(generator: Generator, images, aus) -> Stages:
    """Every stage of `generator((images, aus))`, in the order `Generator.call` runs them."""
    stages = Stages()
    dtype = generator.compute_dtype
    x = ops.cast(images, dtype)
    first, *encoder = generator.encoder.layers
    kernel = ops.cast(first.kernel, dtype)
    height, width = images.shape[1], images.shape[2]
    image_kernel, au_kernel = kernel[:, :, :3, :], kernel[:, :, 3:, :]
    features = stages.run(
        "encoder conv 7x7 (image channels)",
        "conv 7x7 (first)",
        lambda x: ops.conv(x, image_kernel, padding="same"),
        x,
        flops=conv_flops(image_kernel.shape, height, width, False),
    )
    au_term = stages.run(
        "encoder AU term", "AU term", lambda a: au_conv_term(a, au_kernel, height, width), aus
    )
    features = stages.run("encoder add AU term", "add", lambda f, t: f + t, features, au_term)
    for index, layer in enumerate(encoder):
        features = stages.layer(f"encoder {index + 1} {layer.name}", layer, features)
    for index, block in enumerate(generator.bottleneck.layers):
        inputs = features
        x = stages.layer(f"residual {index} conv_1", block.conv_1, inputs)
        x = stages.layer(f"residual {index} norm_1", block.norm_1, x)
        x = stages.run(f"residual {index} relu", "ReLU", ops.relu, x)
        x = stages.layer(f"residual {index} conv_2", block.conv_2, x)
        x = stages.layer(f"residual {index} norm_2", block.norm_2, x)
        features = stages.run(f"residual {index} add", "add", lambda a, b: a + b, inputs, x)
    for index, layer in enumerate(generator.decoder.layers):
        features = stages.layer(f"decoder {index} {layer.name}", layer, features)
    head_flops = conv_flops((7, 7, features.shape[-1], 4), height, width, False)
    color, attention = stages.run(
        "heads (one 7x7 conv, 4 ch) + tanh/sigmoid",
        "heads 7x7",
        generator.heads,
        features,
        flops=head_flops,
    )
    stages.run("composite", "composite", composite, images, color, attention)
    return stages


def median_ms(function, inputs, repeats: int) -> float:
    for _ in range(2):
        tf.nest.map_structure(lambda t: t.numpy(), function(*inputs))
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        tf.nest.map_structure(lambda t: t.numpy(), function(*inputs))
        times.append(time.perf_counter() - started)
    return 1000.0 * statistics.median(times)


def profile(generator: Generator, precision: str, repeats: int) -> dict:
    model = in_precision(generator, precision)
    rng = np.random.default_rng(0)
    size = generator.image_size
    images = tf.constant(rng.uniform(-1, 1, [1, size, size, 3]), tf.float32)
    aus = tf.constant(rng.uniform(0, 1, [1, N_AUS]), tf.float32)
    whole = tf.function(lambda x, a: model((x, a), training=False)[0])
    whole_ms = median_ms(whole, (images, aus), repeats)
    stages = record_stages(model, images, aus)
    rows = [
        {"stage": label, "kind": kind, "flops": flops, "ms": median_ms(function, inputs, repeats)}
        for label, kind, flops, function, inputs in stages.rows
    ]
    return {"whole_ms": whole_ms, "stages": rows}


def by_kind(rows: list[dict]) -> dict:
    totals = defaultdict(lambda: {"count": 0, "ms": 0.0, "flops": 0})
    for row in rows:
        total = totals[row["kind"]]
        total["count"] += 1
        total["ms"] += row["ms"]
        total["flops"] += row["flops"]
    return dict(sorted(totals.items(), key=lambda item: -item[1]["ms"]))


def print_profile(precision: str, result: dict, ceiling: float, verbose: bool) -> None:
    stage_sum = sum(row["ms"] for row in result["stages"])
    print(
        f"\n{precision}: whole pass {result['whole_ms']:.1f} ms, stages run apart "
        f"{stage_sum:.1f} ms; matmul ceiling {ceiling / 1e9:.0f} GFLOP/s"
    )
    print(f"{'kind':<22}{'n':>4}{'ms':>9}{'share':>8}{'GFLOP':>8}{'GFLOP/s':>9}{'of ceiling':>12}")
    for kind, total in by_kind(result["stages"]).items():
        rate = total["flops"] / (total["ms"] / 1000.0) if total["flops"] else 0.0
        print(
            f"{kind:<22}{total['count']:>4}{total['ms']:>9.2f}{total['ms'] / stage_sum:>8.1%}"
            f"{total['flops'] / 1e9:>8.2f}{rate / 1e9:>9.0f}"
            + (f"{rate / ceiling:>12.0%}" if total["flops"] else "")
        )
    if verbose:
        for row in result["stages"]:
            print(f"  {row['stage']:<44}{row['ms']:>8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=20, help="timed calls per stage (median)")
    parser.add_argument("--precisions", nargs="+", default=["float32", "bfloat16"])
    parser.add_argument("--verbose", action="store_true", help="also print every stage")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    generator = Generator(image_size=args.image_size)
    load = os.getloadavg()[0]
    print(f"Generator at {args.image_size} px, batch 1, {os.cpu_count()} cores, load {load:.1f}")
    results = {}
    for precision in args.precisions:
        ceiling = matmul_flops_per_second(dtype=tf.float32 if precision == "float32" else tf.bfloat16)
        results[precision] = {"matmul_flops_per_second": ceiling}
        results[precision].update(profile(generator, precision, args.repeats))
        print_profile(precision, results[precision], ceiling, args.verbose)
    print(f"\nload average (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"load_before": load, "load_after": os.getloadavg()[0], **results}, file)


if __name__ == "__main__":
    main()
