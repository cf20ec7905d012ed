"""Training a GANimation: a dataset and a `TrainConfig` in, a run folder out.

`train` builds the model under the configured strategy, checks the run
folder and the disk, and runs `model.fit` with the callbacks that back up,
checkpoint and picture the run.

A run killed at any moment continues with `train(config, resume=True)` from
its last backup, and ends with the weights an uninterrupted run would have.
That needs the data stream to be a function of the global step: epoch `e`
is one pass over the training split in an order drawn from `(seed, e)`, so a
run resumed at step `s` rebuilds epoch `s // steps_per_epoch` and skips the
batches already trained on (`fit_from_step`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import shutil
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfganimation.atomic import write_json_atomically
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
from tfganimation.distribute import make_strategy
from tfganimation.ganimation import GANimation
from tfganimation.generator import Generator
from tfganimation.precision import dtype_policy, supports_bfloat16, training_precision
from tfganimation.schedules import make_optimizers
from tfganimation.training.config import LOSS_WEIGHTS, TrainConfig
from tfganimation.training.initial_weights import (
    copy_initial_weights,
    describe_initial_model,
    resolve_initial_model,
)
from tfganimation.training.run_dir import (
    BACKUP_DIR,
    CHECKPOINT_DIR,
    HISTORY_FILE,
    RUN_FILE,
    RUN_MODEL_FILE,
    SNAPSHOT_DIR,
    open_run,
    save_model_atomically,
    trim_history,
)
from tfganimation.training.storage import check_storage, storage_needed

logger = logging.getLogger(__name__)

SAMPLE_ROWS = 4
"""Faces in the pictures of training."""


def build_model(config: TrainConfig) -> GANimation:
    """The (untrained) GANimation that `config` describes, in `config.precision`.

    Call it under the strategy's `scope()` to train it distributed.
    """
    keras.utils.set_random_seed(config.seed)
    with dtype_policy(training_precision(config.precision)):
        generator = Generator(
            config.image_size,
            conv_dim=config.conv_dim,
            residual_blocks=config.residual_blocks,
            upsampling=config.upsampling,
        )
        critic = Critic(
            config.image_size,
            conv_dim=config.critic_conv_dim or config.conv_dim,
            downsampling_layers=config.downsampling_layers,
        )
    return GANimation(
        generator,
        critic,
        n_critic=config.n_critic,
        **{name: getattr(config, name) for name in LOSS_WEIGHTS},
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
    if it was stopped before the first one. With `config.init_from` the
    networks start from that model's weights (and architecture).

    Returns the trained model, which is also saved as `RUN_DIR/model.keras`.

    Raises:
        NonFiniteLossError: a loss became NaN or infinite; the last good
            backup is kept, and `run.json` says "diverged".
        InsufficientStorageError, PermissionError: the run directory cannot
            hold the files the run keeps (checked before training).
    """
    config, initial = resolve_initial_model(config)
    # `run.json` records the policy "auto" chose on this machine, not "auto".
    config = dataclasses.replace(config, precision=training_precision(config.precision))
    strategy = make_strategy(config.strategy)
    _check_fits_strategy(config, strategy.num_replicas_in_sync)
    # Under multi-worker training only the chief writes the run directory.
    chief = strategy.extended.should_checkpoint
    run_dir = Path(config.out)
    index = read_index(config.data)
    record = open_run(run_dir, config, index, overwrite, resume, chief)
    steps_per_epoch = _steps_per_epoch(index, config)
    _warn_about_slow_precision(config.precision)

    with strategy.scope():
        model = compiled_model(config, steps_per_epoch)
        if initial is not None:  # A backup, if resumed from one, replaces these below.
            copy_initial_weights(model, initial)
            record.setdefault("initial_weights", describe_initial_model(initial, config.init_from))
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
        trim_history(run_dir / HISTORY_FILE, epochs_done=first_step // steps_per_epoch)
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
        save_model_atomically(model, run_dir / RUN_MODEL_FILE)
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
