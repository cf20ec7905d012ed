"""`tfganimation train`: train GANimation on a dataset with `model.fit`."""

from __future__ import annotations

import argparse
import dataclasses
import functools

from typing import Any

from tfganimation.choices import STRATEGIES, TRAINING_PRECISIONS
from tfganimation.commands.arguments import (
    add_command,
    add_renamed_option,
    model_path,
    named_after,
    non_negative_float,
    non_negative_int,
    positive_int,
)
from tfganimation.commands.errors import CommandError, CommandFailed
from tfganimation.training.config import RUNTIME_OPTIONS, TrainConfig

DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainConfig)}
"""`TrainConfig`'s defaults, the one place they are written; every option's help states its own.

The options themselves default to `argparse.SUPPRESS`: one left out is absent from the parsed
arguments, so that `--resume` can tell an option typed again (checked against `run.json`) from
one left out (taken from `run.json`), and a new run gets the field's default from `TrainConfig`."""

JIT_COMPILE = {"auto": "auto", "on": True, "off": False}
"""`--jit-compile` choices → `TrainConfig.jit_compile` values."""


SUMMARY = "train GANimation on an AU dataset"

DESCRIPTION = """\
Train GANimation with model.fit on a dataset in any supported format (manifest, original
GANimation layout, OpenFace CSVs). Writes the last few epoch checkpoints, history.csv,
TensorBoard logs, pictures of training, model.keras and run.json to --out. A run that was killed
continues with --resume RUN_DIR alone: the options come from RUN_DIR/run.json (an option given
again must equal the recorded one, except the runtime options {runtime_flags}, which may
change).
"""


def add_parser(subparsers) -> None:
    runtime_flags = ", ".join(_flag(name) for name in RUNTIME_OPTIONS)
    description = DESCRIPTION.format(runtime_flags=runtime_flags)
    parser = add_command(subparsers, "train", run, SUMMARY, description)
    parser.add_argument(
        "--data",
        help="dataset folder or OpenFace CSV (no default: required to start a run; with --resume "
        "RUN_DIR, the recorded one)",
    )
    parser.add_argument(
        "--out",
        help="run directory to create (default: DATA_NAME_run in the working folder; with "
        "--resume, the run to continue)",
    )
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
    option("--n-critic", type=positive_int, help="critic steps per generator step")
    # The paper's loss weights, each the `GANimation` argument of the same name.
    weight = functools.partial(option, type=non_negative_float, metavar="W")
    weight("--gp-weight", help="weight of the critic's gradient penalty")
    weight(
        "--au-weight",
        help="weight of the AU regression, before the reference's division by the batch size",
    )
    weight("--cycle-weight", help="weight of the cycle (L1) reconstruction")
    weight("--attention-weight", help="weight of the mean attention (keeps edits local)")
    weight("--attention-tv-weight", help="weight of the attention's total variation (smoothness)")
    option("--conv-dim", type=positive_int)
    option(
        "--critic-conv-dim",
        type=positive_int,
        help="width of the critic's first convolution (default: --conv-dim)",
    )
    # --repeat-num and --critic-repeat-num: the names these had before each got its own.
    option(
        "--residual-blocks",
        deprecated="--repeat-num",
        type=non_negative_int,
        help="generator residual blocks (default %(default)s)",
    )
    option(
        "--downsampling-layers",
        deprecated="--critic-repeat-num",
        type=positive_int,
        help="critic stride-2 convolutions (default: 6, or as many as --image-size halves)",
    )
    option(
        "--steps-per-epoch",
        type=positive_int,
        help="cap on the batches per epoch (default: one pass over the training split)",
    )
    option("--seed", type=int)
    option(
        "--jit-compile",
        choices=tuple(JIT_COMPILE),
        help="XLA for the train step; auto = only on a single GPU (on CPUs it measured slower)",
    )
    option(
        "--strategy",
        choices=STRATEGIES,
        help="default: one device; mirrored: all local GPUs; multiworker: hosts in TF_CONFIG "
        "(default %(default)s)",
    )
    option(
        "--precision",
        choices=TRAINING_PRECISIONS,
        help="auto: mixed_bfloat16 on AMX CPUs and Ampere+ GPUs, float32 elsewhere; "
        "mixed_float16 for GPUs (default %(default)s)",
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
        "checkpoints/best.weights.h5 (default: none)",
    )
    option(
        "--init-from",
        type=model_path,
        metavar="MODEL",
        help="start from these weights with fresh optimizers (fine-tuning): a run directory, a "
        ".keras file, demo, or a PyTorch GANimation generator .pth/.ckpt; its architecture "
        "replaces the sizes you leave at their defaults (default: none, random weights)",
    )
    option(
        "--init-critic",
        "--critic",
        type=model_path,
        metavar="CHECKPOINT",
        help="the critic .pth/.ckpt that goes with a PyTorch --init-from (default: the one its "
        "codebase saves beside the generator, if there; else the critic starts at random)",
    )
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        metavar="RUN_DIR",
        help="continue the run in RUN_DIR (or in --out) from its last backup, with the options "
        "its run.json records; an option given again must equal the recorded one, except the "
        "runtime options (default: a new run)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an earlier run in --out"
    )


