"""`tfganimation.streamlit_page`: the logic behind the Streamlit page, without Streamlit."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tfganimation import streamlit_page as page
from tfganimation.aus import ACTION_UNITS, REGIONS, preset
from tfganimation.faces import Face, PhotoError, crop_face


def encode(image: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format=fmt)
    return buffer.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A small, valid PNG whose header says `width` x `height` (a decompression bomb's trick)."""
    header = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"IDAT" + zlib.compress(b"\x00" * 64)
    chunks = b"".join(
        struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))
        for chunk in (header, data, b"IEND")
    )
    return b"\x89PNG\r\n\x1a\n" + chunks


# Models.


def test_model_comes_from_the_command_line_the_environment_the_quickstart_then_the_demo(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    environ = {page.MODEL_ENV: "from/env.tflite"}

    assert page.default_model(["--model", "from/args"], environ) == "from/args"
    assert page.default_model(["-x", "tests/x.py", "--model=a.keras"], environ) == "a.keras"
    assert page.default_model(["-k", "model"], environ) == "from/env.tflite"
    assert page.default_model([], {}) == "demo"  # No quickstart model here.
    (tmp_path / page.DEFAULT_MODEL).mkdir(parents=True)
    assert page.default_model([], {}) == page.DEFAULT_MODEL == "runs/quickstart/run"
    assert page.default_model(["--mod", "abbreviated"], {}) == page.DEFAULT_MODEL


def test_the_model_list_always_offers_the_demo(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "model.keras").write_bytes(b"")

    assert page.model_choices("demo", tmp_path) == ["demo", str(tmp_path / "run")]
    assert page.model_choices("x.keras", tmp_path / "none") == ["x.keras", "demo"]


def test_only_the_demo_comes_with_a_notice_about_its_training_data():
    notice = page.model_notice("demo")

    assert "trained on synthetic faces" in notice and "not real-face quality" in notice
    assert page.model_notice("runs/quickstart/run") is None
    assert page.missing_model_message("demo") is None  # Its files are in the package.


def test_missing_model_messages(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    quickstart = page.missing_model_message(page.DEFAULT_MODEL)
    other = page.missing_model_message(tmp_path / "gone.tflite")

    assert "tfganimation quickstart" in quickstart and str(tmp_path) in quickstart
    assert other.startswith(f"No model at `{tmp_path / 'gone.tflite'}`.")
    (tmp_path / "model.keras").write_bytes(b"")
    assert page.missing_model_message(tmp_path / "model.keras") is None


def test_find_models_lists_runs_exports_and_files_once(tmp_path):
    def touch(path):
        path = tmp_path / path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")

    for path in (
        "runs/quickstart/run/model.keras",
        "runs/quickstart/run/run.json",
        "runs/quickstart/run/checkpoints/epoch_0001.keras",
        "runs/quickstart/data/images/x.keras",
        "runs/celeba/export/saved_model/1/saved_model.pb",
        "runs/celeba/export/generator_float32.tflite",
        "runs/celeba/bare_savedmodel/saved_model.pb",
        "runs/celeba/bare_savedmodel/variables/v.keras",
        "runs/loose.keras",
        "runs/.hidden/model.keras",
        "runs/a/b/c/d/e/too_deep.keras",
        "runs/published/30_net_gen.pth",
        "runs/published/30_net_dis.pth",
        "runs/published/200000-G.ckpt",
        "runs/published/200000-D.ckpt",
        "runs/published/200000-G_optim.ckpt",
        "runs/published/net_epoch_30_id_D.pth",
    ):
        touch(path)

    found = page.find_models(tmp_path / "runs")

    assert [str(p).removeprefix(str(tmp_path / "runs") + "/") for p in found] == [
        "celeba/bare_savedmodel",
        "celeba/export",
        "celeba/export/generator_float32.tflite",
        "loose.keras",
        "published/200000-G.ckpt",
        "published/30_net_gen.pth",
        "quickstart/run",
    ]
    assert page.find_models(tmp_path / "nothing") == []


def test_describe_model_from_metadata():
    metadata = {
        "backend": "litert",
        "model": "exports/x/generator_int8.tflite",
        "image_size": 128,
        "training_data": "celeba",
        "variant": "int8",
        "model_version": "sha256:abc",
        "tfganimation_version": "0.1.0",
    }

    rows = dict(page.describe_model(metadata, has_critic=False))

    assert rows["Runtime"] == "LiteRT"
    assert rows["Face size"] == "128 × 128 px"
    assert rows["Training data"] == "celeba"
    assert rows["LiteRT variant"] == "int8"
    assert rows["Estimates AUs"].startswith("no")
    assert page.model_summary(metadata) == (
        "Model `exports/x/generator_int8.tflite`: LiteRT, 128 × 128 px faces, trained on `celeba`."
    )
    unknown = dict(
        page.describe_model({"backend": "keras", "model": "m.keras", "image_size": 64})
    )
    assert unknown["Training data"] == "unknown" and "Estimates AUs" not in unknown
    assert unknown["Precision"] == "?"
    half = {"backend": "keras", "model": "m.keras", "image_size": 64, "precision": "bfloat16"}
    assert dict(page.describe_model(half))["Precision"] == "bfloat16"
    assert page.model_summary(half).startswith("Model `m.keras`: Keras (TensorFlow) in bfloat16,")


def test_format_seconds():
    assert page.format_seconds(0.0123) == "12 ms"
    assert page.format_seconds(2.5) == "2.50 s"


# Photos.


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_read_upload_takes_the_formats_the_uploader_offers(fmt):
    image = np.zeros((60, 80, 3), np.uint8)
    image[:, 40:] = 200

    photo = page.read_upload(encode(image, fmt), f"face.{fmt.lower()}")

    assert photo.image.shape == (60, 80, 3) and photo.image.dtype == np.uint8
    assert photo.original_size == (80, 60) and not photo.shrunk
    assert photo.stem == "face"
    assert abs(int(photo.image[30, 70, 0]) - 200) < 8


def test_read_upload_refuses_what_is_not_a_photo():
    with pytest.raises(PhotoError, match="notes.txt is not a photo the viewer can read"):
        page.read_upload(b"plain text", "notes.txt")
    with pytest.raises(PhotoError, match="is empty"):
        page.read_upload(b"", "empty.png")
    truncated = encode(np.full((64, 64, 3), 90, np.uint8), "JPEG")[:200]
    with pytest.raises(PhotoError, match="not a photo the viewer can read"):
        page.read_upload(truncated, "cut.jpg")


def test_read_upload_refuses_huge_photos_from_their_header():
    with pytest.raises(
        PhotoError, match=r"10000 × 9000 pixels \(90 megapixels\).*up to 24 megapixels"
    ):
        page.read_upload(png_claiming_size(10_000, 9_000), "bomb.png")
    with pytest.raises(PhotoError, match="up to 25 MB"):
        page.read_upload(b"\0" * (25 * 2**20 + 1), "big.jpg")


def test_large_photos_are_shrunk_to_the_working_size():
    photo = page.make_photo(np.zeros((1000, 3000, 3), np.uint8), "wide.png", max_side=600)

    assert photo.image.shape == (200, 600, 3)
    assert photo.shrunk and photo.original_size == (3000, 1000)


def test_photo_key_follows_the_pixels():
    image = np.zeros((10, 10, 3), np.uint8)
    same = page.make_photo(image.copy(), "b.png")
    changed = image.copy()
    changed[0, 0] = 1

    assert page.make_photo(image, "a.png").key == same.key
    assert page.make_photo(changed, "a.png").key != same.key


def test_examples_are_synthetic_photos():
    for name in page.EXAMPLES:
        photo = page.example_photo(name)
        assert photo.image.shape[0] == 448 and photo.image.shape[1] >= 640
        assert photo.name.endswith(".png")
    assert (
        page.example_photo("Synthetic face 1").key == page.example_photo("Synthetic face 1").key
    )
    with pytest.raises(ValueError, match="Unknown example"):
        page.example_photo("Mona Lisa")


# Faces.


def test_faces_are_numbered_left_to_right_and_drawn():
    photo = np.zeros((100, 200, 3), np.uint8)
    right, left = Face((120, 20, 50, 50), 0.99), Face((10, 20, 50, 50), 0.95)

    faces = page.order_faces([right, left])
    drawn = page.draw_faces(photo, faces, selected=1)

    assert faces == [left, right]
    assert page.face_label(0, left) == "Face 1 (95% sure)"
    assert page.face_label(0, Face((0, 0, 10, 10), 0.0)) == "Face 1 (centre of the photo)"
    assert page.order_faces([]) == []
    assert photo.max() == 0  # Not drawn on.
    assert tuple(drawn[45, 120]) == (60, 220, 90)  # The selected face's box is green,
    assert tuple(drawn[45, 10]) == (255, 210, 40)  # the other one yellow.


class EstimatingAnimator:
    image_size = 16

    def __init__(self, estimate):
        self.estimate, self.crops = estimate, []

    def crop(self, photo, face):
        return crop_face(photo, face, size=self.image_size)

    def estimate_aus(self, crop):
        self.crops.append(crop)
        return self.estimate


def test_sliders_start_at_the_estimate_clipped_or_at_neutral():
    photo = np.full((64, 64, 3), 100, np.uint8)
    face = Face((16, 16, 32, 32), 0.9)
    estimate = np.linspace(-1, 6, 17).astype(np.float32)

    animator = EstimatingAnimator(estimate)
    aus, where_from = page.starting_expression(animator, photo, face)

    assert animator.crops[0].shape == (16, 16, 3)
    np.testing.assert_allclose(aus, np.clip(estimate, 0, 5))
    assert where_from == "the critic's estimate of this face"
    aus, where_from = page.starting_expression(EstimatingAnimator(None), photo, face)
    assert not aus.any() and where_from.startswith("neutral")


# Sliders.


def test_sliders_cover_every_au_once_grouped_by_region():
    groups = page.slider_groups()

    assert [region for region, _ in groups] == list(REGIONS)
    indices = sorted(slider.index for _, group in groups for slider in group)
    assert indices == list(range(len(ACTION_UNITS)))
    for region, group in groups:
        assert all(slider.au.region == region for slider in group)
    first = groups[0][1][0]
    assert (first.key, first.label) == ("au_AU01", "AU01 Inner Brow Raiser")
    assert "0 absent" in first.help and "5 maximum" in first.help
    assert page.region_title("jaw/lids") == "Jaw / lids"


def test_slider_state_round_trips_on_the_slider_grid():
    happy = page.slider_state(preset("happy"))

    assert happy["au_AU12"] == 3.0 and happy["au_AU06"] == 3.0 and happy["au_AU01"] == 0.0
    np.testing.assert_array_equal(page.aus_from_state(happy), preset("happy"))
    state = page.slider_state(np.full(17, 2.345))
    assert set(state.values()) == {2.3}
    assert set(page.slider_state(np.full(17, 7.0)).values()) == {5.0}
    assert not page.aus_from_state({}).any()
    with pytest.raises(ValueError, match="Expected 17"):
        page.slider_state(np.zeros(5))


# Panels and downloads.


class FakeCrop:
    def __init__(self, image):
        self.image = image


class FakeEdit:
    """A `FaceEdit`'s fields at a 32-pixel model size."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.crop = FakeCrop(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8))
        self.edited = rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)
        self.attention = np.linspace(0, 1, 32 * 32, dtype=np.float32).reshape(32, 32, 1)
        self.color = rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)


def test_face_panels_show_the_models_pixels_enlarged():
    edit = FakeEdit()

    panels = page.face_panels(edit, size=256)

    assert [panel.caption for panel in panels] == [
        "Original face",
        "Edited face",
        "Attention (white: kept)",
        "Colour (painted)",
    ]
    assert all(panel.image.shape == (256, 256, 3) for panel in panels)
    np.testing.assert_array_equal(panels[0].image[::8, ::8], edit.crop.image)
    attention = panels[2].image
    assert tuple(attention[0, 0]) == (0, 0, 0) and tuple(attention[-1, -1]) == (255, 255, 255)


def test_png_bytes_round_trip():
    image = np.random.default_rng(1).integers(0, 255, (20, 30, 3), dtype=np.uint8)

    decoded = np.asarray(Image.open(io.BytesIO(page.png_bytes(image))))

    np.testing.assert_array_equal(decoded, image)


def test_animation_bytes_as_gif_and_mp4():
    frames = [np.full((40, 50, 3), value, np.uint8) for value in (0, 120, 240)]

    gif = page.animation_bytes(frames, "gif", fps=10)
    mp4 = page.animation_bytes(frames, "MP4", fps=10)

    assert gif.startswith(b"GIF8") and Image.open(io.BytesIO(gif)).n_frames == 3
    assert mp4[4:8] == b"ftyp"
    with pytest.raises(ValueError, match="gif"):
        page.animation_bytes(frames, "avi", fps=10)
