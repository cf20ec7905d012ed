"""The reference GANimation networks and training step in PyTorch, timed on this CPU.

The yardstick of issue #16: the original GANimation (Pumarola et al., ECCV
2018, https://github.com/albertpumarola/GANimation) generator and critic,
written here from the paper's architecture layer for layer as
`tfganimation.Generator`/`Critic` build them (conv 7×7-IN-ReLU, two 4×4/2
down, residual blocks, two 4×4/2 transposed up, colour and attention heads;
six 4×4/2 + LeakyReLU(0.01) critic levels with a realness and an AU head),
and the reference's `optimize_parameters`: a critic step (real and fake
passes, then the gradient penalty as its own optimizer step), and every
fifth batch a generator step (edit, critic on the edit, reconstruction,
attention terms). Adam(1e-4, 0.5, 0.999) as in the reference.

It runs under its own interpreter (PyTorch is not a tfganimation
dependency), e.g. a venv with `pip install torch numpy`:

    venv-torch/bin/python benchmarks/reference_pytorch.py --batch-sizes 8 25 --json ref.json

`benchmarks/train_throughput.py --reference-python PY` and
`benchmarks/inference.py --reference-python PY` run it between their own
measurements, so the ratios come from one run on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch
from torch import nn

N_AUS = 17


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            nn.InstanceNorm2d(channels, affine=True),
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, 1, 1, bias=False),
            nn.InstanceNorm2d(channels, affine=True),
        )

    def forward(self, x):
        return x + self.main(x)


class Generator(nn.Module):
    """The reference generator: AU planes concatenated to RGB, attention-composited output."""

    def __init__(self, conv_dim: int = 64, repeat_num: int = 6):
        super().__init__()
        layers = [
            nn.Conv2d(3 + N_AUS, conv_dim, 7, 1, 3, bias=False),
            nn.InstanceNorm2d(conv_dim, affine=True),
            nn.ReLU(inplace=True),
        ]
        channels = conv_dim
        for _ in range(2):
            layers += [
                nn.Conv2d(channels, channels * 2, 4, 2, 1, bias=False),
                nn.InstanceNorm2d(channels * 2, affine=True),
                nn.ReLU(inplace=True),
            ]
            channels *= 2
        layers += [ResidualBlock(channels) for _ in range(repeat_num)]
        for _ in range(2):
            layers += [
                nn.ConvTranspose2d(channels, channels // 2, 4, 2, 1, bias=False),
                nn.InstanceNorm2d(channels // 2, affine=True),
                nn.ReLU(inplace=True),
            ]
            channels //= 2
        self.main = nn.Sequential(*layers)
        self.color = nn.Sequential(nn.Conv2d(channels, 3, 7, 1, 3, bias=False), nn.Tanh())
        self.attention = nn.Sequential(nn.Conv2d(channels, 1, 7, 1, 3, bias=False), nn.Sigmoid())

    def forward(self, images, aus):
        planes = aus[:, :, None, None].expand(-1, -1, images.size(2), images.size(3))
        features = self.main(torch.cat([images, planes], dim=1))
        color, attention = self.color(features), self.attention(features)
        return attention * images + (1 - attention) * color, color, attention


class Critic(nn.Module):
    """The reference critic: a PatchGAN realness map and an AU regressor."""

    def __init__(self, image_size: int = 128, conv_dim: int = 64, repeat_num: int = 6):
        super().__init__()
        layers, channels = [nn.Conv2d(3, conv_dim, 4, 2, 1), nn.LeakyReLU(0.01)], conv_dim
        for _ in range(1, repeat_num):
            layers += [nn.Conv2d(channels, channels * 2, 4, 2, 1), nn.LeakyReLU(0.01)]
            channels *= 2
        self.main = nn.Sequential(*layers)
        self.realness = nn.Conv2d(channels, 1, 3, 1, 1, bias=False)
        self.aus = nn.Conv2d(channels, N_AUS, image_size // 2**repeat_num, bias=False)

    def forward(self, images):
        features = self.main(images)
        return self.realness(features), self.aus(features).flatten(1)


class ReferenceStep:
    """The reference's `optimize_parameters`, loss weights as in its defaults."""

    def __init__(self, image_size: int):
        self.generator, self.critic = Generator(), Critic(image_size)
        adam = dict(lr=1e-4, betas=(0.5, 0.999))
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), **adam)
        self.d_optimizer = torch.optim.Adam(self.critic.parameters(), **adam)

    def critic_step(self, images, real_aus, target_aus):
        with torch.no_grad():
            fake, _, _ = self.generator(images, target_aus)
        real_scores, estimated = self.critic(images)
        fake_scores, _ = self.critic(fake)
        au_loss = nn.functional.mse_loss(estimated, real_aus) / images.size(0) * 4000
        loss = -real_scores.mean() + fake_scores.mean() + au_loss
        self.d_optimizer.zero_grad()
        loss.backward()
        self.d_optimizer.step()
        # The reference's separate gradient-penalty step.
        alpha = torch.rand(images.size(0), 1, 1, 1)
        points = (alpha * images + (1 - alpha) * fake).requires_grad_(True)
        scores, _ = self.critic(points)
        (gradients,) = torch.autograd.grad(scores.sum(), points, create_graph=True)
        penalty = ((gradients.flatten(1).norm(2, dim=1) - 1) ** 2).mean() * 10
        self.d_optimizer.zero_grad()
        penalty.backward()
        self.d_optimizer.step()

    def generator_step(self, images, real_aus, target_aus):
        fake, _, attention = self.generator(images, target_aus)
        fake_scores, estimated = self.critic(fake)
        reconstructed, _, reconstruction_attention = self.generator(fake, real_aus)
        loss = -fake_scores.mean()
        loss = loss + nn.functional.mse_loss(estimated, target_aus) / images.size(0) * 4000
        loss = loss + 10 * (reconstructed - images).abs().mean()
        for mask in (attention, reconstruction_attention):
            loss = loss + 0.1 * mask.mean() + 1e-5 * _total_variation(mask)
        self.g_optimizer.zero_grad()
        loss.backward()
        self.g_optimizer.step()


