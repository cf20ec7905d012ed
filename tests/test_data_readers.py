import numpy as np
import pytest
from data_fixtures import (
    OPENFACE_AU_HEADER,
    REFERENCE_SAMPLE,
    feature_extraction_header,
    feature_extraction_row,
    random_aus,
    write_csv,
    write_image,
    write_manifest_rows,
    write_original_layout,
)

from tfganimation.aus import AU_CODES
from tfganimation.data import (
    DatasetError,
    detect_format,
    read_index,
    read_manifest,
    read_openface,
    read_original_layout,
    prepare_dataset,
    write_manifest,
)

PRESENCE = ["AU01_c", "AU02_c", "AU28_c"]


def by_name(index):
    return {sample.name: sample for sample in index.samples}


def test_original_layout_ids_splits_and_aus(tmp_path):
    aus = {"a": random_aus(0), "b.jpg": random_aus(1), "c": random_aus(2)}  # keys with and without extension
    root = write_original_layout(tmp_path, train=["a.jpg", "b.jpg"], test=["c.jpg"], aus=aus)
    index = read_original_layout(root)
    samples = by_name(index)
    assert index.format == "original" and index.counts() == {"train": 2, "test": 1}
    assert {name: s.split for name, s in samples.items()} == {"a.jpg": "train", "b.jpg": "train", "c.jpg": "test"}
    np.testing.assert_allclose(samples["a.jpg"].aus, aus["a"], rtol=1e-6)
    np.testing.assert_allclose(samples["b.jpg"].aus, aus["b.jpg"], rtol=1e-6)
    assert samples["c.jpg"].path == root / "imgs" / "c.jpg"
    assert samples["c.jpg"].size == (16, 16)
    assert index.report.total_skipped == 0


def test_openface_per_image_csvs(tmp_path):
    header = ["face", "confidence", *reversed(OPENFACE_AU_HEADER), *PRESENCE]  # found by name, not position
    best, other = random_aus(0), random_aus(1)
    row = lambda face, confidence, aus: [face, confidence, *reversed(aus.tolist()), 1, 0, 1]
    write_csv(tmp_path / "csv/a.csv", header, [row(0, 0.85, other), row(1, 0.97, best)])
    write_csv(tmp_path / "csv/b.csv", header, [row(0, 0.50, other)])
    write_csv(tmp_path / "csv/nested/c.csv", header, [row(0, 0.90, other)])
    write_image(tmp_path / "imgs/a.jpg")
    write_image(tmp_path / "imgs/b.png")
    write_image(tmp_path / "imgs/nested/c.jpg")

    index = read_openface(tmp_path / "csv", tmp_path / "imgs", test_fraction=0.0)
    samples = by_name(index)
    assert sorted(samples) == ["a.jpg", "nested/c.jpg"]
    np.testing.assert_allclose(samples["a.jpg"].aus, best, rtol=1e-6)  # the most confident face
    assert index.report.skipped == {"low_confidence": 1}
    assert index.report.notes == {"multi_face": 1}
    assert index.counts() == {"train": 2, "test": 0}


def test_openface_min_confidence_is_a_parameter(tmp_path):
    header = ["face", "confidence", *OPENFACE_AU_HEADER]
    write_csv(tmp_path / "a.csv", header, [[0, 0.5, *random_aus(0)]])
    write_image(tmp_path / "a.jpg")
    with pytest.raises(DatasetError, match="below the minimum confidence"):
        read_openface(tmp_path)
    assert [s.name for s in read_openface(tmp_path, min_confidence=0.4).samples] == ["a.jpg"]


