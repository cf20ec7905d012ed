"""Mixed precision for training: which policy, and where it pays off."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import keras
import tensorflow as tf

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
"""The `--precision` choices of `tfganimation train` (Keras dtype policies)."""


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


def supports_bfloat16() -> bool:
    """Whether this machine has bfloat16 arithmetic in hardware.

    True on GPUs of compute capability 8.0 (Ampere) and newer, and on CPUs
    with AVX512_BF16 or AMX (recent Xeons), where oneDNN runs bfloat16
    convolutions natively; elsewhere bfloat16 is emulated and slower than
    float32.
    """
    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability and capability >= (8, 0):
            return True
    cpuinfo = Path("/proc/cpuinfo")
    flags = cpuinfo.read_text() if cpuinfo.is_file() else ""
    return "avx512_bf16" in flags or "amx_bf16" in flags
