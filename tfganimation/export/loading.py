"""Finds the networks to export: a training run directory, a `.keras` file, or `"demo"`."""

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
from tfganimation.ganimation import GANimation
from tfganimation.generator import Generator
from tfganimation.training import MODEL_FILE, RUN_FILE


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
    """

    generator: Generator
    critic: Critic | None
    path: Path
    run: dict[str, Any]

    @property
    def data_path(self) -> str | None:
        """The training dataset named by `run.json`, if any."""
        data = self.run.get("data")
        return data.get("path") if isinstance(data, dict) else data


def resolve_model_path(model: str | os.PathLike) -> tuple[Path, Path | None]:
    """`(keras_file, run_json_or_None)` for a run directory, a `.keras` file or `"demo"`.

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
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path} is not a .keras model file (expected a run directory or a .keras file)."
        )
    return path, None


def load_model(model: str | os.PathLike) -> LoadedModel:
    """Loads the generator (and critic) from a run directory, a `.keras` file or `"demo"`.

    A run directory is read as `RUN_DIR/model.keras` plus `RUN_DIR/run.json`.
    A `.keras` file may hold a whole `GANimation` or a bare `Generator`.
    `"demo"` is the GANimation shipped in the package, trained on synthetic
    faces; its `run` is the training record kept in `demo.json`.

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
    try:
        loaded = keras.models.load_model(keras_file, compile=False)
    except Exception as error:  # Keras raises many types for a damaged or foreign file.
        raise ValueError(f"Could not load {keras_file}: {error}") from error
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
        run = json.loads(run_file.read_text(encoding="utf-8")) if run_file else {}
    return LoadedModel(generator=generator, critic=critic, path=keras_file, run=run)
