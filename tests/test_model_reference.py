"""`resolve_model`: every kind of model reference, from names and records, without TensorFlow."""

import json
import subprocess
import sys
import zipfile

import pytest

from tfganimation.demo.shipped import DEMO_DIR, TRAINED_ON, demo_metadata, demo_model_path
from tfganimation.model_files.reference import (
    ModelReference,
    model_kind,
    resolve_model,
)
from tfganimation.torch_checkpoints.conversion import SOURCE_RECORD_FILE


def keras_archive(path, source=None):
    """A file that is a zip archive like `.keras` files, with a conversion record if given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", "{}")
        if source is not None:
            archive.writestr(SOURCE_RECORD_FILE, json.dumps(source))
    return path


def write(path, text=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def export_dir(tmp_path):
    """An export folder: a versioned SavedModel, two LiteRT variants and `metadata.json`."""
    folder = tmp_path / "export"
    write(folder / "saved_model" / "1" / "saved_model.pb")
    write(folder / "generator_int8.tflite")
    write(folder / "generator_float16.tflite")
    metadata = {"training_data": {"name": "celeba"}, "converted_from": None}
    write(folder / "metadata.json", json.dumps(metadata))
    return folder


def test_only_the_string_demo_names_the_demo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").mkdir()  # A local folder called demo is a path, "./demo".

    assert model_kind("demo") == "demo"
    assert [model_kind(other) for other in ("./demo", "Demo", tmp_path / "demo")] == [None] * 3
    with pytest.raises(FileNotFoundError, match="No model.keras in demo"):
        resolve_model("./demo")


def test_the_demo_resolves_to_its_shipped_files():
    reference = resolve_model("demo")

    assert reference.kind == "demo" and reference.runtimes == ("keras",)
    assert reference.files == {
        "keras": demo_model_path(),
        "record": DEMO_DIR / "demo.json",
        "example_faces": DEMO_DIR / "test_identities.json",
    }
    assert reference.record == demo_metadata()["run"] and reference.training_data == TRAINED_ON


def test_a_run_folder_is_its_model_and_record(tmp_path):
    run = tmp_path / "run"
    keras_archive(run / "model.keras")
    write(run / "run.json", json.dumps({"data": {"path": "/data/celeba"}, "status": "finished"}))

    reference = resolve_model(run)

    assert reference.kind == "run" and reference.name == str(run)
    assert reference.files == {"keras": run / "model.keras", "record": run / "run.json"}
    assert reference.record["status"] == "finished" and reference.training_data == "celeba"
    assert reference.source is None


def test_a_converted_keras_file_says_whose_weights_it_holds(tmp_path):
    source = {"repository": "albertpumarola/GANimation", "generator": {"file": "30_net_G.pth"}}
    path = keras_archive(tmp_path / "converted.keras", source)

    reference = resolve_model(str(path))

    assert reference.kind == "keras" and reference.files == {"keras": path}
    assert reference.source == source and reference.record == {}
    assert reference.training_data == (
        "published weights of albertpumarola/GANimation (30_net_G.pth)"
    )


def test_a_checkpoint_comes_with_the_critic_saved_beside_it(tmp_path):
    generator = write(tmp_path / "30_net_gen.pth")
    alone = write(tmp_path / "other" / "200000-G.ckpt")
    critic = write(tmp_path / "30_net_dis.pth")

    assert resolve_model(generator).files == {"checkpoint": generator, "critic": critic}
    assert resolve_model(alone).files == {"checkpoint": alone}
    assert resolve_model(generator).runtimes == ("keras",)


def test_an_export_folder_serves_its_savedmodel_and_most_exact_tflite(export_dir):
    reference = resolve_model(export_dir)

    assert reference.kind == "export" and reference.runtimes == ("saved_model", "litert")
    assert reference.files == {
        "saved_model": export_dir / "saved_model" / "1",
        "tflite": export_dir / "generator_float16.tflite",
        "record": export_dir / "metadata.json",
    }
    assert reference.training_data == "celeba"


def test_an_export_of_litert_files_only_runs_in_litert(tmp_path):
    folder = tmp_path / "phone"
    write(folder / "generator_dynamic.tflite")
    write(folder / "metadata.json", "{}")

    reference = resolve_model(folder)

    assert reference.kind == "export" and reference.runtimes == ("litert",)


def test_a_savedmodel_finds_its_export_record_and_newest_version(export_dir):
    write(export_dir / "saved_model" / "12" / "saved_model.pb")

    base = resolve_model(export_dir / "saved_model")
    version = resolve_model(export_dir / "saved_model" / "1")

    assert base.kind == version.kind == "saved_model"
    assert base.files["saved_model"] == export_dir / "saved_model" / "12"
    assert base.files["record"] == version.files["record"] == export_dir / "metadata.json"
    assert version.runtimes == ("saved_model",) and version.training_data == "celeba"


def test_a_tflite_file_is_run_by_litert(export_dir):
    file = export_dir / "generator_int8.tflite"

    reference = resolve_model(file)

    assert reference.kind == "tflite" and reference.files == {"tflite": file}
    assert reference.runtimes == ("litert",) and reference.record == {}


def test_a_reference_resolves_to_itself(export_dir):
    reference = resolve_model(export_dir)

    assert resolve_model(reference) is reference and isinstance(reference, ModelReference)


@pytest.mark.parametrize(
    "name, error, message",
    [
        ("missing", FileNotFoundError, r"Model not found: .*missing \(expected a training run"),
        ("empty", FileNotFoundError, "No model.keras in .*empty: is it a finished training run"),
        ("notes.txt", ValueError, "notes.txt is not a model file"),
        ("broken.keras", ValueError, "broken.keras is not a .keras model file"),
        ("bare_export", FileNotFoundError, "holds neither a SavedModel"),
    ],
)
def test_what_is_not_a_model_is_one_clear_error(tmp_path, name, error, message):
    (tmp_path / "empty").mkdir()
    write(tmp_path / "notes.txt", "not a model")
    write(tmp_path / "broken.keras", "not a zip")
    (tmp_path / "bare_export" / "saved_model").mkdir(parents=True)

    with pytest.raises(error, match=message) as raised:
        resolve_model(tmp_path / name)
    assert "\n" not in str(raised.value)


def test_model_kind_reads_names_and_layout_only(tmp_path, export_dir):
    write(tmp_path / "run" / "model.keras", "not opened")  # Not a zip: kind says so anyway.

    assert model_kind(tmp_path / "run") == "run"
    assert model_kind(tmp_path / "run" / "model.keras") == "keras"
    assert model_kind(export_dir) == "export"
    assert model_kind(export_dir / "saved_model") == "saved_model"
    assert model_kind(write(tmp_path / "x.ckpt")) == "checkpoint"
    assert model_kind(tmp_path / "nothing.tflite") is None
    assert model_kind(tmp_path) is None


def test_resolving_needs_no_tensorflow(export_dir):
    script = f"""
import sys
sys.modules["tensorflow"] = sys.modules["keras"] = None  # Importing either now fails.
from tfganimation.model_files import resolve_model
assert resolve_model("demo").kind == "demo"
assert resolve_model({str(export_dir)!r}).runtimes == ("saved_model", "litert")
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
