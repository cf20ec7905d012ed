"""The three runtimes an `Animator` can drive, behind one uint8-in, uint8-out interface.

Every backend runs the export contract of `tfganimation.export.signatures`:
uint8 RGB faces and OpenFace-scale AUs (0..5) in; the edited face and colour
map as uint8 and the attention map as float32 in [0, 1] out. The Keras
backend wraps the generator in the very `make_animate` function the exports
are built from, so all three round, clip and scale identically and differ
only by their runtime's arithmetic (see `tfganimation.export.parity`).

| backend | reads | runs on |
|---|---|---|
| `"keras"` | a training run directory, a `.keras` file or `"demo"` | TensorFlow, with the critic |
| `"saved_model"` | a SavedModel, or an export folder holding `saved_model/` | TensorFlow |
| `"litert"` | a `.tflite` file, or an export folder's most exact one | LiteRT's interpreter |

The runtimes are imported when a backend is built, not here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tfganimation.demo.shipped import DEMO_NAME, TRAINED_ON, demo_model_path, is_demo
from tfganimation.faces.framing import DEFAULT_FRAMING
from tfganimation.version import __version__

BACKENDS: tuple[str, ...] = ("keras", "saved_model", "litert")

# `tfganimation.export.exporter.METADATA_FILE` and `tfganimation.export.tflite.VARIANTS`
# (most exact first), spelled out and tested equal: those modules import TensorFlow,
# which the LiteRT backend does without.
_METADATA_FILE = "metadata.json"
_TFLITE_VARIANTS = ("float32", "float16", "dynamic", "int8")


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


def detect_backend(model: str | os.PathLike) -> str:
    """The backend a model path implies, from its layout alone (nothing is loaded).

    A `.tflite` file is `"litert"`; a folder with `saved_model.pb`, or one
    holding `saved_model/` (an export folder), is `"saved_model"`;
    anything else, a `.keras` file or a run directory, is `"keras"`, as is
    `"demo"`, the demo model shipped in the package (a `.keras` file).

    Raises:
        FileNotFoundError: nothing is at `model`, or a demo file is missing.
    """
    if is_demo(model):
        demo_model_path()  # The one-line error of a broken install.
        return "keras"
    path = Path(model)
    if not path.exists():
        raise FileNotFoundError(
            f"Model not found: {path} (expected a run directory, a .keras file, "
            "an export folder, a SavedModel or a .tflite file)."
        )
    if path.is_file():
        return "litert" if path.suffix.lower() == ".tflite" else "keras"
    if _find_saved_model(path) is not None:
        return "saved_model"
    return "keras"


def load_backend(
    model: str | os.PathLike, backend: str | None = None, threads: int | None = None
) -> Backend:
    """Loads `model` in the named runtime, or the one its path implies.

    Args:
        model: path, or `"demo"`. See `detect_backend`. An export folder
            serves all three runtimes' files: its SavedModel for
            `"saved_model"` (the default), its most exact `.tflite` for
            `"litert"`.
        backend: str or `None`. One of `BACKENDS`; `None` picks by path.
        threads: int or `None`. LiteRT interpreter threads; `None` uses every
            core. TensorFlow always uses every core.

    Raises:
        FileNotFoundError: nothing at `model`, or no file for that runtime.
        ValueError: an unknown backend, or a file the runtime cannot read.
    """
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"Unknown backend {backend!r}. Expected one of {BACKENDS}.")
    detected = detect_backend(model)  # Also the clear error when nothing is there.
    backend = backend or detected
    if is_demo(model):
        if backend != "keras":
            raise ValueError(
                f"The {DEMO_NAME} model is a .keras file, run by the keras backend; for "
                f"{backend}, export it first: tfganimation export --model {DEMO_NAME} --out DIR"
            )
        return _KerasBackend(model)
    path = Path(model)
    if backend == "keras":
        return _KerasBackend(path)
    if backend == "saved_model":
        return _SavedModelBackend(path)
    return _LiteRTBackend(path, threads)


class _KerasBackend:
    """The generator (and critic) of a run, a `.keras` file or the demo, in TensorFlow."""

    name = "keras"

    def __init__(self, path: Path | str):
        import tensorflow as tf

        from tfganimation.export.exporter import weights_digest
        from tfganimation.export.signatures import (
            aus_spec,
            image_spec,
            make_animate,
            make_estimate_aus,
        )
        from tfganimation.inference.graph_session import GraphSession
        from tfganimation.inference.loading import load_model
        from tfganimation.torch_checkpoints.conversion import published_weights_name

        loaded = load_model(path)
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
        if is_demo(path):
            data = TRAINED_ON
        elif loaded.source:
            data = published_weights_name(loaded.source)
        else:
            data = Path(loaded.data_path).name if loaded.data_path else None
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

    def __init__(self, path: Path):
        import tensorflow as tf

        folder = _find_saved_model(path)
        if folder is None:
            raise FileNotFoundError(
                f"No SavedModel in {path}: expected saved_model.pb there, or an export "
                "folder with saved_model/<version>/saved_model.pb."
            )
        signatures = tf.saved_model.load(str(folder)).signatures
        if "animate" not in signatures:
            raise ValueError(
                f"{folder} has no 'animate' signature (signatures: {sorted(signatures)}); "
                "was it written by tfganimation export?"
            )
        self._edit_fn = signatures["animate"]
        self._estimate_fn = signatures.get("estimate_aus")
        image = self._edit_fn.structured_input_signature[1]["image"]
        self.image_size = int(image.shape[1])
        self.has_critic = self._estimate_fn is not None
        self.metadata = _export_metadata(_export_dir_of(folder))
        self.metadata["model_file"] = str(folder)

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        import tensorflow as tf

        outputs = self._edit_fn(image=tf.constant(images), aus=tf.constant(aus))
        return {name: value.numpy() for name, value in outputs.items()}

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        if self._estimate_fn is None:
            raise ValueError("This SavedModel has no 'estimate_aus' signature.")
        import tensorflow as tf

        return self._estimate_fn(image=tf.constant(images))["aus"].numpy()


class _LiteRTBackend:
    """A `.tflite` file's batch-1 `animate` signature in LiteRT; faces run one at a time."""

    name = "litert"
    has_critic = False  # The `.tflite` files hold the generator only.

    def __init__(self, path: Path, threads: int | None):
        from ai_edge_litert.interpreter import Interpreter

        from tfganimation.export.metadata import read_metadata

        file = _find_tflite(path)
        if threads is not None and threads < 1:
            raise ValueError(f"`threads` must be >= 1. Received: threads={threads}")
        try:
            interpreter = Interpreter(model_path=str(file), num_threads=threads or os.cpu_count())
            self._runner = interpreter.get_signature_runner("animate")
        except ValueError as error:
            raise ValueError(
                f"{file} is not a LiteRT model with an 'animate' signature: {error}"
            ) from error
        self.image_size = int(self._runner.get_input_details()["image"]["shape"][1])
        try:
            document = read_metadata(file)
        except ValueError:  # A foreign model: it runs, but nothing more is known.
            document = {}
        self.metadata = _describe(document)
        self.metadata.update({"model_file": str(file), "variant": document.get("variant")})

    def edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        outputs = [
            self._runner(image=images[index : index + 1], aus=aus[index : index + 1])
            for index in range(len(images))
        ]
        return {name: np.concatenate([output[name] for output in outputs]) for name in outputs[0]}

    def estimate_aus(self, images: np.ndarray) -> np.ndarray:
        raise ValueError("LiteRT models hold the generator only; they cannot estimate AUs.")