def test_openface_sequence_csvs_new_and_old_builds(tmp_path):
    aus = [random_aus(i) for i in range(3)]
    # New FeatureExtraction: face_id column, "," separator, aligned faces named by frame.
    header = ["frame", "face_id", "timestamp", "confidence", "success", "pose_Tx", *OPENFACE_AU_HEADER]
    write_csv(tmp_path / "csv/video.csv", header, [
        [1, 0, 0.0, 0.98, 1, 3.1, *aus[0]],
        [2, 0, 0.04, 0.98, 0, 3.1, *aus[1]],  # tracking failed
        [3, 0, 0.08, 0.30, 1, 3.1, *aus[2]],  # low confidence
    ], separator=",")
    for frame in (1, 2, 3):
        write_image(tmp_path / f"imgs/video_aligned/frame_det_00_{frame:06d}.bmp")
    # Old build: no face_id, ", " separator, frames are the sorted images of imgs/clip/.
    header = ["frame", "timestamp", "confidence", "success", *OPENFACE_AU_HEADER]
    write_csv(tmp_path / "csv/clip.csv", header, [[1, 0.0, 0.9, 1, *aus[0]], [2, 0.04, 0.9, 1, *aus[1]]])
    write_image(tmp_path / "imgs/clip/img_b.jpg")
    write_image(tmp_path / "imgs/clip/img_a.jpg")

    index = read_openface(tmp_path / "csv", tmp_path / "imgs", test_fraction=0.5, seed=3)
    samples = by_name(index)
    assert sorted(samples) == ["clip/img_a.jpg", "clip/img_b.jpg", "video_aligned/frame_det_00_000001.bmp"]
    np.testing.assert_allclose(samples["clip/img_b.jpg"].aus, aus[1], rtol=1e-6)
    np.testing.assert_allclose(samples["video_aligned/frame_det_00_000001.bmp"].aus, aus[0], rtol=1e-6)
    assert index.report.skipped == {"openface_failed": 1, "low_confidence": 1}
    # Split by sequence: both frames of the clip fall on the same side.
    assert samples["clip/img_a.jpg"].split == samples["clip/img_b.jpg"].split
    assert index.counts()["test"] in (1, 2)


@pytest.mark.parametrize("face_id,separator", [(False, ", "), (True, ",")])
def test_feature_extraction_on_one_image_names_that_image(tmp_path, face_id, separator):
    # `FeatureExtraction -f imgs/<name>.jpg -aus` writes <name>.csv with the
    # frame header; next to the image (what `train --data` reads) or apart.
    ids = {"face_id": 0} if face_id else {}
    best, other = random_aus(0), random_aus(1)
    rows = {
        "smile": [
            feature_extraction_row(1, 0.85, 1, other, **ids),
            feature_extraction_row(1, 0.97, 1, best, **ids),  # the most confident successful row
            feature_extraction_row(1, 0.99, 0, other, **ids),  # more confident, but failed
        ],
        "frown": [feature_extraction_row(1, 0.95, 0, other, **ids)],
        "blink": [feature_extraction_row(1, 0.92, 1, other, **ids)],
    }
    for folder in ("together", "csvs"):
        for name, name_rows in rows.items():
            write_csv(tmp_path / folder / f"{name}.csv", feature_extraction_header(face_id), name_rows, separator)
    for i, name in enumerate(["smile", "frown", "blink", "lonely"]):
        write_image(tmp_path / f"together/{name}.jpg", seed=i)
        write_image(tmp_path / f"imgs/{name}.png", seed=i)

    together = read_index(tmp_path / "together", test_fraction=0.0)  # as `train --data` reads it
    apart = read_openface(tmp_path / "csvs", tmp_path / "imgs", test_fraction=0.0)
    prepared = prepare_dataset(
        tmp_path / "csvs", tmp_path / "out", format="openface", images=tmp_path / "imgs", test_fraction=0.0
    )
    assert prepared.counts == {"train": 2, "test": 0}
    for index, suffix in ((together, "jpg"), (apart, "png")):
        samples = by_name(index)
        assert sorted(samples) == [f"blink.{suffix}", f"smile.{suffix}"]
        np.testing.assert_allclose(samples[f"smile.{suffix}"].aus, best, rtol=1e-6)
        assert index.report.skipped == {"openface_failed": 2, "no_aus": 1}
        assert index.report.notes == {"multi_face": 1}


def test_feature_extraction_fdir_frames_are_the_folders_sorted_opencv_images(tmp_path):
    # `FeatureExtraction -fdir imgs/people/seq -out_dir csvs` writes csvs/seq.csv
    # (named after the folder), frame k = the k-th file OpenCV reads, sorted
    # by name as bytes: "B.png" before "a.jpg"; GIF and text are not frames.
    folder = tmp_path / "imgs/people/seq"
    for i, name in enumerate(["a.jpg", "B.png", "c.tif", "d.jpg", "e.gif"]):
        write_image(folder / name, seed=i)
    (folder / "notes.txt").write_text("not a frame")
    aus = [random_aus(i) for i in range(5)]
    rows = [feature_extraction_row(frame, 0.9, 1, aus[frame - 1]) for frame in (1, 2, 3, 4, 5)]
    write_csv(tmp_path / "csvs/seq.csv", feature_extraction_header(), rows)

    for images, prefix in ((tmp_path / "imgs", "people/seq/"), (folder, "")):
        index = read_openface(tmp_path / "csvs", images, test_fraction=0.0)
        samples = by_name(index)
        assert sorted(samples) == [f"{prefix}B.png", f"{prefix}a.jpg", f"{prefix}d.jpg"]
        for frame, name in ((1, "B.png"), (2, "a.jpg"), (4, "d.jpg")):
            np.testing.assert_allclose(samples[prefix + name].aus, aus[frame - 1], rtol=1e-6)
        # Frame 3 is the TIFF (read by OpenFace, not by the pipeline); frame 5 does not exist.
        assert index.report.skipped == {"unsupported_image": 1, "missing_image": 1, "no_aus": 1}


