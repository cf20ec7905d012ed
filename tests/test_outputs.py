"""Outputs: nothing a user saved is replaced without `overwrite`, and the message says so."""

import pytest

from tfganimation.outputs import output_file, output_folder, refuse_existing, refuse_filled_folder


def test_refuse_existing_names_every_path_in_the_way(tmp_path):
    kept, other, free = tmp_path / "kept.txt", tmp_path / "other.txt", tmp_path / "free.txt"
    kept.write_text("mine")
    other.write_text("mine too")
    refuse_existing([free])
    with pytest.raises(FileExistsError, match=r"kept.txt, .*other.txt already exist; pass --overwrite"):
        refuse_existing([kept, other, free])
    with pytest.raises(FileExistsError, match="kept.txt already exists; try elsewhere"):
        refuse_existing([kept], advice="try elsewhere")
    refuse_existing([kept, other], overwrite=True)
    assert kept.read_text() == "mine"


def test_output_file_creates_its_folder_and_refuses_an_existing_file(tmp_path):
    path = output_file(tmp_path / "new" / "a.gif")
    assert path.parent.is_dir() and not path.exists()
    path.write_bytes(b"user's file")
    with pytest.raises(FileExistsError, match="pass --overwrite to replace it"):
        output_file(path)
    assert output_file(path, overwrite=True) == path
    assert path.read_bytes() == b"user's file"


def test_output_folder_refuses_a_folder_with_files(tmp_path):
    assert output_folder(tmp_path / "new" / "out").is_dir()
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="already holds files; try elsewhere"):
        output_folder(tmp_path, advice="try elsewhere")
    assert output_folder(tmp_path, overwrite=True) == tmp_path
    assert (tmp_path / "keep.txt").read_text() == "mine"
    with pytest.raises(FileExistsError, match="not a folder"):
        output_folder(tmp_path / "keep.txt", overwrite=True)


def test_refuse_filled_folder_creates_nothing(tmp_path):
    assert refuse_filled_folder(tmp_path / "later") == tmp_path / "later"
    assert not (tmp_path / "later").exists()
