"""Distributed training: N replicas take the step one device takes on the global batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tensorflow as tf

from tfganimation.distribute import is_multi_worker, make_strategy
from tfganimation.ganimation import LOSS_NAMES


@pytest.mark.slow
def test_mirrored_update_equals_single_device_update():
    helper = Path(__file__).with_name("mirrored_vs_single_device.py")
    # The checkout's package, not an installed one: a script's folder, not the cwd, is on its path.
    checkout = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    result = subprocess.run(
        [sys.executable, str(helper)], capture_output=True, text=True, timeout=600, env=checkout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    single, mirrored = report["single"], report["mirrored"]

    assert (single["replicas"], mirrored["replicas"]) == (1, 2)
    # 6 batches of 4 (2 per replica): 6 critic steps, 1 generator step.
    for run in (single, mirrored):
        assert (run["global_step"], run["generator_steps"]) == (6, 1)
    assert single["change"] > 1e-4  # the weights did move...
    assert report["max_weight_difference"] < 1e-5  # ...and identically.
    for logs in ("fit", "evaluate"):
        for name in LOSS_NAMES:
            assert mirrored[logs][name] == pytest.approx(single[logs][name], rel=1e-5, abs=1e-8), (
                name
            )


def test_make_strategy():
    assert make_strategy("default") is tf.distribute.get_strategy()
    assert not is_multi_worker(make_strategy("default"))
    with pytest.raises(ValueError, match="strategy must be one of"):
        make_strategy("tpu")
