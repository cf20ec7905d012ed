"""Training throughput of the full-size GANimation, against its FLOP count.

Times the two kinds of training step of the 128-px reference model
(conv_dim 64, 6 residual blocks, 6 critic levels) at batch 8 and 25, for

* eager: `model.train_step` called eagerly;
* function: `tf.function(model.train_step)`, what `fit` runs by default on CPUs;
* unbatched: `function` with the critic step's real and fake images through
  the critic in two calls, as before issue #16 (now one call of 2N images);
* xla: `tf.function(..., jit_compile=True)`;
* bf16: `function` under the `mixed_bfloat16` policy;
* direct3x3: `function` with the generator's 3×3 convolutions as the direct
  kernels instead of Winograd products (`tfganimation.winograd`), as before;

each in its own process (so that the peak memory is that configuration's),
after a warm-up step that traces and compiles. The step is the real
`train_step`: the `global_step` counter is set before each timed step so
that it is a critic step only, or a critic step followed by a generator
step; the generator step's time is the difference.

**FLOP model.** Forward FLOPs are counted from the layer shapes: a
convolution costs 2·H_out·W_out·k²·C_in·C_out, a transposed convolution
2·H_in·W_in·k²·C_in·C_out; normalisations and activations (under 1%) are
left out. With F_G and F_D the forward FLOPs of the generator and the
critic per image, and a backward pass costing twice its forward:

* critic step = F_G (edit, no gradient) + 2·F_D (real, fake) + 2·F_D (the
  gradient penalty's forward and its gradient w.r.t. the interpolates)
  + 2·2·F_D (backward of real and fake) + 2·2·F_D (backward through the
  penalty's forward and gradient: the double backward) = F_G + 12·F_D;
* generator step = 2·F_G (edit, reconstruction) + F_D (critic on the edit)
  + 2·2·F_G (backward through both generator passes) + F_D (backward through
  the critic, input gradients only) = 6·F_G + 2·F_D.

The theoretical time is those FLOPs over the machine's matrix-multiply rate,
measured in the same process right after the steps (a 2048³ `tf.matmul`);
every row is set against both ceilings, float32 and bfloat16 (on a CPU with
AMX the second is several times the first), so the ratio measured /
theoretical says how far each configuration is from what the machine's
arithmetic allows in either precision. The CPU's AMX and AVX-512 bf16/fp16
flags are printed: they decide what bfloat16 can reach.

    python benchmarks/train_throughput.py [--batch-sizes 8 25] [--modes eager function bf16] [--repeats 1]
        [--json PATH] [--reference-python venv-torch/bin/python]

`--reference-python` runs `benchmarks/reference_pytorch.py` (the reference
networks and `optimize_parameters` in PyTorch) at each batch size right
after our configurations of that size, so the ratios come from one run.

XLA is measured with `--modes xla --batch-sizes 8`; it is left out of the
default run because on a 2-core CPU it compiled for 9 minutes and then ran
the generator step 160× slower than `function` (which is why `jit_compile`
stays "auto", i.e. off, on CPUs).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MODES = ("eager", "function", "unbatched", "xla", "bf16", "direct3x3")
IMAGE_SIZE = 128


def conv_flops(layer, transposed: bool = False) -> int:
    """Forward FLOPs of one image through a built `Conv2D`/`Conv2DTranspose`."""
    kernel_h, kernel_w, *_ = layer.kernel.shape
    if transposed:  # the kernel is (k, k, C_out, C_in)
        _, _, channels_out, channels_in = layer.kernel.shape
        _, height, width, _ = layer._build_shapes_dict["input_shape"]
    else:
        _, _, channels_in, channels_out = layer.kernel.shape
        input_shape = layer._build_shapes_dict["input_shape"]
        _, height, width, _ = layer.compute_output_shape(input_shape)
    return 2 * height * width * kernel_h * kernel_w * channels_in * channels_out


def forward_flops(network) -> int:
    """Forward FLOPs of one image through every convolution of `network`."""
    import keras

    total = 0
    for layer in network._flatten_layers():
        if isinstance(layer, keras.layers.Conv2DTranspose):
            total += conv_flops(layer, transposed=True)
        elif isinstance(layer, keras.layers.Conv2D):
            total += conv_flops(layer)
    return total


def matmul_rate(dtype: str, n: int = 2048, repeats: int = 10) -> float:
    """FLOP/s of an n×n×n `tf.matmul` in `dtype`, after a warm-up."""
    import tensorflow as tf

    a = tf.random.normal((n, n), dtype=tf.float32)
    a, b = tf.cast(a, dtype), tf.cast(tf.transpose(a), dtype)
    product = tf.function(lambda a, b: tf.reduce_sum(tf.cast(tf.matmul(a, b), tf.float32)))
    product(a, b).numpy()
    started = time.perf_counter()
    for _ in range(repeats):
        product(a, b).numpy()
    return 2 * n**3 * repeats / (time.perf_counter() - started)


def _separate_critic_calls(model, images, edited):
    """The critic step's scoring before issue #16: real and fake in two critic calls."""
    real_scores, estimated_aus = model.critic(images, training=True)
    fake_scores, _ = model.critic(edited, training=True)
    return real_scores, estimated_aus, fake_scores


