"""`export_model` and `tfganimation export` on a briefly trained tiny run."""

import json
import runpy
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter
from conftest import TINY, tiny_ganimation

import tfganimation
from tfganimation import cli
from tfganimation.aus import AU_CODES
from tfganimation.data import load_dataset
from tfganimation.export import (
    FLOAT_TOLERANCE,
    PSNR_FLOORS,
    VARIANTS,
    export_model,
    parity,
)
from tfganimation.synthetic import make_dataset

REPO = Path(__file__).resolve().parents[1]
TRAIN_STEPS = 50


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A run directory as `tfganimation train` leaves it, from 50 steps on synthetic faces.

    An untrained generator's output is nearly constant, which int8 handles
    unrealistically well or badly; a few steps give it real structure.
    """
    root = tmp_path_factory.mktemp("run")
    summary = make_dataset(root / "faces", n_identities=6, per_identity=8, image_size=32, seed=0)
    model = tiny_ganimation()
    g_optimizer, d_optimizer = tfganimation.make_optimizers(learning_rate=1e-3)
    model.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
    batches = load_dataset(summary.out_dir, image_size=32, batch_size=8, seed=0).repeat()
    model.fit(batches, steps_per_epoch=TRAIN_STEPS, epochs=1, verbose=0)
    run = root / "run"
    run.mkdir()
    model.save(run / "model.keras")
    record = {
        "data": {
            "path": str(summary.out_dir),
            "format": "manifest",
            "counts": {"train": summary.n_train},
        }
    }
    (run / "run.json").write_text(json.dumps(record))
    return run


@pytest.fixture(scope="module")
def exported(run_dir, tmp_path_factory):
    return export_model(
        run_dir, tmp_path_factory.mktemp("export") / "out", variants=VARIANTS, calibration_images=32
    )


def test_every_variant_passes_its_parity_gate(exported):
    print("\n" + exported.format_table())
    assert [result.name for result in exported.results] == ["saved_model", *VARIANTS]
    by_name = {result.name: result for result in exported.results}
    for name in ("saved_model", "float32", "float32_winograd"):
        assert by_name[name].float_error <= FLOAT_TOLERANCE
    for name, floor in PSNR_FLOORS.items():
        assert by_name[name].psnr >= floor
    assert exported.passed and exported.metadata["passed"]
    assert by_name["int8"].size_bytes < 0.5 * by_name["float32"].size_bytes


def test_layout(exported):
    out = exported.out_dir
    assert (out / "saved_model" / "1" / "saved_model.pb").is_file()
    assert sorted(path.name for path in out.glob("*.tflite")) == sorted(
        f"generator_{v}.tflite" for v in VARIANTS
    )
    assert json.loads((out / "metadata.json").read_text()) == exported.metadata


def test_saved_model_signatures(exported, run_dir):
    loaded = tf.saved_model.load(str(exported.files["saved_model"]))
    assert {"animate", "estimate_aus", "serving_default"} <= set(loaded.signatures)
    animate = loaded.signatures["animate"]
    inputs = animate.structured_input_signature[1]
    assert (inputs["image"].dtype, inputs["image"].shape.as_list()) == (tf.uint8, [None, 32, 32, 3])
    assert (inputs["aus"].dtype, inputs["aus"].shape.as_list()) == (tf.float32, [None, 17])
    outputs = animate.structured_outputs
    assert {name: spec.dtype for name, spec in outputs.items()} == {
        "image": tf.uint8, "attention": tf.float32, "color": tf.uint8
    }  # fmt: skip
    assert outputs["attention"].shape.as_list() == [None, 32, 32, 1]

    images = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    estimate = loaded.signatures["estimate_aus"](image=tf.constant(images))["aus"].numpy()
    critic = keras.models.load_model(run_dir / "model.keras", compile=False).critic
    expected = np.clip(critic(images / 127.5 - 1.0)[1].numpy() * 5.0, 0.0, 5.0)
    np.testing.assert_allclose(estimate, expected, atol=1e-5)


def test_litert_signatures_and_builtin_ops_only(exported):
    for variant in VARIANTS:
        path = exported.files[variant]
        interpreter = Interpreter(model_path=str(path))
        assert interpreter.get_signature_list() == {
            "animate": {"inputs": ["aus", "image"], "outputs": ["attention", "color", "image"]}
        }
        runner = interpreter.get_signature_runner("animate")
        inputs, outputs = runner.get_input_details(), runner.get_output_details()
        assert (inputs["image"]["dtype"], list(inputs["image"]["shape"])) == (
            np.uint8,
            [1, 32, 32, 3],
        )
        assert (inputs["aus"]["dtype"], list(inputs["aus"]["shape"])) == (np.float32, [1, 17])
        assert {name: detail["dtype"] for name, detail in outputs.items()} == {
            "image": np.uint8, "attention": np.float32, "color": np.uint8
        }  # fmt: skip
        model = schema.Model.GetRootAs(path.read_bytes(), 0)
        assert all(
            model.OperatorCodes(i).CustomCode() is None for i in range(model.OperatorCodesLength())
        )


def test_int8_file_computes_the_network_in_int8(exported):
    interpreter = Interpreter(model_path=str(exported.files["int8"]))
    conv_inputs = [
        interpreter.get_tensor_details()[op["inputs"][1]]["dtype"]
        for op in interpreter._get_ops_details()
        if op["op_name"] in ("CONV_2D", "TRANSPOSE_CONV")
    ]
    assert conv_inputs and all(dtype == np.int8 for dtype in conv_inputs)


def test_metadata_is_embedded_and_readable_without_tensorflow(exported):
    paths = {variant: str(exported.files[variant]) for variant in VARIANTS}
    script = (
        "import sys, json\n"
        "for blocked in ('tensorflow', 'keras', 'ai_edge_litert'):\n"
        "    sys.modules[blocked] = None\n"
        "from tfganimation.export import read_metadata\n"
        f"print(json.dumps({{v: read_metadata(p) for v, p in {paths!r}.items()}}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    documents = json.loads(result.stdout)
    for variant, document in documents.items():
        assert document["variant"] == variant
        assert [au["code"] for au in document["action_units"]] == list(AU_CODES)
        assert document["image_size"] == 32
        assert document["signatures"]["animate"]["inputs"]["aus"]["shape"] == [1, 17]
        assert document["model_version"] == exported.metadata["model_version"]
        assert document["training_data"] == {
            "name": "faces",
            "format": "manifest",
            "counts": {"train": 40},
        }
    saved_model = exported.metadata["saved_model"]
    assert saved_model["path"] == "saved_model/1"
    assert saved_model["signatures"]["animate"]["inputs"]["image"]["shape"] == [-1, 32, 32, 3]
    assert "estimate_aus" in saved_model["signatures"]
    assert exported.metadata["litert"]["files"] == {v: f"generator_{v}.tflite" for v in VARIANTS}


def test_existing_files_are_never_replaced_without_overwrite(run_dir, tmp_path):
    out = tmp_path / "out"
    export_model(run_dir, out, formats=("tflite",), variants=("float32",), parity_images=1)
    written = {path: path.read_bytes() for path in out.iterdir() if path.is_file()}
    with pytest.raises(FileExistsError, match="--overwrite"):
        export_model(
            run_dir, out, formats=("tflite",), variants=("float16", "float32"), parity_images=1
        )
    assert not (out / "generator_float16.tflite").exists()
    assert {path: path.read_bytes() for path in out.iterdir() if path.is_file()} == written
    report = export_model(
        run_dir, out, formats=("tflite",), variants=("float32",), parity_images=1, overwrite=True
    )
    assert report.passed


def test_failed_parity_keeps_and_flags_files_and_exits_1(run_dir, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    monkeypatch.setitem(parity.PSNR_FLOORS, "float16", 200.0)
    status = cli.main(
        ["export", "--model", str(run_dir), "--out", str(out), "--formats", "tflite", "--variants",
         "float16"]
    )  # fmt: skip
    assert status == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out
    message = captured.err.strip().splitlines()[-1]
    assert message.startswith("tfganimation export: failed: Parity check failed for float16 (PSNR ")
    assert "needs PSNR >= 200 dB" in message
    assert (out / "generator_float16.tflite").is_file()
    assert json.loads((out / "metadata.json").read_text())["passed"] is False


def test_other_image_size_exports_the_generator_only(run_dir, tmp_path):
    report = export_model(
        run_dir, tmp_path / "out", formats=("saved_model",), image_size=48, parity_images=1
    )
    assert report.passed and "trained at 32 px" in report.notes[0]
    loaded = tf.saved_model.load(str(report.files["saved_model"]))
    assert "estimate_aus" not in loaded.signatures
    assert loaded.signatures["animate"].structured_input_signature[1]["image"].shape.as_list() == [
        None,
        48,
        48,
        3,
    ]


@pytest.mark.parametrize("image_size", [30, 0])
def test_image_size_must_be_a_multiple_of_4(run_dir, tmp_path, image_size):
    with pytest.raises(ValueError, match="multiple of 4"):
        export_model(run_dir, tmp_path / "out", image_size=image_size)
    assert not (tmp_path / "out").exists()


def test_other_au_count_is_refused(tmp_path):
    path = tmp_path / "generator.keras"
    tfganimation.Generator(**TINY, n_aus=5).save(path)
    with pytest.raises(ValueError, match="conditions on 5 AUs.*17 OpenFace AUs"):
        export_model(path, tmp_path / "out", representative_data=tmp_path)


def test_bare_generator_needs_representative_images(run_dir, tmp_path):
    path = tmp_path / "generator.keras"
    keras.models.load_model(run_dir / "model.keras", compile=False).generator.save(path)
    with pytest.raises(ValueError, match="--representative"):
        export_model(path, tmp_path / "out")
    faces = tmp_path / "faces"
    faces.mkdir()
    images = load_dataset(
        json.loads((run_dir / "run.json").read_text())["data"]["path"], image_size=32, batch_size=2
    )
    for index, image in enumerate(next(iter(images))["image"].numpy()):
        tf.io.write_file(
            str(faces / f"{index}.png"),
            tf.io.encode_png(np.round((image + 1) * 127.5).astype(np.uint8)),
        )
    report = export_model(
        path, tmp_path / "out", formats=("saved_model",), representative_data=faces, parity_images=1
    )
    assert report.passed and "estimate_aus" not in report.metadata["saved_model"]["signatures"]
    assert "holds no critic" in report.notes[0]


def test_cli_script_writes_litert_files(run_dir, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    argv = ["--model", str(run_dir), "--out", str(out), "--variants", "dynamic", "--parity-images", "1"]
    monkeypatch.setattr(sys, "argv", ["export/tflite.py", *argv])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(REPO / "export" / "tflite.py"), run_name="__main__")
    assert exit_info.value.code == 0
    assert "dynamic" in capsys.readouterr().out
    assert sorted(path.name for path in out.iterdir()) == [
        "generator_dynamic.tflite",
        "metadata.json",
    ]


def test_cli_missing_model_is_one_line_and_nonzero(tmp_path, capsys):
    missing = tmp_path / "missing"
    status = cli.main(["export", "--model", str(missing), "--out", str(tmp_path / "out")])
    assert status == 2
    assert capsys.readouterr().err == (
        f"tfganimation export: error: Model not found: {missing} (expected a run directory, "
        "a .keras file, a PyTorch GANimation .pth/.ckpt or demo).\n"
    )
    assert not (tmp_path / "out").exists()


def test_cli_exports_the_demo_checked_on_its_held_out_faces(tmp_path, capsys):
    from tfganimation.demo.shipped import TRAINED_ON, demo_model_path

    out = tmp_path / "demo"
    status = cli.main(
        f"export --model demo --out {out} --formats tflite --variants float32 --parity-images 1".split()
    )

    assert status == 0, capsys.readouterr().err
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["passed"] and metadata["source"] == str(demo_model_path())
    assert metadata["training_data"]["name"] == TRAINED_ON
    assert "test_identities.json" in metadata["representative_data"]
    runner = Interpreter(model_path=str(out / "generator_float32.tflite")).get_signature_runner(
        "animate"
    )
    assert runner.get_input_details()["image"]["shape"].tolist() == [1, 64, 64, 3]


def test_the_float32_winograd_file_serves_float32(exported):
    from tfganimation.inference.animator import Animator

    animator = Animator(str(exported.files["float32_winograd"]), precision="float32")
    assert animator.precision == "float32"
    with pytest.raises(ValueError, match="Refused"):
        Animator(str(exported.files["float16"]), precision="float32")


def test_float32_winograd_at_a_size_without_whole_tiles_is_refused_before_writing(
    run_dir, tmp_path
):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="multiple of 16"):
        export_model(run_dir, out, variants=("float32", "float32_winograd"), image_size=40)
    assert not out.exists() or not list(out.iterdir())