def _find_saved_model(path: Path) -> Path | None:
    """The SavedModel folder at `path`: itself, or the newest version under `[saved_model/]`."""
    if (path / "saved_model.pb").is_file():
        return path
    for base in (path / "saved_model", path):
        if not base.is_dir():
            continue
        if (base / "saved_model.pb").is_file():
            return base
        versions = [
            child
            for child in base.iterdir()
            if child.name.isdigit() and (child / "saved_model.pb").is_file()
        ]
        if versions:  # TensorFlow Serving's layout: serve the highest version.
            return max(versions, key=lambda child: int(child.name))
    return None


def _find_tflite(path: Path) -> Path:
    """`path` itself, or an export folder's most exact `generator_<variant>.tflite`."""
    if path.is_file():
        return path
    for variant in _TFLITE_VARIANTS:
        file = path / f"generator_{variant}.tflite"
        if file.is_file():
            return file
    raise FileNotFoundError(f"No generator_<variant>.tflite in {path}.")


def _export_dir_of(saved_model: Path) -> Path | None:
    """The export folder of `EXPORT/saved_model/<version>`, where `metadata.json` lives."""
    for folder in (saved_model, *saved_model.parents[:2]):
        if (folder / _METADATA_FILE).is_file():
            return folder
    return None


def _export_metadata(export_dir: Path | None) -> dict[str, Any]:
    if export_dir is None:
        return _describe({})
    return _describe(json.loads((export_dir / _METADATA_FILE).read_text(encoding="utf-8")))


def _describe(document: dict[str, Any]) -> dict[str, Any]:
    """The `Animator.metadata` fields an export's metadata document provides."""
    data = document.get("training_data")
    return {
        "training_data": data.get("name") if isinstance(data, dict) else data,
        "model_version": document.get("model_version"),
        "tfganimation_version": __version__,
        "exported_with": document.get("tfganimation_version"),
        "framing": document.get("framing", DEFAULT_FRAMING),
    }
