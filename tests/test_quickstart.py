"""The quickstart end to end, at a tiny size."""

import json
import subprocess
import sys

import numpy as np
from PIL import Image

from tfganimation.aus import PRESETS, preset, to_model_scale
from tfganimation.quickstart import TimeLimit, expression_tour


def test_quickstart_smoke_run_writes_every_artefact(tmp_path):
    out = tmp_path / "quickstart"
    command = [
        sys.executable, "-m", "tfganimation.cli", "quickstart", "--out", str(out),
        "--image-size", "32", "--identities", "10", "--per-identity", "8", "--steps", "10",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "copy input" in result.stdout and "Expression GIF" in result.stdout

    report = json.loads((out / "evaluation.json").read_text())
    assert report["model"]["region_l1"] > 0 and report["copy"]["region_l1"] > 0
    record = json.loads((out / "run" / "run.json").read_text())
    assert record["status"] == "finished" and record["data"]["counts"] == {"train": 64, "test": 16}
    assert (out / "run" / "model.keras").is_file()
    with Image.open(out / "expressions.gif") as gif:
        assert gif.n_frames > 1 and gif.size == (64, 32)  # the input beside its edit
    grid = np.asarray(Image.open(out / "au_control_grid.png"))
    assert grid.ndim == 3 and grid.shape[0] >= 6 * 32


def test_quickstart_refuses_an_existing_output(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    command = [sys.executable, "-m", "tfganimation.cli", "quickstart", "--out", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--overwrite" in result.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_time_limit_stops_training():
    class Model:
        stop_training = False

    limit = TimeLimit(seconds=0.0)
    limit.set_model(Model())
    limit.on_train_begin()
    limit.on_train_batch_end(0)
    assert limit.model.stop_training


def test_expression_tour_visits_every_preset_and_returns_to_neutral():
    tour = expression_tour(frames_per_transition=5)
    neutral = to_model_scale(preset("neutral"))
    np.testing.assert_array_equal(tour[0], neutral)
    np.testing.assert_array_equal(tour[-1], neutral)
    for name in PRESETS:
        assert any(np.allclose(frame, to_model_scale(preset(name))) for frame in tour), name
    assert len(tour) == 1 + 7 * 2 * 4
    assert np.all(np.abs(np.diff(tour, axis=0)).max(axis=1) > 0)  # no repeated frame


def test_step_clock_times_only_the_batches_after_the_untimed_ones(monkeypatch):
    from tfganimation.quickstart import run as quickstart

    ticks = iter([1.0, 2.0, 5.0, 9.0])  # ends of batches 0..3
    monkeypatch.setattr(quickstart.time, "perf_counter", lambda: next(ticks))
    clock = quickstart.StepClock(untimed=2)
    for batch in range(4):
        clock.on_train_batch_end(batch)
    assert clock.seconds == 9.0 - 2.0


def test_cli_defaults_are_the_quickstart_config_defaults():
    from tfganimation.cli import build_parser
    from tfganimation.quickstart import QuickstartConfig

    args = build_parser().parse_args(["quickstart"])
    defaults = QuickstartConfig()
    assert (args.minutes, args.out, args.image_size, args.identities, args.per_identity, args.steps,
            args.seed) == (
        defaults.minutes, defaults.out, defaults.image_size, defaults.n_identities,
        defaults.per_identity, defaults.steps, defaults.seed,
    )


def test_the_loss_weights_are_quickstart_fields_that_reach_the_run():
    # Fields, so that `benchmarks/quickstart_quality.py --set au_weight=...` accepts them.
    from tfganimation.quickstart import QuickstartConfig
    from tfganimation.training.config import LOSS_WEIGHTS, TrainConfig

    assert {name: getattr(QuickstartConfig(), name) for name in LOSS_WEIGHTS} == {
        name: getattr(TrainConfig, name) for name in LOSS_WEIGHTS
    }
    config = QuickstartConfig(au_weight=8000.0).train_config("data", epochs=3, steps_per_epoch=10)
    assert (config.au_weight, config.gp_weight) == (8000.0, TrainConfig.gp_weight)


def test_the_training_precision_is_a_quickstart_field_that_reaches_the_run():
    # So that bfloat16 training's quality can be compared with float32's (`--set precision=...`).
    from tfganimation.quickstart import QuickstartConfig

    assert QuickstartConfig().train_config("data", epochs=3, steps_per_epoch=10).precision == "auto"
    config = QuickstartConfig(precision="mixed_bfloat16").train_config("data", epochs=3, steps_per_epoch=10)
    assert config.precision == "mixed_bfloat16"
