"""bfloat16 inference: which precision runs, that it edits like float32, that files keep theirs.

The suite pins `$TFGANIMATION_PRECISION=float32` (conftest), so the tests
that want bfloat16 ask for it by name or set the variable themselves.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PIL import Image
from test_animator import portrait, save_tiny_model

from tfganimation import cli
from tfganimation.aus import N_AUS, preset
from tfganimation.export import export_model
from tfganimation.export.parity import BFLOAT16_PSNR_FLOOR
from tfganimation.faces import crop_face, detect_faces
from tfganimation.inference.animator import Animator
from tfganimation.inference.backends import load_backend
from tfganimation.precision import PRECISION_ENVIRONMENT_VARIABLE
from tfganimation.synthetic import render_face, sample_identity


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The TINY model as `.keras`, faces to check an export on, and a bfloat16 SavedModel
    exported by the command line."""
    root = tmp_path_factory.mktemp("precision")
    faces = root / "faces"
    faces.mkdir()
    for seed in range(2):
        face = render_face(sample_identity(np.random.default_rng(seed)), np.zeros(N_AUS), 32)
        Image.fromarray(face).save(faces / f"{seed}.png")
    model = save_tiny_model(root)
    export = root / "export"
    arguments = ["--formats", "saved_model", "--representative", str(faces)]
    status = cli.main(
        ["export", "--model", model, "--out", str(export), "--precision", "bfloat16", *arguments]
    )
    assert status == 0
    return {"model": model, "faces": faces, "export": export, "root": root}


@pytest.fixture(scope="module")
def crops(files):
    """The portrait's face cut at the TINY model's size, twice, with two targets."""
    photo = portrait()
    crop = crop_face(photo, detect_faces(photo)[0], size=32).image
    return np.stack([crop, crop]), np.stack([preset("happy"), preset("surprise")])


def psnr(ours: np.ndarray, reference: np.ndarray) -> float:
    mse = np.mean((ours.astype(np.float64) - reference) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def test_auto_follows_the_environment_and_a_named_precision_wins(files, monkeypatch):
    assert Animator(files["model"]).precision == "float32"  # Pinned by conftest.
    monkeypatch.setenv(PRECISION_ENVIRONMENT_VARIABLE, "bfloat16")
    pinned = Animator(files["model"])
    assert pinned.precision == pinned.metadata["precision"] == "bfloat16"
    assert Animator(files["model"], precision="float32").precision == "float32"


def test_bfloat16_keras_backend_edits_within_tolerance_with_the_same_weights(files, crops):
    full = Animator(files["model"], precision="float32")
    half = Animator(files["model"], precision="bfloat16")

    ours, reference = half.edit_crops(*crops), full.edit_crops(*crops)

    assert half.describe_runtime() == "keras backend in bfloat16"
    assert half.metadata["model_version"] == full.metadata["model_version"]  # Same weights.
    assert not np.array_equal(ours["attention"], reference["attention"])  # bfloat16 ran.
    for name in ("image", "color"):
        assert ours[name].dtype == np.uint8
        assert psnr(ours[name], reference[name]) >= BFLOAT16_PSNR_FLOOR, name
    assert ours["attention"].dtype == np.float32
    assert np.abs(ours["attention"] - reference["attention"]).max() < 0.02


def test_bfloat16_saved_model_export_round_trips_with_its_precision(files, crops):
    document = json.loads((files["export"] / "metadata.json").read_text())
    assert document["saved_model"]["precision"] == "bfloat16" and document["passed"]
    [result] = document["parity"]["results"]
    assert result["name"] == "saved_model" and result["gate"] == "PSNR >= 40 dB"
    assert result["passed"] and result["psnr"] >= BFLOAT16_PSNR_FLOOR
    assert result["float_error"] > 0  # Its arithmetic is not float32's.

    served = Animator(files["export"])  # auto takes what the file holds
    ours = served.edit_crops(*crops)
    reference = Animator(files["model"], precision="float32").edit_crops(*crops)

    assert served.describe_runtime() == "saved_model backend in bfloat16"
    assert served.has_critic  # The critic's estimate_aus is there, in float32.
    assert ours["image"].dtype == np.uint8 and ours["attention"].dtype == np.float32
    assert psnr(ours["image"], reference["image"]) >= BFLOAT16_PSNR_FLOOR


def test_the_animate_flag_reaches_the_backend_and_its_summary(files, tmp_path, capsys):
    photo = tmp_path / "portrait.png"
    Image.fromarray(portrait()).save(photo)

    for precision in ("bfloat16", "float32"):
        out = tmp_path / f"{precision}.png"
        arguments = ["--preset", "happy", "--out", str(out), "--precision", precision]
        assert cli.main(["animate", str(photo), "--model", files["model"], *arguments]) == 0
        assert f"by the keras backend in {precision} (" in capsys.readouterr().out


def test_a_precision_a_file_does_not_hold_is_refused(files, tmp_path, capsys):
    with pytest.raises(ValueError, match="Refused: .* holds a bfloat16 model"):
        Animator(files["export"], precision="float32")
    with pytest.raises(ValueError, match="precision must be one of"):
        load_backend(files["model"], precision="float16")
    with pytest.raises(ValueError, match="Pass `backend` and `precision` only with a model path"):
        Animator(load_backend(files["model"]), precision="bfloat16")

    photo = tmp_path / "portrait.png"
    Image.fromarray(portrait()).save(photo)
    out = tmp_path / "refused.png"
    arguments = ["--preset", "happy", "--out", str(out), "--precision", "float32"]
    assert cli.main(["animate", str(photo), "--model", str(files["export"]), *arguments]) == 2
    assert "Refused:" in capsys.readouterr().err and not out.exists()


def test_a_bfloat16_export_needs_the_saved_model(files, tmp_path):
    out = tmp_path / "litert_only"
    with pytest.raises(ValueError, match="is the SavedModel's; add the saved_model format"):
        export_model(files["model"], out, formats=("tflite",), precision="bfloat16")
    with pytest.raises(ValueError, match="precision must be one of"):
        export_model(files["model"], out, precision="float16")
    assert not out.exists()
