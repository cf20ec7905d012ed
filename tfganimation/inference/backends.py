"""The three runtimes an `Animator` can drive, behind one uint8-in, uint8-out interface.

Every backend runs the export contract of `tfganimation.export.signatures`:
uint8 RGB faces and OpenFace-scale AUs (0..5) in; the edited face and colour
map as uint8 and the attention map as float32 in [0, 1] out. The Keras
backend wraps the generator in the very `make_animate` function the exports
are built from, and the other two run exported files with the runners the
export's parity check uses (`tfganimation.export.runners`), so all three
round, clip and scale identically and differ only by their runtime's
arithmetic. The dependency goes inference → export, never back.

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

from tfganimation.choices import BACKENDS
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
        metadata: dict. What is known about the model (see `Animator.metadata`).
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

    Raises:
        FileNotFoundError: nothing at `model` (see `resolve_model`).
        ValueError: an unknown backend, one the model has no file for, or a
            file the runtime cannot read.
    """
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}. Expected one of {BACKENDS}.")
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
        return _KerasBackend(reference)
    if backend == "saved_model":
        return _SavedModelBackend(reference)
    return _LiteRTBackend(reference, threads)


class _KerasBackend:
    """The generator (and critic) of any model Keras loads (`load_model`), in TensorFlow."""

    name = "keras"

    def __init__(self, reference: ModelReference):
        import tensorflow as tf

        from tfganimation.export.metadata import weights_digest
        from tfganimation.export.signatures import (
            aus_spec,
            image_spec,
            make_animate,
            make_estimate_aus,
        )
        from tfganimation.inference.graph_session import GraphSession
        from tfganimation.model_files.loading import load_model
        from tfganimation.torch_checkpoints.conversion import published_weights_name

        loaded = load_model(reference)
        self.image_size = int(loaded.generator.image_size)
        self.has_critic = loaded.critic is not None
        # The export's own functions, traced once for any batch size and
        # run as frozen graphs: no per-call set-up in any host (see GraphSession).
        self._edit = GraphSession(
            tf.function(
                make_animate(loaded.generator),
                input_signature=[image_spec(self.image_size), aus_spec()],
            )
        )
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
            "model_version": weights_digest(loaded.generator),
            "tfganimation_version": __version__,
            "framing": loaded.framing,
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

    def __init__(self, reference: ModelReference):
        from tfganimation.export.runners import SavedModelRunner

        folder = reference.files["saved_model"]
        self._runner = SavedModelRunner(folder)
        self.image_size = self._runner.image_size
        self.has_critic = self._runner.has_critic
        self.metadata = {**_describe(reference.record), "model_file": str(folder)}

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        return self._runner.animate(images, aus)

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        return self._runner.estimate_aus(images)


class _LiteRTBackend:
    """A `.tflite` file's batch-1 `animate` signature in LiteRT; faces run one at a time."""

    name = "litert"
    has_critic = False  # The `.tflite` files hold the generator only.

    def __init__(self, reference: ModelReference, threads: int | None):
        from tfganimation.export.metadata import read_metadata
        from tfganimation.export.runners import LiteRTRunner

        file = reference.files["tflite"]
        self._runner = LiteRTRunner(file, threads)
        self.image_size = self._runner.image_size
        try:
            document = read_metadata(file)
        except ValueError:  # A foreign model: it runs, but nothing more is known.
            document = {}
        self.metadata = _describe(document)
        self.metadata.update({"model_file": str(file), "variant": document.get("variant")})

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        return self._runner.animate(images, aus)

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        raise ValueError("LiteRT models hold the generator only; they cannot estimate AUs.")


def _describe(document: dict[str, Any]) -> dict[str, Any]:
    """The `Animator.metadata` fields an export's metadata document provides."""
    return {
        "training_data": exported_training_data(document),
        "model_version": document.get("model_version"),
        "tfganimation_version": __version__,
        "exported_with": document.get("tfganimation_version"),
        "framing": document.get("framing", DEFAULT_FRAMING),
    }
