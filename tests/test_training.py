"""`tfganimation train`: a run directory from a dataset."""

import collections
import dataclasses
import json
import shutil
import subprocess
import sys

import cv2
import keras
import numpy as np
import pytest

from tfganimation.aus import AU_CODES
from tfganimation.data import read_index
from tfganimation.training import (
    InsufficientStorageError,
    StorageNeed,
    TrainConfig,
    check_storage,
    default_critic_depth,
    prepare_run_dir,
    train,
    validation_batches,
)

Usage = collections.namedtuple("Usage", "total used free")


def write_manifest_dataset(folder, n_images=12, size=32, seed=0):
    """A small manifest dataset: random blobs, random AUs, 3 of every 4 for training."""
    rng = np.random.default_rng(seed)
    (folder / "images").mkdir(parents=True)
    rows = ["file,split," + ",".join(AU_CODES)]
    for i in range(n_images):
        image = cv2.GaussianBlur(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), (5, 5), 0)
        cv2.imwrite(str(folder / "images" / f"{i:03d}.jpg"), image)
        aus = ",".join(f"{value:.2f}" for value in rng.uniform(0, 5, 17))
        rows.append(f"images/{i:03d}.jpg,{'test' if i % 4 == 3 else 'train'},{aus}")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    return folder


@pytest.fixture
def dataset(tmp_path):
    return write_manifest_dataset(tmp_path / "dataset")


def test_train_command_writes_a_loadable_run(dataset, tmp_path):
    run_dir = tmp_path / "run"
    command = [
        sys.executable, "-m", "tfganimation.cli", "train", "--data", str(dataset),
        "--out", str(run_dir), "--image-size", "32", "--batch-size", "3", "--epochs", "1", "--decay-epochs", "1",
        "--conv-dim", "8", "--residual-blocks", "1",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]

    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "finished"
    assert record["data"]["counts"] == {"train": 9, "test": 3}
    assert record["config"]["image_size"] == 32 and record["steps_per_epoch"] == 3
    assert set(record["final_logs"]) >= {"d_loss", "g_loss", "val_d_loss"}
    model = keras.models.load_model(run_dir / "model.keras")
    edited, _, _ = model.generator((np.zeros((1, 32, 32, 3), "float32"), np.zeros((1, 17), "float32")))
    assert edited.shape == (1, 32, 32, 3)
    assert (run_dir / "checkpoints" / "epoch_001.weights.h5").is_file()
    assert (run_dir / "history.csv").read_text().startswith("epoch,")


def test_train_refuses_to_overwrite_another_run(dataset, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "model.keras").write_text("a previous run's model")
    command = [
        sys.executable, "-m", "tfganimation.cli", "train", "--data", str(dataset), "--out", str(run_dir),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "--overwrite" in result.stderr and "Traceback" not in result.stderr
    assert (run_dir / "model.keras").read_text() == "a previous run's model"


def test_prepare_run_dir_accepts_empty_and_overwrite(tmp_path):
    assert prepare_run_dir(tmp_path / "new").is_dir()
    (tmp_path / "new" / "file").write_text("x")
    assert prepare_run_dir(tmp_path / "new", overwrite=True).is_dir()


def test_config_validation_and_critic_depth():
    assert [default_critic_depth(size) for size in (128, 64, 32, 96, 36)] == [6, 6, 5, 5, 2]
    with pytest.raises(ValueError, match="decay_epochs"):
        TrainConfig(data="d", out="o", epochs=5, decay_epochs=6)


@pytest.mark.slow
def test_a_long_run_keeps_a_bounded_number_of_checkpoints(tmp_path):
    # 120 one-step epochs: the run folder holds the last 3 epoch checkpoints
    # and the best one, not 120 of them.
    data = write_manifest_dataset(tmp_path / "data")
    run_dir = tmp_path / "run"
    config = TrainConfig(
        data=str(data), out=str(run_dir), image_size=32, conv_dim=8, residual_blocks=1, batch_size=3,
        epochs=120, steps_per_epoch=1, best_checkpoint="val_d_loss",
    )  # fmt: skip
    train(config, verbose=0)

    kept = sorted(path.name for path in (run_dir / "checkpoints").glob("*.weights.h5"))
    assert kept == ["best.weights.h5", "epoch_118.weights.h5", "epoch_119.weights.h5", "epoch_120.weights.h5"]
    folder_bytes = sum(path.stat().st_size for path in run_dir.rglob("*") if path.is_file())
    assert folder_bytes <= 12 * (run_dir / "model.keras").stat().st_size
    history = [row.split(",") for row in (run_dir / "history.csv").read_text().splitlines()]
    column = history[0].index("val_d_loss")
    values = [float(row[column]) for row in history[1:]]
    best = json.loads((run_dir / "checkpoints" / "best.json").read_text())
    assert best == {"epoch": int(np.argmin(values)) + 1, "metric": "val_d_loss", "value": min(values)}


def test_validation_is_a_fixed_bounded_set(dataset):
    index = read_index(dataset)
    config = TrainConfig(data=str(dataset), out="unused", image_size=32, batch_size=2, validation_steps=1)
    batches = validation_batches(index, config)
    first, second = list(batches), list(batches)
    assert len(first) == 1 and first[0]["image"].shape[0] == 2  # a bounded sample of the 3 test images
    for key in ("image", "real_aus", "target_aus"):
        np.testing.assert_array_equal(first[0][key], second[0][key])
    assert validation_batches(index, dataclasses.replace(config, validation_steps=0)) is None
    assert len(list(validation_batches(index, dataclasses.replace(config, validation_steps=None)))) == 2


def test_the_disk_check_counts_the_kept_checkpoints(tmp_path, monkeypatch):
    state = 100 * 2**20
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(total=2**40, used=0, free=500 * 2**20))
    with pytest.raises(InsufficientStorageError) as refused:
        check_storage(tmp_path, StorageNeed(state_bytes=state, state_copies=3 + 3 + 1))
    assert str(refused.value).startswith(
        f"{tmp_path} has 500 MiB free, but the run needs about 700 MiB: 7 copies of a 100.0 MiB "
        "training state"
    )
    check_storage(tmp_path, StorageNeed(state_bytes=state, state_copies=3 + 2))  # keep 2: fits
    # A resumed run's backup and checkpoints are already on disk: they count as room.
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "epoch_001.weights.h5").write_bytes(b"\0" * 200 * 2**20)
    check_storage(tmp_path, StorageNeed(state_bytes=state, state_copies=3 + 3 + 1))


def test_a_run_recorded_under_the_old_field_names_still_resumes(dataset):
    from tfganimation.training.config import RENAMED_FIELDS
    from tfganimation.training.run_dir import check_same_run

    old_name = {new: old for old, new in RENAMED_FIELDS.items()}
    config = TrainConfig(data=str(dataset), out="run", image_size=32, residual_blocks=1)
    record = json.loads(json.dumps({"config": dataclasses.asdict(config)}))
    old = {old_name.get(name, name): value for name, value in record["config"].items()}
    assert {"repeat_num", "critic_repeat_num"} <= set(old)
    check_same_run({"config": old}, config)  # the same run: no error
    assert TrainConfig.from_record(old) == config
    with pytest.raises(ValueError, match="residual_blocks: 1 -> 2"):
        check_same_run({"config": old}, dataclasses.replace(config, residual_blocks=2))
