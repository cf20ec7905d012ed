"""`Animator`: photo in, edited photo out, the same in every backend."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from conftest import tiny_ganimation
from PIL import Image

from tfganimation.inference.animator import Animator, to_aus
from tfganimation.inference.edits import EditResult
from tfganimation.aus import AU_CODES, N_AUS, preset
from tfganimation.export import FLOAT_TOLERANCE, export_model
from tfganimation.faces import Face, NoFaceError, PhotoError, crop_face
from tfganimation.synthetic import render_face, sample_identity

FACE_SQUARE = (160, 100, 200)
"""x, y and side of the rendered face in `portrait()`; MTCNN finds identity 8 there."""


def portrait(seed: int = 8, height: int = 400, width: int = 520) -> np.ndarray:
    """A rendered synthetic face on a plain background, as a photo."""
    x, y, side = FACE_SQUARE
    photo = np.full((height, width, 3), (90, 110, 130), np.uint8)
    photo[y : y + side, x : x + side] = render_face(
        sample_identity(np.random.default_rng(seed)), np.zeros(N_AUS), side
    )
    return photo


def save_tiny_model(folder) -> str:
    """A TINY GANimation (generator and critic, random weights) as a `.keras` file."""
    path = folder / "model.keras"
    tiny_ganimation().save(path)
    return str(path)


def outside_crop(crop, shape) -> np.ndarray:
    """Photo pixels whose centres fall outside the crop's square, `[H, W]` bool."""
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
    u, v = (crop.transform @ np.stack([x, y, np.ones_like(x)]).reshape(3, -1)).reshape(2, *shape)
    edge = crop.size - 0.5
    return (u < -0.5) | (u > edge) | (v < -0.5) | (v > edge)


class IdentityBackend:
    """A model that returns its input and says it kept every pixel (attention 1)."""

    name = "identity"
    image_size = 32
    has_critic = False
    metadata = {"model": "identity"}

    def __init__(self):
        self.calls = []

    def edit(self, images, aus):
        self.calls.append((images.copy(), aus.copy()))
        return {
            "image": images,
            "attention": np.ones((*images.shape[:3], 1), np.float32),
            "color": images,
        }

    def estimate_aus(self, images):
        raise AssertionError("has_critic is False")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """The TINY model as `.keras`, and exported: SavedModel and LiteRT float32."""
    root = tmp_path_factory.mktemp("animator")
    keras_file = save_tiny_model(root)
    faces = root / "faces"
    faces.mkdir()
    for seed in range(2):
        image = render_face(sample_identity(np.random.default_rng(seed)), np.zeros(N_AUS), 32)
        Image.fromarray(image).save(faces / f"{seed}.png")
    export_model(
        keras_file,
        root / "export",
        variants=("float32",),
        representative_data=faces,
        parity_images=1,
    )
    return {
        "keras": keras_file,
        "saved_model": str(root / "export"),
        "litert": str(root / "export" / "generator_float32.tflite"),
    }


@pytest.fixture(scope="module")
def animators(models):
    return {backend: Animator(path) for backend, path in models.items()}


def test_identity_model_round_trip_leaves_the_photo_unchanged():
    backend = IdentityBackend()
    animator = Animator(backend)
    photo = portrait()
    faces = [Face(box=(170, 110, 180, 180), score=1.0), Face(box=(20, 20, 60, 60), score=1.0)]

    result = animator.edit(photo, "happy", face=faces)
    frames = animator.interpolate(photo, "happy", frames=3, face=faces)

    assert isinstance(result, EditResult) and len(result.faces) == 2
    assert np.abs(result.photo.astype(int) - photo).max() <= 1
    for frame in frames:
        assert np.abs(frame.astype(int) - photo).max() <= 1
    images, aus = backend.calls[0]
    for image, face in zip(images, faces, strict=True):
        np.testing.assert_array_equal(image, crop_face(photo, face, size=32).image)
    np.testing.assert_array_equal(aus, np.stack([preset("happy")] * 2))
    # Without a critic, the animation starts from neutral and ends at the target.
    _, aus = backend.calls[1]
    np.testing.assert_array_equal(aus[:2], 0)
    np.testing.assert_array_equal(aus[-2:], np.stack([preset("happy")] * 2))
    assert set(result.timings) == {"load", "detect", "crop", "model", "paste", "total"}


