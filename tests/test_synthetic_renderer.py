"""render_face: deterministic, smooth in the AUs, and each AU moves the right anatomy.

The anatomy tests recolour features with marker colours (pure green lips,
pure blue hair and brows, pure red irises, a fixed skin) so that they can be
found in the pixels exactly.
"""

import dataclasses

import numpy as np
import pytest

from tfganimation import aus
from tfganimation.synthetic import au_region_mask, render_face, sample_aus, sample_identity

SIZE = 128
IDENTITIES = [sample_identity(np.random.default_rng(seed)) for seed in range(3)]
MARKED = dataclasses.replace(
    IDENTITIES[0], roll=0.0, glasses=False, hair_style="short",
    skin=(150, 100, 70), lips=(0, 255, 0), hair=(0, 0, 255), iris=(255, 0, 0),
)


def face(code="AU01", intensity=0.0, identity=MARKED, size=SIZE):
    """`identity` showing one AU at `intensity`, all others 0."""
    return render_face(identity, aus.au_vector({code: intensity}), size)


def lip_pixels(image):
    image = image.astype(int)
    return image[..., 1] - np.maximum(image[..., 0], image[..., 2]) > 100


def brow_pixels(image):
    """The brows are the bluest pixels; the lash lines are a darker blue."""
    image = image.astype(int)
    return image[..., 2] - np.maximum(image[..., 0], image[..., 1]) > 90


def light_grey_pixels(image):
    """Eye whites and teeth: bright and nearly colourless, unlike any skin tone."""
    image = image.astype(int)
    return (image.min(axis=-1) >= 200) & (image.max(axis=-1) - image.min(axis=-1) <= 25)


def mouth_shape(image):
    """(width, corner lift) of the lips in pixels; lift > 0 when corners sit above the centre."""
    rows, cols = np.nonzero(lip_pixels(image))
    left, right = cols.min(), cols.max()
    width = right - left
    ends = (cols <= left + 0.1 * width) | (cols >= right - 0.1 * width)
    centre = np.abs(cols - (left + right) / 2) <= 0.1 * width
    return width, rows[centre].mean() - rows[ends].mean()


def test_output_is_uint8_rgb_at_any_size():
    for size in (32, 48, 64, 100):
        image = face(size=size)
        assert image.shape == (size, size, 3) and image.dtype == np.uint8


def test_rendering_is_deterministic():
    expression = sample_aus(np.random.default_rng(0), 1)[0]
    first = render_face(IDENTITIES[1], expression, 64)
    np.testing.assert_array_equal(first, render_face(IDENTITIES[1], expression, 64))
    assert np.any(first != render_face(IDENTITIES[2], expression, 64))


def test_neutral_is_all_zero_aus_and_every_au_changes_it():
    neutral = render_face(IDENTITIES[0], np.zeros(aus.N_AUS), 64)
    np.testing.assert_array_equal(neutral, render_face(IDENTITIES[0], aus.preset("neutral"), 64))
    for code in aus.AU_CODES:
        changed = np.abs(face(code, 5.0, IDENTITIES[0], 64).astype(int) - neutral).max(axis=-1) > 8
        assert changed.sum() >= 10, code


@pytest.mark.parametrize("identity", IDENTITIES)
def test_each_au_changes_only_its_anatomical_region(identity):
    bases = [np.zeros(aus.N_AUS), *sample_aus(np.random.default_rng(1), 2)]
    for base in bases:
        before = render_face(identity, base, 64)
        for index, code in enumerate(aus.AU_CODES):
            target = base.copy()
            target[index] = 5.0 if base[index] < 2.5 else 0.0
            changed = np.any(render_face(identity, target, 64) != before, axis=-1)
            region = au_region_mask(identity, code, 64)
            assert changed.any(), code
            assert not np.any(changed & ~region), f"{code} changed pixels outside its region"
            assert region.mean() < 0.4, code


def test_effects_grow_monotonically_and_interpolate_smoothly():
    identity = IDENTITIES[1]
    neutral = face(identity=identity, size=64).astype(int)
    for code in aus.AU_CODES:
        distances = [np.abs(face(code, k, identity, 64) - neutral).sum() for k in (1, 2, 3, 4, 5)]
        assert all(a < b for a, b in zip(distances, distances[1:])), (code, distances)
        low, middle, high = (face(code, k, identity, 64).astype(int) for k in (2.0, 2.5, 3.0))
        step = np.abs(high - low).sum()
        assert np.abs(middle - low).sum() < step and np.abs(high - middle).sum() < step, code


