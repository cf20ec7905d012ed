"""`tfganimation convert`: a published PyTorch GANimation checkpoint as a `.keras` model."""

from __future__ import annotations

import argparse
import json

from tfganimation.commands.arguments import add_command, named_after, positive_int
from tfganimation.faces.framing import FRAMINGS  # plain data and NumPy, no TensorFlow
from tfganimation.torch_checkpoints.layouts import LAYOUTS

SUMMARY = "convert a PyTorch GANimation checkpoint (.pth/.ckpt) to a .keras model"

DESCRIPTION = """\
Read a generator (and critic) state_dict of albertpumarola/GANimation,
donydchen/ganimation_replicate or vipermu/ganimation without PyTorch and without running the
pickle (only tensors are accepted), and write a .keras model that every tfganimation command
takes, with a record of where it came from. The .pth/.ckpt also works directly wherever a model
is accepted; converting once saves the conversion each time.
"""


def add_parser(subparsers) -> None:
    parser = add_command(subparsers, "convert", run, SUMMARY, DESCRIPTION)
    parser.add_argument("generator", help="the generator's checkpoint, e.g. 30_net_gen.pth")
    parser.add_argument(
        "--critic",
        default=None,
        help="the critic's checkpoint (default: the file its codebase saves beside the "
        "generator, e.g. 30_net_dis.pth, if there); needed to estimate AUs from a photo",
    )
    parser.add_argument(
        "--out",
        default=None,
        help="the .keras file to write (default: GENERATOR_STEM.keras in the working folder)",
    )
    parser.add_argument(
        "--layout",
        choices=tuple(LAYOUTS),
        default=None,
        help="the codebase whose names the file uses (default: detected from its keys)",
    )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=None,
        help="the generator's input size (default: the critic's, else 128, the size all "
        "three codebases trained at)",
    )
    parser.add_argument(
        "--framing",
        choices=FRAMINGS,
        default=None,
        help="how faces are cropped for this model (default: its codebase's training crops: "
        "face_recognition for original and replicate, openface_simalign for stargan_based)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier --out file")


def run(args: argparse.Namespace) -> int:
    from tfganimation.torch_checkpoints.conversion import (
        convert_checkpoint,
        find_critic,
        save_converted,
    )

    critic = args.critic or find_critic(args.generator)
    converted = convert_checkpoint(
        args.generator,
        critic,
        layout=args.layout,
        image_size=args.image_size,
        framing=args.framing,
    )
    out = args.out or named_after(args.generator, ".keras")
    path = save_converted(converted, out, overwrite=args.overwrite)
    print(summary(converted.record))
    if critic is not None and args.critic is None:
        print(f"(The critic {critic} was found beside the generator; --critic names another.)")
    print(f"Wrote {path}")
    return 0


def summary(record: dict) -> str:
    """What a conversion found, in a few lines for the terminal."""
    generator = record["generator"]
    sizes = generator["sizes"]
    lines = [
        f"Layout:    {record['layout']} ({record['repository']}; {record['layout_from']})",
        f"Generator: {generator['file']} ({generator['format']}), conv_dim {sizes['conv_dim']}, "
        f"{sizes['residual_blocks']} residual blocks, {generator['parameters']:,} weights",
    ]
    critic = record["critic"]
    if critic is None:
        lines.append("Critic:    none (the model edits and exports; it cannot estimate AUs)")
    else:
        critic_sizes = critic["sizes"]
        lines.append(
            f"Critic:    {critic['file']} ({critic['format']}), conv_dim "
            f"{critic_sizes['conv_dim']}, {critic_sizes['downsampling_layers']} layers, "
            f"{critic['parameters']:,} weights"
        )
    lines.append(f"Image size: {record['image_size']} px ({record['image_size_from']})")
    lines.append(f"Framing:   {record['framing']} ({record['framing_from']})")
    for part in ("generator", "critic"):
        port = (record[part] or {}).get("port")
        if port:
            left = json.dumps(port["unused"]) if port["unused"] else "nothing"
            lines.append(
                f"{part.capitalize()} tensors: {port['used']} of {port['tensors']} ported, "
                f"{port['cancelled_biases']} biases cancelled by instance norms, unused: {left}"
            )
    return "\n".join(lines)