def test_pixels_outside_the_crop_are_untouched(animators):
    photo = portrait()

    result = animators["keras"].edit(photo, "surprise", center_crop=True)

    crop = result.faces[0].crop
    outside = outside_crop(crop, photo.shape[:2])
    np.testing.assert_array_equal(result.photo[outside], photo[outside])
    assert np.abs(result.photo.astype(int) - photo)[~outside].max() > 10  # It did edit.
    assert result.seconds > 0 and result.seconds == animators["keras"].last_inference_seconds


def test_exif_rotated_photo_is_edited_upright(animators):
    upright = portrait()
    exif = Image.Exif()
    exif[0x0112] = 6  # "Turn 90 degrees clockwise to display", as phones store portraits.
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(np.rot90(upright))).save(
        buffer, format="JPEG", quality=95, exif=exif.tobytes()
    )

    result = animators["keras"].edit(buffer.getvalue(), "happy")

    assert result.photo.shape == upright.shape
    x, y, side = FACE_SQUARE
    center_x, center_y = result.faces[0].face.center
    assert x < center_x < x + side and y < center_y < y + side


@pytest.mark.parametrize("mode", ["RGBA", "L"])
def test_transparent_and_grayscale_photos_work(animators, mode):
    photo = portrait()
    if mode == "RGBA":
        alpha = np.full(photo.shape[:2], 255, np.uint8)
        alpha[:, :40] = 0  # A transparent strip: shown on white.
        buffer = io.BytesIO()
        Image.fromarray(np.dstack([photo, alpha])).save(buffer, format="PNG")
        source = buffer.getvalue()
    else:
        source = np.asarray(Image.fromarray(photo).convert("L"))

    result = animators["keras"].edit(source, "happy", center_crop=True)

    assert result.photo.shape == photo.shape and result.photo.dtype == np.uint8
    if mode == "RGBA":
        np.testing.assert_array_equal(result.photo[:, :40], 255)
    else:
        outside = outside_crop(result.faces[0].crop, photo.shape[:2])
        assert np.ptp(result.photo[outside], axis=-1).max() == 0  # Still grey there.


def test_oversized_photo_is_refused(models):
    animator = Animator(models["litert"], max_pixels=100_000)

    with pytest.raises(PhotoError, match=r"megapixels, over the limit of 0.1 MP"):
        animator.edit(portrait(), "happy")


def test_no_face_is_a_clear_error_and_center_crop_works(animators):
    rng = np.random.default_rng(0)
    photo = np.repeat(np.linspace(40, 220, 400, dtype=np.uint8)[:, None, None], 3, axis=2)
    photo = np.ascontiguousarray(np.broadcast_to(photo, (400, 300, 3)))
    photo = np.clip(photo + rng.integers(0, 8, photo.shape), 0, 255).astype(np.uint8)

    with pytest.raises(NoFaceError, match="center_crop=True / --center-crop"):
        animators["litert"].edit(photo, "happy")
    result = animators["litert"].edit(photo, "happy", center_crop=True)

    assert result.faces[0].face.score == 0 and result.photo.shape == photo.shape


def test_backends_are_chosen_by_path_and_describe_the_model(models, animators):
    assert {name: animator.backend for name, animator in animators.items()} == {
        name: name for name in models
    }
    assert Animator(models["saved_model"], backend="litert").metadata["variant"] == "float32"
    for name, animator in animators.items():
        assert animator.image_size == 32
        assert animator.metadata["au_codes"] == list(AU_CODES)
        assert animator.metadata["model"] == models[name]
        assert animator.metadata["training_data"] is None  # A bare .keras file, no run.json.
        assert animator.metadata["model_version"].startswith("sha256:")
    versions = {animator.metadata["model_version"] for animator in animators.values()}
    assert len(versions) == 1  # The same weights everywhere.
    assert [animators[name].has_critic for name in models] == [True, True, False]
    # Keras by the suite's pin; the export's files as written (float32 SavedModel and variant).
    assert {animator.precision for animator in animators.values()} == {"float32"}
    with pytest.raises(ValueError, match="Refused: .*tflite holds a float32 model"):
        Animator(models["litert"], precision="bfloat16")
    with pytest.raises(FileNotFoundError, match="Model not found"):
        Animator(models["keras"] + ".missing")
    with pytest.raises(ValueError, match="no file for the saved_model backend; it serves litert"):
        Animator(models["litert"], backend="saved_model")


