"""Training runs: a dataset and a configuration in, a run directory out.

A run directory holds everything a run produced, so that it can be
inspected, evaluated, exported or resumed later:

    RUN_DIR/run.json                  configuration, data report, status
    RUN_DIR/model.keras               the final GANimation (generator + critic)
    RUN_DIR/backup/                   the latest training state (until the run ends)
    RUN_DIR/checkpoints/              the training state at the last `keep_checkpoints`
                                      epoch ends (`epoch_NNN.weights.h5`), and at the
                                      best one (`best.weights.h5`, `best.json`)
    RUN_DIR/history.csv               the loss terms of every epoch
    RUN_DIR/samples/step_*.png        edits of fixed faces every `sample_every` steps
    RUN_DIR/logs/                     TensorBoard: epoch scalars (train/, validation/);
                                      step images, losses, learning rates (samples/)

A run killed at any moment continues with `train(config, resume=True)` from
its last backup, and ends with the weights an uninterrupted run would have.
That needs the data stream to be a function of the global step: epoch `e`
is one pass over the training split in an order drawn from `(seed, e)`, so a
run resumed at step `s` rebuilds epoch `s // steps_per_epoch` and skips the
batches already trained on.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import math
import os
import shutil
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfganimation.atomic import replacing, write_json_atomically, write_text_atomically
from tfganimation.callbacks import (
    AtomicBackupAndRestore,
    EpochCheckpoints,
    GeneratorSnapshots,
    NonFiniteLossError,
    StopOnNonFiniteLoss,
    TrainingSamples,
)
from tfganimation.callbacks.epoch_checkpoints import check_monitor
from tfganimation.critic import Critic
from tfganimation.data import DatasetIndex, load_dataset, read_index
from tfganimation.distribute import STRATEGIES, make_strategy
from tfganimation.ganimation import GANimation
from tfganimation.generator import Generator
from tfganimation.media import prepare_output_dir
from tfganimation.precision import PRECISIONS, dtype_policy, supports_bfloat16
from tfganimation.schedules import generator_steps, make_optimizers
from tfganimation.version import __version__

logger = logging.getLogger(__name__)

RUN_FILE = "run.json"
MODEL_FILE = "model.keras"
BACKUP_DIR = "backup"
HISTORY_FILE = "history.csv"
CHECKPOINT_DIR = "checkpoints"
SNAPSHOT_DIR = "snapshots"
SAMPLE_ROWS = 4
"""Faces in the pictures of training."""

RUNTIME_OPTIONS = (
    "strategy", "precision", "jit_compile", "backup_every", "sample_every", "validation_steps",
    "snapshot_every", "keep_checkpoints", "best_checkpoint",
)  # fmt: skip
"""`TrainConfig` fields that say how a run computes, not what: a resumed run may change them."""


class InsufficientStorageError(OSError):
    """The run directory has too little free space for the run's checkpoints."""


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run; saved as `run.json`.

    Args:
        data: str. The dataset (any format `tfganimation.data` reads).
        out: str. The run directory.
        image_size: int. Training resolution. Defaults to 128.
        batch_size: int. The global batch, split across replicas. Defaults
            to 25, the paper's.
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
            only on a single GPU (Keras' rule): on a CPU the XLA critic step
            measured 5× and the generator step 160× slower than the plain
            `tf.function` ones (`benchmarks/train_throughput.py`). Defaults
            to "auto".
        strategy: str. `"default"` (one device), `"mirrored"` (all local
            GPUs) or `"multiworker"` (`TF_CONFIG`); see
            `tfganimation.distribute`. Defaults to `"default"`.
        precision: str. Keras dtype policy of both networks: `"float32"`,
            `"mixed_float16"` (GPUs; with loss scaling) or `"mixed_bfloat16"`
            (GPUs from Ampere on, CPUs with AVX512_BF16 or AMX). Defaults to
            `"float32"`.
        backup_every: int. Global steps between backups of the training
            state (there is one at every epoch end too); `None` backs up at
            epoch ends only. Defaults to 500.
        sample_every: int. Global steps between pictures of training.
            Defaults to 500.
        validation_steps: int or None. Batches of the test split evaluated
            at each epoch end: the same images with the same target AUs
            every time (drawn once from `seed`), so the `val_*` curves show
            the model changing, not the draws; 0 skips validation, `None`
            evaluates the whole split. Defaults to 10 (~5 training steps'
            worth of compute).
        snapshot_every: int or None. Generator steps between copies of the
            generator's weights in `RUN_DIR/snapshots/` (for learning
            curves); `None` keeps none. Defaults to `None`.
        keep_checkpoints: int. Epoch-end training states kept in
            `RUN_DIR/checkpoints/`, the latest ones; 0 keeps none. Each is
            as large as the backup (640 MiB at the paper's size). Defaults
            to 3.
        best_checkpoint: str or None. A logged loss (`"val_g_au"`, ...)
            whose lowest epoch-end value is kept as
            `checkpoints/best.weights.h5` too; `None` keeps no best.
            Defaults to `None`.

    Not in the reference, off by default (see `GANimation` and `Generator`):
    `upsampling` ("transpose" or "resize"), `augmentations`,
    `color_tv_weight`, `au_gradient_weight`, `au_gradient_every` and
    `critic_warmup_steps`.
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
    strategy: str = "default"
    precision: str = "float32"
    backup_every: int | None = 500
    sample_every: int = 500
    validation_steps: int | None = 10
    snapshot_every: int | None = None
    upsampling: str = "transpose"
    augmentations: tuple[str, ...] = ()
    color_tv_weight: float = 0.0
    au_gradient_weight: float = 0.0
    au_gradient_every: int = 1
    critic_warmup_steps: int = 0
    keep_checkpoints: int = 3
    best_checkpoint: str | None = None

    def __post_init__(self):
        if not 0 <= self.decay_epochs <= self.epochs:
            raise ValueError(
                "decay_epochs must lie between 0 and epochs. Received: "
                f"epochs={self.epochs}, decay_epochs={self.decay_epochs}"
            )
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"strategy must be one of {STRATEGIES}. Received: strategy={self.strategy!r}"
            )
        if self.precision not in PRECISIONS:
            raise ValueError(
                f"precision must be one of {PRECISIONS}. Received: precision={self.precision!r}"
            )
        self.augmentations = tuple(self.augmentations)
        for name in ("backup_every", "sample_every", "snapshot_every"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1. Received: {name}={value}")
        for name in ("validation_steps", "keep_checkpoints"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0. Received: {name}={value}")
        if self.critic_repeat_num is None:
            self.critic_repeat_num = default_critic_depth(self.image_size)


def default_critic_depth(image_size: int) -> int:
    """The reference's 6 stride-2 convolutions, or as many as `image_size` halves."""
    depth = 0
    while depth < 6 and image_size % 2 ** (depth + 1) == 0:
        depth += 1
    return depth


def build_model(config: TrainConfig) -> GANimation:
    """The (untrained) GANimation that `config` describes, in `config.precision`.

    Call it under the strategy's `scope()` to train it distributed.
    """
    keras.utils.set_random_seed(config.seed)
    with dtype_policy(config.precision):
        generator = Generator(
            config.image_size,
            conv_dim=config.conv_dim,
            repeat_num=config.repeat_num,
            upsampling=config.upsampling,
        )
        critic = Critic(
            config.image_size, conv_dim=config.conv_dim, repeat_num=config.critic_repeat_num
        )
    return GANimation(
        generator,
        critic,
        n_critic=config.n_critic,
        seed=config.seed,
        augmentations=config.augmentations,
        color_tv_weight=config.color_tv_weight,
        au_gradient_weight=config.au_gradient_weight,
        au_gradient_every=config.au_gradient_every,
        critic_warmup_steps=config.critic_warmup_steps,
    )


def compiled_model(config: TrainConfig, steps_per_epoch: int) -> GANimation:
    """`build_model(config)`, compiled with the reference's optimizers and schedule."""
    model = build_model(config)
    g_optimizer, d_optimizer = make_optimizers(
        steps_per_epoch,
        n_critic=config.n_critic,
        learning_rate=config.learning_rate,
        constant_epochs=config.epochs - config.decay_epochs,
        decay_epochs=config.decay_epochs,
        critic_warmup_steps=config.critic_warmup_steps,
    )
    model.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, jit_compile=config.jit_compile)
    return model


def prepare_run_dir(out: str | os.PathLike, overwrite: bool = False) -> Path:
    """Creates the run directory, refusing to mix two runs in one.

    A directory that already holds a run is used only with `overwrite=True`
    (its files are then replaced one by one, as the new run writes them).

    Raises:
        FileExistsError: `out` holds files and `overwrite` is False.
        PermissionError: `out` cannot be written.
    """
    run_dir = prepare_output_dir(
        out,
        overwrite,
        "a previous run? Choose another --out, pass --overwrite to replace it, "
        "or --resume to continue it",
    )
    if not os.access(run_dir, os.W_OK):
        raise PermissionError(f"Cannot write to the run directory {run_dir}.")
    return run_dir


def train(
    config: TrainConfig,
    overwrite: bool = False,
    verbose: int | str = "auto",
    callbacks: list[keras.callbacks.Callback] | None = None,
    resume: bool = False,
) -> GANimation:
    """Trains GANimation on `config.data` with `model.fit`; fills `config.out`.

    The model, its optimizers and metrics are created under the
    `config.strategy` scope, and `fit` splits each global batch across the
    replicas. The training state is backed up every `config.backup_every`
    steps; with `resume=True` the run in `config.out` (same configuration,
    `RUNTIME_OPTIONS` aside) continues from its last backup, or starts over
    if it was stopped before the first one.

    Returns the trained model, which is also saved as `RUN_DIR/model.keras`.

    Raises:
        NonFiniteLossError: a loss became NaN or infinite; the last good
            backup is kept, and `run.json` says "diverged".
        InsufficientStorageError, PermissionError: the run directory cannot
            hold the files the run keeps (checked before training).
    """
    strategy = make_strategy(config.strategy)
    _check_fits_strategy(config, strategy.num_replicas_in_sync)
    # Under multi-worker training only the chief writes the run directory.
    chief = strategy.extended.should_checkpoint
    run_dir = Path(config.out)
    index = read_index(config.data)
    record = _open_run(run_dir, config, index, overwrite, resume, chief)
    steps_per_epoch = _steps_per_epoch(index, config)
    _warn_about_slow_precision(config.precision)

    with strategy.scope():
        model = compiled_model(config, steps_per_epoch)
    if chief:
        check_storage(run_dir, storage_needed(model, config, steps_per_epoch))
    backup = AtomicBackupAndRestore(run_dir / BACKUP_DIR, save_freq=config.backup_every or "epoch")
    validation_data = validation_batches(index, config)
    if config.best_checkpoint:
        check_monitor(config.best_checkpoint, model)
        if config.best_checkpoint.startswith("val_") and validation_data is None:
            raise ValueError(
                f"The best checkpoint by {config.best_checkpoint} needs validation, but this run "
                "has none (no test split, or validation_steps=0)."
            )
    checkpoints = EpochCheckpoints(
        backup, run_dir / CHECKPOINT_DIR, config.keep_checkpoints, config.best_checkpoint
    )
    first_step = backup.restore(model) if resume else 0
    if chief:
        _trim_history(run_dir / HISTORY_FILE, epochs_done=first_step // steps_per_epoch)
        if resume:
            record.setdefault("resumed_at_steps", []).append(first_step)
        write_json_atomically(run_dir / RUN_FILE, record)

    # The divergence check first: a NaN stops the run before a backup or a checkpoint saves it.
    all_callbacks = [StopOnNonFiniteLoss(), backup, checkpoints]
    if chief:
        all_callbacks += default_callbacks(run_dir, config, index)
        if config.snapshot_every:
            all_callbacks.append(
                GeneratorSnapshots(run_dir / SNAPSHOT_DIR, config.snapshot_every, config.n_critic)
            )
    all_callbacks += callbacks or []
    started = time.monotonic()
    try:
        logs = fit_from_step(
            model,
            first_step,
            functools.partial(epoch_batches, index, config, steps_per_epoch),
            config.epochs,
            steps_per_epoch,
            validation_data=validation_data,
            validation_steps=validation_steps(index, config),
            verbose=verbose,
            callbacks=all_callbacks,
        )
    except NonFiniteLossError as error:
        kept = backup.describe()
        if chief:
            record.update(status="diverged", error=str(error))
            write_json_atomically(run_dir / RUN_FILE, record)
        raise NonFiniteLossError(f"{error} {kept}") from error

    if chief:
        save_model_atomically(model, run_dir / MODEL_FILE)
        shutil.rmtree(run_dir / BACKUP_DIR, ignore_errors=True)
        record.update(
            status="finished",
            training_seconds=round(time.monotonic() - started, 1),
            steps_per_epoch=steps_per_epoch,
            final_logs={name: _finite_or_none(value) for name, value in logs.items()},
        )
        write_json_atomically(run_dir / RUN_FILE, record)
    return model


def fit_from_step(
    model: GANimation,
    first_step: int,
    epoch_data,
    epochs: int,
    steps_per_epoch: int,
    **fit_kwargs,
) -> dict[str, float]:
    """Runs `model.fit` from global step `first_step` to the end of `epochs`.

    A run resumed in the middle of an epoch first finishes that epoch with a
    `fit` over its remaining batches, then runs the later epochs in a second
    `fit`: epochs, and everything counted in them, stay where an
    uninterrupted run has them.

    Args:
        epoch_data: callable `epoch -> tf.data.Dataset` of that epoch's
            `steps_per_epoch` batches.

    Returns:
        The logs of the last epoch.
    """
    epoch, done = divmod(first_step, steps_per_epoch)
    parts = []
    if done:
        parts.append((epoch_data(epoch).skip(done), epoch, epoch + 1, steps_per_epoch - done))
        epoch += 1
    if epoch < epochs:
        stream = functools.reduce(
            tf.data.Dataset.concatenate, [epoch_data(later) for later in range(epoch, epochs)]
        )
        parts.append((stream, epoch, epochs, steps_per_epoch))
    logs = {}
    for data, initial_epoch, final_epoch, steps in parts:
        history = model.fit(
            data,
            initial_epoch=initial_epoch,
            epochs=final_epoch,
            steps_per_epoch=steps,
            **fit_kwargs,
        )
        logs = {name: values[-1] for name, values in history.history.items()} or logs
        if model.stop_training:  # A callback (a time limit, early stopping) ended the run.
            break
    return logs


def epoch_batches(
    index: DatasetIndex, config: TrainConfig, steps_per_epoch: int, epoch: int
) -> tf.data.Dataset:
    """The training batches of `epoch`, the same in every run with `config.seed`.

    One pass over the training split in an order (and flips and targets)
    drawn from `(seed, epoch)` alone, cut to `steps_per_epoch` batches. The
    `repeat()` keeps the count should a file turn out unreadable.
    """
    seed = int(np.random.SeedSequence([config.seed, epoch]).generate_state(1)[0] >> 1)
    dataset = load_dataset(index, "train", config.image_size, config.batch_size, seed=seed)
    return dataset.repeat().take(steps_per_epoch).with_options(_sharding_options())


def validation_batches(index: DatasetIndex, config: TrainConfig) -> tf.data.Dataset | None:
    """The run's validation set: the same images and target AUs at every epoch end.

    `validation_steps(index, config)` batches of a random sample of the test
    split (not its first files, which may all be one identity), with targets
    drawn once from the run's seed, so the same in a resumed run; `None`
    where there is no validation.
    """
    steps = validation_steps(index, config)
    if not steps:
        return None
    dataset = load_dataset(
        index, "test", config.image_size, config.batch_size, seed=config.seed,
        redraw_each_pass=False,
    )  # fmt: skip
    return dataset.take(steps).with_options(_sharding_options())


def validation_steps(index: DatasetIndex, config: TrainConfig) -> int:
    """Batches validated at each epoch end: `config.validation_steps`, or all the test split has.

    `fit` is given the count, so that it stops there rather than by running
    out of data (which Keras reports as a warning).
    """
    available = math.ceil(index.counts()["test"] / config.batch_size)
    return available if config.validation_steps is None else min(config.validation_steps, available)


def default_callbacks(
    run_dir: Path, config: TrainConfig, index: DatasetIndex
) -> list[keras.callbacks.Callback]:
    """The run directory's writers: history CSV, TensorBoard, pictures of training."""
    split = "test" if index.counts()["test"] else "train"
    faces = load_dataset(
        index, split, config.image_size, SAMPLE_ROWS, shuffle=False, seed=config.seed,
        augment=False, drop_remainder=False,
    )  # fmt: skip
    return [
        keras.callbacks.CSVLogger(str(run_dir / HISTORY_FILE), append=True),
        keras.callbacks.TensorBoard(str(run_dir / "logs"), write_graph=False, profile_batch=0),
        TrainingSamples(
            next(iter(faces)),
            run_dir / "logs" / "samples",
            run_dir / "samples",
            config.sample_every,
        ),
    ]


def training_state_bytes(model: GANimation) -> int:
    """Bytes of one backup: the weights and both optimizers' variables.

    For Adam that is parameters × 4 bytes × (1 + 2 slots), plus a few scalars.
    """
    return _variable_bytes(
        [*model.weights, *model.g_optimizer.variables, *model.d_optimizer.variables]
    )


def _variable_bytes(variables) -> int:
    return sum(math.prod(v.shape) * np.dtype(v.dtype).itemsize for v in variables)


@dataclasses.dataclass(frozen=True)
class StorageNeed:
    """What a run keeps on disk, in bytes.

    Args:
        state_bytes: int. One copy of the training state (`training_state_bytes`).
        state_copies: int. Copies held at once at most: the backup, its next
            version while it is written, `model.keras`, the kept epoch
            checkpoints and the best one.
        snapshot_bytes: int. All the generator snapshots together.
    """

    state_bytes: int
    state_copies: int
    snapshot_bytes: int = 0

    @property
    def total(self) -> int:
        return self.state_copies * self.state_bytes + self.snapshot_bytes

    def describe(self) -> str:
        text = (
            f"{self.state_copies} copies of a {self.state_bytes / 2**20:,.1f} MiB training state "
            "(the backup and its next version, model.keras, the kept checkpoints)"
        )
        if self.snapshot_bytes:
            text += f" + {self.snapshot_bytes / 2**20:,.1f} MiB of generator snapshots"
        return text


def storage_needed(model: GANimation, config: TrainConfig, steps_per_epoch: int) -> StorageNeed:
    """The most disk space the run directory of `config` will hold at once."""
    generator_bytes = _variable_bytes(model.generator.weights)
    total_generator_steps = generator_steps(
        config.epochs * steps_per_epoch, config.n_critic, config.critic_warmup_steps
    )
    return StorageNeed(
        state_bytes=training_state_bytes(model),
        state_copies=3 + config.keep_checkpoints + bool(config.best_checkpoint),
        snapshot_bytes=(
            generator_bytes * (total_generator_steps // config.snapshot_every)
            if config.snapshot_every
            else 0
        ),
    )


def check_storage(run_dir: Path, need: StorageNeed) -> None:
    """Fails before training where the run could not keep what it writes.

    Writes and removes a probe file (catching read-only and full file
    systems, and permissions that `os.access` misreports), then checks the
    free space, plus what a resumed run's backup, checkpoints and snapshots
    already hold, against `need.total`: what the run holds at its fullest
    (logs and pictures aside, a few MB).

    Raises:
        PermissionError: `run_dir` cannot be written.
        InsufficientStorageError: less free space than that.
    """
    probe = run_dir / ".write-probe"
    try:
        with open(probe, "wb") as file:
            file.write(b"\0" * 4096)
            file.flush()
            os.fsync(file.fileno())
    except OSError as error:
        raise PermissionError(
            f"Cannot write to the run directory {run_dir}: {error.strerror or error}"
        ) from error
    finally:
        probe.unlink(missing_ok=True)
    free = shutil.disk_usage(run_dir).free
    held = sum(_bytes_under(run_dir / name) for name in (BACKUP_DIR, CHECKPOINT_DIR, SNAPSHOT_DIR))
    if free + held < need.total:
        raise InsufficientStorageError(
            f"{run_dir} has {free / 2**20:,.0f} MiB free"
            + (f" (+ {held / 2**20:,.0f} MiB in its backup and checkpoints)" if held else "")
            + f", but the run needs about {need.total / 2**20:,.0f} MiB: {need.describe()}. "
            "Free some space, keep fewer checkpoints (--keep-checkpoints), or choose another --out."
        )


def _bytes_under(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def save_model_atomically(model: keras.Model, path: Path) -> None:
    """`model.save(path)` to a temporary file first: a crash never leaves half a model."""
    with replacing(path) as temporary:
        model.save(temporary)


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


def _steps_per_epoch(index: DatasetIndex, config: TrainConfig) -> int:
    batches_per_pass = index.counts()["train"] // config.batch_size
    if batches_per_pass < 1:
        raise ValueError(
            f"The training split has {index.counts()['train']} usable images, fewer than one "
            f"batch of {config.batch_size}. Lower --batch-size."
        )
    return min(batches_per_pass, config.steps_per_epoch or batches_per_pass)


def _check_fits_strategy(config: TrainConfig, replicas: int) -> None:
    if config.batch_size % replicas:
        # The replicas' shares of the gradient penalty's draws (and the
        # equality with one device) assume equal shares of the batch.
        raise ValueError(
            f"The batch of {config.batch_size} does not split evenly over {replicas} replicas: "
            f"choose a multiple of {replicas} for --batch-size."
        )
    if config.jit_compile is True and replicas > 1:
        # Keras compiles `strategy.run` as a whole: one XLA program over
        # every replica's variables, which XLA refuses.
        raise ValueError(
            f"XLA (--jit-compile on) cannot compile a step over {replicas} replicas. "
            "Use --jit-compile auto or off with --strategy mirrored/multiworker."
        )


def _open_run(
    run_dir: Path,
    config: TrainConfig,
    index: DatasetIndex,
    overwrite: bool,
    resume: bool,
    chief: bool,
) -> dict:
    """The run's `run.json` record: a new one, or the resumed run's, checked against `config`."""
    if resume:
        record_path = run_dir / RUN_FILE
        if not record_path.is_file():
            raise FileNotFoundError(f"No run to resume in {run_dir}: it has no {RUN_FILE}.")
        record = json.loads(record_path.read_text())
        if record.get("status") == "finished":
            raise ValueError(f"The run in {run_dir} is finished; there is nothing to resume.")
        _check_same_run(record, config)
        record["status"] = "training"
        return record
    if chief:
        prepare_run_dir(run_dir, overwrite)
        (run_dir / HISTORY_FILE).unlink(missing_ok=True)
        for name in (BACKUP_DIR, CHECKPOINT_DIR, SNAPSHOT_DIR):  # an overwritten run's states
            shutil.rmtree(run_dir / name, ignore_errors=True)
    return {
        "config": dataclasses.asdict(config),
        "data": {
            "path": str(Path(config.data).resolve()),
            "format": index.format,
            "counts": index.counts(),
            "skipped": index.report.to_dict(),
        },
        "versions": {
            "tfganimation": __version__,
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
        "status": "training",
    }


def _check_same_run(record: dict, config: TrainConfig) -> None:
    """Refuses to resume a run with a configuration that would change its result."""
    ignored = {"out", "data", *RUNTIME_OPTIONS}
    recorded = record.get("config", {})
    # Through JSON, as `run.json` holds it: a tuple reads back as a list.
    current = json.loads(json.dumps(dataclasses.asdict(config)))
    changed = [
        f"{name}: {recorded.get(name)!r} -> {value!r}"
        for name, value in current.items()
        if name not in ignored and recorded.get(name) != value
    ]
    recorded_data = record.get("data", {}).get("path")
    if recorded_data and recorded_data != str(Path(config.data).resolve()):
        changed.append(f"data: {recorded_data!r} -> {str(Path(config.data).resolve())!r}")
    if changed:
        raise ValueError(
            "--resume needs the configuration the run was started with; changed: "
            + "; ".join(changed)
        )


def _trim_history(path: Path, epochs_done: int) -> None:
    """Drops the history rows of epochs after the backup, which will run again."""
    lines = path.read_text().splitlines(keepends=True) if path.is_file() else []
    if not lines:
        return
    header, *rows = lines
    kept = [row for row in rows if int(row.split(",", 1)[0]) < epochs_done]
    write_text_atomically(path, header + "".join(kept))


def _sharding_options() -> tf.data.Options:
    # Multi-worker `fit` shards by element: every worker builds the same
    # global batches and keeps its slice (there are no files to shard).
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return options


def _warn_about_slow_precision(precision: str) -> None:
    on_gpu = bool(tf.config.list_physical_devices("GPU"))
    if precision == "mixed_float16" and not on_gpu:
        logger.warning("mixed_float16 is emulated on CPUs, and slower than float32 there.")
    if precision == "mixed_bfloat16" and not supports_bfloat16():
        logger.warning("This machine has no bfloat16 hardware: mixed_bfloat16 will be slow.")


def _finite_or_none(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None
