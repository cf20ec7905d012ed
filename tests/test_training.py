"""`tfganimation train`: a run directory from a dataset."""

import collections
import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import TINY

from tfganimation.aus import AU_CODES
from tfganimation.data import read_index
from tfganimation.training import (
    InsufficientStorageError,
    StorageNeed,
    TrainConfig,
    check_storage,
    default_critic_depth,
    load_run,
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
        "--conv-dim", "8", "--residual-blocks", "1", "--au-weight", "2000",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]

    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "finished"
    assert record["data"]["counts"] == {"train": 9, "test": 3}
    assert record["config"]["image_size"] == 32 and record["steps_per_epoch"] == 3
    # The loss weights are recorded, the one typed and the paper's.
    assert (record["config"]["au_weight"], record["config"]["cycle_weight"]) == (2000.0, 10.0)
    # The default precision "auto" is recorded as what it chose (the suite pins float32).
    assert record["config"]["precision"] == "float32"
    assert set(record["final_logs"]) >= {"d_loss", "g_loss", "val_d_loss"}
    model, loaded_record = load_run(run_dir)  # Whole, optimizers included, and its record.
    assert loaded_record == record and model.compiled
    assert (model.au_weight, model.gp_weight) == (2000.0, 10.0)
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


def test_loss_weights_are_config_fields_with_the_paper_defaults(dataset):
    import inspect

    from tfganimation import GANimation
    from tfganimation.training import LOSS_WEIGHTS, build_model

    paper = inspect.signature(GANimation.__init__).parameters
    assert {name: getattr(TrainConfig, name) for name in LOSS_WEIGHTS} == {
        name: paper[name].default for name in LOSS_WEIGHTS
    }
    weights = {"gp_weight": 5.0, "au_weight": 2000.0, "cycle_weight": 3.0, "attention_weight": 0.2,
               "attention_tv_weight": 0.0}  # fmt: skip
    model = build_model(TrainConfig(data=str(dataset), out="unused", **TINY, **weights))
    assert {name: getattr(model, name) for name in LOSS_WEIGHTS} == weights
    with pytest.raises(ValueError, match="au_weight must be finite and >= 0. Received: au_weight=-1"):
        TrainConfig(data="d", out="o", au_weight=-1.0)
    with pytest.raises(ValueError, match="gp_weight"):
        TrainConfig(data="d", out="o", gp_weight=float("nan"))


def test_a_run_recorded_without_loss_weights_trained_with_the_paper_ones(dataset):
    from tfganimation.training.config import LOSS_WEIGHTS
    from tfganimation.training.run_dir import check_same_run

    config = TrainConfig(data=str(dataset), out="run", **TINY)
    old = {name: value for name, value in json.loads(json.dumps(dataclasses.asdict(config))).items()
           if name not in LOSS_WEIGHTS}  # fmt: skip
    assert TrainConfig.from_record(old) == config
    check_same_run({"config": old}, config)  # the same run: no error
    with pytest.raises(ValueError, match=r"changed: au_weight: 4000.0 -> 8000.0$"):
        check_same_run({"config": old}, dataclasses.replace(config, au_weight=8000.0))


def write_unfinished_run(run_dir, config, status="training"):
    """The `run.json` `train` leaves in a run it has not finished."""
    run_dir.mkdir()
    record = {
        "config": dataclasses.asdict(config),
        "data": {"path": str(Path(config.data).resolve())},
        "status": status,
    }
    (run_dir / "run.json").write_text(json.dumps(record))


def test_resumed_config_reads_the_run_and_takes_only_runtime_changes(dataset, tmp_path, monkeypatch):
    from tfganimation.training import resumed_config

    run_dir = tmp_path / "run"
    # Recorded from the dataset's folder with a relative --data: resumed from anywhere else.
    monkeypatch.chdir(dataset.parent)
    config = TrainConfig(data=dataset.name, out="run", au_weight=2000.0, sample_every=7, **TINY)
    write_unfinished_run(run_dir, config)
    monkeypatch.chdir(tmp_path / "dataset" / "images")
    expected = dataclasses.replace(config, data=str(dataset.resolve()), out=str(run_dir))
    assert resumed_config(run_dir) == expected
    # Given again: equal values and runtime options pass, the latter replacing the record's.
    given = {"data": str(dataset), "out": str(run_dir), "au_weight": 2000, "sample_every": 50}
    assert resumed_config(run_dir, given) == dataclasses.replace(expected, sample_every=50)
    with pytest.raises(ValueError) as refused:
        resumed_config(run_dir, {"au_weight": 4000.0, "image_size": 32, "data": str(tmp_path)})
    message = str(refused.value)
    assert "\n" not in message and "image-size" not in message
    assert f"--data is not the run's {dataset.resolve()}" in message
    assert "--au-weight 4000.0 differs from the recorded 2000.0" in message

    write_unfinished_run(tmp_path / "finished", config, status="finished")
    with pytest.raises(ValueError, match="finished"):
        resumed_config(tmp_path / "finished")
    with pytest.raises(FileNotFoundError, match="no run.json"):
        resumed_config(tmp_path / "nothing")
