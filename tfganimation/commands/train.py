"""`tfganimation train`: train GANimation on a dataset with `model.fit`."""

from __future__ import annotations

import argparse

from tfganimation.commands.arguments import positive_int


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train GANimation on an AU dataset",
        description=(
            "Train GANimation with model.fit on a dataset in any supported format "
            "(manifest, original GANimation layout, OpenFace CSVs). Writes checkpoints, "
            "history.csv, TensorBoard logs, model.keras and run.json to --out."
        ),
    )
    parser.add_argument("--data", required=True, help="dataset folder or OpenFace CSV")
    parser.add_argument("--out", required=True, help="run directory to create")
    parser.add_argument("--image-size", type=positive_int, default=128)
    parser.add_argument("--batch-size", type=positive_int, default=25)
    parser.add_argument("--epochs", type=positive_int, default=30, help="total epochs (default 30)")
    parser.add_argument(
        "--decay-epochs", type=int, default=10, help="final epochs with linear LR decay (default 10)"
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
        help="XLA for the train step; auto = only on GPUs, where it measures faster",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an existing run in --out")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tfganimation.training import MODEL_FILE, TrainConfig, train

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
    )
    train(config, overwrite=args.overwrite)
    print(f"Trained model: {config.out}/{MODEL_FILE}")
    print(f"Run record:    {config.out}/run.json")
    return 0
