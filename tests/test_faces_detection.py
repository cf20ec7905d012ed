"""`FaceDetector` / `detect_faces` (MTCNN) on synthetic and real faces, and on none."""

import glob
import pathlib

import cv2
import numpy as np
import pytest

from tfganimation.faces import NoFaceError, crop_face, detect_faces, load_photo, select_faces
from tfganimation.synthetic.identity import sample_identity
from tfganimation.synthetic.renderer import render_face

# Real EmotioNet face crops from the original GANimation sample data, kept in
# the shared folder beside the repository (read there, never copied in).
SAMPLE_DIR = pathlib.Path(__file__).resolve().parents[2] / "shared/reference/ganimation_sample/imgs"
SAMPLES = sorted(glob.glob(str(SAMPLE_DIR / "*.jpg")))
SYNTHETIC_AT = (200, 120, 160)
"""Where `synthetic_photos` draws each face: x, y and side in a 480 x 360 photo."""


def place(face: np.ndarray, canvas_size: tuple[int, int], at: tuple[int, int]) -> np.ndarray:
    canvas = np.full((*canvas_size, 3), (90, 110, 130), np.uint8)
    x, y = at
    canvas[y : y + face.shape[0], x : x + face.shape[1]] = face
    return canvas


def assert_plausible_face(face, square: tuple[int, int, int]) -> None:
    """The face is in the square `(x, y, side)` it was drawn in: eyes above mouth, left to right."""
    x, y, side = square
    center_x, center_y = face.center
    assert x < center_x < x + side and y < center_y < y + side
    assert 0.5 * side < face.box[2] < 1.2 * side
    (left_x, left_y), (right_x, right_y) = face.eyes
    assert x < left_x < center_x < right_x < x + side
    assert max(left_y, right_y) < face.landmarks["mouth_left"][1]


@pytest.fixture(scope="module")
def synthetic_photos() -> list[tuple[np.ndarray, list]]:
    """Eight neutral synthetic faces, each in its own photo, with what was detected there."""
    x, y, side = SYNTHETIC_AT
    photos = []
    for seed in range(8):
        face = render_face(sample_identity(np.random.default_rng(seed)), np.zeros(17), side)
        photo = place(face, (360, 480), at=(x, y))
        photos.append((photo, detect_faces(photo)))
    return photos


@pytest.fixture(scope="module")
def synthetic_photo(synthetic_photos) -> np.ndarray:
    """The synthetic photo whose face MTCNN is surest of."""
    found = [(faces[0].score, photo) for photo, faces in synthetic_photos if faces]
    assert found, "MTCNN finds none of the synthetic faces"
    return max(found, key=lambda pair: pair[0])[1]


def test_finds_most_synthetic_faces(synthetic_photos):
    found = [faces for _, faces in synthetic_photos if faces]

    # Cartoon faces are not MTCNN's training data: it finds 60-90% of them
    # (depending on the renderer's version), and a smoke test needs a few.
    assert len(found) >= 3
    for faces in found:
        assert len(faces) == 1 and faces[0].score >= 0.9
        assert_plausible_face(faces[0], SYNTHETIC_AT)


@pytest.mark.skipif(not SAMPLES, reason=f"no GANimation sample images in {SAMPLE_DIR}")
@pytest.mark.parametrize("path", SAMPLES, ids=[pathlib.Path(path).stem for path in SAMPLES])
def test_detects_a_real_face(path):
    image = cv2.resize(load_photo(path), (256, 256), interpolation=cv2.INTER_CUBIC)
    photo = place(image, (480, 640), at=(300, 100))

    faces = detect_faces(photo)

    assert len(faces) == 1
    assert_plausible_face(faces[0], (300, 100, 256))


def test_large_photos_are_shrunk_and_mapped_back(synthetic_photo):
    large_photo = cv2.resize(synthetic_photo, None, fx=5, fy=5)  # 2400 x 1800, shrunk to 1280 x 960.

    small, large = detect_faces(synthetic_photo)[0], detect_faces(large_photo)[0]

    np.testing.assert_allclose(large.box, 5 * np.array(small.box), rtol=0.05, atol=10)
    assert_plausible_face(large, tuple(5 * v for v in SYNTHETIC_AT))


def test_flat_grey_photo_has_no_face():
    photo = np.full((240, 320, 3), 128, np.uint8)

    assert detect_faces(photo) == []
    with pytest.raises(NoFaceError, match="--center-crop"):
        select_faces(detect_faces(photo))


def eye_angle(face) -> float:
    (left_x, left_y), (right_x, right_y) = face.eyes
    return np.degrees(np.arctan2(right_y - left_y, right_x - left_x))


def test_tilted_face_is_found_and_cropped_upright(synthetic_photo):
    turn = cv2.getRotationMatrix2D((280.0, 200.0), 15, 1.0)  # Counter-clockwise about the face.
    tilted = cv2.warpAffine(synthetic_photo, turn, (480, 360), borderMode=cv2.BORDER_REPLICATE)

    face = detect_faces(tilted)[0]
    crop = crop_face(tilted, face, size=128)

    assert eye_angle(face) - eye_angle(detect_faces(synthetic_photo)[0]) == pytest.approx(-15, abs=3)
    (left_x, left_y), (right_x, right_y) = (crop.transform @ (*eye, 1.0) for eye in face.eyes)
    assert abs(right_y - left_y) < 0.5
    assert 0.25 * 128 < right_x - left_x < 0.65 * 128  # Training crops: ~0.43.


def test_detector_rejects_non_photos():
    with pytest.raises(ValueError, match="uint8 RGB"):
        detect_faces(np.zeros((64, 64), np.uint8))