def time_steps(mode: str, batch_size: int, repeats: int) -> dict:
    """Seconds per critic step and per generator step of one configuration."""
    import numpy as np
    import tensorflow as tf

    from tfganimation.training import TrainConfig, build_model

    config = TrainConfig(
        data="-",
        out="-",
        image_size=IMAGE_SIZE,
        precision="mixed_bfloat16" if mode == "bf16" else "float32",
    )
    model = build_model(config)
    if mode == "unbatched":
        model._critic_scores = lambda images, edited: _separate_critic_calls(model, images, edited)
    model.compile(jit_compile=mode == "xla", run_eagerly=mode == "eager")
    rng = np.random.default_rng(0)
    batch = {
        "image": tf.constant(
            rng.uniform(-1, 1, (batch_size, IMAGE_SIZE, IMAGE_SIZE, 3)), tf.float32
        ),
        "real_aus": tf.constant(rng.uniform(0, 1, (batch_size, 17)), tf.float32),
        "target_aus": tf.constant(rng.uniform(0, 1, (batch_size, 17)), tf.float32),
    }
    if mode == "eager":
        step = model.train_step
    elif mode == "direct3x3":
        from tfganimation.winograd import direct_convolutions

        def direct_step(batch):
            with direct_convolutions():  # Read when the step is traced.
                return model.train_step(batch)

        step = tf.function(direct_step)
    else:
        step = tf.function(model.train_step, jit_compile=mode == "xla")

    def run(with_generator: bool) -> float:
        # The generator steps when the incremented counter is a multiple of n_critic.
        model.global_step.assign(model.n_critic - 1 if with_generator else 0)
        started = time.perf_counter()
        logs = step(batch)
        float(logs["d_loss"])  # waits for the step to finish
        return time.perf_counter() - started

    started = time.perf_counter()
    run(with_generator=True)  # traces (and compiles) both branches
    warmup = time.perf_counter() - started
    critic = min(run(with_generator=False) for _ in range(repeats))
    both = min(run(with_generator=True) for _ in range(repeats))
    return {
        "mode": mode,
        "batch": batch_size,
        # The machine's arithmetic rate, measured here and now: on a shared
        # machine it moves with the load, like the steps' times.
        "matmul_flops_per_s": max(matmul_rate("float32") for _ in range(2)),
        "matmul_bfloat16_flops_per_s": max(matmul_rate("bfloat16") for _ in range(2)),
        "warmup_s": warmup,
        "critic_s": critic,
        "generator_s": max(both - critic, 0.0),
        "cycle_s": 5 * critic + max(both - critic, 0.0),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "generator_flops": forward_flops(model.generator),
        "critic_flops": forward_flops(model.critic),
    }


