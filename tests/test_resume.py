"""Training under faults: SIGKILL and resume, divergence, unwritable or full disks."""

import collections
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings

import keras
import numpy as np
import pytest
from test_training import write_manifest_dataset

import tfganimation.ganimation  # noqa: F401  (registers GANimation for load_model)
from tfganimation import cli
from tfganimation.callbacks import AtomicBackupAndRestore, NonFiniteLossError
from tfganimation.training import TrainConfig, compiled_model, train

Usage = collections.namedtuple("Usage", "total used free")

TINY_RUN = {"image_size": 32, "conv_dim": 8, "residual_blocks": 1, "batch_size": 3}


ONE_THREAD = {**os.environ, "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
"""The SIGKILL test's runs each use one thread: their sums then add up in one order, so the
resumed weights match the uninterrupted run's to 1e-6 even while the two runs share the cores
(nearly always: see `test_killed_run_resumes_to_the_weights_of_an_uninterrupted_run`)."""


def train_command(data, out, *extra):
    """The `tfganimation train` command line of the SIGKILL test's runs."""
    return [
        sys.executable, "-m", "tfganimation.cli", "train", "--data", str(data), "--out", str(out),
        "--image-size", "32", "--batch-size", "3", "--conv-dim", "8", "--residual-blocks", "1",
        "--epochs", "2", "--decay-epochs", "1", "--backup-every", "5", "--sample-every", "1000",
        *extra,
    ]  # fmt: skip


@pytest.mark.slow
def test_killed_run_resumes_to_the_weights_of_an_uninterrupted_run(tmp_path):
    # 36 training images in batches of 3: 12 steps per epoch, 24 in all;
    # backups at steps 5, 10, 12 (epoch end), 15, 20.
    data = write_manifest_dataset(tmp_path / "data", n_images=48)
    differences = killed_run_differences(data, tmp_path / "first")
    if differences:
        # Rarely, one of the three processes rounds differently (cause not
        # found; docs/faults_and_resume.md): a broken resume differs again.
        warnings.warn(
            "The first killed-and-resumed run differed from its uninterrupted twin; trying again. "
            + "; ".join(differences[:5])
        )
        differences = killed_run_differences(data, tmp_path / "second")
    assert not differences, "\n".join(differences)


def killed_run_differences(data, out) -> list[str]:
    """SIGKILLs a run mid-epoch, resumes it, and lists where it ends apart from an uninterrupted run.

    The uninterrupted and the killed run train side by side. The resumed run
    must finish the run's schedule exactly (step counts, history); returned
    is one line per weight or optimizer variable more than 1e-6 away from
    the uninterrupted run's.
    """
    uninterrupted = subprocess.Popen(
        train_command(data, out / "uninterrupted"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ONE_THREAD,
    )
    killed = subprocess.Popen(
        train_command(data, out / "killed"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ONE_THREAD,
    )
    metadata = out / "killed" / "backup" / "training_metadata.json"
    deadline = time.monotonic() + 300
    while not metadata.exists() and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    assert uninterrupted.wait(timeout=300) == 0, uninterrupted.stderr.read()[-2000:]
    assert json.loads(metadata.read_text())["step"] > 0

    resumed = subprocess.run(
        train_command(data, out / "killed", "--resume"),
        capture_output=True,
        text=True,
        timeout=300,
        env=ONE_THREAD,
    )
    assert resumed.returncode == 0, resumed.stderr[-2000:]

    record = json.loads((out / "killed" / "run.json").read_text())
    (resume_step,) = record["resumed_at_steps"]
    assert resume_step % 12 != 0, "the kill should land in the middle of an epoch"
    assert record["status"] == "finished" and not (out / "killed" / "backup").exists()
    # The history has one row per epoch, the resumed epoch included once.
    history = (out / "killed" / "history.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in history[1:]] == ["0", "1"]
    expected = keras.models.load_model(out / "uninterrupted" / "model.keras")
    restarted = keras.models.load_model(out / "killed" / "model.keras")
    assert int(restarted.global_step) == 24 and int(restarted.g_optimizer.iterations) == 4
    differences = []
    for variable, other in zip(
        expected.weights + expected.g_optimizer.variables + expected.d_optimizer.variables,
        restarted.weights + restarted.g_optimizer.variables + restarted.d_optimizer.variables,
    ):
        gap = np.abs(np.asarray(variable) - np.asarray(other))
        if np.any(gap > 1e-6):
            differences.append(
                f"{variable.path}: {np.mean(gap > 1e-6):.1%} of it apart, by up to {gap.max():.2g} "
                f"(resumed at step {resume_step})"
            )
    return differences


def test_diverging_run_stops_with_a_clear_error_and_keeps_the_last_good_backup(tmp_path):
    data = write_manifest_dataset(tmp_path / "data")
    config = TrainConfig(
        data=str(data), out=str(tmp_path / "run"), epochs=2, decay_epochs=0,
        learning_rate=1e30, backup_every=1, **TINY_RUN,
    )  # fmt: skip
    with pytest.raises(NonFiniteLossError, match=r"diverged at step 2: d_au=nan.*step 1\) is kept"):
        train(config, verbose=0)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["status"] == "diverged" and "step 2" in record["error"]
    assert not (tmp_path / "run" / "model.keras").exists()
    backup = tmp_path / "run" / "backup"
    assert json.loads((backup / "training_metadata.json").read_text())["step"] == 1
    model = compiled_model(config, steps_per_epoch=3)
    assert AtomicBackupAndRestore(backup).restore(model) == 1
    assert all(np.all(np.isfinite(w)) for w in model.weights)


def test_resume_refuses_a_changed_configuration(tmp_path):
    data = write_manifest_dataset(tmp_path / "data")
    config = TrainConfig(
        data=str(data), out=str(tmp_path / "run"), epochs=1, decay_epochs=0, **TINY_RUN
    )
    train(config, verbose=0)
    with pytest.raises(ValueError, match="finished"):
        train(config, resume=True, verbose=0)
    record_path = tmp_path / "run" / "run.json"
    record = json.loads(record_path.read_text())
    record_path.write_text(json.dumps({**record, "status": "training"}))
    changed = TrainConfig(**{**vars(config), "learning_rate": 1e-3})
    with pytest.raises(ValueError, match=r"learning_rate: 0.0001 -> 0.001"):
        train(changed, resume=True, verbose=0)


def test_full_disk_is_reported_before_training(tmp_path, monkeypatch, capsys):
    data = write_manifest_dataset(tmp_path / "data")
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: Usage(total=2**30, used=2**30 - 2**20, free=2**20)
    )
    status = cli.main(train_args(data, tmp_path / "run"))
    error = capsys.readouterr().err
    assert status == 2 and re.search(
        r"1 MiB free, but the run needs about 16 MiB: 6 copies of a 2\.\d MiB training state", error
    )
    assert len(error.strip().splitlines()) == 1
    assert "Traceback" not in error
    assert sorted(os.listdir(tmp_path / "run")) == []  # nothing trained, nothing written


def test_unwritable_run_dir_is_reported_before_training(tmp_path, monkeypatch, capsys):
    data = write_manifest_dataset(tmp_path / "data")

    def read_only_fsync(fd):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "fsync", read_only_fsync)
    status = cli.main(train_args(data, tmp_path / "run"))
    error = capsys.readouterr().err
    assert status == 2 and "Cannot write to the run directory" in error and "Read-only" in error
    assert sorted(os.listdir(tmp_path / "run")) == []


def train_args(data, out):
    return [
        "train", "--data", str(data), "--out", str(out), "--image-size", "32",
        "--batch-size", "3", "--conv-dim", "8", "--residual-blocks", "1", "--epochs", "1", "--decay-epochs", "1",
    ]  # fmt: skip


class CrashAfter(keras.callbacks.Callback):
    """Raises after `steps` batches: a run that stopped mid-way, its backups on disk."""

    def __init__(self, steps: int):
        super().__init__()
        self.steps = steps

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.global_step) >= self.steps:
            raise RuntimeError("crashed")


def test_resume_run_dir_alone_reads_the_options_from_run_json(tmp_path, capsys):
    # A run with non-default options (a loss weight among them) that stops at step 2 of 6.
    data = write_manifest_dataset(tmp_path / "data")
    run_dir = tmp_path / "run"
    config = TrainConfig(
        data=str(data), out=str(run_dir), epochs=2, decay_epochs=1, backup_every=1,
        au_weight=2000.0, validation_steps=0, **TINY_RUN,
    )  # fmt: skip
    with pytest.raises(RuntimeError, match="crashed"):
        train(config, verbose=0, callbacks=[CrashAfter(2)])

    # An option given again must equal the recorded one: refused in one line naming it, in the
    # new form and in the old one (every option retyped, --resume last).
    assert cli.main(["train", "--resume", str(run_dir), "--au-weight", "4000"]) == 2
    error = capsys.readouterr().err
    assert (
        len(error.splitlines()) == 1
        and "--au-weight 4000.0 differs from the recorded 2000.0" in error
    )
    assert cli.main([*train_args(data, run_dir), "--resume"]) == 2  # --epochs 1 --decay-epochs 1
    error = capsys.readouterr().err
    assert len(error.splitlines()) == 1 and "--epochs 1 differs from the recorded 2" in error
    assert json.loads((run_dir / "run.json").read_text())["status"] == "training"

    # `--resume RUN_DIR` alone, with a runtime option changed.
    assert cli.main(["train", "--resume", str(run_dir), "--sample-every", "1000"]) == 0
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "finished" and record["resumed_at_steps"] == [2]
    assert record["config"]["au_weight"] == 2000.0
    model = keras.models.load_model(run_dir / "model.keras")
    assert int(model.global_step) == 6 and model.au_weight == 2000.0
    assert model.generator.conv_dim == 8
