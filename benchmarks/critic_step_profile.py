"""Where a full-size critic step's time goes: `python benchmarks/critic_step_profile.py`.

Times the parts of `GANimation._critic_step` at 128 px, each its own
`tf.function` on the same batch (median of `--repeats` after a warm-up), in
float32 and mixed_bfloat16: the generator's forward pass for the fakes, the
critic's forward and backward on real and fake (one call on 2N images), the
gradient penalty with its double backward, and the whole step, each against
its FLOP-bound time at the float32 and bfloat16 matmul rates measured in the
same process. Issue #23's training goal needs the critic step near its
ceiling; this shows which part keeps it away.
"""

from __future__ import annotations

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from generator_profile import median_ms  # noqa: E402
from train_throughput import forward_flops, matmul_rate  # noqa: E402

from tfganimation import losses  # noqa: E402
from tfganimation.training import TrainConfig, build_model  # noqa: E402

IMAGE_SIZE = 128


def used(gradients):
    """The gradients of the variables a part reaches (the penalty skips the AU head)."""
    return [gradient for gradient in gradients if gradient is not None]


def parts(model):
    """`{name: (function, forward-FLOP multiple of (generator, critic) per image)}`.

    A backward pass counts as twice its forward; the penalty as six critic
    forwards (its forward, input gradient and double backward), as in
    `benchmarks/train_throughput.py`'s FLOP model.
    """

    def fakes(images, aus):
        return model.generator((images, aus), training=True)[0]

    def critic_forward_backward(images, edited):
        with tf.GradientTape() as tape:
            scores, aus = model.critic(tf.concat([images, edited], 0), training=True)
            loss = tf.reduce_mean(tf.cast(scores, tf.float32))
            loss += tf.reduce_mean(tf.cast(aus, tf.float32))
        return used(tape.gradient(loss, model.critic.trainable_variables))

    def gradient_penalty(images, edited):
        alpha = tf.random.uniform([images.shape[0], 1, 1, 1])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(losses.gradient_penalty(model.critic, images, edited, alpha))
        return used(tape.gradient(loss, model.critic.trainable_variables))

    def critic_step(images, edited, aus):
        model._critic_step(images, aus, aus)
        return tf.constant(0.0)

    return {
        "generator forward (fakes)": (tf.function(fakes), (1, 0), "aus"),
        "critic forward + backward, real and fake": (
            tf.function(critic_forward_backward),
            (0, 2 * 3),
            "edited",
        ),
        "gradient penalty (forward, input gradient, double backward)": (
            tf.function(gradient_penalty),
            (0, 6),
            "edited",
        ),
        "whole critic step (the above, losses, Adam)": (tf.function(critic_step), (1, 12), "all"),
    }


def profile(precision: str, batch: int, repeats: int) -> dict:
    config = TrainConfig(data="-", out="-", image_size=IMAGE_SIZE, precision=precision)
    model = build_model(config)
    model.compile()
    rng = np.random.default_rng(0)
    images = tf.constant(rng.uniform(-1, 1, (batch, IMAGE_SIZE, IMAGE_SIZE, 3)), tf.float32)
    aus = tf.constant(rng.uniform(0, 1, (batch, 17)), tf.float32)
    edited = model.generator((images, aus), training=True)[0]
    generator_flops, critic_flops = forward_flops(model.generator), forward_flops(model.critic)
    rates = {"float32": matmul_rate("float32"), "bfloat16": matmul_rate("bfloat16")}
    rows = []
    for name, (function, (g, d), kind) in parts(model).items():
        inputs = {"aus": (images, aus), "edited": (images, edited), "all": (images, edited, aus)}
        seconds = median_ms(function, inputs[kind], repeats) / 1000.0
        flops = batch * (g * generator_flops + d * critic_flops)
        rows.append(
            {
                "part": name,
                "seconds": seconds,
                "gflop": flops / 1e9,
                "x_float32_bound": seconds / (flops / rates["float32"]),
                "x_bfloat16_bound": seconds / (flops / rates["bfloat16"]),
            }
        )
    return {"rates": rates, "parts": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precisions", nargs="+", default=["float32", "mixed_bfloat16"])
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    print(f"Critic step at {IMAGE_SIZE} px, batch {args.batch_size}; load {load:.1f}")
    results = {"batch": args.batch_size, "load_before": load}
    for precision in args.precisions:
        result = profile(precision, args.batch_size, args.repeats)
        results[precision] = result
        rates = result["rates"]
        print(
            f"\n{precision} (matmul {rates['float32'] / 1e9:.0f} GFLOP/s float32, "
            f"{rates['bfloat16'] / 1e9:.0f} bfloat16)"
        )
        print(f"{'part':<62}{'s':>7}{'GFLOP':>8}{'x f32 bound':>13}{'x bf16 bound':>14}")
        for row in result["parts"]:
            print(
                f"{row['part']:<62}{row['seconds']:>7.3f}{row['gflop']:>8.1f}"
                f"{row['x_float32_bound']:>13.1f}{row['x_bfloat16_bound']:>14.1f}"
            )
    results["load_after"] = os.getloadavg()[0]
    print(f"\nload average: {load:.1f} before, {results['load_after']:.1f} after")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=1)


if __name__ == "__main__":
    main()
