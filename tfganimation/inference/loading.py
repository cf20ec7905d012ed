"""Loading trained models: a run directory, a `.keras` file, `"demo"`, or a PyTorch checkpoint.

The one place a trained model is read back: `load_model` for the networks
(the Keras backend, the exporter, evaluation, the viewer), `load_run` for a
run's whole compiled `GANimation` (optimizers included) and its record. A
PyTorch GANimation checkpoint (`.pth`/`.ckpt`, see `tfganimation.torch_checkpoints`)
is converted on the fly, with the critic saved beside it when there is one.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import keras

from tfganimation.critic import Critic
from tfganimation.demo.shipped import demo_metadata, demo_model_path, is_demo
from tfganimation.faces.framing import DEFAULT_FRAMING
from tfganimation.ganimation import GANimation
from tfganimation.generator import Generator
from tfganimation.torch_checkpoints.conversion import (
    convert_checkpoint,
    find_critic,
    is_checkpoint,
    read_source_record,
)
from tfganimation.training.run_dir import MODEL_FILE, RUN_FILE


@dataclasses.dataclass(frozen=True)
class LoadedModel:
    """The networks of a trained model and what is known about their training.

    Args:
        generator: `Generator`. The face editor.
        critic: `Critic` or `None`. Present when the file holds a whole
            `GANimation`; its AU head serves `estimate_aus`.
        path: Path. The `.keras` file read.
        run: dict. The run's `run.json` record; empty for a bare `.keras`;
            for the demo, the record `demo.json` keeps of its training run.
        source: dict or `None`. For a model converted from a PyTorch
            checkpoint, the conversion record (files, SHA-256, layout,
            sizes, framing; see `convert_checkpoint`).
    """

    generator: Generator
    critic: Critic | None
    path: Path
    run: dict[str, Any]
    source: dict[str, Any] | None = None

    @property
    def framing(self) -> str:
        """How faces are cropped for this model: its training framing (see `tfganimation.faces`)."""
        return (self.source or {}).get("framing", DEFAULT_FRAMING)

    @property
    def data_path(self) -> str | None:
        """The training dataset named by `run.json`, if any."""
        data = self.run.get("data")
        return data.get("path") if isinstance(data, dict) else data


def resolve_model_path(model: str | os.PathLike) -> tuple[Path, Path | None]:
    """`(model_file, run_json_or_None)` for a run directory, a `.keras` file, `"demo"` or a checkpoint.

    `"demo"` is the demo model shipped in the package (`tfganimation.demo`):
    its `.keras` file, and `None` (its run record is inside `demo.json`).

    Raises:
        FileNotFoundError: nothing there, a directory without `model.keras`,
            or a demo file missing from the install.
        ValueError: a file that is not a `.keras` archive.
    """
    if is_demo(model):
        return demo_model_path(), None
    path = Path(model)
    if path.is_dir():
        keras_file = path / MODEL_FILE
        if not keras_file.is_file():
            raise FileNotFoundError(
                f"No {MODEL_FILE} in {path}: is it a finished training run? "
                "Pass a run directory or a .keras file."
            )
        run_file = path / RUN_FILE
        return keras_file, run_file if run_file.is_file() else None
    if not path.exists():
        raise FileNotFoundError(
            f"Model not found: {path} (expected a run directory or a .keras file)."
        )
    if is_checkpoint(path) and path.is_file():
        return path, None
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a .keras model file (expected a run directory, a .keras file or a "
            "PyTorch GANimation checkpoint .pth/.ckpt)."
        )
    return path, None


def load_model(
    model: str | os.PathLike, critic: str | os.PathLike | None = None
) -> LoadedModel:
    """Loads the generator (and critic) from a run directory, a `.keras` file, `"demo"` or a checkpoint.

    A run directory is read as `RUN_DIR/model.keras` plus `RUN_DIR/run.json`.
    A `.keras` file may hold a whole `GANimation` or a bare `Generator`.
    `"demo"` is the GANimation shipped in the package, trained on synthetic
    faces; its `run` is the training record kept in `demo.json`. A PyTorch
    GANimation generator checkpoint (`.pth`, `.ckpt`) is converted on the
    fly (`tfganimation.torch_checkpoints`), with `critic` or, if `None`, the
    critic its codebase saves beside it (`find_critic`), if it is there.

    Example:
    ```python
    loaded = load_model("demo")
    edited, color, attention = loaded.generator((images, target_aus))
    ```

    Raises:
        FileNotFoundError: see `resolve_model_path`.
        ValueError: the file is not loadable, or holds another kind of model.
    """
    keras_file, run_file = resolve_model_path(model)
    if is_checkpoint(keras_file):
        converted = convert_checkpoint(keras_file, critic or find_critic(keras_file))
        return LoadedModel(
            generator=converted.generator,
            critic=converted.critic,
            path=keras_file,
            run={},
            source=converted.record,
        )
    if critic is not None:
        raise ValueError("`critic` goes with a PyTorch checkpoint; a .keras model holds its own.")
    loaded = _read_keras_file(keras_file, compile=False)
    if isinstance(loaded, GANimation):
        generator, critic = loaded.generator, loaded.critic
    elif isinstance(loaded, Generator):
        generator, critic = loaded, None
    else:
        raise ValueError(
            f"{keras_file} holds a {type(loaded).__name__}; expected a GANimation or a Generator."
        )
    if is_demo(model):
        run = demo_metadata()["run"]
    else:
        run = _read_record(run_file)
    return LoadedModel(
        generator=generator,
        critic=critic,
        path=keras_file,
        run=run,
        source=read_source_record(keras_file),
    )


def load_run(run_dir: str | os.PathLike) -> tuple[GANimation, dict[str, Any]]:
    """The trained `GANimation` (compiled, with its optimizers) and the `run.json` of a run.

    Raises:
        FileNotFoundError: `run_dir` holds no `model.keras`.
        ValueError: the file is not loadable, or holds no whole GANimation.
    """
    run_dir = Path(run_dir)
    model_path = run_dir / MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(
            f"No trained model at {model_path}: is {run_dir} a finished training run?"
        )
    model = _read_keras_file(model_path, compile=True)
    if not isinstance(model, GANimation):
        raise ValueError(f"{model_path} holds a {type(model).__name__}; expected a GANimation.")
    record_path = run_dir / RUN_FILE
    return model, _read_record(record_path if record_path.is_file() else None)


def _read_keras_file(path: Path, compile: bool) -> keras.Model:
    try:
        return keras.models.load_model(path, compile=compile)
    except Exception as error:  # Keras raises many types for a damaged or foreign file.
        raise ValueError(f"Could not load {path}: {error}") from error


def _read_record(run_file: Path | None) -> dict[str, Any]:
    return json.loads(run_file.read_text(encoding="utf-8")) if run_file else {}
