"""Reading a model's networks back: a run, a `.keras` file, `"demo"` or a PyTorch checkpoint.

`load_model` is the one place the Keras networks of a model reference are
read (the Keras backend, the exporter, evaluation, `train --init-from`);
`tfganimation.model_files.resolve_model` says first what the reference is. A
PyTorch GANimation checkpoint (`.pth`/`.ckpt`, see `tfganimation.torch_checkpoints`)
is converted on the fly, with the critic saved beside it when there is one.
A run's whole compiled `GANimation`, optimizers included, is
`tfganimation.training.load_run`.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import keras

from tfganimation.critic import Critic
from tfganimation.faces.framing import DEFAULT_FRAMING
from tfganimation.ganimation import GANimation
from tfganimation.generator import Generator
from tfganimation.model_files.reference import (
    CHECKPOINT,
    KERAS_KINDS,
    ModelReference,
    recorded_dataset,
    resolve_model,
)
from tfganimation.torch_checkpoints.conversion import convert_checkpoint


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
        return recorded_dataset(self.run)


def load_model(
    model: str | os.PathLike | ModelReference, critic: str | os.PathLike | None = None
) -> LoadedModel:
    """Loads the generator (and critic) of a run, a `.keras` file, `"demo"` or a checkpoint.

    A run directory is read as `RUN_DIR/model.keras` plus `RUN_DIR/run.json`.
    A `.keras` file may hold a whole `GANimation` or a bare `Generator`.
    `"demo"` is the GANimation shipped in the package, trained on synthetic
    faces; its `run` is the training record kept in `demo.json`. A PyTorch
    GANimation generator checkpoint (`.pth`, `.ckpt`) is converted on the
    fly (`tfganimation.torch_checkpoints`), with `critic` or, if `None`, the
    critic its codebase saves beside it (`find_critic`), if it is there.
    Exported files (a SavedModel, a `.tflite`) hold no Keras networks: run
    them with `tfganimation.inference.Animator`.

    Example:
    ```python
    loaded = load_model("demo")
    edited, color, attention = loaded.generator((images, target_aus))
    ```

    Raises:
        FileNotFoundError: see `resolve_model`.
        ValueError: the file is not loadable, or holds another kind of model.
    """
    reference = resolve_model(model)
    if reference.kind == CHECKPOINT:
        checkpoint = reference.files["checkpoint"]
        converted = convert_checkpoint(checkpoint, critic or reference.files.get("critic"))
        return LoadedModel(
            generator=converted.generator,
            critic=converted.critic,
            path=checkpoint,
            run={},
            source=converted.record,
        )
    if reference.kind not in KERAS_KINDS:
        raise ValueError(
            f"{reference.name} is an exported model ({reference.kind}), which holds no Keras "
            "networks; pass the training run, .keras file or checkpoint it was exported from."
        )
    if critic is not None:
        raise ValueError("`critic` goes with a PyTorch checkpoint; a .keras model holds its own.")
    keras_file = reference.files["keras"]
    loaded = read_keras_file(keras_file, compile=False)
    if isinstance(loaded, GANimation):
        generator, critic = loaded.generator, loaded.critic
    elif isinstance(loaded, Generator):
        generator, critic = loaded, None
    else:
        raise ValueError(
            f"{keras_file} holds a {type(loaded).__name__}; expected a GANimation or a Generator."
        )
    return LoadedModel(
        generator=generator,
        critic=critic,
        path=keras_file,
        run=reference.record,
        source=reference.source,
    )


def read_keras_file(path: Path, compile: bool) -> keras.Model:
    """`keras.models.load_model(path)`, any failure as one `ValueError` naming the file."""
    try:
        return keras.models.load_model(path, compile=compile)
    except Exception as error:  # Keras raises many types for a damaged or foreign file.
        raise ValueError(f"Could not load {path}: {error}") from error
