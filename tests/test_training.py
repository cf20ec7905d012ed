"""`tfganimation train`: a run directory from a dataset."""

import json
import subprocess
import sys

import cv2
import keras
import numpy as np
import pytest

from tfganimation.aus import AU_CODES
from tfganimation.training import TrainConfig, default_critic_depth, prepare_run_dir


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
        "--out", str(run_dir), "--image-size", "32", "--batch-size", "3", "--epochs", "1",
        "--conv-dim", "8", "--repeat-num", "1",
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
