"""What a model reference names: one set of rules for every command, runtime and model list.

Wherever a model is taken (`animate`, `export`, `evaluate`, `train --init-from`,
`Animator`, `load_model`, the viewer), it is named by a path or by `"demo"`,
and `resolve_model` says what is there, reading file names and JSON records
only (no network, no TensorFlow):

| kind | the reference | `files` | runtimes |
|---|---|---|---|
| `"demo"` | the string `"demo"`: the model shipped in the package | keras, record, example_faces | keras |
| `"run"` | a training run folder (`model.keras`, `run.json`) | keras, record | keras |
| `"keras"` | a `.keras` file: a `GANimation` or a `Generator` | keras | keras |
| `"checkpoint"` | a PyTorch GANimation `.pth`/`.ckpt` (its critic found beside it) | checkpoint, critic | keras |
| `"export"` | an export folder (`saved_model/`, `generator_<variant>.tflite`, `metadata.json`) | saved_model, tflite, record | saved_model, litert |
| `"saved_model"` | a SavedModel folder, or TensorFlow Serving's numbered versions of one | saved_model, record | saved_model |
| `"tflite"` | a `.tflite` file | tflite | litert |

`model_kind` answers from names and layout alone, without reading a file,
for lists that must stay cheap (the viewer's). This module is the one place
that tests whether a reference is the demo (`is_demo`): everything else asks
for `kind == DEMO`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from tfganimation.choices import TFLITE_VARIANTS
from tfganimation.demo.shipped import (
    DEMO_DIR,
    DEMO_METADATA_FILE,
    DEMO_NAME,
    TEST_IDENTITIES_FILE,
    TRAINED_ON,
    demo_metadata,
    demo_model_path,
)
from tfganimation.model_files.names import (
    EXPORT_METADATA_FILE,
    RUN_FILE,
    RUN_MODEL_FILE,
    SAVED_MODEL_DIR,
    SAVED_MODEL_FILE,
    tflite_file_name,
)
from tfganimation.torch_checkpoints.conversion import (
    find_critic,
    is_checkpoint,
    published_weights_name,
    read_source_record,
)

DEMO, RUN, KERAS, CHECKPOINT, EXPORT, SAVED_MODEL, TFLITE = (
    "demo", "run", "keras", "checkpoint", "export", "saved_model", "tflite",
)  # fmt: skip
MODEL_KINDS: tuple[str, ...] = (DEMO, RUN, KERAS, CHECKPOINT, EXPORT, SAVED_MODEL, TFLITE)
"""Every kind of model reference, as `ModelReference.kind` names it."""

KERAS_KINDS: tuple[str, ...] = (DEMO, RUN, KERAS, CHECKPOINT)
"""The kinds whose networks Keras loads (`load_model`); the others are exported files."""

EXPECTED = (
    "a training run folder, a .keras file, an export folder, a SavedModel, a .tflite file, "
    "a PyTorch GANimation checkpoint (.pth/.ckpt) or demo"
)
"""Every kind of reference, in words, for the errors that list what a model may be."""


@dataclasses.dataclass(frozen=True)
class ModelReference:
    """What a model reference names, read from its file names and records.

    Args:
        name: str. The reference as given: a path, or `"demo"`.
        kind: str. One of `MODEL_KINDS` (see the module docstring).
        files: dict. Role → path of the files the model is made of: `"keras"`
            (the `.keras` file Keras loads), `"checkpoint"` and `"critic"`
            (a PyTorch generator and the critic saved beside it),
            `"saved_model"` (the SavedModel folder to load), `"tflite"` (an
            export folder's most exact variant), `"record"` (`run.json`,
            `demo.json` or `metadata.json`) and `"example_faces"` (held-out
            faces shipped with the model: the demo's test identities).
        record: dict. What the model's record says: the run's `run.json`
            (for the demo, the record of its training run kept in
            `demo.json`), or an export's `metadata.json`; `{}` without one.
            A `.tflite` file's own record is inside it, read with
            `tfganimation.export.read_metadata`.
        source: dict or `None`. The conversion record of a `.keras` file
            converted from a PyTorch checkpoint.
        training_data: str or `None`. What the model was trained on, in
            words, as far as its files say without opening the network.
    """

    name: str
    kind: str
    files: dict[str, Path]
    record: dict[str, Any] = dataclasses.field(default_factory=dict)
    source: dict[str, Any] | None = None
    training_data: str | None = None

    @property
    def runtimes(self) -> tuple[str, ...]:
        """The inference backends that can run it, the one used by default first."""
        if self.kind in KERAS_KINDS:
            return ("keras",)
        roles = (("saved_model", "saved_model"), ("litert", "tflite"))
        return tuple(runtime for runtime, role in roles if role in self.files)


def is_demo(model: object) -> bool:
    """Whether `model` names the shipped demo: the string `"demo"` and nothing else.

    A `Path`, or any other spelling (`"./demo"`), is a path on disk, so a
    local folder called `demo` stays reachable.
    """
    return isinstance(model, str) and model == DEMO_NAME


def model_kind(model: str | os.PathLike) -> str | None:
    """The kind of model at `model` from its name and layout alone, or `None` if none is there.

    Reads no file, so a damaged model still has a kind; `resolve_model` says
    what is wrong with it. Only the string `"demo"` is the demo: a folder of
    that name is `"./demo"`.
    """
    if is_demo(model):
        return DEMO
    path = Path(model)
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".tflite", ".keras"):
            return TFLITE if suffix == ".tflite" else KERAS
        return CHECKPOINT if is_checkpoint(path) else None
    if not path.is_dir():
        return None
    if (path / RUN_MODEL_FILE).is_file():
        return RUN
    if (path / SAVED_MODEL_DIR).is_dir() or (
        (path / EXPORT_METADATA_FILE).is_file() and _most_exact_tflite(path) is not None
    ):
        return EXPORT
    return SAVED_MODEL if _saved_model_in(path) is not None else None


def resolve_model(model: str | os.PathLike | ModelReference) -> ModelReference:
    """What `model` names: its kind, files, record and training data (see the module docstring).

    A `ModelReference` is returned as it is, so that functions may take
    either and resolve once.

    Example:
    ```python
    reference = resolve_model("runs/celeba/export")
    reference.kind, reference.runtimes        # ('export', ('saved_model', 'litert'))
    reference.files["tflite"].name            # 'generator_float32.tflite'
    ```

    Raises:
        FileNotFoundError: nothing at `model`, a folder that holds no model,
            an export folder with no model file, or a demo file missing
            from the install.
        ValueError: a file that is not a model, or a `.keras` file that is
            not a Keras archive.
    """
    if isinstance(model, ModelReference):
        return model
    kind = model_kind(model)
    name = os.fspath(model)
    path = Path(model)
    if kind is None:
        if not path.exists():
            raise FileNotFoundError(f"Model not found: {path} (expected {EXPECTED}).")
        if path.is_dir():
            raise FileNotFoundError(
                f"No {RUN_MODEL_FILE} in {path}: is it a finished training run? Pass {EXPECTED}."
            )
        raise ValueError(f"{path} is not a model file (expected {EXPECTED}).")
    return _RESOLVERS[kind](name, path)


def recorded_dataset(record: dict[str, Any]) -> str | None:
    """The training dataset's path as a run's `run.json` record names it, if it does."""
    data = record.get("data")
    return data.get("path") if isinstance(data, dict) else data


def exported_training_data(document: dict[str, Any]) -> str | None:
    """What an export's metadata document says it was trained on."""
    data = document.get("training_data")
    return data.get("name") if isinstance(data, dict) else data


def _demo(name: str, path: Path) -> ModelReference:
    files = {
        "keras": demo_model_path(),
        "record": DEMO_DIR / DEMO_METADATA_FILE,
        "example_faces": DEMO_DIR / TEST_IDENTITIES_FILE,
    }
    return ModelReference(name, DEMO, files, demo_metadata()["run"], training_data=TRAINED_ON)


def _run(name: str, path: Path) -> ModelReference:
    files = {"keras": path / RUN_MODEL_FILE}
    record = {}
    if (path / RUN_FILE).is_file():
        files["record"] = path / RUN_FILE
        record = _read_json(files["record"])
    return _keras_model(name, RUN, files, record)


def _keras(name: str, path: Path) -> ModelReference:
    return _keras_model(name, KERAS, {"keras": path}, {})


def _keras_model(
    name: str, kind: str, files: dict[str, Path], record: dict[str, Any]
) -> ModelReference:
    if not zipfile.is_zipfile(files["keras"]):
        raise ValueError(f"{files['keras']} is not a .keras model file (expected {EXPECTED}).")
    source = read_source_record(files["keras"])
    if source:
        data = published_weights_name(source)
    else:
        dataset = recorded_dataset(record)
        data = Path(dataset).name if dataset else None
    return ModelReference(name, kind, files, record, source, data)


def _checkpoint(name: str, path: Path) -> ModelReference:
    files = {"checkpoint": path}
    critic = find_critic(path)
    if critic is not None:
        files["critic"] = critic
    return ModelReference(name, CHECKPOINT, files)


def _export(name: str, path: Path) -> ModelReference:
    files = {}
    saved_model = _saved_model_in(path / SAVED_MODEL_DIR)
    if saved_model is not None:
        files["saved_model"] = saved_model
    tflite = _most_exact_tflite(path)
    if tflite is not None:
        files["tflite"] = tflite
    if not files:
        raise FileNotFoundError(
            f"The export folder {path} holds neither a SavedModel in {SAVED_MODEL_DIR}/ nor a "
            f"{tflite_file_name('<variant>')}."
        )
    return _exported(name, EXPORT, files, path)


def _saved_model(name: str, path: Path) -> ModelReference:
    folder = _saved_model_in(path)
    # The export folder of `EXPORT/saved_model/<version>`, where the record is.
    export_dir = next(
        (parent for parent in (folder, *folder.parents[:2])
         if (parent / EXPORT_METADATA_FILE).is_file()),
        None,
    )  # fmt: skip
    return _exported(name, SAVED_MODEL, {"saved_model": folder}, export_dir)


def _tflite(name: str, path: Path) -> ModelReference:
    return ModelReference(name, TFLITE, {"tflite": path})


def _exported(
    name: str, kind: str, files: dict[str, Path], export_dir: Path | None
) -> ModelReference:
    record = {}
    if export_dir is not None and (export_dir / EXPORT_METADATA_FILE).is_file():
        files["record"] = export_dir / EXPORT_METADATA_FILE
        record = _read_json(files["record"])
    return ModelReference(
        name, kind, files, record, record.get("converted_from"), exported_training_data(record)
    )


_RESOLVERS = {
    DEMO: _demo, RUN: _run, KERAS: _keras, CHECKPOINT: _checkpoint,
    EXPORT: _export, SAVED_MODEL: _saved_model, TFLITE: _tflite,
}  # fmt: skip


def _saved_model_in(path: Path) -> Path | None:
    """The SavedModel at `path`: itself, or the highest of TF Serving's numbered versions."""
    if (path / SAVED_MODEL_FILE).is_file():
        return path
    if not path.is_dir():
        return None
    versions = [
        child
        for child in path.iterdir()
        if child.name.isdigit() and (child / SAVED_MODEL_FILE).is_file()
    ]
    return max(versions, key=lambda child: int(child.name)) if versions else None


def _most_exact_tflite(path: Path) -> Path | None:
    """An export folder's `generator_<variant>.tflite` of the most exact variant written."""
    for variant in TFLITE_VARIANTS:
        file = path / tflite_file_name(variant)
        if file.is_file():
            return file
    return None


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
