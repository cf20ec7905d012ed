"""`tfganimation train`: train GANimation on a dataset with `model.fit`."""

from __future__ import annotations

import argparse

from tfganimation.commands.arguments import non_negative_int, positive_int

STRATEGIES = ("default", "mirrored", "multiworker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
# Spelled out here rather than imported: `--help` must not import TensorFlow.


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
    parser.add_argument("--image-size", type=positive_int, default=128)
    parser.add_argument(
        "--batch-size", type=positive_int, default=25, help="global batch (default 25)"
    )
    parser.add_argument("--epochs", type=positive_int, default=30, help="total epochs (default 30)")
    parser.add_argument(
        "--decay-epochs",
        type=int,
        default=10,
        help="final epochs with linear LR decay (default 10)",
    )
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--n-critic", type=positive_int, default=5)
    parser.add_argument("--conv-dim", type=positive_int, default=64)
    parser.add_argument("--repeat-num", type=int, default=6, help="generator residual blocks")
    parser.add_argument("--critic-repeat-num", type=positive_int, default=None)
    parser.add_argument("--steps-per-epoch", type=positive_int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--jit-compile",
        choices=("auto", "on", "off"),
        default="auto",
        help="XLA for the train step; auto = only on a single GPU (on CPUs it measured slower)",
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="default",
        help="default: one device; mirrored: all local GPUs; multiworker: hosts in TF_CONFIG",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="float32",
        help="mixed_float16 for GPUs, mixed_bfloat16 for Ampere+ GPUs and AVX512_BF16/AMX CPUs",
    )
    parser.add_argument(
        "--backup-every",
        type=_steps_or_epoch,
        default=500,
        metavar="N",
        help="back up the training state every N steps and at epoch ends, or 'epoch' (default 500)",
    )
    parser.add_argument(
        "--sample-every",
        type=positive_int,
        default=500,
        metavar="N",
        help="write a picture of training every N steps (default 500)",
    )
    parser.add_argument(
        "--validation-steps",
        type=_steps_or_all,
        default=10,
        metavar="N",
        help="validate on N fixed test batches (same images and target AUs) at every epoch end; "
        "0 = no validation, 'all' = the whole test split (default 10)",
    )
    parser.add_argument(
        "--keep-checkpoints",
        type=non_negative_int,
        default=3,
        metavar="K",
        help="keep the training state of the last K epoch ends in checkpoints/; 0 = none "
        "(default 3)",
    )
    parser.add_argument(
        "--best-checkpoint",
        default=None,
        metavar="METRIC",
        help="also keep the epoch with the lowest METRIC (a logged loss, e.g. val_g_au) as "
        "checkpoints/best.weights.h5",
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
    from tfganimation.training import MODEL_FILE, InsufficientStorageError, TrainConfig, train

    if args.resume and args.overwrite:
        raise CommandError("--resume and --overwrite exclude each other.")
    config = TrainConfig(
        data=args.data,
        out=args.out,
        image_size=args.image_size,
        batch_size=args.batch_size,
        epochs=args.epochs,
        decay_epochs=min(args.decay_epochs, args.epochs),
        learning_rate=args.learning_rate,
        n_critic=args.n_critic,
        conv_dim=args.conv_dim,
        repeat_num=args.repeat_num,
        critic_repeat_num=args.critic_repeat_num,
        steps_per_epoch=args.steps_per_epoch,
        seed=args.seed,
        jit_compile={"auto": "auto", "on": True, "off": False}[args.jit_compile],
        strategy=args.strategy,
        precision=args.precision,
        backup_every=args.backup_every,
        sample_every=args.sample_every,
        validation_steps=args.validation_steps,
        keep_checkpoints=args.keep_checkpoints,
        best_checkpoint=args.best_checkpoint,
    )
    try:
        train(config, overwrite=args.overwrite, resume=args.resume)
    except (PermissionError, InsufficientStorageError, NonFiniteLossError) as error:
        raise CommandError(str(error)) from error
    print(f"Trained model: {config.out}/{MODEL_FILE}")
    print(f"Run record:    {config.out}/run.json")
    return 0


def _steps_or_epoch(text: str) -> int | None:
    """An argparse type: a number of steps, or 'epoch' (None: at epoch ends only)."""
    return None if text == "epoch" else positive_int(text)


def _steps_or_all(text: str) -> int | None:
    """An argparse type: a number of batches, or 'all' (None: the whole split)."""
    return None if text == "all" else non_negative_int(text)
