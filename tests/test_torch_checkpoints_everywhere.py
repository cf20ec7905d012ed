"""A PyTorch checkpoint works wherever a model is accepted: convert, animate, export, video."""

import json
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest
from torch_fixtures import checkpoint, requires_checkpoints

pytestmark = requires_checkpoints

MARKER = "PWNED_BY_CHECKPOINT"


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "tfganimation.cli", *map(str, args)],
        capture_output=True, text=True, timeout=600, cwd=cwd,
    )  # fmt: skip


def face_photo(path, seed=0):
    """A 128-px picture; `--center-crop` stands in for a detected face."""
    pixels = np.random.default_rng(seed).integers(0, 256, (128, 128, 3), dtype=np.uint8)
    cv2.imwrite(str(path), pixels)
    return path


def test_convert_writes_a_model_with_its_record(tmp_path):
    out = tmp_path / "replicate.keras"
    result = run_cli("convert", checkpoint("replicate/30_net_gen.pth"), "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Layout:    replicate" in result.stdout and "Critic:    30_net_dis.pth" in result.stdout
    from tfganimation.model_files.loading import load_model

    loaded = load_model(out)
    assert loaded.critic is not None and loaded.source["layout"] == "replicate"
    again = run_cli("convert", checkpoint("replicate/30_net_gen.pth"), "--out", out)
    assert again.returncode == 2 and "exists" in again.stderr


@pytest.mark.parametrize(
    "relative, message",
    [
        ("hostile/code_execution.legacy.pth", "refused: the checkpoint's pickle names 'posix.system'"),
        ("hostile/code_execution.zip-format.pth", "refused: the checkpoint's pickle names 'posix.system'"),
        ("hostile/truncated.pth", "truncated"),
        ("hostile/not_ganimation.pth", "not a GANimation generator"),
        ("hostile/five_aus_G.pth", "conditioned on 5 values"),
    ],
)
def test_bad_checkpoints_get_one_line_and_nothing_is_written(relative, message, tmp_path):
    out = tmp_path / "out" / "model.keras"
    result = run_cli("convert", checkpoint(relative), "--out", out, cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("tfganimation")]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr
    assert not out.exists() and not list(tmp_path.rglob(MARKER))


def test_animate_takes_a_checkpoint_and_crops_as_it_was_trained(tmp_path):
    photo = face_photo(tmp_path / "face.png")
    out = tmp_path / "edited.png"
    result = run_cli(
        "animate", photo, "--model", checkpoint("stargan_based/200000-G.ckpt"),
        "--preset", "happy", "--center-crop", "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert cv2.imread(str(out)).shape == (128, 128, 3)
    from tfganimation.inference import Animator

    animator = Animator(str(checkpoint("stargan_based/200000-G.ckpt")))
    assert animator.framing == "openface_simalign" and animator.has_critic
    assert "vipermu/ganimation" in animator.metadata["training_data"]
    assert Animator(str(checkpoint("replicate/30_net_gen.pth")), framing="openface_simalign").framing == (
        "openface_simalign"
    )
    from tfganimation.cli import build_parser
    from tfganimation.commands.animate import _open_animator

    model = str(checkpoint("stargan_based/200000-G.ckpt"))
    args = build_parser().parse_args(
        ["animate", "x.png", "--preset", "happy", "--model", model, "--framing", "face_recognition"]
    )
    assert _open_animator(args).framing == "face_recognition"


def test_reading_aus_without_the_critic_says_how_to_get_it(tmp_path):
    alone = shutil.copy(checkpoint("replicate/30_net_gen.pth"), tmp_path / "30_net_gen.pth")
    from tfganimation.inference import Animator

    animator = Animator(str(alone))
    assert not animator.has_critic
    crops = np.zeros((1, 128, 128, 3), np.uint8)
    with pytest.raises(ValueError, match="no critic to read AUs with.*30_net_dis.pth"):
        animator.estimate_crops(crops)


@pytest.mark.slow
def test_export_of_a_checkpoint_passes_parity_and_records_where_it_came_from(tmp_path):
    from tfganimation.export.exporter import export_model
    from tfganimation.inference import Animator

    faces = tmp_path / "faces"
    faces.mkdir()
    for seed in range(3):
        face_photo(faces / f"{seed}.png", seed)
    report = export_model(
        checkpoint("original/net_epoch_30_id_G.pth"), tmp_path / "export",
        variants=("float32",), representative_data=faces, parity_images=2,
    )  # fmt: skip
    assert report.passed and {result.name for result in report.results} == {"saved_model", "float32"}
    metadata = json.loads((tmp_path / "export/metadata.json").read_text())
    assert metadata["converted_from"]["layout"] == "original" and metadata["framing"] == "face_recognition"
    assert metadata["converted_from"]["critic"]["file"] == "net_epoch_30_id_D.pth"
    assert "albertpumarola/GANimation" in metadata["training_data"]["name"]
    # The exported critic reads AUs as the converted one does.
    saved = Animator(str(tmp_path / "export"))
    keras = Animator(str(checkpoint("original/net_epoch_30_id_G.pth")))
    crops = np.stack([cv2.imread(str(faces / f"{seed}.png"))[..., ::-1] for seed in range(3)])
    np.testing.assert_allclose(saved.estimate_crops(crops), keras.estimate_crops(crops), rtol=1e-4, atol=1e-5)
    litert = Animator(str(tmp_path / "export/generator_float32.tflite"))
    assert litert.framing == "face_recognition"
    edited = litert.edit_crops(crops[:1], np.full((1, 17), 2.0, np.float32))["image"]
    expected = keras.edit_crops(crops[:1], np.full((1, 17), 2.0, np.float32))["image"]
    assert np.abs(edited.astype(int) - expected.astype(int)).max() <= 1


def test_a_checkpoint_drives_a_photo_from_a_video_with_its_critic(tmp_path):
    from PIL import Image
    from video_fixtures import face_frame, write_video

    from tfganimation.aus import N_AUS, preset

    clip = write_video(tmp_path / "clip.mp4", [face_frame(preset("happy") * k / 2) for k in range(3)])
    photo = tmp_path / "photo.png"
    Image.fromarray(face_frame(np.zeros(N_AUS))).save(photo)
    out = tmp_path / "driven.mp4"
    result = run_cli(
        "animate", photo, "--aus-from", clip, "--model", checkpoint("stargan_based/200000-G.ckpt"),
        "--out", out, "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "read by the model's critic" in result.stdout and out.stat().st_size > 0
