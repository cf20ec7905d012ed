"""Training runs: a dataset and a configuration in, a run directory out.

A run directory holds everything a run produced, so that it can be
inspected, evaluated, exported or resumed later:

    RUN_DIR/run.json                  configuration, data report, status
    RUN_DIR/model.keras               the final GANimation (generator + critic)
    RUN_DIR/checkpoints/*.weights.h5  weights at the end of every epoch
    RUN_DIR/history.csv               the loss terms of every epoch
    RUN_DIR/logs/                     TensorBoard scalars
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import time
from pathlib import Path

import keras
import tensorflow as tf

from tfganimation.critic import Critic
from tfganimation.data import load_dataset, read_index
from tfganimation.ganimation import GANimation
from tfganimation.generator import Generator
from tfganimation.schedules import make_optimizers
from tfganimation.version import __version__

logger = logging.getLogger(__name__)

RUN_FILE = "run.json"
MODEL_FILE = "model.keras"


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run; saved as `run.json`.

    Args:
        data: str. The dataset (any format `tfganimation.data` reads).
        out: str. The run directory.
        image_size: int. Training resolution. Defaults to 128.
        batch_size: int. Defaults to 25, the paper's.
        epochs: int. Total epochs; the last `decay_epochs` decay the rate
            linearly to 0. Defaults to 30 (20 constant + 10 decaying).
        decay_epochs: int. Defaults to 10.
        learning_rate: float. Adam's rate for both networks. Defaults to 1e-4.
        n_critic: int. Critic steps per generator step. Defaults to 5.
        conv_dim: int. Width of both networks' first convolution. Defaults to 64.
        repeat_num: int. Residual blocks in the generator. Defaults to 6.
        critic_repeat_num: int. Stride-2 convolutions in the critic; `None`
            picks 6, or fewer where the image size needs it.
        steps_per_epoch: int. Caps the batches per epoch; `None` is one pass
            over the training split.
        seed: int. Seeds weights, data order, flips, targets and the gradient
            penalty. Defaults to 0.
        jit_compile: bool or "auto". XLA for the train step; "auto" uses it
            only on accelerators. Defaults to "auto".
    """

    data: str
    out: str
    image_size: int = 128
    batch_size: int = 25
    epochs: int = 30
    decay_epochs: int = 10
    learning_rate: float = 1e-4
    n_critic: int = 5
    conv_dim: int = 64
    repeat_num: int = 6
    critic_repeat_num: int | None = None
    steps_per_epoch: int | None = None
    seed: int = 0
    jit_compile: bool | str = "auto"

    def __post_init__(self):
        if not 0 <= self.decay_epochs <= self.epochs:
            raise ValueError(
                "decay_epochs must lie between 0 and epochs. Received: "
                f"epochs={self.epochs}, decay_epochs={self.decay_epochs}"
            )
        if self.critic_repeat_num is None:
            self.critic_repeat_num = default_critic_depth(self.image_size)


def default_critic_depth(image_size: int) -> int:
    """The reference's 6 stride-2 convolutions, or as many as `image_size` halves."""
    depth = 0
    while depth < 6 and image_size % 2 ** (depth + 1) == 0:
        depth += 1
    return depth


def build_model(config: TrainConfig) -> GANimation:
    """The (untrained) GANimation that `config` describes."""
    keras.utils.set_random_seed(config.seed)
    generator = Generator(config.image_size, conv_dim=config.conv_dim, repeat_num=config.repeat_num)
    critic = Critic(
        config.image_size, conv_dim=config.conv_dim, repeat_num=config.critic_repeat_num
    )
    return GANimation(generator, critic, n_critic=config.n_critic, seed=config.seed)


def prepare_run_dir(out: str | os.PathLike, overwrite: bool = False) -> Path:
    """Creates the run directory, refusing to mix two runs in one.

    A directory that already holds a run is used only with `overwrite=True`
    (its files are then replaced one by one, as the new run writes them).

    Raises:
        FileExistsError: `out` holds files and `overwrite` is False.
        PermissionError: `out` cannot be written.
    """
    run_dir = Path(out)
    if run_dir.exists() and any(run_dir.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{run_dir} already holds files (a previous run?). Choose another --out, "
            "or pass --overwrite to replace it."
        )
    run_dir.mkdir(parents=True, exist_ok=True)
    if not os.access(run_dir, os.W_OK):
        raise PermissionError(f"Cannot write to the run directory {run_dir}.")
    return run_dir


