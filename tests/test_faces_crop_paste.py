"""`crop_face` and `paste_face`: geometry, round trips, and what paste may touch."""

import cv2
import numpy as np
import pytest

from tfganimation.faces import Face, crop_face, paste_face

EYES = {"left_eye": (170.0, 130.0), "right_eye": (250.0, 160.0)}  # Tilted by ~20.6 degrees.
TILTED = Face(box=(150, 90, 130, 160), score=1.0, landmarks=EYES)


def textured_photo(height: int = 360, width: int = 480, seed: int = 0) -> np.ndarray:
    """Fine noise over smooth gradients: detail a 64-pixel crop cannot hold."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    smooth = 50 + 160 * np.stack([x / width, y / height, (x + y) / (width + height)], axis=-1)
    return np.clip(smooth + rng.normal(0, 25, (height, width, 3)), 0, 255).astype(np.uint8)


def strong_edit(image: np.ndarray) -> np.ndarray:
    """Every pixel pushed at least half the range away from where it was."""
    return np.where(image < 128, 255, 0).astype(np.uint8)


def crop_coordinates(crop, shape) -> np.ndarray:
    """Where every photo pixel centre lands in the crop, `[H, W, 2]` as (x, y)."""
    y, x = np.mgrid[0 : shape[0], 0 : shape[1]]
    points = np.stack([x, y, np.ones_like(x)], axis=-1).astype(np.float64)
    return points @ crop.transform.T


def outside_footprint(crop, shape) -> np.ndarray:
    coords = crop_coordinates(crop, shape)
    return np.any((coords < -0.5) | (coords > crop.size - 0.5), axis=-1)


def dark_blob_centres(image: np.ndarray) -> list[np.ndarray]:
    """Centroids of the dark spots in the left and right halves of a crop."""
    dark = image.mean(axis=2) < 60
    half = image.shape[1] // 2
    centres = []
    for columns in (slice(0, half), slice(half, None)):
        ys, xs = np.nonzero(dark[:, columns])
        centres.append(np.array([xs.mean() + columns.indices(image.shape[1])[0], ys.mean()]))
    return centres


def test_align_levels_the_eyes_and_transform_tracks_them():
    photo = np.full((360, 480, 3), 200, np.uint8)
    for x, y in EYES.values():
        cv2.circle(photo, (round(x), round(y)), 5, (0, 0, 0), -1)

    aligned = crop_face(photo, TILTED, size=96, align=True)
    tilted = crop_face(photo, TILTED, size=96, align=False)

    left, right = dark_blob_centres(aligned.image)
    assert abs(left[1] - right[1]) < 1.0
    for blob, eye in zip((left, right), TILTED.eyes, strict=True):
        np.testing.assert_allclose(blob, aligned.transform @ (*eye, 1.0), atol=1.0)
    left, right = dark_blob_centres(tilted.image)
    assert right[1] - left[1] > 10


def test_crop_side_and_centre_follow_the_box_and_margin():
    photo = np.zeros((300, 300, 3), np.uint8)
    face = Face(box=(100, 50, 80, 100), score=1.0)

    corners = crop_face(photo, face, size=60, margin=1.5).footprint

    np.testing.assert_allclose(corners.max(axis=0) - corners.min(axis=0), (120, 120), atol=1e-6)
    np.testing.assert_allclose(corners.mean(axis=0)[0], 140, atol=1e-6)  # Centred across.
    assert 100 < corners.mean(axis=0)[1] < 115  # A little below the box centre (100).


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(
    "face, size",
    [
        (TILTED, 64),  # A 143-pixel square shrunk to 64: the crop loses detail.
        (Face(box=(200, 150, 40, 50), score=1.0, landmarks=EYES), 128),  # Enlarged 3x.
    ],
    ids=["shrunk", "enlarged"],
)
def test_identity_edit_round_trip_leaves_photo_unchanged(face, size, align):
    photo = textured_photo()
    crop = crop_face(photo, face, size=size, align=align)

    result = paste_face(photo, crop, crop.image.copy())
    with_attention = paste_face(photo, crop, crop.image.copy(), attention=np.ones((size, size, 1)))

    assert np.abs(result.astype(int) - photo).max() <= 1
    assert np.abs(with_attention.astype(int) - photo).max() <= 1


@pytest.mark.parametrize("align", [False, True])
def test_strong_edit_touches_nothing_outside_the_crop(align):
    photo = textured_photo()
    crop = crop_face(photo, TILTED, size=64, align=align)

    result = paste_face(photo, crop, strong_edit(crop.image))

    outside = outside_footprint(crop, photo.shape)
    np.testing.assert_array_equal(result[outside], photo[outside])
    centre = np.all(np.abs(crop_coordinates(crop, photo.shape) - 31.5) < 16, axis=-1)
    assert np.abs(result[centre].astype(int) - photo[centre]).mean() > 50
    assert not np.shares_memory(result, photo)


def test_face_across_the_border_is_mirrored_in_and_pasted_safely():
    photo = textured_photo()
    face = Face(box=(-40, 200, 120, 140), score=1.0)

    crop = crop_face(photo, face, size=64, align=False)
    identity = paste_face(photo, crop, crop.image.copy())
    edited = paste_face(photo, crop, strong_edit(crop.image))

    assert crop.image.min(axis=2).mean() > 40  # Mirrored photo, not a black bar.
    np.testing.assert_array_equal(identity, photo)
    outside = outside_footprint(crop, photo.shape)
    np.testing.assert_array_equal(edited[outside], photo[outside])
    assert not np.array_equal(edited, photo)


def patch_attention(size: int, rows: slice, cols: slice) -> np.ndarray:
    attention = np.ones((size, size, 1), np.float32)
    attention[rows, cols] = 0.0
    return attention


def test_attention_confines_the_edit_to_changed_regions():
    photo = textured_photo()
    crop = crop_face(photo, TILTED, size=64)
    attention = patch_attention(64, slice(40, 52), slice(24, 40))

    result = paste_face(photo, crop, strong_edit(crop.image), attention=attention)

    coords = crop_coordinates(crop, photo.shape)
    x, y = coords[..., 0], coords[..., 1]
    gap = np.maximum.reduce([24 - x, x - 39, 40 - y, y - 51])  # Distance outside the patch.
    far = gap > 10  # Beyond the dilation and blur of the change map.
    np.testing.assert_array_equal(result[far], photo[far])
    inside = gap < -2
    assert np.abs(result[inside].astype(int) - photo[inside]).mean() > 50


def test_painted_regions_drop_the_old_detail():
    photo = textured_photo()
    crop = crop_face(photo, TILTED, size=64)  # Shrinks ~2.2x: the noise is lost in the crop.
    edited = crop.image.copy()
    edited[40:52, 24:40] = (0, 255, 0)  # The generator painted a flat colour here.

    attention = patch_attention(64, slice(40, 52), slice(24, 40))

    result = paste_face(photo, crop, edited, attention=attention)

    coords = crop_coordinates(crop, photo.shape)
    core = (np.abs(coords[..., 0] - 31.5) < 4) & (np.abs(coords[..., 1] - 45.5) < 2)
    pasted = result[core].astype(float)
    assert pasted.std(axis=0).max() < 4  # The photo's noise (std 25) did not show through.
    np.testing.assert_allclose(pasted.mean(axis=0), (0, 255, 0), atol=4)


def test_paste_validates_its_inputs():
    photo = textured_photo()
    crop = crop_face(photo, TILTED, size=32)

    with pytest.raises(ValueError, match="photo the crop was cut from"):
        paste_face(photo[:100], crop, crop.image)
    with pytest.raises(ValueError, match="edited_face"):
        paste_face(photo, crop, crop.image.astype(np.float32))
    with pytest.raises(ValueError, match="attention"):
        paste_face(photo, crop, crop.image, attention=np.ones((16, 16)))
    with pytest.raises(ValueError, match="feather"):
        paste_face(photo, crop, crop.image, feather=0)
    with pytest.raises(ValueError, match="size"):
        crop_face(photo, TILTED, size=4)
