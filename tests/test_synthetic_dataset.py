"""make_dataset: the manifest contract, identity-disjoint splits, exact ground truth."""

import csv
import json

import cv2
import numpy as np
import pytest

from tfganimation import aus
from tfganimation.data import read_manifest
from tfganimation.synthetic import Identity, load_identities, make_dataset, render_face


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("synthetic")
    summary = make_dataset(out_dir, n_identities=5, per_identity=3, image_size=32, seed=0)
    with open(out_dir / "manifest.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return out_dir, summary, rows


def test_manifest_has_the_contract_columns_and_one_row_per_image(dataset):
    out_dir, summary, rows = dataset
    with open(out_dir / "manifest.csv", newline="") as stream:
        header = next(csv.reader(stream))
    assert header == ["file", "split", *aus.AU_CODES, "identity"]
    assert len(rows) == 15 == summary.n_train + summary.n_test
    for row in rows:
        assert row["file"].startswith("images/") and row["file"].endswith(".png")
        image = cv2.imread(str(out_dir / row["file"]))
        assert image.shape == (32, 32, 3)
        values = np.array([float(row[code]) for code in aus.AU_CODES])
        assert values.min() >= 0.0 and values.max() <= 5.0


def test_splits_are_by_identity(dataset):
    out_dir, summary, rows = dataset
    splits = {}
    for row in rows:
        splits.setdefault(row["identity"], set()).add(row["split"])
    assert all(len(value) == 1 for value in splits.values())
    train = {key for key, value in splits.items() if value == {"train"}}
    test = {key for key, value in splits.items() if value == {"test"}}
    assert train == set(summary.train_identities) and test == set(summary.test_identities)
    assert len(test) == 1 and len(train) == 4
    assert summary.n_test == 3
    assert set(load_identities(out_dir, "test")) == test
    assert set(load_identities(out_dir)) == train | test


def test_identities_json_re_renders_every_image_exactly(dataset):
    out_dir, _, rows = dataset
    identities = json.loads((out_dir / "identities.json").read_text())
    for row in rows:
        identity = Identity.from_dict(identities[row["identity"]])
        values = [float(row[code]) for code in aus.AU_CODES]
        stored = cv2.imread(str(out_dir / row["file"]))[..., ::-1]
        np.testing.assert_array_equal(render_face(identity, values, 32), stored)


def test_same_seed_gives_the_same_dataset(dataset, tmp_path):
    out_dir, _, rows = dataset
    make_dataset(tmp_path, n_identities=5, per_identity=3, image_size=32, seed=0)
    assert (tmp_path / "manifest.csv").read_bytes() == (out_dir / "manifest.csv").read_bytes()
    assert (tmp_path / "identities.json").read_bytes() == (out_dir / "identities.json").read_bytes()


def test_refuses_to_overwrite_unless_asked(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        make_dataset(tmp_path, n_identities=2, per_identity=1, image_size=32, seed=0,
                     test_fraction=0.5)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "stale.png").write_bytes(b"old")
    summary = make_dataset(tmp_path, n_identities=2, per_identity=1, image_size=32, seed=0,
                           test_fraction=0.5, overwrite=True)
    assert summary.n_train == summary.n_test == 1
    assert not (tmp_path / "images" / "stale.png").exists()
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_identities": 0}, "n_identities"),
        ({"per_identity": 0}, "per_identity"),
        ({"image_size": 16}, "image_size"),
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"n_identities": 2, "test_fraction": 0.2}, "leaves a split empty"),
    ],
)
def test_bad_arguments_are_rejected_before_writing(tmp_path, kwargs, message):
    arguments = {"n_identities": 3, "per_identity": 1, "image_size": 32, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        make_dataset(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()


def test_the_data_pipeline_reads_it(dataset):
    out_dir, summary, rows = dataset
    index = read_manifest(out_dir)
    assert index.counts() == {"train": summary.n_train, "test": summary.n_test}
    by_file = {row["file"]: row for row in rows}
    for sample in index.samples:
        expected = [float(by_file[sample.name][code]) for code in aus.AU_CODES]
        np.testing.assert_allclose(sample.aus, expected, atol=1e-6)
        assert sample.split == by_file[sample.name]["split"]


def test_load_dataset_batches_it(dataset):
    from tfganimation.data import load_dataset

    out_dir, summary, rows = dataset
    batch = next(iter(load_dataset(out_dir, split="test", image_size=32, batch_size=summary.n_test,
                                   shuffle=False, seed=0, augment=False)))
    test_rows = sorted((row for row in rows if row["split"] == "test"), key=lambda row: row["file"])
    expected_aus = aus.to_model_scale(
        [[float(row[code]) for code in aus.AU_CODES] for row in test_rows]
    )
    np.testing.assert_allclose(batch["real_aus"], expected_aus, atol=1e-6)
    expected_images = [
        cv2.imread(str(out_dir / row["file"]))[..., ::-1] / 127.5 - 1.0 for row in test_rows
    ]
    np.testing.assert_allclose(batch["image"], np.stack(expected_images), atol=1e-5)