def run_reference(python: str, batch_size: int, repeats: int) -> dict:
    """The PyTorch reference's step times at one batch size, from its own interpreter."""
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_pytorch.py")
    command = [python, script, "--image-size", str(IMAGE_SIZE), "--threads", str(os.cpu_count())]
    command += ["--iterations", "1", "--batch-sizes", str(batch_size), "--repeats", str(repeats)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)["training"][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[8, 25])
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=["eager", "function", "bf16"],
        help="xla is left out by default: on a 2-core CPU one batch-8 configuration took 25 minutes",
    )
    parser.add_argument(
        "--repeats", type=int, default=1, help="timed steps of each kind (the fastest counts)"
    )
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--reference-python", help="an interpreter with PyTorch, for the reference")
    parser.add_argument("--one", nargs=2, metavar=("MODE", "BATCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(time_steps(args.one[0], int(args.one[1]), args.repeats)))
        return

    started = time.perf_counter()
    load_before = os.getloadavg()
    rows, references = [], {}
    for batch_size in args.batch_sizes:
        for mode in args.modes:
            command = [sys.executable, os.path.abspath(__file__), "--one", mode, str(batch_size)]
            result = subprocess.run(
                [*command, "--repeats", str(args.repeats)], capture_output=True, text=True
            )
            if result.returncode:
                print(
                    f"{mode} batch {batch_size} failed:\n{result.stderr[-2000:]}", file=sys.stderr
                )
                continue
            rows.append(json.loads(result.stdout.strip().splitlines()[-1]))
            rows[-1]["load_after"] = os.getloadavg()
            print(
                f"  {mode} batch {batch_size} done at {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        if args.reference_python:
            references[batch_size] = run_reference(args.reference_python, batch_size, args.repeats)
            references[batch_size]["load_after"] = os.getloadavg()
            print(
                f"  PyTorch batch {batch_size} done at {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )

    if rows:
        f_g, f_d = rows[0]["generator_flops"], rows[0]["critic_flops"]
        print(
            f"forward FLOPs per image: generator {f_g / 1e9:.2f} G, critic {f_d / 1e9:.2f} G; "
            f"critic step {(f_g + 12 * f_d) / 1e9:.1f} G, generator step {(6 * f_g + 2 * f_d) / 1e9:.1f} G"
        )
    print()
    print(
        "| mode | batch | critic step s | critic img/s | × f32 / bf16 theory | generator step s "
        "| × f32 / bf16 theory | 5+1 cycle s | vs PyTorch | matmul GFLOP/s f32 / bf16 "
        "| warm-up s | peak RSS MiB | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        rates = (row["matmul_flops_per_s"], row["matmul_bfloat16_flops_per_s"])
        f_g, f_d, batch = row["generator_flops"], row["critic_flops"], row["batch"]
        critic_flops, generator_flops = batch * (f_g + 12 * f_d), batch * (6 * f_g + 2 * f_d)
        critic_x = " / ".join(f"{row['critic_s'] * rate / critic_flops:.1f}" for rate in rates)
        generator_x = " / ".join(
            f"{row['generator_s'] * rate / generator_flops:.1f}" for rate in rates
        )
        reference = references.get(batch)
        ratio = f"{reference['cycle_s'] / row['cycle_s']:.2f}x" if reference else "-"
        print(
            f"| {row['mode']} | {batch} | {row['critic_s']:.2f} | {batch / row['critic_s']:.2f} | "
            f"{critic_x} | {row['generator_s']:.2f} | {generator_x} | {row['cycle_s']:.1f} | "
            f"{ratio} | {rates[0] / 1e9:.0f} / {rates[1] / 1e9:.0f} | {row['warmup_s']:.0f} | "
            f"{row['peak_rss_mib']:.0f} | {row['load_after'][0]:.1f} |"
        )
    for batch, reference in references.items():
        print(
            f"| PyTorch reference | {batch} | {reference['critic_s']:.2f} | "
            f"{batch / reference['critic_s']:.2f} | | {reference['generator_s']:.2f} | | "
            f"{reference['cycle_s']:.1f} | 1.00x | | | | {reference['load_after'][0]:.1f} |"
        )
    print()
    load_after = os.getloadavg()
    # Only now: the measuring runs in subprocesses, and this imports TensorFlow.
    from tfganimation.precision import bfloat16_cpu_flags

    print(
        f"{os.cpu_count()} CPUs ({' '.join(bfloat16_cpu_flags()) or 'no AMX, no AVX-512 bf16'}); "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; "
        f"{time.perf_counter() - started:.0f} s in all."
    )
    if args.json:
        document = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "image_size": IMAGE_SIZE,
            "cores": os.cpu_count(),
            "host_cpu_flags": bfloat16_cpu_flags(),
            "load_before": load_before,
            "load_after": load_after,
            "modes": rows,
            "pytorch_reference": {str(batch): row for batch, row in references.items()},
        }
        with open(args.json, "w", encoding="utf-8") as file:
            file.write(json.dumps(document, indent=1) + "\n")


if __name__ == "__main__":
    main()
