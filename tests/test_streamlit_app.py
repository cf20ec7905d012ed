"""The Streamlit viewer page (`streamlit_app/app.py`) driven headless with `AppTest`.

Each test runs the real page in-process on a tiny, untrained GANimation saved
as a `.keras` file: the photos, uploads, sliders, presets and animations go
through the real `Animator`, MTCNN and media writers.
"""

import io
import pathlib

import numpy as np
import pytest
from conftest import tiny_ganimation
from PIL import Image
from streamlit.testing.v1 import AppTest

from tfganimation import streamlit_page as page
from tfganimation.aus import AU_CODES, preset

APP = pathlib.Path(__file__).resolve().parents[1] / "streamlit_app" / "app.py"
TIMEOUT = 120
"""Seconds one script run may take: the first loads TensorFlow, the model and MTCNN."""


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("viewer_model") / "tiny.keras"
    tiny_ganimation().save(path)
    return str(path)


@pytest.fixture
def app(model_path, monkeypatch) -> AppTest:
    """The page, run once on the tiny model with the default example photo."""
    monkeypatch.setenv(page.MODEL_ENV, model_path)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    return at.run()


def png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def assert_no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def captions(at: AppTest) -> list[str]:
    return [caption for image in at.image for caption in image.captions]


def edited_photo(at: AppTest) -> np.ndarray:
    return at.session_state["edit"][1].photo


def upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    at.radio(key="source").set_value("Upload").run()
    return at.file_uploader(key="upload").set_value((name, data, mime)).run()