def test_smile_pulls_corners_up_and_out_and_depressor_pulls_them_down():
    widths, lifts = zip(*(mouth_shape(face("AU12", k)) for k in (0, 2.5, 5)))
    assert widths[0] < widths[1] < widths[2]
    assert lifts[0] < lifts[1] < lifts[2] and lifts[2] - lifts[0] > 2
    sad_lifts = [mouth_shape(face("AU15", k))[1] for k in (0, 2.5, 5)]
    assert sad_lifts[0] > sad_lifts[1] > sad_lifts[2] and sad_lifts[0] - sad_lifts[2] > 1.5


def test_lip_stretcher_widens_and_tightener_thins():
    widths = [mouth_shape(face("AU20", k))[0] for k in (0, 2.5, 5)]
    assert widths[0] < widths[1] < widths[2]
    areas = [lip_pixels(face("AU23", k)).sum() for k in (0, 2.5, 5)]
    assert areas[0] > areas[1] > areas[2] and areas[2] < 0.6 * areas[0]


def test_upper_lip_raiser_lifts_the_upper_lip():
    tops = [np.nonzero(lip_pixels(face("AU10", k)))[0].min() for k in (0, 5)]
    assert tops[1] < tops[0]


def test_mouth_opens_with_lips_part_and_jaw_drop():
    def mouth_height(image):
        rows = np.nonzero(lip_pixels(image)[:, SIZE // 2 - 2:SIZE // 2 + 3])[0]
        return rows.max() - rows.min()

    for code in ("AU25", "AU26"):
        heights = [mouth_height(face(code, k)) for k in (0, 2.5, 5)]
        assert heights[0] < heights[1] < heights[2], (code, heights)
    assert mouth_height(face("AU26", 5)) > mouth_height(face("AU25", 5))
    chin = [_lowest_face_row(face("AU26", k)) for k in (0, 5)]
    assert chin[1] > chin[0] + 3


def _lowest_face_row(image):
    column = image[:, SIZE // 2].astype(int)
    skin = np.array(MARKED.skin)
    face_rows = np.nonzero(np.abs(column - skin).max(axis=-1) <= 4)[0]
    return face_rows.max()


def test_lids_open_with_au05_narrow_with_au07_and_au06_and_close_with_blink():
    eyes = au_region_mask(MARKED, "AU45", SIZE)

    def visible_eye(code, k):
        """Eye whites, irises and pupils: pixels far from the skin tone around the eyes."""
        distance = np.abs(face(code, k).astype(int) - np.array(MARKED.skin)).max(axis=-1)
        return (distance > 60)[eyes].sum()

    for code, direction in (("AU05", 1), ("AU07", -1), ("AU06", -1), ("AU45", -1)):
        sizes = [visible_eye(code, k) * direction for k in (0, 2.5, 5)]
        assert sizes[0] < sizes[1] < sizes[2], (code, sizes)
    closed = face("AU45", 5)
    iris = (closed[..., 0].astype(int) - np.maximum(closed[..., 1], closed[..., 2])) > 100
    assert not np.any((light_grey_pixels(closed) | iris) & eyes)
    assert np.any(light_grey_pixels(face()) & eyes)


def test_brows_raise_at_inner_and_outer_ends_and_lower_together():
    band = au_region_mask(MARKED, "AU01", SIZE)
    rows, cols = np.nonzero(brow_pixels(face()) & band)
    band[: int(np.median(rows)) - 10] = False  # Below the hairline, which is blue too.
    midline = (cols.min() + cols.max()) / 2

    def brow_rows(code, k):
        """Mean row of the brows' inner and outer quarters, and the gap between them."""
        rows, cols = np.nonzero(brow_pixels(face(code, k)) & band)
        offset = np.abs(cols - midline)
        inner, outer = offset < np.percentile(offset, 25), offset > np.percentile(offset, 75)
        return rows[inner].mean(), rows[outer].mean(), offset.min()

    neutral_inner, neutral_outer, neutral_gap = brow_rows("AU01", 0)
    inner, outer, _ = brow_rows("AU01", 5)
    assert neutral_inner - inner > 2.5 and neutral_inner - inner > neutral_outer - outer + 2
    inner, outer, _ = brow_rows("AU02", 5)
    assert neutral_outer - outer > 0.8 and neutral_outer - outer > neutral_inner - inner
    inner, outer, gap = brow_rows("AU04", 5)
    assert inner - neutral_inner > 2.5 and outer - neutral_outer > 1 and gap < neutral_gap


@pytest.mark.parametrize(
    "aus_value, size, message",
    [
        (np.zeros(16), 64, "17 finite"),
        (np.full(17, np.nan), 64, "17 finite"),
        (np.full(17, 5.5), 64, "0..5"),
        (np.zeros(17), 31, "image_size"),
    ],
)
def test_bad_arguments_are_rejected(aus_value, size, message):
    with pytest.raises(ValueError, match=message):
        render_face(IDENTITIES[0], aus_value, size)
