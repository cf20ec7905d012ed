"""The AU oracle: independent of the GAN, accurate on faces it never saw, not fooled by speckle."""

import numpy as np
import pytest
import tensorflow as tf

from tfganimation.pixels import to_signed
from tfganimation.oracle import AUOracle, load_oracle, oracle_record, save_oracle
from tfganimation.oracle.training import OracleConfig, corrupt, measure, oracle_identities, render_set


def fresh_faces(count: int, seed: int):
    """Renders of identities neither the oracle nor any dataset drew (their own seed)."""
    rng = np.random.default_rng([seed, 99])
    from tfganimation.synthetic import sample_identity

    identities = [sample_identity(rng) for _ in range(count)]
    images, aus = render_set(identities, 2, seed)
    return to_signed(images), aus


def test_shipped_oracle_meets_its_recorded_bound_on_unseen_faces():
    record = oracle_record()
    images, aus = fresh_faces(40, seed=5)
    measured = measure(load_oracle(), images, aus)
    assert measured["mse_ratio"] <= record["bound"]["mse_ratio"]


def test_shipped_oracle_ranks_the_truth_far_above_copying():
    from tfganimation.evaluation import score_au_control, shipped_oracle
    from tfganimation.synthetic import sample_identity

    identities = [sample_identity(np.random.default_rng([11, i])) for i in range(8)]
    report = score_au_control(lambda images, aus: (images, None), identities, 64, n_pairs=48,
                      pairs_per_au=0, oracle=shipped_oracle())  # fmt: skip
    assert report.oracle.truth < 0.5 * report.oracle.copy
    assert report.oracle_au_ratio == pytest.approx(1.0)  # copying scores the copy baseline


def test_oracle_identities_are_disjoint_from_the_demos_evaluation_faces():
    from tfganimation.demo import demo_test_identities

    evaluated = {repr(identity.to_dict()) for identity in demo_test_identities().values()}
    config = OracleConfig(n_identities=300, n_heldout=50)
    for split in ("train", "heldout"):
        assert not evaluated & {repr(i.to_dict()) for i in oracle_identities(config, split)}
    train = {repr(i.to_dict()) for i in oracle_identities(config, "train")}
    assert not train & {repr(i.to_dict()) for i in oracle_identities(config, "heldout")}


def test_corruption_is_seeded_and_keeps_images_in_shape():
    images = tf.random.uniform([4, 64, 64, 3], -1, 1, seed=0)
    seed = tf.constant([1, 2], tf.int64)
    corrupted = corrupt(images, seed)
    assert corrupted.shape == images.shape
    np.testing.assert_array_equal(corrupted, corrupt(images, seed))
    assert not np.allclose(corrupted, images)


def test_oracle_round_trips_and_reads_any_size(tmp_path):
    oracle = AUOracle(widths=(4, 8, 8))
    save_oracle(oracle, {"heldout": {}}, tmp_path)
    restored = load_oracle(tmp_path)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(restored(images, training=False), oracle(images, training=False),
                               atol=1e-6)  # fmt: skip
    assert restored(np.zeros((1, 128, 128, 3), np.float32)).shape == (1, 17)


def test_missing_oracle_is_one_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="oracle is missing"):
        load_oracle(tmp_path / "nowhere")
