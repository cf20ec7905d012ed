"""Starting a run from trained weights: fine-tuning a model, or a published PyTorch checkpoint.

`TrainConfig.init_from` names any model `load_model` reads (a run, a `.keras`
file, `"demo"`, a `.pth`/`.ckpt` generator with its critic beside it or in
`init_critic`). The networks then have that model's architecture: each size
the configuration leaves at its default is taken from the model, and one set
to another value is refused rather than silently ignored. The optimizers and
the learning-rate schedule start fresh (the paper's), only the weights are
copied; a critic the model lacks starts from random weights.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from tfganimation.aus import N_AUS
from tfganimation.export.metadata import weights_digest
from tfganimation.model_files.loading import LoadedModel, load_model
from tfganimation.training.config import TrainConfig, default_critic_depth

logger = logging.getLogger(__name__)

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainConfig)}


def resolve_initial_model(config: TrainConfig) -> tuple[TrainConfig, LoadedModel | None]:
    """`config` with the architecture of the model it starts from, and that model.

    Returns `(config, None)` when `config.init_from` is `None`.

    Raises:
        ValueError: a size set in `config` disagrees with the model's, or the
            model is not conditioned on the 17 AUs.
        CheckpointError, FileNotFoundError: see `load_model`.
    """
    if config.init_from is None:
        if config.init_critic is not None:
            raise ValueError("init_critic goes with init_from (--critic with --init-from).")
        return config, None
    loaded = load_model(config.init_from, critic=config.init_critic)
    if loaded.generator.n_aus != N_AUS:
        raise ValueError(
            f"{config.init_from} conditions on {loaded.generator.n_aus} values, not the {N_AUS} AUs."
        )
    generator = loaded.generator
    sizes: dict[str, Any] = {
        "conv_dim": generator.conv_dim,
        "residual_blocks": generator.residual_blocks,
        "upsampling": generator.upsampling,
    }
    if loaded.critic is not None:
        sizes.update(
            image_size=loaded.critic.image_size,
            critic_conv_dim=loaded.critic.conv_dim,
            downsampling_layers=loaded.critic.downsampling_layers,
        )
    else:
        logger.warning("%s has no critic: the critic starts from random weights.", config.init_from)
    changes = {}
    for name, value in sizes.items():
        current = getattr(config, name)
        if current == value:
            continue
        if current != _default(config, name):
            raise ValueError(
                f"--{name.replace('_', '-')} {current} disagrees with the model in --init-from "
                f"({config.init_from}: {name} {value}); leave it out to train that model's architecture."
            )
        changes[name] = value
    return dataclasses.replace(config, **changes), loaded


def copy_initial_weights(model, loaded: LoadedModel) -> None:
    """Copies the loaded networks' weights into `model` (a `GANimation` built to match)."""
    model.generator.set_weights(loaded.generator.get_weights())
    if loaded.critic is not None:
        model.critic.set_weights(loaded.critic.get_weights())


def describe_initial_model(loaded: LoadedModel, path: str) -> dict[str, Any]:
    """What `run.json` records of the weights a run started from."""
    return {
        "path": path,
        "generator_weights": weights_digest(loaded.generator),
        "critic": loaded.critic is not None,
        "source": loaded.source,
    }


def _default(config: TrainConfig, name: str) -> Any:
    if name == "downsampling_layers":  # `None` became the depth the image size allows.
        return default_critic_depth(config.image_size)
    return _DEFAULTS[name]
