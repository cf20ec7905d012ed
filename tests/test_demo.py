"""The demo model shipped in the package: its files, and the name `demo` wherever a model is."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from conftest import TINY, tiny_ganimation

import tfganimation
from tfganimation.demo import (
    DEMO_NAME,
    demo_faces,
    demo_metadata,
    demo_model_path,
    demo_test_identities,
    write_demo_files,
)
from tfganimation.demo.shipped import MODEL_CARD_FILE, TRAINED_ON
from tfganimation.inference.backends import load_backend
from tfganimation.model_files.loading import LoadedModel
from tfganimation.synthetic import Identity, sample_identity

SHIPPED_FILES = ["demo.json", "demo.keras", "test_identities.json"]


def identities(*seeds: int) -> dict[str, Identity]:
    return {f"id{seed:04d}": sample_identity(np.random.default_rng(seed)) for seed in seeds}


def test_write_demo_files_round_trips_an_uncompiled_copy(tmp_path):
    model = tiny_ganimation(seed=3)
    model.compile()  # Optimizers with state, which the demo file must not carry.
    card = tmp_path / MODEL_CARD_FILE
    card.write_text("written by hand")
    record = {"config": {"epochs": 2}, "data": {"path": "/elsewhere/data"}, "status": "finished"}

    written = write_demo_files(
        model, record, identities(5, 2), figures={"region_l1_ratio": 0.5},
        training={"generator_steps": 10}, directory=tmp_path,
    )

    assert written == tmp_path
    assert sorted(os.listdir(tmp_path)) == sorted([MODEL_CARD_FILE, *SHIPPED_FILES])
    assert card.read_text() == "written by hand"
    assert demo_metadata(tmp_path) == {
        "name": "demo",
        "trained_on": TRAINED_ON,
        "image_size": TINY["image_size"],
        "run": record,
        "training": {"generator_steps": 10},
        "figures": {"region_l1_ratio": 0.5},
    }
    assert demo_test_identities(tmp_path) == identities(2, 5)
    assert list(demo_test_identities(tmp_path)) == ["id0002", "id0005"]
    loaded = keras.models.load_model(demo_model_path(tmp_path))  # compile=True: nothing to compile.
    assert isinstance(loaded, tfganimation.GANimation) and not loaded.compiled
    assert loaded.get_config()["seed"] == model.seed
    for network in ("generator", "critic"):
        ours, theirs = getattr(model, network).weights, getattr(loaded, network).weights
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_write_demo_files_refuses_bad_arguments_before_writing(tmp_path):
    model = tiny_ganimation()

    with pytest.raises(TypeError, match="GANimation"):
        write_demo_files(model.generator, {}, identities(1), directory=tmp_path)
    with pytest.raises(ValueError, match="test_identities is empty"):
        write_demo_files(model, {}, {}, directory=tmp_path)
    with pytest.raises(TypeError, match="Identity"):
        write_demo_files(model, {}, {"id0001": {"skin": [0, 0, 0]}}, directory=tmp_path)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "reader, name",
    [
        (demo_model_path, "demo.keras"),
        (demo_metadata, "demo.json"),
        (demo_test_identities, "test_identities.json"),
    ],
)
def test_a_missing_demo_file_is_a_one_line_error_naming_it(tmp_path, reader, name):
    with pytest.raises(FileNotFoundError) as error:
        reader(tmp_path)

    message = str(error.value)
    assert name in message and str(tmp_path) in message and "\n" not in message


def test_the_shipped_demo_files_describe_one_64px_model():
    metadata = demo_metadata()

    assert set(SHIPPED_FILES) <= set(os.listdir(demo_model_path().parent))
    assert metadata["name"] == DEMO_NAME and metadata["trained_on"] == TRAINED_ON
    assert metadata["image_size"] == 64
    assert all(isinstance(metadata[key], dict) for key in ("run", "training", "figures"))
    held_out = demo_test_identities()
    assert held_out and all(isinstance(identity, Identity) for identity in held_out.values())


def test_demo_loads_by_name():
    loaded = tfganimation.load_model("demo")

    assert isinstance(loaded, LoadedModel)
    assert loaded.path == demo_model_path() and loaded.run == demo_metadata()["run"]
    assert loaded.critic is not None
    assert loaded.generator.image_size == loaded.critic.image_size == 64


def test_demo_runs_on_keras_only_and_says_how_to_export_it():
    with pytest.raises(ValueError, match="tfganimation export --model demo --out DIR"):
        load_backend("demo", "litert")


def test_demo_faces_are_held_out_identities_rendered():
    faces = demo_faces(3, 64, seed=1)

    assert faces.shape == (3, 64, 64, 3) and faces.dtype == np.uint8
    np.testing.assert_array_equal(faces, demo_faces(3, 64, seed=1))
    assert faces.std(axis=(1, 2, 3)).min() > 10  # Faces, not blank images.


def test_finding_the_demo_needs_no_tensorflow():
    script = """
import sys
sys.modules["tensorflow"] = sys.modules["keras"] = None  # Importing either now fails.
from tfganimation.demo import demo_metadata, demo_test_identities
assert demo_metadata()["name"] == "demo" and demo_test_identities()
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)

