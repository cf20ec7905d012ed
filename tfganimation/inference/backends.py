"""The three runtimes an `Animator` can drive, behind one uint8-in, uint8-out interface.

Every backend runs the export contract of `tfganimation.export.signatures`:
uint8 RGB faces and OpenFace-scale AUs (0..5) in; the edited face and colour
map as uint8 and the attention map as float32 in [0, 1] out. The Keras
backend wraps the generator in the very `make_animate` function the exports
are built from, and the other two run exported files with the runners the
export's parity check uses (`tfganimation.export.runners`), so all three
round, clip and scale identically and differ only by their runtime's
arithmetic. The dependency goes inference → export, never back.

Each backend also says which precision it computes in (`precision`, and
`metadata["precision"]`). The Keras backend runs the generator in the one
asked for (`tfganimation.precision.inference_precision`: `"auto"` is
bfloat16 where the hardware computes it natively); an exported file runs in
the precision it was written in, so `"auto"` takes that and any other
request is refused.

Which backend a model takes, and which files it reads, is decided by
`tfganimation.model_files.resolve_model`:

| backend | reads | runs on |
|---|---|---|
| `"keras"` | a training run, a `.keras` file, a PyTorch checkpoint or `"demo"` | TensorFlow, with the critic |
| `"saved_model"` | a SavedModel, or an export folder's `saved_model/` | TensorFlow |
| `"litert"` | a `.tflite` file, or an export folder's most exact one | LiteRT's interpreter |

The runtimes are imported when a backend is built, not here.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

import numpy as np

from tfganimation.choices import BACKENDS, INFERENCE_PRECISIONS
from tfganimation.faces.framing import DEFAULT_FRAMING
from tfganimation.model_files.reference import (
    KERAS_KINDS,
    ModelReference,
    exported_training_data,
    resolve_model,
)
from tfganimation.version import __version__


class Backend(Protocol):
    """What `Animator` needs from a model runtime; implement it to plug in another one.

    Attributes:
        name: str. Short name of the runtime, e.g. `"litert"`.
        image_size: int. Height and width of the faces `edit` takes.
        has_critic: bool. Whether `estimate_aus` works.
        metadata: dict. What is known about the model (see `Animator.metadata`),
            with `"precision"`, the arithmetic it runs in, where known.
    """

    name: str
    image_size: int
    has_critic: bool
    metadata: dict[str, Any]

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        """uint8 faces `[N, S, S, 3]`, float32 AUs `[N, 17]` (0..5) → each face edited to its AUs.

        This is one edit per face, the exported `animate` signature (a name
        the file format keeps; see `tfganimation.export.signatures`).

        The outputs are `{"image": uint8 [N, S, S, 3], "attention": float32
        [N, S, S, 1], "color": uint8 [N, S, S, 3]}`, as numpy arrays.
        """

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        """uint8 faces `[N, S, S, 3]` → float32 AUs `[N, 17]`, OpenFace scale 0..5."""


def load_backend(
    model: str | os.PathLike | ModelReference,
    backend: str | None = None,
    threads: int | None = None,
    precision: str = "auto",
) -> Backend:
    """Loads `model` in the named runtime, or the one its reference implies.

    Args:
        model: path, `"demo"` or a `ModelReference`: see
            `tfganimation.model_files.resolve_model`. An export folder
            serves two runtimes' files: its SavedModel for `"saved_model"`
            (the default), its most exact `.tflite` for `"litert"`.
        backend: str or `None`. One of `BACKENDS`; `None` picks the
            reference's first runtime.
        threads: int or `None`. LiteRT interpreter threads; `None` uses every
            core. TensorFlow always uses every core.
        precision: str. One of `INFERENCE_PRECISIONS`. `"auto"` (the
            default) runs a Keras model in bfloat16 where the hardware
            computes it natively (else float32; `$TFGANIMATION_PRECISION`
            overrides) and an exported file in the precision it holds;
            `"float32"` or `"bfloat16"` must be what an exported file holds.

    Raises:
        FileNotFoundError: nothing at `model` (see `resolve_model`).
        ValueError: an unknown backend or precision, a backend the model has
            no file for, a file the runtime cannot read, or a precision the
            file does not hold.
    """
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}. Expected one of {BACKENDS}.")
    if precision not in INFERENCE_PRECISIONS:
        raise ValueError(
            f"precision must be one of {INFERENCE_PRECISIONS}. Received: precision={precision!r}"
        )
    reference = resolve_model(model)  # Also the clear error when nothing is there.
    backend = backend or reference.runtimes[0]
    if backend not in reference.runtimes:
        if reference.kind in KERAS_KINDS:
            raise ValueError(
                f"{reference.name} is a Keras model ({reference.kind}), run by the keras backend; "
                f"for {backend}, export it first: tfganimation export --model {reference.name} --out DIR"
            )
        raise ValueError(
            f"{reference.name} has no file for the {backend} backend; it serves "
            f"{', '.join(reference.runtimes)}."
        )
    if backend == "keras":
        return _KerasBackend(reference, precision)
    if backend == "saved_model":
        return _SavedModelBackend(reference, precision)
    return _LiteRTBackend(reference, threads, precision)


class _KerasBackend:
    """The generator (and critic) of any model Keras loads (`load_model`), in TensorFlow.

    The generator computes in the precision `inference_precision` resolves
    (a bfloat16 copy with the same weights, `in_precision`); the critic,
    which only reads AUs, stays in float32.
    """

    name = "keras"

    def __init__(self, reference: ModelReference, precision: str):
        import tensorflow as tf

        from tfganimation.export.metadata import weights_digest
        from tfganimation.export.signatures import image_spec, make_estimate_aus
        from tfganimation.inference.graph_session import GraphSession, frozen_animate
        from tfganimation.model_files.loading import load_model
        from tfganimation.precision import in_precision, inference_precision
        from tfganimation.torch_checkpoints.conversion import published_weights_name

        self.precision = inference_precision(precision)
        loaded = load_model(reference)
        generator = in_precision(loaded.generator, self.precision)
        self.image_size = int(generator.image_size)
        self.has_critic = loaded.critic is not None
        # The export's own functions, traced once for any batch size and
        # run as frozen graphs: no per-call set-up in any host (see GraphSession).
        self._edit = frozen_animate(generator, self.image_size)
        self._estimate = (
            GraphSession(
                tf.function(
                    make_estimate_aus(loaded.critic), input_signature=[image_spec(self.image_size)]
                )
            )
            if self.has_critic
            else None
        )
        data = reference.training_data
        if data is None and loaded.source:  # A checkpoint says whose weights once converted.
            data = published_weights_name(loaded.source)
        self.metadata = {
            "model_file": str(loaded.path),
            "training_data": data,
            "model_version": weights_digest(generator),  # Of the copy that runs.
            "tfganimation_version": __version__,
            "framing": loaded.framing,
            "precision": self.precision,
        }

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        return self._edit(image=images, aus=aus)

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        if self._estimate is None:
            raise ValueError("This model has no critic to estimate AUs with.")
        return self._estimate(image=images)["aus"]


class _SavedModelBackend:
    """The `animate` (and `estimate_aus`) signatures of an exported SavedModel."""

    name = "saved_model"

    def __init__(self, reference: ModelReference, precision: str):
        from tfganimation.export.metadata import saved_model_precision
        from tfganimation.export.runners import SavedModelRunner

        folder = reference.files["saved_model"]
        self.precision = _held_precision(saved_model_precision(reference.record), precision, folder)
        self._runner = SavedModelRunner(folder)
        self.image_size = self._runner.image_size
        self.has_critic = self._runner.has_critic
        self.metadata = {
            **_describe(reference.record),
            "model_file": str(folder),
            "precision": self.precision,
        }

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        return self._runner.animate(images, aus)

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        return self._runner.estimate_aus(images)


class _LiteRTBackend:
    """A `.tflite` file's batch-1 `animate` signature in LiteRT; faces run one at a time."""

    name = "litert"
    has_critic = False  # The `.tflite` files hold the generator only.

    def __init__(self, reference: ModelReference, threads: int | None, precision: str):
        from tfganimation.export.metadata import read_metadata
        from tfganimation.export.runners import LiteRTRunner

        file = reference.files["tflite"]
        try:
            document = read_metadata(file)
        except ValueError:  # A foreign model: it runs, but nothing more is known.
            document = {}
        variant = document.get("variant")
        # A LiteRT file computes in its variant: float32 (float32_winograd too),
        # float16, dynamic or int8.
        held = "float32" if variant == "float32_winograd" else variant or "unknown"
        self.precision = _held_precision(held, precision, file)
        self._runner = LiteRTRunner(file, threads)
        self.image_size = self._runner.image_size
        self.metadata = _describe(document)
        self.metadata.update(
            {"model_file": str(file), "variant": variant, "precision": self.precision}
        )

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        return self._runner.animate(images, aus)

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        raise ValueError("LiteRT models hold the generator only; they cannot estimate AUs.")


def _held_precision(held: str, requested: str, file: str | os.PathLike) -> str:
    """The precision an exported file runs in: what it holds, which a request must match.

    Raises:
        ValueError: `requested` is a precision other than `held`: the file
            cannot be run in another one.
    """
    if requested not in ("auto", held):
        where = {
            "float32": "a float32 SavedModel or generator_float32.tflite",
            "bfloat16": "a SavedModel exported with --precision bfloat16",
        }[requested]
        raise ValueError(
            f"Refused: {file} holds a {held} model, and an exported file runs in the precision "
            f"it holds, not in {requested}. Leave the precision at auto to run it as it is, or "
            f"run {where}."
        )
    return held


def _describe(document: dict[str, Any]) -> dict[str, Any]:
    """The `Animator.metadata` fields an export's metadata document provides."""
    return {
        "training_data": exported_training_data(document),
        "model_version": document.get("model_version"),
        "tfganimation_version": __version__,
        "exported_with": document.get("tfganimation_version"),
        "framing": document.get("framing", DEFAULT_FRAMING),
    }