def test_litert_backend_runs_without_tensorflow(models):
    script = f"""
import sys
sys.modules["tensorflow"] = sys.modules["keras"] = None  # Importing either now fails.
import numpy as np
from tfganimation.inference.animator import Animator

photo = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
result = Animator({models["litert"]!r}).edit(photo, "happy", center_crop=True)
assert result.photo.shape == photo.shape
"""
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


def test_all_backends_make_the_same_frames(animators):
    photo = portrait()
    faces = animators["keras"].find_faces(photo)

    frames = {
        name: animator.interpolate(photo, "happy", start_aus="sad", frames=3, face=faces)
        for name, animator in animators.items()
    }
    edits = {
        name: animator.edit(photo, "happy", face=faces) for name, animator in animators.items()
    }

    for name in ("saved_model", "litert"):
        for ours, reference in zip(frames[name], frames["keras"], strict=True):
            assert np.abs(ours.astype(int) - reference).max() <= 2, name
        ours, reference = edits[name].faces[0], edits["keras"].faces[0]
        assert np.abs(ours.edited.astype(int) - reference.edited).max() <= 1, name
        assert np.abs(ours.attention - reference.attention).max() <= FLOAT_TOLERANCE, name
    np.testing.assert_array_equal(frames["keras"][-1], edits["keras"].photo)


def test_critic_estimates_aus_and_starts_the_animation(animators):
    keras_animator = animators["keras"]
    photo = portrait()
    crop = keras_animator.edit(photo, "neutral", center_crop=True).faces[0].crop.image

    estimate = keras_animator.estimate_aus(crop)
    default = keras_animator.interpolate(photo, "happy", frames=2, center_crop=True)
    explicit = keras_animator.interpolate(
        photo, "happy", start_aus=estimate, frames=2, center_crop=True
    )

    assert estimate.shape == (N_AUS,) and estimate.dtype == np.float32
    assert np.all((estimate >= 0) & (estimate <= 5))
    np.testing.assert_allclose(
        animators["saved_model"].estimate_aus(crop), estimate, atol=FLOAT_TOLERANCE
    )
    assert animators["litert"].estimate_aus(crop) is None
    np.testing.assert_array_equal(default[0], explicit[0])
    with pytest.raises(ValueError, match=r"uint8 \[32, 32, 3\]"):
        keras_animator.estimate_aus(crop[:16])


def test_target_aus_in_every_form():
    happy = preset("happy")

    np.testing.assert_array_equal(to_aus("happy"), happy)
    np.testing.assert_array_equal(to_aus("AU06=3, AU12=3"), happy)
    np.testing.assert_array_equal(to_aus({"AU12": 3, "AU06": 3}), happy)
    np.testing.assert_array_equal(to_aus(list(happy)), happy)
    for bad, message in [
        ("grin", "Unknown preset"),
        ("AU99=1", "Unknown action unit"),
        ("AU12=x", "Not a number"),
        (np.zeros(16), "17 values"),
        (np.full(N_AUS, 6.0), "0..5"),
        (np.full(N_AUS, np.nan), "0..5"),
    ]:
        with pytest.raises(ValueError, match=message):
            to_aus(bad)


def test_bad_face_choices_are_refused():
    animator = Animator(IdentityBackend())
    photo = portrait()

    with pytest.raises(ValueError, match="out of range"):
        animator.edit(photo, "happy", face=3)
    with pytest.raises(ValueError, match='"all", "largest"'):
        animator.edit(photo, "happy", face="biggest", center_crop=True)
    with pytest.raises(ValueError, match="frames"):
        animator.interpolate(photo, "happy", frames=1, center_crop=True)