def run(args: argparse.Namespace) -> int:
    from tfganimation.callbacks import NonFiniteLossError
    from tfganimation.training import (
        RUN_FILE,
        RUN_MODEL_FILE,
        resumed_config,
        train,
    )

    resume = args.resume is not None
    if resume and args.overwrite:
        raise CommandError("--resume and --overwrite exclude each other.")
    options = given_options(args)
    if resume:
        run_dir = args.resume or args.out
        if not run_dir:
            raise CommandError("--resume needs the run to continue: --resume RUN_DIR.")
        config = resumed_config(run_dir, options)
    else:
        if args.data is None:
            raise CommandError(
                "--data is required to start a run (or --resume RUN_DIR to continue one)."
            )
        config = TrainConfig(**{"out": named_after(args.data, "_run"), **options})
    try:
        train(config, overwrite=args.overwrite, resume=resume)
    except NonFiniteLossError as error:
        raise CommandFailed(str(error)) from error
    print(f"Trained model: {config.out}/{RUN_MODEL_FILE}")
    print(f"Run record:    {config.out}/{RUN_FILE}")
    return 0


def given_options(args: argparse.Namespace) -> dict[str, Any]:
    """The `TrainConfig` fields the command line states, by name; the options left out are absent.

    A new run takes the rest from `TrainConfig`'s defaults, a resumed one from its `run.json`.
    """
    fields = {field.name for field in dataclasses.fields(TrainConfig)}
    options = {
        name: value
        for name, value in vars(args).items()
        if name in fields and not (name in ("data", "out") and value is None)
    }
    if "jit_compile" in options:
        options["jit_compile"] = JIT_COMPILE[options["jit_compile"]]
    return options


def _config_option(
    parser: argparse.ArgumentParser,
    flag: str,
    *aliases: str,
    deprecated: str | None = None,
    **kwargs,
) -> None:
    """The option for the `TrainConfig` field `flag` names (`--batch-size`: `batch_size`).

    `aliases` are other spellings; `deprecated` an old one, which works with a note.

    It defaults to `argparse.SUPPRESS` (see `DEFAULTS`), so its help states the field's default
    itself: `%(default)s` in `help` becomes it, and a help that names no default gets one.
    """
    field = flag.removeprefix("--").replace("-", "_")
    shown = _shown_default(field)
    help_text = kwargs.pop("help", None)
    if help_text is None:
        help_text = f"default {shown}"
    elif "default" not in help_text:
        help_text += f" (default {shown})"
    kwargs.update(default=argparse.SUPPRESS, help=help_text.replace("%(default)s", shown))
    if deprecated is None:
        parser.add_argument(flag, *aliases, **kwargs)
    else:
        add_renamed_option(parser, flag, *aliases, deprecated, **kwargs)


def _flag(field: str) -> str:
    """The option of a `TrainConfig` field: `batch_size` → `--batch-size`."""
    return "--" + field.replace("_", "-")


def _shown_default(field: str) -> str:
    """The field's default as its option is spelled (`--jit-compile auto`, `--backup-every 500`)."""
    value = DEFAULTS[field]
    if field == "jit_compile":
        return next(key for key, choice in JIT_COMPILE.items() if choice == value)
    return str(value)


def _steps_or_epoch(text: str) -> int | None:
    """An argparse type: a number of steps, or 'epoch' (None: at epoch ends only)."""
    return None if text == "epoch" else positive_int(text)


def _steps_or_all(text: str) -> int | None:
    """An argparse type: a number of batches, or 'all' (None: the whole split)."""
    return None if text == "all" else non_negative_int(text)
