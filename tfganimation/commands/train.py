"""`tfganimation train`: train GANimation on a dataset with `model.fit`."""

from __future__ import annotations

import argparse
import dataclasses
import functools

from tfganimation.commands.arguments import non_negative_int, positive_int
from tfganimation.training.config import TrainConfig

STRATEGIES = ("default", "mirrored", "multiworker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
# Spelled out here rather than imported: `--help` must not import TensorFlow
# (a test pins them to `tfganimation.distribute` and `tfganimation.precision`).

DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainConfig)}
"""`TrainConfig`'s defaults, the one place they are written; every option below takes its own."""

JIT_COMPILE = {"auto": "auto", "on": True, "off": False}
"""`--jit-compile` choices → `TrainConfig.jit_compile` values."""


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train GANimation on an AU dataset",
        description=(
            "Train GANimation with model.fit on a dataset in any supported format "
            "(manifest, original GANimation layout, OpenFace CSVs). Writes the last few "
            "epoch checkpoints, history.csv, TensorBoard logs, pictures of training, "
            "model.keras and run.json to --out. A run that was killed continues with the same "
            "command plus --resume."
        ),
    )
    parser.add_argument("--data", required=True, help="dataset folder or OpenFace CSV")
    parser.add_argument("--out", required=True, help="run directory to create")
    option = functools.partial(_config_option, parser)
    option("--image-size", type=positive_int)
    option("--batch-size", type=positive_int, help="global batch (default %(default)s)")
    option("--epochs", type=positive_int, help="total epochs (default %(default)s)")
    option(
        "--decay-epochs",
        type=non_negative_int,
        help="final epochs with linear LR decay, at most --epochs (default %(default)s)",
    )
    option("--learning-rate", type=float)
    option("--n-critic", type=positive_int)
    option("--conv-dim", type=positive_int)
    option(
        "--critic-conv-dim",
        type=positive_int,
        help="width of the critic's first convolution (default: --conv-dim)",
    )
    # --repeat-num and --critic-repeat-num: the names these had before each got its own.
    option(
        "--residual-blocks",
        "--repeat-num",
        type=non_negative_int,
        help="generator residual blocks (default %(default)s; --repeat-num is deprecated)",
    )
    option(
        "--downsampling-layers",
        "--critic-repeat-num",
        type=positive_int,
        help="critic stride-2 convolutions (default: 6, or as many as --image-size halves; "
        "--critic-repeat-num is deprecated)",
    )
    option("--steps-per-epoch", type=positive_int)
    option("--seed", type=int)
    parser.add_argument(
        "--jit-compile",
        choices=tuple(JIT_COMPILE),
        default=next(key for key, value in JIT_COMPILE.items() if value == DEFAULTS["jit_compile"]),
        help="XLA for the train step; auto = only on a single GPU (on CPUs it measured slower)",
    )
    option(
        "--strategy",
        choices=STRATEGIES,
        help="default: one device; mirrored: all local GPUs; multiworker: hosts in TF_CONFIG",
    )
    option(
        "--precision",
        choices=PRECISIONS,
        help="mixed_float16 for GPUs, mixed_bfloat16 for Ampere+ GPUs and AVX512_BF16/AMX CPUs",
    )
    option(
        "--backup-every",
        type=_steps_or_epoch,
        metavar="N",
        help="back up the training state every N steps and at epoch ends, or 'epoch' "
        "(default %(default)s)",
    )
    option(
        "--sample-every",
        type=positive_int,
        metavar="N",
        help="write a picture of training every N steps (default %(default)s)",
    )
    option(
        "--validation-steps",
        type=_steps_or_all,
        metavar="N",
        help="validate on N fixed test batches (same images and target AUs) at every epoch end; "
        "0 = no validation, 'all' = the whole test split (default %(default)s)",
    )
    option(
        "--keep-checkpoints",
        type=non_negative_int,
        metavar="K",
        help="keep the training state of the last K epoch ends in checkpoints/; 0 = none "
        "(default %(default)s)",
    )
    option(
        "--best-checkpoint",
        metavar="METRIC",
        help="also keep the epoch with the lowest METRIC (a logged loss, e.g. val_g_au) as "
        "checkpoints/best.weights.h5",
    )
    option(
        "--init-from",
        metavar="MODEL",
        help="start from these weights with fresh optimizers (fine-tuning): a run directory, a "
        ".keras file, demo, or a PyTorch GANimation generator .pth/.ckpt; its architecture "
        "replaces the sizes you leave at their defaults",
    )
    option(
        "--init-critic",
        "--critic",
        metavar="CHECKPOINT",
        help="the critic .pth/.ckpt that goes with a PyTorch --init-from (default: the one its "
        "codebase saves beside the generator, if there; else the critic starts at random)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --out from its last backup (same options as it started with)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing run in --out")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tfganimation.callbacks import NonFiniteLossError
    from tfganimation.cli import CommandError
    from tfganimation.training import MODEL_FILE, RUN_FILE, InsufficientStorageError, train

    if args.resume and args.overwrite:
        raise CommandError("--resume and --overwrite exclude each other.")
    fields = {field.name for field in dataclasses.fields(TrainConfig)}
    options = {name: value for name, value in vars(args).items() if name in fields}
    config = TrainConfig(**{**options, "jit_compile": JIT_COMPILE[args.jit_compile]})
    try:
        train(config, overwrite=args.overwrite, resume=args.resume)
    except (PermissionError, InsufficientStorageError, NonFiniteLossError) as error:
        raise CommandError(str(error)) from error
    print(f"Trained model: {config.out}/{MODEL_FILE}")
    print(f"Run record:    {config.out}/{RUN_FILE}")
    return 0


def _config_option(parser: argparse.ArgumentParser, flag: str, *aliases: str, **kwargs) -> None:
    """The option for the `TrainConfig` field `flag` names (`--batch-size`: `batch_size`).

    Its default is the field's: the dataclass is the one place defaults are written.
    """
    field = flag.removeprefix("--").replace("-", "_")
    parser.add_argument(flag, *aliases, default=DEFAULTS[field], **kwargs)


def _steps_or_epoch(text: str) -> int | None:
    """An argparse type: a number of steps, or 'epoch' (None: at epoch ends only)."""
    return None if text == "epoch" else positive_int(text)


def _steps_or_all(text: str) -> int | None:
    """An argparse type: a number of batches, or 'all' (None: the whole split)."""
    return None if text == "all" else non_negative_int(text)
