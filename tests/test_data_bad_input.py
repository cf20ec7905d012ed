"""Bad input never kills a run: every case is skipped and counted under its reason."""

import pickle

import cv2
import numpy as np
import pytest
from data_fixtures import (
    OPENFACE_AU_HEADER,
    CallsOnUnpickle,
    random_aus,
    write_csv,
    write_image,
    write_manifest_rows,
    write_marker,
    write_original_layout,
)

from tfganimation.data import DatasetError, load_dataset, read_manifest, read_openface, read_original_layout


def test_original_layout_skips_and_counts_every_problem(tmp_path):
    good = {"a": random_aus(0), "b": random_aus(1)}
    bad_aus = {
        "nan": np.full(17, np.nan),
        "inf": np.r_[random_aus(2)[:16], np.inf],
        "high": np.r_[random_aus(3)[:16], 5.5],
        "negative": np.r_[-0.5, random_aus(4)[1:]],
        "short": random_aus(5)[:16],
        "text": "not numbers",
    }
    bad_images = ["truncated", "garbage", "empty", "tiff", "words"]
    aus = {**good, **bad_aus, **{name: random_aus(9) for name in bad_images}, "no_image": random_aus(6)}
    train = [f"{name}.jpg" for name in [*good, *bad_aus, *bad_images, "no_image", "no_aus"]]
    root = write_original_layout(tmp_path, train=train, test=["a.jpg"], aus=aus)  # a.jpg listed twice

    images = root / "imgs"
    data = (images / "a.jpg").read_bytes()
    (images / "truncated.jpg").write_bytes(data[: len(data) // 2])
    (images / "garbage.jpg").write_bytes(b"\xff\xd8\xff" + np.random.default_rng(0).bytes(300) + b"\xff\xd9")
    (images / "empty.jpg").write_bytes(b"")
    _, tiff = cv2.imencode(".tiff", np.zeros((8, 8, 3), np.uint8))
    (images / "tiff.jpg").write_bytes(tiff.tobytes())
    (images / "words.jpg").write_text("hello")
    (images / "no_image.jpg").unlink()

    index = read_original_layout(root)
    assert [sample.name for sample in index.samples] == ["a.jpg", "b.jpg"]
    assert index.split("train")[0].name == "a.jpg"  # the first listing wins
    assert index.report.skipped == {
        "non_finite_aus": 2,
        "aus_out_of_range": 2,
        "wrong_au_count": 1,
        "unparsable_row": 1,
        "corrupt_image": 2,
        "empty_image": 1,
        "unsupported_image": 2,
        "missing_image": 1,
        "no_aus": 1,
        "duplicate_id": 1,
    }
    assert any("corrupt or truncated images" in line for line in index.report.lines())


def test_manifest_skips_bad_rows(tmp_path):
    for name in ("a", "b", "unlisted"):
        write_image(tmp_path / f"images/{name}.png")
    aus = list(random_aus(0))
    write_manifest_rows(tmp_path, [
        ["images/a.png", "train", *aus],
        ["images/a.png", "test", *aus],  # duplicate
        ["images/b.png", "validation", *aus],  # unknown split
        ["images/b.png", "train", *aus[:16], ""],  # empty AU cell
        ["images/b.png", "train"],  # short row
        ["images/missing.png", "train", *aus],
    ])
    index = read_manifest(tmp_path)
    assert [sample.name for sample in index.samples] == ["images/a.png"]
    assert index.report.skipped == {
        "duplicate_id": 1, "unknown_split": 1, "unparsable_row": 2, "missing_image": 1, "no_aus": 1,
    }


def test_unreadable_manifest_or_id_list_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.csv").write_text("file,split,AU01\nimages/a.png,train,1\n")
    with pytest.raises(DatasetError, match="lacks the column"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DatasetError, match="not a readable CSV"):
        read_manifest(tmp_path)
    root = write_original_layout(tmp_path / "orig", train=["a.jpg"], test=[], aus={"a": random_aus(0)})
    (root / "train_ids.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DatasetError, match="not a list of file names"):
        read_original_layout(root)


def test_openface_skips_foreign_and_incomplete_csvs(tmp_path):
    write_csv(tmp_path / "notes.csv", ["a", "b"], [[1, 2]])
    write_csv(tmp_path / "partial.csv", ["face", "confidence", *OPENFACE_AU_HEADER[:16]], [[0, 0.9, *range(16)]])
    header = ["face", "confidence", *OPENFACE_AU_HEADER]
    write_csv(tmp_path / "ok.csv", header, [[0, 0.9, *random_aus(0)]])
    write_csv(tmp_path / "nan.csv", header, [[0, "nan", *random_aus(0)], [1, "x", *random_aus(0)]])
    for name in ("ok", "partial", "nan", "lonely"):
        write_image(tmp_path / f"{name}.jpg")
    index = read_openface(tmp_path, test_fraction=0.0)
    assert [sample.name for sample in index.samples] == ["ok.jpg"]
    assert index.report.skipped == {
        "unrecognized_csv": 1, "wrong_au_count": 1, "low_confidence": 1, "unparsable_row": 1, "no_aus": 1,
    }


def test_nothing_usable_or_wrong_path_is_a_clear_error(tmp_path):
    root = write_original_layout(tmp_path, train=["a.jpg"], test=[], aus={"a": np.full(17, 9.0)})
    with pytest.raises(DatasetError, match=r"No usable samples .*outside 0\.\.5"):
        read_original_layout(root)
    with pytest.raises(FileNotFoundError):
        read_original_layout(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError):
        load_dataset(tmp_path / "nowhere")


def test_unsafe_or_damaged_pickle_is_a_clear_error(tmp_path):
    root = write_original_layout(tmp_path, train=["a.jpg"], test=[], aus={"a": random_aus(0)})
    marker = tmp_path / "marker"
    (root / "aus_openface.pkl").write_bytes(pickle.dumps({"a": CallsOnUnpickle(write_marker, str(marker))}, 2))
    with pytest.raises(DatasetError, match="data_fixtures.write_marker"):
        read_original_layout(root)
    assert not marker.exists()
    (root / "aus_openface.pkl").write_bytes(pickle.dumps({"a": random_aus(0)}, 2)[:40])
    with pytest.raises(DatasetError, match="not a readable pickle"):
        read_original_layout(root)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete"])
def test_file_damaged_after_indexing_does_not_stop_iteration(tmp_path, damage):
    names = [f"{i}.jpg" for i in range(4)]
    root = write_original_layout(tmp_path, train=names, test=[], aus={n[0]: random_aus(i) for i, n in enumerate(names)})
    dataset = load_dataset(root, batch_size=1, shuffle=False, seed=0)  # indexes now
    victim = root / "imgs/2.jpg"
    if damage == "truncate":
        victim.write_bytes(victim.read_bytes()[:100])
    elif damage == "garbage":
        victim.write_bytes(b"\xff\xd8\xff" + b"\x00" * 200)
    else:
        victim.unlink()
    batches = list(dataset)
    assert len(batches) == 3
    real = np.concatenate([batch["real_aus"] for batch in batches])
    np.testing.assert_allclose(real, np.stack([random_aus(i) for i in (0, 1, 3)]) / 5, rtol=1e-6)


def test_paths_leading_out_of_the_dataset_are_skipped(tmp_path):
    # A manifest from someone else must not make training read any file the
    # user can: `..`, absolute paths and symlinks out of the folder are
    # skipped and counted; a symlink that stays inside is fine.
    root, outside = tmp_path / "dataset", tmp_path / "elsewhere"
    write_image(outside / "x.jpg")
    write_image(root / "images/ok.jpg")
    (root / "images/out_link.jpg").symlink_to(outside / "x.jpg")
    (root / "images/in_link.jpg").symlink_to(root / "images/ok.jpg")
    (root / "images/linked_folder").symlink_to(outside, target_is_directory=True)
    names = [
        "images/ok.jpg", "../elsewhere/x.jpg", "images/../../elsewhere/x.jpg", str(outside / "x.jpg"),
        "images/out_link.jpg", "images/in_link.jpg", "images/linked_folder/x.jpg",
    ]  # fmt: skip
    write_manifest_rows(root, [[name, "train", *random_aus(i)] for i, name in enumerate(names)])
    index = read_manifest(root)
    assert [sample.name for sample in index.samples] == ["images/in_link.jpg", "images/ok.jpg"]
    assert index.report.skipped == {"outside_dataset": 5}
    assert "paths outside the dataset folder (after resolving .. and symlinks)" in "\n".join(index.report.lines())

    # The same for the original layout's id lists and an OpenFace file-name column.
    original = write_original_layout(tmp_path / "original", train=["a.jpg"], test=[], aus={"a": random_aus(0)})
    write_image(outside / "y.jpg")
    (original / "train_ids.csv").write_text(f"a.jpg\n../../elsewhere/x.jpg\n{outside / 'y.jpg'}\n")
    aus = {"a": random_aus(0), "x": random_aus(1), "y": random_aus(2)}
    (original / "aus_openface.pkl").write_bytes(pickle.dumps(aus, protocol=2))
    index = read_original_layout(original)
    assert [sample.name for sample in index.samples] == ["a.jpg"]
    assert index.report.skipped == {"outside_dataset": 2}

    header = ["file", "confidence", *OPENFACE_AU_HEADER]
    rows = [["ok.jpg", 0.9, *random_aus(0)], ["../../elsewhere/x.jpg", 0.9, *random_aus(1)]]
    write_csv(tmp_path / "table.csv", header, rows, ",")
    index = read_openface(tmp_path / "table.csv", root / "images")
    assert [sample.name for sample in index.samples] == ["ok.jpg"]
    assert index.report.skipped["outside_dataset"] == 1