def test_without_a_model_the_page_edits_an_example_with_the_demo_and_says_so(
    tmp_path, monkeypatch
):
    monkeypatch.delenv(page.MODEL_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # No runs/quickstart/run here.

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()

    assert_no_problem(at)
    assert not at.warning
    assert at.sidebar.selectbox(key="model_choice").value == "demo"
    assert "demo" in at.sidebar.selectbox(key="model_choice").options
    assert [info.value for info in at.info] == [page.model_notice("demo")]
    assert "trained on synthetic faces" in at.info[0].value
    summary = (  # The suite pins float32.
        "Model `demo`: Keras (TensorFlow) in float32, 64 × 64 px faces, trained on `synthetic faces"
    )
    assert any(caption.value.startswith(summary) for caption in at.caption)
    assert len(at.sidebar.slider) == 17
    assert "Edited photo" in captions(at)
    result = edited_photo(at)
    assert result.shape == page.example_photo("Synthetic face 1").image.shape
    assert at.session_state["edit"][1].faces[0].edited.shape == (64, 64, 3)


def test_an_unreadable_model_is_an_error_in_the_page(app, tmp_path):
    not_a_model = tmp_path / "notes.keras"
    not_a_model.write_text("not a model")

    app.text_input(key="model_path").set_value(str(not_a_model)).run()

    assert not app.exception
    assert "Could not load the model" in app.error[0].value
    app.text_input(key="model_path").set_value(str(tmp_path / "missing.tflite")).run()
    assert "No model at" in app.warning[0].value


def test_example_photo_is_edited_with_every_panel(app, model_path):
    assert_no_problem(app)
    assert captions(app) == [
        "Faces found: 1",
        "Edited photo",
        "Original face",
        "Edited face",
        "Attention (white: kept)",
        "Colour (painted)",
    ]
    result = app.session_state["edit"][1]
    assert result.photo.shape == page.example_photo("Synthetic face 1").image.shape
    assert result.faces[0].edited.shape == (32, 32, 3)
    # Which model is loaded, in which precision (the suite pins float32), and how long it took.
    summary = (
        f"Model `{model_path}`: Keras (TensorFlow) in float32, 32 × 32 px faces, "
        "training data unknown."
    )
    assert summary in [caption.value for caption in app.caption]
    about = " ".join(markdown.value for markdown in app.sidebar.markdown)
    assert "**Face size:** 32 × 32 px" in about and "**Estimates AUs:** yes (critic)" in about
    assert "**Precision:** float32" in about
    assert any(caption.value.startswith("Inference: ") for caption in app.caption)
    assert [button.label for button in app.download_button] == ["Download the edited photo (PNG)"]


def test_sliders_are_grouped_by_region_and_start_at_the_critics_estimate(app):
    sliders = app.sidebar.slider
    assert [slider.key for slider in sliders] == [
        slider.key for _, group in page.slider_groups() for slider in group
    ]
    assert sliders[0].label == "AU01 Inner Brow Raiser"
    assert (sliders[0].min, sliders[0].max) == (0.0, 5.0)
    regions = [markdown.value for markdown in app.sidebar.markdown if ":" not in markdown.value]
    assert regions == ["**Brows / eyes**", "**Nose / cheeks**", "**Mouth**", "**Jaw / lids**"]
    start = app.session_state["start_aus"]
    assert page.slider_state(start) == {slider.key: slider.value for slider in sliders}
    assert "critic's estimate" in app.session_state["start_from"]


def test_a_model_without_critic_starts_the_sliders_at_neutral(app, tmp_path):
    generator_only = tmp_path / "generator.keras"
    tiny_ganimation().generator.save(generator_only)

    app.text_input(key="model_path").set_value(str(generator_only)).run()

    assert_no_problem(app)
    assert app.session_state["start_from"].startswith("neutral")
    assert not any(slider.value for slider in app.sidebar.slider)
    about = " ".join(markdown.value for markdown in app.sidebar.markdown)
    assert "**Estimates AUs:** no" in about


def test_moving_a_slider_changes_the_edit_without_reloading_the_model(app, monkeypatch):
    loads = []
    monkeypatch.setattr(page, "load_animator", lambda *args: loads.append(args))
    before = edited_photo(app)

    app.slider(key="au_AU12").set_value(5.0).run()

    assert_no_problem(app)
    assert app.session_state["au_AU12"] == 5.0
    assert app.session_state["edit"][0][3][AU_CODES.index("AU12")] == 5.0
    assert not np.array_equal(edited_photo(app), before)
    assert loads == []  # st.cache_resource kept the Animator.


def test_presets_set_the_sliders_and_reset_restores_the_start(app):
    start = dict(page.slider_state(app.session_state["start_aus"]))

    app.button(key="preset_happy").click().run()

    assert_no_problem(app)
    assert {s.key: s.value for s in app.sidebar.slider} == page.slider_state(preset("happy"))
    np.testing.assert_allclose(app.session_state["edit"][0][3], preset("happy"), atol=1e-6)
    app.button(key="reset").click().run()
    assert {s.key: s.value for s in app.sidebar.slider} == start


def test_animation_in_both_formats(app):
    app.slider(key="frames").set_value(4).run()
    app.button(key="preset_surprise").click().run()

    app.button(key="animate").click().run()

    assert_no_problem(app)
    made = app.session_state["animation"]
    assert made["frames"] == 4 and made["data"].startswith(b"GIF8")
    assert Image.open(io.BytesIO(made["preview"])).n_frames == 4
    assert "4 frames" in captions(app)[-1]
    assert app.download_button(key="download_animation").label == "Download the animation (GIF)"
    app.radio(key="format").set_value("MP4").run()
    app.button(key="animate").click().run()
    assert app.session_state["animation"]["data"][4:8] == b"ftyp"
    assert app.download_button(key="download_animation").label == "Download the animation (MP4)"


def test_uploaded_photo_is_edited(app):
    photo = page.example_photo("Two synthetic faces").image

    upload(app, "two people.png", png(photo))

    assert_no_problem(app)
    assert [radio.options for radio in app.radio if radio.key == "face_index"] == [
        ["Face 1 (99% sure)", "Face 2 (100% sure)"]
    ]
    first = app.session_state["edit"][1]
    app.radio(key="face_index").set_value(1).run()
    second = app.session_state["edit"][1]
    assert second.faces[0].face.center[0] > first.faces[0].face.center[0]
    assert app.download_button(key="download_photo").proto.label.startswith("Download the edited")


def test_webcam_photo_is_edited(app):
    buffer = io.BytesIO()
    Image.fromarray(page.example_photo("Synthetic face 2").image).save(buffer, format="JPEG")

    app.radio(key="source").set_value("Webcam").run()
    app.camera_input(key="camera").set_value(("shot.jpg", buffer.getvalue(), "image/jpeg")).run()

    assert_no_problem(app)
    assert app.session_state["edit"][1].photo.shape == (448, 640, 3)


def test_a_file_that_is_not_an_image_is_an_error_in_the_page(app):
    upload(app, "notes.jpg", b"these are my notes, not a photo", "image/jpeg")

    assert not app.exception
    assert "notes.jpg is not a photo the viewer can read" in app.error[0].value
    assert "edit" not in app.session_state or "Edited photo" not in captions(app)


def test_a_huge_image_is_refused_before_decoding(app):
    upload(app, "huge.png", png_claiming_size(9000, 9000))

    assert not app.exception
    assert "81 megapixels" in app.error[0].value and "24 megapixels" in app.error[0].value


def test_a_photo_without_a_face_is_an_error_with_a_way_out(app):
    upload(app, "wall.png", png(np.full((240, 320, 3), 128, np.uint8)))

    assert not app.exception
    assert app.error[0].value.startswith("No face found in this photo.")
    assert "Edited photo" not in captions(app)
    app.checkbox(key="center_crop").check().run()
    assert_no_problem(app)
    assert app.info[0].value == "No face found: editing the centre of the photo."
    assert "Edited photo" in captions(app)


def png_claiming_size(width: int, height: int) -> bytes:
    """A small, valid PNG whose header says `width` x `height` (a decompression bomb's trick)."""
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    data = zlib.compress(b"\x00" * 64)
    idat = b"IDAT" + data
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", len(data))
        + idat
        + struct.pack(">I", zlib.crc32(idat))
        + struct.pack(">I", 0)
        + b"IEND"
        + struct.pack(">I", zlib.crc32(b"IEND"))
    )
