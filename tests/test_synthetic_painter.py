"""The renderer's primitives: shapes in face units, painted on the canvas."""

import numpy as np

from tfganimation.synthetic.identity import sample_identity
from tfganimation.synthetic.painter import Painter, band, ellipse, mix, shade, xy


def test_band_runs_along_the_top_and_back_along_the_bottom():
    x = np.array([0.0, 1.0, 2.0])
    polygon = band(x, np.array([0.0, 0.1, 0.2]), np.array([1.0, 1.1, 1.2]))
    np.testing.assert_array_equal(polygon[:, 0], [0, 1, 2, 2, 1, 0])
    np.testing.assert_array_equal(polygon[:, 1], [0.0, 0.1, 0.2, 1.2, 1.1, 1.0])


def test_xy_broadcasts_a_scalar_coordinate():
    np.testing.assert_array_equal(xy(np.array([1.0, 2.0]), 3.0), [[1, 3], [2, 3]])


def test_an_ellipse_keeps_its_radii_and_flip_mirrors_it():
    points = ellipse(1.0, 2.0, 0.5, 0.25)
    np.testing.assert_allclose(points.max(axis=0), [1.5, 2.25], atol=1e-2)
    mirrored = ellipse(0.0, 0.0, 1.0, 1.0, 0.0, np.pi / 2, flip=-1.0)
    assert (mirrored[:, 0] <= 1e-12).all()


def test_colours_mix_and_shade():
    assert mix((0.0, 100.0, 200.0), (100.0, 100.0, 0.0), 0.5) == (50.0, 100.0, 100.0)
    assert shade((100.0, 50.0, 10.0), 0.5) == (50.0, 25.0, 5.0)


def test_a_filled_shape_changes_only_the_canvas_under_it():
    painter = Painter(sample_identity(np.random.default_rng(0)), 64)
    before = painter.image.copy()
    painter.fill((255.0, 0.0, 0.0), ellipse(0.0, 0.0, 0.2, 0.2))
    changed = np.any(painter.image != before, axis=-1)
    assert 0 < changed.sum() < changed.size / 2
