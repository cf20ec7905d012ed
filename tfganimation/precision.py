"""Mixed precision for training and inference: which policy, and where it pays off."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

import keras
import tensorflow as tf

from tfganimation.choices import INFERENCE_PRECISIONS, PRECISIONS, TRAINING_PRECISIONS


@contextlib.contextmanager
def dtype_policy(name: str) -> Iterator[None]:
    """Builds the layers created inside under the Keras dtype policy `name`.

    Keras reads its global policy when a layer is constructed, so the
    networks built in this block keep `name` for good, while the global
    policy is restored on exit: nothing else in the process (the data
    pipeline, a later model) is switched to half precision by accident.

    The networks end in float32 layers, so the losses, the gradient penalty's
    norms and the composite stay in float32; with `"mixed_float16"`,
    `GANimation.compile` adds loss scaling.

    Example:
    ```python
    with dtype_policy("mixed_bfloat16"):
        generator = tfganimation.Generator(128)
    ```
    """
    if name not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}. Received: precision={name!r}")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


PRECISION_ENVIRONMENT_VARIABLE = "TFGANIMATION_PRECISION"
"""Overrides what `"auto"` picks (`float32` or `bfloat16`), e.g. to pin a test suite or a server."""


def inference_precision(requested: str = "auto") -> str:
    """`"float32"` or `"bfloat16"`: the precision a generator runs in for `requested`.

    `"auto"` is `$TFGANIMATION_PRECISION` where set, else `"bfloat16"` where
    this machine computes in bfloat16 natively (`supports_bfloat16`), where
    it ran 1.75x faster than float32 on an AVX512_BF16 CPU with edits 50 to
    65 dB PSNR from float32's (issue #23), else `"float32"`.
    """
    if requested not in INFERENCE_PRECISIONS:
        raise ValueError(
            f"precision must be one of {INFERENCE_PRECISIONS}. Received: precision={requested!r}"
        )
    if requested != "auto":
        return requested
    pinned = os.environ.get(PRECISION_ENVIRONMENT_VARIABLE)
    if pinned:
        if pinned not in INFERENCE_PRECISIONS[1:]:
            raise ValueError(
                f"${PRECISION_ENVIRONMENT_VARIABLE} must be one of {INFERENCE_PRECISIONS[1:]}. "
                f"Received: {pinned!r}"
            )
        return pinned
    return "bfloat16" if supports_bfloat16() else "float32"


def in_precision(model: keras.Model, precision: str) -> keras.Model:
    """`model`, or a copy computing in `precision` (`"float32"` / `"bfloat16"`) with its weights.

    The copy is rebuilt from the model's config under the matching Keras
    policy (`"mixed_bfloat16"`: bfloat16 arithmetic, float32 weights and
    outputs), so the weights are the same numbers and only the arithmetic
    changes. A model already computing in `precision` is returned as is.
    """
    compute_dtype = {"float32": "float32", "bfloat16": "bfloat16"}.get(precision)
    if compute_dtype is None:
        raise ValueError(
            f"precision must be 'float32' or 'bfloat16'. Received: precision={precision!r}"
        )
    if model.compute_dtype == compute_dtype:
        return model
    policy = "float32" if precision == "float32" else "mixed_bfloat16"
    config = {key: value for key, value in model.get_config().items() if key != "dtype"}
    with dtype_policy(policy):
        copy = model.__class__.from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def training_precision(requested: str = "auto") -> str:
    """The Keras dtype policy a run trains under for `requested` (`train --precision`).

    `"auto"` is `"mixed_bfloat16"` where `$TFGANIMATION_PRECISION` says
    `bfloat16` or, unset, where bfloat16 training pays (`trains_bfloat16_fast`),
    else `"float32"`. bfloat16 training held the quickstart's quality within
    float32's run-to-run noise (two seeds each, issue #23; docs/speed.md).
    """
    if requested not in TRAINING_PRECISIONS:
        raise ValueError(
            f"precision must be one of {TRAINING_PRECISIONS}. Received: precision={requested!r}"
        )
    if requested != "auto":
        return requested
    pinned = os.environ.get(PRECISION_ENVIRONMENT_VARIABLE)
    if pinned:
        return "mixed_bfloat16" if inference_precision("auto") == "bfloat16" else "float32"
    return "mixed_bfloat16" if trains_bfloat16_fast() else "float32"


def supports_bfloat16() -> bool:
    """Whether this machine has bfloat16 arithmetic in hardware.

    True on GPUs of compute capability 8.0 (Ampere) and newer, and on CPUs
    with AVX512_BF16 or AMX (recent Xeons), where oneDNN runs bfloat16
    convolutions natively; elsewhere bfloat16 is emulated and slower than
    float32.
    """
    return _gpu_computes_bfloat16() or bool(
        {"avx512_bf16", "amx_bf16"} & set(bfloat16_cpu_flags())
    )


def trains_bfloat16_fast() -> bool:
    """Whether bfloat16 training beats float32 here by a margin worth its rounding.

    True on Ampere-or-newer GPUs and on CPUs with AMX, whose tile units ran
    a full-size 5+1 cycle 2.1x faster than float32 (issue #23). AVX512_BF16
    alone (without AMX) gains less and was measured slower than float32 on
    the full-size training step under load (issue #16), so it stays float32.
    """
    return _gpu_computes_bfloat16() or "amx_bf16" in bfloat16_cpu_flags()


def _gpu_computes_bfloat16() -> bool:
    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability and capability >= (8, 0):
            return True
    return False


def bfloat16_cpu_flags() -> list[str]:
    """This CPU's flags that decide bfloat16's speed (AMX, AVX-512 bf16/fp16), as `lscpu` names them."""
    cpuinfo = Path("/proc/cpuinfo")
    flags = set(cpuinfo.read_text().split()) if cpuinfo.is_file() else set()
    return sorted(
        flag for flag in flags if flag.startswith("amx") or flag in ("avx512_bf16", "avx512_fp16")
    )
