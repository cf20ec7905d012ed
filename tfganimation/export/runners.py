"""Running exported files: one runner for a SavedModel, one for a `.tflite`, used everywhere.

The parity check (`tfganimation.export.parity`) and the inference backends
(`tfganimation.inference.backends`) both run exported files through these, so
a file is checked the way it is served. The dependency goes inference →
export: the backends add what is known about the model to a runner; nothing
in `tfganimation.export` imports `tfganimation.inference`.

Both take and give the export contract (`tfganimation.export.signatures`):
uint8 faces `[N, S, S, 3]` and float32 OpenFace AUs `[N, 17]` in;
`{"image": uint8, "attention": float32, "color": uint8}` out. The runtimes
are imported when a runner is built, so the LiteRT runner needs no TensorFlow.
"""

from __future__ import annotations

import os

import numpy as np

from tfganimation.model_files.names import ANIMATE, ESTIMATE_AUS

Outputs = dict[str, np.ndarray]


class SavedModelRunner:
    """The `animate` (and `estimate_aus`) signatures of a SavedModel folder, in TensorFlow.

    Args:
        folder: path. The SavedModel (the folder holding `saved_model.pb`).

    Raises:
        ValueError: the SavedModel has no `animate` signature.
    """

    def __init__(self, folder: str | os.PathLike):
        import tensorflow as tf

        signatures = tf.saved_model.load(str(folder)).signatures
        if ANIMATE not in signatures:
            raise ValueError(
                f"{folder} has no {ANIMATE!r} signature (signatures: {sorted(signatures)}); "
                "was it written by tfganimation export?"
            )
        self._animate = signatures[ANIMATE]
        self._estimate_aus = signatures.get(ESTIMATE_AUS)
        self.image_size = int(self._animate.structured_input_signature[1]["image"].shape[1])
        self.has_critic = self._estimate_aus is not None

    def animate(self, images: np.ndarray, aus: np.ndarray) -> Outputs:
        """Each face edited to its AUs, the whole batch in one call."""
        import tensorflow as tf

        outputs = self._animate(image=tf.constant(images), aus=tf.constant(aus))
        return {name: value.numpy() for name, value in outputs.items()}

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        """The critic's AUs of each face, float32 `[N, 17]` on the OpenFace scale."""
        if self._estimate_aus is None:
            raise ValueError(f"This SavedModel has no {ESTIMATE_AUS!r} signature.")
        import tensorflow as tf

        return self._estimate_aus(image=tf.constant(images))["aus"].numpy()


class LiteRTRunner:
    """A `.tflite` file's batch-1 `animate` signature in LiteRT's interpreter; faces run one by one.

    Args:
        file: path. The `.tflite` file.
        threads: int or `None`. Interpreter threads; `None` uses every core.

    Raises:
        ValueError: `threads` < 1, or the file is no LiteRT model with an
            `animate` signature.
    """

    def __init__(self, file: str | os.PathLike, threads: int | None = None):
        from ai_edge_litert.interpreter import Interpreter

        if threads is not None and threads < 1:
            raise ValueError(f"`threads` must be >= 1. Received: threads={threads}")
        try:
            interpreter = Interpreter(model_path=str(file), num_threads=threads or os.cpu_count())
            self._animate = interpreter.get_signature_runner(ANIMATE)
        except ValueError as error:
            raise ValueError(
                f"{file} is not a LiteRT model with an {ANIMATE!r} signature: {error}"
            ) from error
        self.image_size = int(self._animate.get_input_details()["image"]["shape"][1])

    def animate(self, images: np.ndarray, aus: np.ndarray) -> Outputs:
        """Each face edited to its AUs, one interpreter call per face."""
        outputs = [
            self._animate(image=images[index : index + 1], aus=aus[index : index + 1])
            for index in range(len(images))
        ]
        return {name: np.concatenate([output[name] for output in outputs]) for name in outputs[0]}
