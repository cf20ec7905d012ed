"""The training callbacks: atomic backups, divergence checks, pictures of training."""

import json

import cv2
import numpy as np
import pytest
import tensorflow as tf
from conftest import random_batches, tiny_ganimation

from tfganimation import make_optimizers
from tfganimation.callbacks import (
    AtomicBackupAndRestore,
    EpochCheckpoints,
    GlobalStepCallback,
    NonFiniteLossError,
    StopOnNonFiniteLoss,
    TrainingSamples,
)


def test_backups_follow_global_steps_and_restore_the_whole_state(tmp_path):
    model = tiny_ganimation()
    model.compile()
    backup = AtomicBackupAndRestore(tmp_path / "backup", save_freq=4)
    model.fit(
        random_batches(n_batches=10), epochs=1, steps_per_epoch=6, verbose=0, callbacks=[backup]
    )
    # Steps 4 and 6 (the epoch's end) were backed up; a second fit goes on counting.
    assert json.loads((tmp_path / "backup" / "training_metadata.json").read_text()) == {
        "step": 6, "epoch": 1, "batch": 0,
    }  # fmt: skip
    model.fit(random_batches(n_batches=2), epochs=1, verbose=0, callbacks=[backup])
    assert json.loads((tmp_path / "backup" / "training_metadata.json").read_text())["step"] == 8

    fresh = tiny_ganimation(seed=1)
    fresh.compile()
    assert backup.restore(fresh) == 8
    assert int(fresh.g_optimizer.iterations) == 1 and int(fresh.d_optimizer.iterations) == 8
    for a, b in zip(
        model.weights + model.d_optimizer.variables, fresh.weights + fresh.d_optimizer.variables
    ):
        np.testing.assert_array_equal(a, b)