def _total_variation(mask):
    return (mask[:, :, 1:, :] - mask[:, :, :-1, :]).abs().sum() + (
        mask[:, :, :, 1:] - mask[:, :, :, :-1]
    ).abs().sum()


def _batch(batch_size: int, image_size: int):
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(batch_size, 3, image_size, image_size, generator=generator) * 2 - 1
    real = torch.rand(batch_size, N_AUS, generator=generator)
    return images, real, torch.rand(batch_size, N_AUS, generator=generator)


def _seconds(run, repeats: int) -> float:
    """Fastest of `repeats` timed calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def time_training(batch_size: int, image_size: int, repeats: int) -> dict:
    """Seconds per critic step, per generator step and per 5 + 1 cycle at one batch size."""
    torch.manual_seed(0)
    step = ReferenceStep(image_size)
    batch = _batch(batch_size, image_size)
    critic = _seconds(lambda: step.critic_step(*batch), repeats)
    generator = _seconds(lambda: step.generator_step(*batch), repeats)
    return {
        "batch": batch_size,
        "critic_s": critic,
        "generator_s": generator,
        "cycle_s": 5 * critic + generator,
    }


def time_inference(image_size: int, threads: int, iterations: int, bfloat16: bool = False) -> float:
    """Median ms of a batch-1 generator forward pass (eval, no gradients) on `threads` threads.

    `bfloat16`: under `torch.autocast("cpu", torch.bfloat16)`, PyTorch's own
    mixed precision, which the reference's users do not run but which is
    the fair yardstick for a bfloat16 path.
    """
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    generator = Generator().eval()
    images, _, aus = _batch(1, image_size)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16)
    with torch.no_grad(), autocast:
        for _ in range(2):
            generator(images, aus)
        times = []
        for _ in range(iterations):
            started = time.perf_counter()
            generator(images, aus)
            times.append(time.perf_counter() - started)
    return 1000.0 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[8, 25])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="for inference")
    parser.add_argument("--iterations", type=int, default=10, help="timed inference calls")
    parser.add_argument("--repeats", type=int, default=1, help="timed steps of each kind")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    result = {
        "torch": torch.__version__,
        "image_size": args.image_size,
        "load_before": os.getloadavg(),
        "inference_ms": {
            str(threads): time_inference(args.image_size, threads, args.iterations)
            for threads in args.threads
        },
        "inference_bfloat16_autocast_ms": {
            str(threads): time_inference(args.image_size, threads, args.iterations, bfloat16=True)
            for threads in args.threads
        },
    }
    torch.set_num_threads(os.cpu_count() or 1)
    result["training"] = [
        time_training(batch, args.image_size, args.repeats) for batch in args.batch_sizes
    ]
    result["load_after"] = os.getloadavg()
    text = json.dumps(result, indent=1)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            file.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
