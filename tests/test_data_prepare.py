import json

import numpy as np
import pytest
from data_fixtures import (
    OPENFACE_AU_HEADER,
    REFERENCE_SAMPLE,
    random_aus,
    tree_digest,
    write_csv,
    write_image,
    write_original_layout,
)

from tfganimation.cli import main
from tfganimation.data import prepare_dataset, read_manifest, read_original_layout


@pytest.fixture
def source(tmp_path):
    aus = {name: random_aus(i) for i, name in enumerate("abcd")}
    root = write_original_layout(tmp_path / "source", train=["a.jpg", "b.jpg", "d.jpg"], test=["c.jpg"], aus=aus)
    (root / "imgs/d.jpg").write_bytes(b"")  # one bad image
    return root


def test_prepare_converts_validates_and_never_touches_the_source(tmp_path, source):
    before = tree_digest(source)
    report = prepare_dataset(source, tmp_path / "out")
    assert tree_digest(source) == before

    original, prepared = read_original_layout(source), read_manifest(tmp_path / "out")
    assert [s.name for s in prepared.samples] == [f"images/{s.name}" for s in original.samples]
    for old, new in zip(original.samples, prepared.samples):
        np.testing.assert_allclose(new.aus, old.aus, rtol=1e-6)
        assert new.split == old.split and new.path.read_bytes() == old.path.read_bytes()
    assert report.counts == {"train": 2, "test": 1}
    assert report.linked + report.copied == 3
    saved = json.loads((tmp_path / "out/report.json").read_text())
    assert saved["skipped"] == {"empty_image": 1} and saved["counts"] == {"train": 2, "test": 1}
    assert "Skipped 1:" in report.lines()


def test_prepare_copies_when_asked(tmp_path, source):
    report = prepare_dataset(source, tmp_path / "out", link=False)
    assert report.copied == 3 and report.linked == 0
    assert (tmp_path / "out/images/a.jpg").stat().st_ino != (source / "imgs/a.jpg").stat().st_ino


def test_prepare_refuses_to_overwrite_or_overlap(tmp_path, source):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="--overwrite"):
        prepare_dataset(source, out)
    prepare_dataset(source, out, overwrite=True)
    assert (out / "keep.txt").read_text() == "mine" and (out / "manifest.csv").is_file()
    before = tree_digest(source)
    for inside in (source / "prepared", source, tmp_path):
        with pytest.raises(ValueError, match="overlaps the source"):
            prepare_dataset(source, inside, overwrite=True)
    assert tree_digest(source) == before


def test_cli_prepare_original_layout(tmp_path, source, capsys):
    assert main(["prepare", str(source), "--out", str(tmp_path / "out")]) == 0
    output = capsys.readouterr().out
    assert "Prepared 3 images (2 train, 1 test)" in output and "zero-byte image files" in output


def test_cli_prepare_openface(tmp_path, capsys):
    source, out = tmp_path / "source", tmp_path / "out"
    header = ["face", "confidence", *OPENFACE_AU_HEADER]
    for i, name in enumerate("abcd"):
        write_image(source / f"faces/{name}.jpg", seed=i)
        write_csv(source / f"csv/{name}.csv", header, [[0, 0.6 if name == "d" else 0.9, *random_aus(i)]])
    before = tree_digest(source)
    argv = ["prepare", "--images", str(source / "faces"), "--openface", str(source / "csv"),
            "--out", str(out), "--test-fraction", "0.34", "--seed", "1"]
    assert main(argv) == 0
    assert tree_digest(source) == before
    assert read_manifest(out).counts() == {"train": 2, "test": 1}  # d dropped: confidence 0.6 < 0.8
    assert "OpenFace rows below the minimum confidence" in capsys.readouterr().out
    assert main(argv + ["--overwrite", "--min-confidence", "0.5"]) == 0
    assert sum(read_manifest(out).counts().values()) == 4


@pytest.mark.parametrize("make_argv,message", [
    (lambda src, out: ["prepare", str(src / "missing"), "--out", str(out)], "not found"),
    (lambda src, out: ["prepare", str(src / "imgs"), "--out", str(out)], "Cannot tell the dataset format"),
    (lambda src, out: ["prepare", "--images", str(src), "--out", str(out)], "--images goes with --openface"),
    (lambda src, out: ["prepare", "--out", str(out)], "give SOURCE"),
    (lambda src, out: ["prepare", str(src), "--out", str(src / "imgs")], "overlaps the source"),
])
def test_cli_prepare_fails_with_one_line(tmp_path, source, capsys, make_argv, message):
    assert main(make_argv(source, tmp_path / "out")) == 2
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1 and "Traceback" not in error
    assert not (tmp_path / "out").exists()


def test_cli_prepare_refuses_unusable_input(tmp_path, capsys):
    root = write_original_layout(tmp_path / "bad", train=["a.jpg"], test=[], aus={"a": np.full(17, np.nan)})
    assert main(["prepare", str(root), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "No usable samples" in error and len(error.strip().splitlines()) == 1


def test_prepare_reference_sample(tmp_path):
    if not REFERENCE_SAMPLE.is_dir():
        pytest.skip(f"reference sample not present at {REFERENCE_SAMPLE}")
    before = tree_digest(REFERENCE_SAMPLE)
    report = prepare_dataset(REFERENCE_SAMPLE, tmp_path / "out", link=False)  # leave shared inodes alone
    assert tree_digest(REFERENCE_SAMPLE) == before
    assert report.counts == {"train": 2, "test": 2} and report.index_report.total_skipped == 0