def test_a_crash_while_backing_up_keeps_the_previous_backup(tmp_path, monkeypatch):
    model = tiny_ganimation()
    model.compile()
    backup = AtomicBackupAndRestore(tmp_path / "backup", save_freq=2)
    model.fit(random_batches(n_batches=2), epochs=1, verbose=0, callbacks=[backup])
    good = backup.weights_path.read_bytes()

    def crash_half_way(path, overwrite=True):
        with open(path, "wb") as file:
            file.write(good[: len(good) // 2])
        raise OSError("killed while writing")

    monkeypatch.setattr(model, "save_weights", crash_half_way)
    with pytest.raises(OSError, match="killed while writing"):
        model.fit(random_batches(n_batches=2), epochs=1, verbose=0, callbacks=[backup])
    assert backup.weights_path.read_bytes() == good
    assert sorted(p.name for p in backup.weights_path.parent.iterdir()) == [
        "latest.weights.h5", "training_metadata.json",
    ]  # fmt: skip


def test_nan_stops_training_before_the_backup_saves_it(tmp_path):
    model = tiny_ganimation()
    model.compile()
    data = random_batches(n_batches=6)
    poisoned = data.enumerate().map(
        lambda i, batch: {**batch, "image": batch["image"] * tf.where(i == 3, np.nan, 1.0)}
    )
    backup = AtomicBackupAndRestore(tmp_path / "backup", save_freq=2)
    with pytest.raises(NonFiniteLossError, match=r"at step 4: d_au=nan"):
        model.fit(poisoned, epochs=1, verbose=0, callbacks=[StopOnNonFiniteLoss(), backup])
    assert json.loads((tmp_path / "backup" / "training_metadata.json").read_text())["step"] == 2
    assert "(step 2)" in backup.describe()


def test_nan_in_validation_stops_training_before_the_epoch_end_is_saved(tmp_path):
    model = tiny_ganimation()
    model.compile()
    poisoned = random_batches(n_batches=2).map(lambda batch: {**batch, "image": batch["image"] * np.nan})
    backup = AtomicBackupAndRestore(tmp_path / "backup", save_freq=2)
    checkpoints = EpochCheckpoints(backup, tmp_path / "checkpoints")
    with pytest.raises(NonFiniteLossError, match=r"end of epoch 1 \(step 3\): val_d_au=nan"):
        model.fit(
            random_batches(n_batches=3), validation_data=poisoned, epochs=2, verbose=0,
            callbacks=[StopOnNonFiniteLoss(), backup, checkpoints],
        )  # fmt: skip
    # The backup is the last one before the epoch end; no checkpoint was taken.
    assert json.loads((tmp_path / "backup" / "training_metadata.json").read_text())["step"] == 2
    assert not (tmp_path / "checkpoints").exists()


def test_epoch_checkpoints_keep_the_last_k_and_the_best(tmp_path):
    model = tiny_ganimation()
    model.compile()
    backup = AtomicBackupAndRestore(tmp_path / "backup")
    backup.weights_path.parent.mkdir()
    checkpoints = EpochCheckpoints(backup, tmp_path / "checkpoints", keep=2, monitor="val_g_au")
    checkpoints.set_model(model)
    checkpoints.on_train_begin()
    for epoch, value in enumerate([5.0, 3.0, 4.0, 3.5, 6.0]):
        backup.weights_path.write_bytes(f"state after epoch {epoch + 1}".encode())
        checkpoints.on_epoch_end(epoch, {"g_au": 1.0, "val_g_au": value})
    directory = tmp_path / "checkpoints"
    assert sorted(p.name for p in directory.iterdir()) == [
        "best.json", "best.weights.h5", "epoch_004.weights.h5", "epoch_005.weights.h5",
    ]  # fmt: skip
    assert (directory / "best.weights.h5").read_bytes() == b"state after epoch 2"
    assert checkpoints.best() == {"epoch": 2, "metric": "val_g_au", "value": 3.0}

    # A resumed run carries the best value over; keep=0 keeps no epoch checkpoint.
    resumed = EpochCheckpoints(backup, directory, keep=0, monitor="val_g_au")
    resumed.set_model(model)
    backup.weights_path.write_bytes(b"state after epoch 6")
    resumed.on_epoch_end(5, {"val_g_au": 3.2})
    assert checkpoints.best()["epoch"] == 2 and not (directory / "epoch_006.weights.h5").exists()
    resumed.on_epoch_end(6, {"val_g_au": 2.0})
    assert checkpoints.best()["epoch"] == 7

    unknown = EpochCheckpoints(backup, directory, monitor="val_fid")
    unknown.set_model(model)
    with pytest.raises(ValueError, match="'val_fid' chosen for the best checkpoint is not one the model logs"):
        unknown.on_train_begin()


def test_global_step_counts_from_the_model_across_fits():
    class Steps(GlobalStepCallback):
        seen = []

        def on_train_batch_end(self, batch, logs=None):
            super().on_train_batch_end(batch, logs)
            self.seen.append(self.global_step)

    model = tiny_ganimation()
    model.compile()
    model.fit(
        random_batches(n_batches=4), epochs=2, steps_per_epoch=2, verbose=0, callbacks=[Steps()]
    )
    model.fit(random_batches(n_batches=1), epochs=1, verbose=0, callbacks=[Steps()])
    assert Steps.seen == [1, 2, 3, 4, 5]


def test_training_samples_write_the_grid_and_step_scalars(tmp_path):
    model = tiny_ganimation()
    # The critic's rate falls to 0 over 10 steps, the generator's over 2 of its own.
    g_optimizer, d_optimizer = make_optimizers(steps_per_epoch=5, constant_epochs=0, decay_epochs=2)
    model.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
    faces = next(iter(random_batches(n_batches=1, batch_size=3)))
    samples = TrainingSamples(
        faces, tmp_path / "logs", tmp_path / "samples", every=2, presets=("happy", "sad")
    )
    model.fit(random_batches(n_batches=5), epochs=1, verbose=0, callbacks=[samples])

    # Every 2 steps, and at the end: steps 2, 4, 5.
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == [
        "step_000002.png", "step_000004.png", "step_000005.png",
    ]  # fmt: skip
    grid = cv2.imread(str(tmp_path / "samples" / "step_000004.png"))
    # 3 faces × (input, 2 edits, attention, colour, reconstruction) of 32 px.
    assert grid.shape == (3 * 32, 6 * 32, 3)
    np.testing.assert_array_equal(
        grid[:32, :32, ::-1], np.round((np.asarray(faces["image"][0]) + 1) * 127.5).astype("uint8")
    )

    tags = {}
    for event_file in (tmp_path / "logs").iterdir():
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                tags.setdefault(value.tag, {})[event.step] = value
    assert set(tags["samples"]) == {2, 4, 5}
    assert {
        "loss/d_loss",
        "loss/g_cycle",
        "learning_rate/generator",
        "learning_rate/critic",
    } <= set(tags)
    # After 4 critic steps and no generator step yet:
    critic_rate = tf.make_ndarray(tags["learning_rate/critic"][4].tensor)
    generator_rate = tf.make_ndarray(tags["learning_rate/generator"][4].tensor)
    assert (critic_rate, generator_rate) == pytest.approx((1e-4 * 6 / 10, 1e-4))
