"""The viewer's performance-and-video tab, driven headless with Streamlit's `AppTest`."""

import pathlib

import numpy as np
import pytest
from conftest import tiny_ganimation
from streamlit.testing.v1 import AppTest
from video_fixtures import empty_frame, face_frame, write_openface_csv, write_video

from tfganimation import streamlit_page as page
from tfganimation.aus import N_AUS, preset
from tfganimation.video import read_frames

APP = pathlib.Path(__file__).resolve().parents[1] / "streamlit_app" / "app.py"
TIMEOUT = 120


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("viewer_video")
    model = root / "tiny.keras"
    tiny_ganimation().save(model)
    csv = write_openface_csv(root / "p.csv", np.arange(6) / 25, np.tile(preset("happy"), (6, 1)))
    clip = write_video(root / "clip.mp4", [face_frame(np.zeros(N_AUS))] * 4 + [empty_frame()] * 2)
    return {"model": str(model), "csv": csv.read_bytes(), "clip": clip.read_bytes(), "root": root}


@pytest.fixture
def tab(files, monkeypatch) -> AppTest:
    monkeypatch.setenv(page.MODEL_ENV, files["model"])
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    return at.radio(key="mode").set_value("Perform or edit a video").run()


def made_video(at: AppTest, root: pathlib.Path) -> list:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    path = root / "made.mp4"
    path.write_bytes(at.session_state["video_result"]["data"])
    assert [button.label for button in at.download_button] == ["Download the video (MP4)"]
    return list(read_frames(path))


def test_an_example_photo_performs_an_uploaded_csv_and_a_bad_csv_is_a_message(tab, files, tmp_path):
    bad = b"frame, timestamp, success\n1, 0.0, 1\n2, 0.04, 1\n"
    tab.file_uploader(key="performance_upload").set_value(("bad.csv", bad, "text/csv")).run()
    tab.button(key="make_video").click().run()
    assert not tab.exception
    assert "has no OpenFace AU columns" in tab.error[0].value

    tab.file_uploader(key="performance_upload").set_value(("p.csv", files["csv"], "text/csv")).run()
    tab.button(key="make_video").click().run()

    frames = made_video(tab, tmp_path)
    assert len(frames) == 6
    assert frames[0].image.shape == page.example_photo("Synthetic face 1").image.shape
    assert "6 frames at 25 fps" in tab.session_state["video_result"]["summary"]


def test_an_uploaded_video_is_edited_to_a_preset(tab, files, tmp_path):
    tab.radio(key="video_source").set_value("A video").run()
    tab.file_uploader(key="video_upload").set_value(("clip.mp4", files["clip"], "video/mp4")).run()
    tab.radio(key="driven_by").set_value("Preset").run()
    tab.button(key="make_video").click().run()

    assert len(made_video(tab, tmp_path)) == 6
    assert "2 frames without a face" in tab.session_state["video_result"]["summary"]
