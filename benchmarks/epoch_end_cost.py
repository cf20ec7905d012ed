"""What an epoch end costs a `train` run, against the epoch it ends.

Runs the real `tfganimation.training.train` (validation, backup, epoch
checkpoints, history, TensorBoard: everything an epoch end does) for two
epochs of `n_critic + 1` steps on random-blob images (and one step of a
third), and times with a callback placed last:

* a training step: the mean interval between batch ends over the first
  epoch's steps after the first (which traces): `n_critic` of them, so that
  the generator's step is counted at its share;
* the epoch end: from the end of the epoch's last batch to the start of the
  next epoch, i.e. validation plus every callback's `on_epoch_end`; the
  second epoch's, as the first includes tracing the validation step.

The cost of an epoch end relative to an epoch of E steps is then
`epoch_end / (E * step)`; the report gives it for `--epoch-steps` (by
default 8,000: one pass over a 200,000-image training split, the size of
the reference's EmotioNet subset, at batch 25) and the shortest epoch for
which it stays under 5%. The load average is reported with it: on a shared
machine both times stretch, not necessarily alike.

    python benchmarks/epoch_end_cost.py                   # the paper's model, validation_steps 10
    python benchmarks/epoch_end_cost.py --image-size 64 --conv-dim 16 --residual-blocks 4 \\
        --batch-size 16 --validation-steps 8 --epoch-steps 500   # the demo model's recipe
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def write_blobs(folder: Path, n_images: int, size: int, test_fraction: float) -> Path:
    """A manifest dataset of blurred-noise JPEGs: decoding costs what real photos cost."""
    import cv2

    from tfganimation.data import write_manifest

    rng = np.random.default_rng(0)
    files, splits = [], []
    (folder / "images").mkdir(parents=True)
    for i in range(n_images):
        image = cv2.GaussianBlur(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), (9, 9), 0)
        files.append(f"images/{i:05d}.jpg")
        cv2.imwrite(str(folder / files[-1]), image)
        splits.append("test" if i < test_fraction * n_images else "train")
    write_manifest(folder, files, splits, rng.uniform(0, 5, (n_images, 17)))
    return folder


def measure(args: argparse.Namespace) -> dict:
    import keras

    from tfganimation.training import TrainConfig, train

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.batch_ends, self.epoch_ends, self.last_batch_end = [], [], None

        def on_train_batch_end(self, batch, logs=None):
            self.last_batch_end = time.perf_counter()
            self.batch_ends.append(self.last_batch_end)

        def on_epoch_begin(self, epoch, logs=None):
            if self.last_batch_end is not None:
                self.epoch_ends.append(time.perf_counter() - self.last_batch_end)
            if epoch == 2:  # both epoch ends are timed: one more step ends the run
                self.model.stop_training = True

    steps_per_epoch = args.n_critic + 1
    n_test = args.validation_steps * args.batch_size
    n_train = steps_per_epoch * args.batch_size
    with tempfile.TemporaryDirectory() as scratch:
        data = write_blobs(Path(scratch) / "data", n_train + n_test, args.image_size, n_test / (n_train + n_test))
        config = TrainConfig(
            data=str(data), out=str(Path(scratch) / "run"), image_size=args.image_size,
            batch_size=args.batch_size, epochs=3, decay_epochs=1, conv_dim=args.conv_dim,
            residual_blocks=args.residual_blocks, n_critic=args.n_critic, steps_per_epoch=steps_per_epoch,
            validation_steps=args.validation_steps,
        )  # fmt: skip
        timer = Timer()
        load_before = os.getloadavg()
        train(config, verbose=0, callbacks=[timer])
        load_after = os.getloadavg()
    step = float(np.mean(np.diff(timer.batch_ends[:steps_per_epoch])))
    epoch_end = timer.epoch_ends[1]
    return {
        "config": {key: getattr(config, key) for key in (
            "image_size", "batch_size", "conv_dim", "residual_blocks", "n_critic", "validation_steps",
            "keep_checkpoints",
        )},  # fmt: skip
        "step_seconds": round(step, 3),
        "epoch_end_seconds": round(epoch_end, 3),
        "epoch_end_in_steps": round(epoch_end / step, 2),
        "epoch_steps": args.epoch_steps,
        "epoch_end_share_of_epoch": round(epoch_end / (args.epoch_steps * step), 5),
        "shortest_epoch_under_5_percent_in_steps": int(np.ceil(20 * epoch_end / step)),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image-size", type=int, default=128)
    parser.add_argument("--conv-dim", type=int, default=64)
    parser.add_argument("--residual-blocks", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--n-critic", type=int, default=5)
    parser.add_argument("--validation-steps", type=int, default=10)
    parser.add_argument("--epoch-steps", type=int, default=8000, help="the epoch to compare with")
    print(json.dumps(measure(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
