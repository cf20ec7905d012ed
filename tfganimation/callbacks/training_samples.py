"""Pictures of training: a fixed grid of edits, every N steps."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from tfganimation.atomic import write_bytes_atomically
from tfganimation.aus import preset, to_model_scale
from tfganimation.callbacks.global_step import GlobalStepCallback
from tfganimation.pixels import to_uint8

DEFAULT_PRESETS = ("happy", "sad", "surprise")
"""The expressions `TrainingSamples` edits to, from `tfganimation.aus.PRESETS`."""


class TrainingSamples(GlobalStepCallback):
    """Every `every` steps, writes a grid of edits and the step's scalars.

    The grid has one row per face of `faces` (the same faces all run long)
    and the columns

        input · edit to each preset · attention · colour · reconstruction

    where the attention A, the colour map C and the reconstruction
    `G(G(x, y_preset), y_real)` belong to the edit to the first preset. It
    goes to TensorBoard (`tf.summary.image`, tag `samples`) and to
    `image_dir/step_000500.png`. Alongside, at the same step: the logged
    losses (`loss/d_loss`, ...; `fit`'s running means of the epoch) and both
    learning rates (`learning_rate/generator`, `learning_rate/critic`),
    which Keras' `TensorBoard` callback does not see since `GANimation` has
    two optimizers and no `model.optimizer`. The step axis is the run's
    global step, so a resumed run continues the same curves.

    Only the chief worker writes. A grid is also written when training ends.

    Args:
        faces: dict with `image` (`[rows, H, W, 3]` in [-1, 1]) and
            `real_aus` (`[rows, 17]`, 0..1). Usually held-out faces.
        log_dir: str or path-like. TensorBoard folder for the images and
            scalars.
        image_dir: str or path-like. Folder for the PNG grids.
        every: int. Steps between grids. Defaults to 500.
        presets: names in `tfganimation.aus.PRESETS`. Defaults to
            `("happy", "sad", "surprise")`.

    Example:
    ```python
    faces = next(iter(load_dataset("data", "test", batch_size=4, shuffle=False)))
    samples = TrainingSamples(faces, "run/logs/samples", "run/samples", every=500)
    model.fit(dataset, callbacks=[samples])
    ```
    """

    def __init__(
        self,
        faces: Mapping[str, np.ndarray],
        log_dir: str | os.PathLike,
        image_dir: str | os.PathLike,
        every: int = 500,
        presets: Sequence[str] = DEFAULT_PRESETS,
    ):
        if every < 1 or not presets:
            raise ValueError(
                f"every must be >= 1 and presets not empty. Received: every={every}, presets={presets}"
            )
        super().__init__()
        self.images = np.asarray(faces["image"], "float32")
        self.real_aus = np.asarray(faces["real_aus"], "float32")
        self.targets = [to_model_scale(preset(name)) for name in presets]
        self.log_dir = Path(log_dir)
        self.image_dir = Path(image_dir)
        self.every = every
        self._writer = None
        self._written_step = None

    def on_train_batch_end(self, batch, logs=None):
        super().on_train_batch_end(batch, logs)
        if self.global_step % self.every == 0:
            self.write(logs)

    def on_train_end(self, logs=None):
        if self._written_step != self.global_step:
            self.write(logs)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def write(self, logs: Mapping[str, float] | None = None) -> None:
        """Writes the grid and the scalars for the current global step."""
        if not self.model.distribute_strategy.extended.should_checkpoint:
            return
        grid = self.grid()
        self.image_dir.mkdir(parents=True, exist_ok=True)
        path = self.image_dir / f"step_{self.global_step:06d}.png"
        write_bytes_atomically(path, tf.io.encode_png(grid).numpy())

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.log_dir))
        with self._writer.as_default(step=self.global_step):
            tf.summary.image("samples", grid[None], max_outputs=1)
            for name, value in (logs or {}).items():
                tf.summary.scalar(f"loss/{name}", value)
            for name, optimizer in (
                ("generator", self.model.g_optimizer),
                ("critic", self.model.d_optimizer),
            ):
                rate = keras.ops.convert_to_numpy(optimizer.learning_rate)
                tf.summary.scalar(f"learning_rate/{name}", float(rate))
        self._writer.flush()
        self._written_step = self.global_step

    def grid(self) -> np.ndarray:
        """The picture: uint8 `[rows · H, (4 + presets) · W, 3]`."""
        generator = self.model.generator
        rows = len(self.images)
        edits = [
            generator((self.images, np.tile(target, (rows, 1))), training=False)
            for target in self.targets
        ]
        first_edit, color, attention = edits[0]
        reconstructed, _, _ = generator((first_edit, self.real_aus), training=False)
        columns = [
            self.images,
            *(edited for edited, _, _ in edits),
            tf.tile(attention * 2.0 - 1.0, [1, 1, 1, 3]),
            color,
            reconstructed,
        ]
        # [rows, H, columns · W, 3] -> [rows · H, columns · W, 3]
        strip = tf.concat([tf.cast(column, "float32") for column in columns], axis=2)
        height, width = strip.shape[1], strip.shape[2]
        picture = tf.reshape(strip, (rows * height, width, 3))
        return to_uint8(picture)
