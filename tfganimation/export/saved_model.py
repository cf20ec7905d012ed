"""Writes the generator (and the critic's AU head) as a TensorFlow SavedModel."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import keras

from tfganimation.export.signatures import aus_spec, image_spec, make_animate, make_estimate_aus
from tfganimation.layers import portable_ops
from tfganimation.model_files.names import ANIMATE, ESTIMATE_AUS

SERVING_VERSION = "1"
"""TensorFlow Serving loads numbered versions under its `--model_base_path`;
the SavedModel goes to `saved_model/1/`, so `saved_model/` is servable as is."""


def write_saved_model(
    path: str | os.PathLike,
    generator: keras.Model,
    critic: keras.Model | None = None,
    image_size: int | None = None,
    batch_size: int | None = None,
    portable: bool = False,
    winograd: bool = False,
) -> Path:
    """Writes a SavedModel with the `animate` and, given a critic, `estimate_aus` signatures.

    `animate` is also `serving_default` (TensorFlow Serving requires one).

    Args:
        path: path. The SavedModel folder; its parent must exist, it must not.
        generator: `Generator`, or a layer with its call contract.
        critic: `Critic` or `None`. Adds `estimate_aus`; its AU head fixes
            the image size, so it must match `image_size`.
        image_size: int. Height and width of the signatures' images.
            Defaults to `generator.image_size`.
        batch_size: int or `None`. Fixed batch size; `None` (the default)
            accepts any. LiteRT conversion wants 1.
        portable: bool. Trace only ops LiteRT converts and runs well:
            the instance norms as 4-D ops rather than TensorFlow's fused
            kernel, the 3×3 convolutions direct rather than as Winograd
            products, the transposed convolutions as sub-pixel ones
            (`portable_ops`). Defaults to `False`.
        winograd: bool. With `portable` and a `batch_size`, the 3×3
            convolutions as Winograd products spelled for XNNPACK (LiteRT's
            `float32_winograd` variant). Defaults to `False`.

    Returns:
        The SavedModel folder.
    """
    image_size = image_size or generator.image_size
    if critic is not None and critic.image_size != image_size:
        raise ValueError(
            f"The critic's AU head reads {critic.image_size}-px images; it cannot serve "
            f"estimate_aus at image_size={image_size}."
        )
    if winograd and not (portable and batch_size):
        raise ValueError("winograd=True traces for LiteRT: it needs portable=True and a batch_size")
    with portable_ops(winograd) if portable else contextlib.nullcontext():
        archive = _archive(generator, critic, image_size, batch_size)
        archive.write_out(str(path), verbose=False)
    return Path(path)


def _archive(generator, critic, image_size: int, batch_size: int | None):
    # No `archive.track(...)`: endpoints track the variables they use, and
    # tracking the models as well writes every variable twice (Keras 3.15).
    archive = keras.export.ExportArchive()
    archive.add_endpoint(
        ANIMATE,
        make_animate(generator),
        input_signature=[image_spec(image_size, batch_size), aus_spec(batch_size)],
    )
    if critic is not None:
        archive.add_endpoint(
            ESTIMATE_AUS,
            make_estimate_aus(critic),
            input_signature=[image_spec(image_size, batch_size)],
        )
    return archive
