"""Framings: face_recognition crops as before; OpenFace-aligned crops where OpenFace puts faces."""

import math

import cv2
import numpy as np
import pytest

from tfganimation.faces import (
    DEFAULT_MARGIN,
    FRAMINGS,
    Face,
    center_crop_face,
    crop_face,
    openface_simalign_points,
    openface_simalign_transform,
    paste_face,
)
from tfganimation.faces.framing import LANDMARK_NAMES, fit_similarity

EYES = {"left_eye": (170.0, 130.0), "right_eye": (250.0, 160.0)}


def textured_photo(height: int = 360, width: int = 480, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    smooth = 50 + 160 * np.stack([x / width, y / height, (x + y) / (width + height)], axis=-1)
    return np.clip(smooth + rng.normal(0, 25, (height, width, 3)), 0, 255).astype(np.uint8)


def posed_face(size: int, angle_degrees: float, scale: float, center=(240.0, 180.0)) -> Face:
    """A face whose keypoints are OpenFace's for a `size` crop, turned and scaled into a photo.

    `scale` is photo pixels per crop pixel; the face is rotated clockwise by
    `angle_degrees` in image coordinates.
    """
    targets = openface_simalign_points(size)
    angle = math.radians(angle_degrees)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    points = (targets - size / 2) @ rotation.T * scale + np.array(center)
    landmarks = {name: tuple(point) for name, point in zip(LANDMARK_NAMES, points, strict=True)}
    box_side = 100 * scale
    box = (center[0] - box_side / 2, center[1] - box_side / 2, box_side, box_side)
    return Face(box=box, score=1.0, landmarks=landmarks)


def dotted_photo(face: Face, radius: float) -> np.ndarray:
    """White photo with a black anti-aliased dot at each keypoint (sub-pixel centres)."""
    photo = np.full((360, 480, 3), 255, np.uint8)
    shift = 4  # Centres in 1/16 pixel.
    for x, y in face.landmarks.values():
        centre = (round(x * 2**shift), round(y * 2**shift))
        cv2.circle(photo, centre, round(radius * 2**shift), (0, 0, 0), -1, cv2.LINE_AA, shift)
    return photo


def dark_centroid(image: np.ndarray, near: np.ndarray, window: int) -> np.ndarray:
    """Darkness-weighted centroid of `image` within `window` pixels of `near`."""
    darkness = 255.0 - image.mean(axis=2)
    x0, y0 = (max(0, round(v) - window) for v in near)
    x1, y1 = (min(image.shape[1 - i], round(v) + window + 1) for i, v in enumerate(near))
    patch = darkness[y0:y1, x0:x1]
    ys, xs = np.mgrid[y0:y1, x0:x1]
    return np.array([(xs * patch).sum(), (ys * patch).sum()]) / patch.sum()


@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize(
    "face, size",
    [
        (Face(box=(150, 90, 130, 160), score=1.0, landmarks=EYES), 64),
        (Face(box=(200, 150, 40, 50), score=1.0, landmarks=EYES), 128),
        (Face(box=(-40, 200, 120, 140), score=1.0), 96),
    ],
    ids=["shrunk", "enlarged", "no-landmarks-across-border"],
)
def test_face_recognition_framing_is_the_default_crop(face, size, align):
    photo = textured_photo()

    default = crop_face(photo, face, size, DEFAULT_MARGIN, align)  # The pre-framing call.
    named = crop_face(photo, face, size=size, align=align, framing="face_recognition")
    no_margin = crop_face(photo, face, size=size, align=align)

    for crop in (named, no_margin):
        np.testing.assert_array_equal(crop.image, default.image)
        np.testing.assert_array_equal(crop.transform, default.transform)


def test_openface_points_scale_with_the_crop_like_simsize():
    """`-simsize N` scales OpenFace's 112-pixel framing by N / 112 about pixel N // 2."""
    reference = openface_simalign_points(112) - 56
    for size in (96, 128, 256):
        np.testing.assert_allclose(
            openface_simalign_points(size) - size // 2, reference * size / 112, atol=1e-12
        )
    left_eye, right_eye, nose, mouth_left, mouth_right = openface_simalign_points(128)
    assert left_eye[0] < nose[0] < right_eye[0] and mouth_left[0] < mouth_right[0]
    assert max(left_eye[1], right_eye[1]) < nose[1] < min(mouth_left[1], mouth_right[1])


@pytest.mark.parametrize(
    "size, angle, scale",
    [(128, 0.0, 1.0), (128, 25.0, 1.0), (128, -35.0, 2.5), (96, 15.0, 0.6)],
    ids=["upright", "rotated", "rotated-and-shrunk", "enlarged-96"],
)
def test_simalign_puts_the_keypoints_where_openface_does(size, angle, scale):
    face = posed_face(size, angle, scale)
    photo = dotted_photo(face, radius=3.0 * scale)

    crop = crop_face(photo, face, size=size, framing="openface_simalign")

    targets = openface_simalign_points(size)
    points = np.array([face.landmarks[name] for name in LANDMARK_NAMES])
    mapped = points @ crop.transform[:, :2].T + crop.transform[:, 2]
    np.testing.assert_allclose(mapped, targets, atol=1e-6)
    for target in targets:  # The pixels agree with the transform.
        np.testing.assert_allclose(dark_centroid(crop.image, target, window=6), target, atol=0.5)


def test_similarity_fit_is_least_squares():
    rng = np.random.default_rng(3)
    source = rng.uniform(0, 200, (5, 2))
    target = rng.uniform(0, 128, (5, 2))

    fitted = fit_similarity(source, target)

    # The same problem as a plain linear least-squares system in (a, b, tx, ty).
    rows = np.concatenate(
        [
            np.stack([source[:, 0], -source[:, 1], np.ones(5), np.zeros(5)], axis=1),
            np.stack([source[:, 1], source[:, 0], np.zeros(5), np.ones(5)], axis=1),
        ]
    )
    (a, b, tx, ty), *_ = np.linalg.lstsq(rows, np.concatenate([target[:, 0], target[:, 1]]))
    np.testing.assert_allclose(fitted, [[a, -b, tx], [b, a, ty]], atol=1e-9)


@pytest.mark.parametrize("scale", [2.5, 0.6], ids=["shrunk", "enlarged"])
def test_simalign_crop_pastes_back(scale):
    photo = textured_photo()
    face = posed_face(128, 20.0, scale)
    crop = crop_face(photo, face, size=128, framing="openface_simalign")

    identity = paste_face(photo, crop, crop.image.copy())
    edited = paste_face(photo, crop, np.where(crop.image < 128, 255, 0).astype(np.uint8))

    assert np.abs(identity.astype(int) - photo).max() <= 1
    y, x = np.mgrid[0 : photo.shape[0], 0 : photo.shape[1]]
    coords = np.stack([x, y], axis=-1) @ crop.transform[:, :2].T + crop.transform[:, 2]
    outside = np.any((coords < -0.5) | (coords > 127.5), axis=-1)
    np.testing.assert_array_equal(edited[outside], photo[outside])
    centre = np.all(np.abs(coords - 63.5) < 30, axis=-1)
    assert np.abs(edited[centre].astype(int) - photo[centre]).mean() > 50


def test_face_without_keypoints_is_framed_upright_from_its_box():
    photo = textured_photo()
    face = center_crop_face(photo)

    crop = crop_face(photo, face, size=128, framing="openface_simalign")

    assert crop.image.shape == (128, 128, 3)
    linear = crop.transform[:, :2]
    np.testing.assert_allclose(linear, np.eye(2) * linear[0, 0], atol=1e-12)  # No rotation.
    # The box centre lands near the crop centre, the box a little inside the crop.
    box_centre = crop.transform @ (*face.center, 1.0)
    assert np.all(np.abs(box_centre - 64) < 15)
    assert 0.7 < face.box[2] * linear[0, 0] / 128 < 1.0
    np.testing.assert_array_equal(crop.transform, openface_simalign_transform(face, 128))


def test_face_with_only_eyes_puts_them_exactly():
    face = Face(box=(150, 90, 130, 160), score=1.0, landmarks=EYES)

    crop = crop_face(textured_photo(), face, size=128, framing="openface_simalign")

    mapped = np.array([crop.transform @ (*eye, 1.0) for eye in face.eyes])
    np.testing.assert_allclose(mapped, openface_simalign_points(128)[:2], atol=1e-6)


def test_unknown_framing_and_face_recognition_options_are_refused():
    photo = textured_photo()
    face = posed_face(128, 0.0, 1.0)

    with pytest.raises(ValueError, match="face_recognition.*openface_simalign") as error:
        crop_face(photo, face, framing="openface")
    assert "openface" in str(error.value) and FRAMINGS == ("face_recognition", "openface_simalign")
    with pytest.raises(ValueError, match="margin"):
        crop_face(photo, face, margin=1.3, framing="openface_simalign")
    with pytest.raises(ValueError, match="align"):
        crop_face(photo, face, align=False, framing="openface_simalign")