def train(
    config: TrainConfig,
    overwrite: bool = False,
    verbose: int | str = "auto",
    callbacks: list[keras.callbacks.Callback] | None = None,
) -> GANimation:
    """Trains GANimation on `config.data` with `model.fit`; fills `config.out`.

    Returns the trained model, which is also saved as `RUN_DIR/model.keras`.
    """
    run_dir = prepare_run_dir(config.out, overwrite)
    index = read_index(config.data)
    batches_per_pass = index.counts()["train"] // config.batch_size
    if batches_per_pass < 1:
        raise ValueError(
            f"The training split has {index.counts()['train']} usable images, fewer than one "
            f"batch of {config.batch_size}. Lower --batch-size."
        )
    steps_per_epoch = min(batches_per_pass, config.steps_per_epoch or batches_per_pass)
    train_data = load_dataset(
        index, "train", config.image_size, config.batch_size, seed=config.seed
    ).repeat()
    validation_data = None
    if index.counts()["test"]:
        validation_data = load_dataset(
            index, "test", config.image_size, config.batch_size, shuffle=False, seed=config.seed
        )

    model = build_model(config)
    g_optimizer, d_optimizer = make_optimizers(
        steps_per_epoch,
        n_critic=config.n_critic,
        learning_rate=config.learning_rate,
        constant_epochs=config.epochs - config.decay_epochs,
        decay_epochs=config.decay_epochs,
    )
    model.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, jit_compile=config.jit_compile)

    record = {
        "config": dataclasses.asdict(config),
        "data": {
            "path": str(Path(config.data).resolve()),
            "format": index.format,
            "counts": index.counts(),
            "skipped": index.report.to_dict(),
        },
        "versions": {"tfganimation": __version__, "tensorflow": tf.__version__, "keras": keras.__version__},
        "status": "training",
    }
    write_json_atomically(run_dir / RUN_FILE, record)
    started = time.monotonic()
    history = model.fit(
        train_data,
        epochs=config.epochs,
        steps_per_epoch=steps_per_epoch,
        validation_data=validation_data,
        verbose=verbose,
        callbacks=[*default_callbacks(run_dir), *(callbacks or [])],
    )
    save_model_atomically(model, run_dir / MODEL_FILE)
    record.update(
        status="finished",
        training_seconds=round(time.monotonic() - started, 1),
        steps_per_epoch=steps_per_epoch,
        final_logs={name: _finite_or_none(values[-1]) for name, values in history.history.items()},
    )
    write_json_atomically(run_dir / RUN_FILE, record)
    return model


def default_callbacks(run_dir: Path) -> list[keras.callbacks.Callback]:
    """Per-epoch weights, a CSV of the losses and TensorBoard scalars."""
    (run_dir / "checkpoints").mkdir(exist_ok=True)
    return [
        keras.callbacks.ModelCheckpoint(
            str(run_dir / "checkpoints" / "epoch_{epoch:03d}.weights.h5"), save_weights_only=True
        ),
        keras.callbacks.CSVLogger(str(run_dir / "history.csv")),
        keras.callbacks.TensorBoard(str(run_dir / "logs"), write_graph=False, profile_batch=0),
    ]


def save_model_atomically(model: keras.Model, path: Path) -> None:
    """Saves to a temporary file first: a crash never leaves half a model."""
    temporary = path.with_name(f".{path.stem}.partial{path.suffix}")
    model.save(temporary)
    os.replace(temporary, path)


def write_json_atomically(path: Path, data: dict) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(json.dumps(data, indent=2, default=str) + "\n")
    os.replace(temporary, path)


def load_run(run_dir: str | os.PathLike) -> tuple[GANimation, dict]:
    """The trained model and the `run.json` record of a run directory."""
    run_dir = Path(run_dir)
    model_path = run_dir / MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(
            f"No trained model at {model_path}: is {run_dir} a finished training run?"
        )
    record_path = run_dir / RUN_FILE
    record = json.loads(record_path.read_text()) if record_path.is_file() else {}
    return keras.models.load_model(model_path), record


def _finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None