def test_openface_single_table_with_file_column(tmp_path):
    header = ["filename", "confidence", *OPENFACE_AU_HEADER]
    write_csv(tmp_path / "aus.csv", header, [["x.jpg", 0.9, *random_aus(0)], ["sub/y", 0.9, *random_aus(1)]], ",")
    write_image(tmp_path / "faces/x.jpg")
    write_image(tmp_path / "faces/sub/y.png")
    index = read_index(tmp_path / "aus.csv", images=tmp_path / "faces", test_fraction=0.0)
    assert index.format == "openface"
    samples = by_name(index)
    assert sorted(samples) == ["sub/y.png", "x.jpg"]
    np.testing.assert_allclose(samples["sub/y.png"].aus, random_aus(1), rtol=1e-6)


def test_manifest_ignores_extra_columns(tmp_path):
    write_image(tmp_path / "images/a.png")
    write_image(tmp_path / "images/b.jpg")
    write_manifest_rows(tmp_path, [
        ["images/a.png", "train", *random_aus(0), "id0001"],
        ["images/b.jpg", "test", *random_aus(1), "id0002"],
    ], extra_header=("identity",))
    index = read_manifest(tmp_path)
    samples = by_name(index)
    assert index.counts() == {"train": 1, "test": 1}
    np.testing.assert_allclose(samples["images/b.jpg"].aus, random_aus(1), rtol=1e-6)
    assert samples["images/b.jpg"].split == "test"


def test_write_manifest_round_trips(tmp_path):
    write_image(tmp_path / "images/a.png")
    aus = np.array([random_aus(0)])
    write_manifest(tmp_path, ["images/a.png"], ["train"], aus, {"identity": ["id7"]})
    header = (tmp_path / "manifest.csv").read_text().splitlines()[0]
    assert header == ",".join(["file", "split", *AU_CODES, "identity"])
    np.testing.assert_allclose(read_manifest(tmp_path).samples[0].aus, aus[0], rtol=1e-6)


def test_detect_format(tmp_path):
    write_original_layout(tmp_path / "orig", ["a.jpg"], [], {"a": random_aus(0)})
    write_image(tmp_path / "man/images/a.png")
    write_manifest(tmp_path / "man", ["images/a.png"], ["train"], [random_aus(0)])
    write_csv(tmp_path / "of/a.csv", ["face", "confidence", *OPENFACE_AU_HEADER], [[0, 0.9, *random_aus(0)]])
    (tmp_path / "other").mkdir()
    (tmp_path / "other/notes.csv").write_text("a,b\n1,2\n")
    assert detect_format(tmp_path / "orig") == "original"
    assert detect_format(tmp_path / "man") == "manifest"
    assert detect_format(tmp_path / "man/manifest.csv") == "manifest"
    assert detect_format(tmp_path / "of") == "openface"
    assert detect_format(tmp_path / "of/a.csv") == "openface"
    with pytest.raises(DatasetError, match="Cannot tell the dataset format"):
        detect_format(tmp_path / "other")
    with pytest.raises(FileNotFoundError):
        detect_format(tmp_path / "missing")
    with pytest.raises(ValueError, match="format must be one of"):
        read_index(tmp_path / "orig", format="tfrecord")


def test_reference_sample_reads():
    if not REFERENCE_SAMPLE.is_dir():
        pytest.skip(f"reference sample not present at {REFERENCE_SAMPLE}")
    index = read_index(REFERENCE_SAMPLE)
    assert index.format == "original"
    assert index.counts() == {"train": 2, "test": 2}
    assert index.report.total_skipped == 0
    samples = by_name(index)
    assert samples["N_0000000356_00190.jpg"].aus[0] == pytest.approx(2.86)
    assert all(sample.size == (128, 128) for sample in index.samples)
