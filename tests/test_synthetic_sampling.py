"""sample_aus: realistic AU draws — sparse, correlated, in range, reproducible."""

import numpy as np

from tfganimation import aus
from tfganimation.synthetic import sample_aus

DRAWS = sample_aus(np.random.default_rng(0), 2000)


def test_shape_range_and_reproducibility():
    assert DRAWS.shape == (2000, aus.N_AUS) and DRAWS.dtype == np.float32
    assert DRAWS.min() >= 0.0 and DRAWS.max() <= aus.OPENFACE_MAX_INTENSITY
    np.testing.assert_array_equal(DRAWS[:5], sample_aus(np.random.default_rng(0), 5))
    assert sample_aus(np.random.default_rng(0), 0).shape == (0, aus.N_AUS)


def test_draws_are_sparse_with_some_neutral_faces():
    active = (DRAWS >= 1.0).sum(axis=1)
    assert np.median(active) <= 3
    assert 0.1 < np.mean(active == 0) < 0.4
    assert DRAWS.mean() < 0.8  # uniform noise over 0..5 would average 2.5


def test_draws_follow_the_preset_correlations():
    def present(code):
        return DRAWS[:, aus.au_index(code)] >= 1.0

    smile = present("AU12")
    assert present("AU06")[smile].mean() > 2 * present("AU06").mean()
    assert present("AU02")[present("AU01")].mean() > 2 * present("AU02").mean()
    assert present("AU25")[present("AU26")].mean() > 0.5
    assert all(present(code).any() for code in aus.AU_CODES)
