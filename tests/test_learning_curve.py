"""The learning curve: every generator snapshot scored once, on the same pairs."""

import numpy as np
import pytest
from conftest import TINY

import tfganimation
from tfganimation.callbacks.generator_snapshots import snapshot_name
from tfganimation.evaluation.learning_curve import learning_curve, plot_curve, read_curve, snapshot_steps
from tfganimation.synthetic import sample_identity

IDENTITIES = [sample_identity(np.random.default_rng([3, i])) for i in range(2)]


def brightness_oracle(images):
    return np.repeat(np.asarray(images).mean(axis=(1, 2, 3))[:, None], 17, axis=1)


def save_snapshot(generator, folder, step):
    folder.mkdir(exist_ok=True)
    generator.save_weights(folder / snapshot_name(step))


def test_each_snapshot_is_scored_once_and_rows_come_in_step_order(tmp_path):
    snapshots = tmp_path / "snapshots"
    generator = tfganimation.Generator(**TINY)
    save_snapshot(generator, snapshots, 500)
    save_snapshot(tfganimation.Generator(**TINY), snapshots, 250)
    (snapshots / "notes.txt").write_text("not a snapshot")
    assert list(snapshot_steps(snapshots)) == [250, 500]

    csv_path = tmp_path / "curve.csv"
    rows = learning_curve(generator, snapshots, IDENTITIES, csv_path, oracle=brightness_oracle,
                          n_pairs=3)  # fmt: skip
    assert [row["generator_step"] for row in rows] == [250, 500]
    assert all(np.isfinite(row["oracle_au_ratio"]) and row["region_l1_ratio"] > 0 for row in rows)
    assert read_curve(csv_path) == rows

    save_snapshot(generator, snapshots, 750)
    (snapshots / snapshot_name(250)).unlink()  # already scored: not read again
    rows = learning_curve(generator, snapshots, IDENTITIES, csv_path, oracle=brightness_oracle,
                          n_pairs=3)  # fmt: skip
    assert [row["generator_step"] for row in rows] == [250, 500, 750]
    assert len(read_curve(csv_path)) == 3


def test_the_same_weights_score_the_same_on_the_same_pairs(tmp_path):
    snapshots = tmp_path / "snapshots"
    generator = tfganimation.Generator(**TINY)
    for step in (1, 2):
        save_snapshot(generator, snapshots, step)
    first, second = learning_curve(generator, snapshots, IDENTITIES, tmp_path / "c.csv",
                                   oracle=brightness_oracle, n_pairs=3)  # fmt: skip
    assert first["region_l1_ratio"] == second["region_l1_ratio"]
    assert first["oracle_au_ratio"] == second["oracle_au_ratio"]


def test_plot_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    rows = [{"generator_step": s, "oracle_au_ratio": 1 / s, "region_l1_ratio": 1.0} for s in (1, 10)]
    path = plot_curve(rows, tmp_path / "curve.png")
    assert path.stat().st_size > 1000
