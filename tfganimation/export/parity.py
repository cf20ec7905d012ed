"""Checks every exported file against the Keras generator it came from.

Each file runs the `animate` signature on the same real inputs (representative
face images, each with every preset expression) and is compared with the
Keras model's output converted by the same rounding as the signature. Two
gates, by variant:

* `saved_model`, `float32`, `float32_winograd` — the **float error** must be at most `FLOAT_TOLERANCE`
  (1e-3). It is the largest of: the attention map's absolute difference
  (attention is a float output, on 0..1), and, for the uint8 `image` and
  `color`, the smallest float difference (in the generator's [-1, 1] units)
  that could have rounded to the byte observed: `max(0, |u − 127.5 (k + 1)| −
  0.5) / 127.5` for a byte `u` and a Keras value `k`. A byte that differs
  only because the value sat on a rounding boundary costs nothing; a dropped
  weight costs ~1.
* `float16`, `dynamic`, `int8` — the **PSNR** of the uint8 `image` against the
  Keras image, `10 · log10(255² / MSE)` over every pixel of every input, must
  reach `PSNR_FLOORS[variant]`.
* a bfloat16 `saved_model` (`export --precision bfloat16`) — the PSNR against
  the float32 Keras model, at least `BFLOAT16_PSNR_FLOOR` (40 dB).

Latency is the median ms per image at batch 1 (the first call not counted);
LiteRT runs on one thread with its default XNNPACK delegate. The files run
through `tfganimation.export.runners`, the runners the inference backends
serve them with.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tfganimation.aus import OPENFACE_MAX_INTENSITY
from tfganimation.export.runners import LiteRTRunner, Outputs, SavedModelRunner
from tfganimation.pixels import to_signed, to_uint8

FLOAT_TOLERANCE = 1e-3
"""Largest float error allowed for the float exports (see the module docstring)."""

PSNR_FLOORS: dict[str, float] = {"float16": 40.0, "dynamic": 30.0, "int8": 30.0}
"""Lowest PSNR (dB) against Keras that each quantized variant must reach."""

BFLOAT16_PSNR_FLOOR = 40.0
"""Lowest PSNR (dB) of a bfloat16 SavedModel against the float32 Keras model (issue #23)."""

LITERT_THREADS = 1
"""Threads of the LiteRT interpreter that the parity check times."""

@dataclasses.dataclass(frozen=True)
class ParityResult:
    """How one exported file compares with the Keras model.

    Args:
        name: str. `"saved_model"` or a LiteRT variant.
        path: Path. The file (or SavedModel folder) checked.
        size_bytes: int. Its size on disk.
        image_max: int. Largest difference of an `image` byte from Keras'.
        image_mean: float. Mean absolute `image` difference, in bytes.
        psnr: float. PSNR (dB) of `image` against Keras'; `inf` if identical.
        attention_max: float. Largest absolute attention difference.
        float_error: float. See the module docstring.
        latency_ms: float. Median ms per image at batch 1.
        gate: str. The check applied, e.g. `"PSNR >= 40 dB"`.
        measured: str. The checked quantity's value, e.g. `"PSNR 41.2 dB"`.
        passed: bool. Whether the check passed.
    """

    name: str
    path: Path
    size_bytes: int
    image_max: int
    image_mean: float
    psnr: float
    attention_max: float
    float_error: float
    latency_ms: float
    gate: str
    measured: str
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; an infinite PSNR (identical images) becomes `None`."""
        values = dataclasses.asdict(self)
        values["path"] = str(self.path)
        values["psnr"] = None if math.isinf(self.psnr) else round(self.psnr, 3)
        return values


def keras_reference(generator, images: np.ndarray, aus: np.ndarray, batch_size: int = 8) -> Outputs:
    """The Keras generator's float outputs for uint8 `images` and OpenFace `aus`."""
    parts = []
    for start in range(0, len(images), batch_size):
        model_images = to_signed(images[start : start + batch_size])
        model_aus = aus[start : start + batch_size] / OPENFACE_MAX_INTENSITY
        edited, color, attention = generator((model_images, model_aus), training=False)
        parts.append((np.asarray(edited), np.asarray(color), np.asarray(attention)))
    return {
        name: np.concatenate([part[index] for part in parts])
        for index, name in enumerate(("image", "color", "attention"))
    }


def run_saved_model(
    path: str | os.PathLike, images: np.ndarray, aus: np.ndarray
) -> tuple[Outputs, float]:
    """`animate` outputs of a SavedModel, one image at a time, and the median ms per image."""
    return _run_one_by_one(SavedModelRunner(path).animate, images, aus)


def run_litert(
    path: str | os.PathLike, images: np.ndarray, aus: np.ndarray
) -> tuple[Outputs, float]:
    """`animate` outputs of a `.tflite` file in LiteRT, and the median ms per image."""
    return _run_one_by_one(LiteRTRunner(path, LITERT_THREADS).animate, images, aus)


def _run_one_by_one(
    run: Callable[[np.ndarray, np.ndarray], Outputs], images, aus
) -> tuple[Outputs, float]:
    results, seconds = [], []
    for index in range(len(images)):
        started = time.perf_counter()
        results.append(run(images[index : index + 1], aus[index : index + 1]))
        seconds.append(time.perf_counter() - started)
    outputs = {name: np.concatenate([result[name] for result in results]) for name in results[0]}
    timed = seconds[1:] or seconds  # The first call also builds the graph or the delegate.
    return outputs, 1000.0 * float(np.median(timed))


def compare(
    name: str,
    path: str | os.PathLike,
    outputs: Outputs,
    latency_ms: float,
    reference: Outputs,
    psnr_floors: Mapping[str, float] = PSNR_FLOORS,
) -> ParityResult:
    """Scores one file's outputs against `keras_reference` and applies its gate."""
    expected = to_uint8(reference["image"]).astype(np.float64)
    difference = np.abs(outputs["image"].astype(np.float64) - expected)
    mse = float(np.mean(difference**2))
    psnr = math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)
    attention_max = float(np.max(np.abs(outputs["attention"] - reference["attention"])))
    float_error = max(
        attention_max,
        _implied_float_error(outputs["image"], reference["image"]),
        _implied_float_error(outputs["color"], reference["color"]),
    )
    if name in psnr_floors:
        gate, passed = f"PSNR >= {psnr_floors[name]:g} dB", psnr >= psnr_floors[name]
        measured = f"PSNR {psnr:.1f} dB"
    else:
        gate, passed = f"float error <= {FLOAT_TOLERANCE:g}", float_error <= FLOAT_TOLERANCE
        measured = f"float error {float_error:.1e}"
    return ParityResult(
        name=name,
        path=Path(path),
        size_bytes=_size(Path(path)),
        image_max=int(difference.max()),
        image_mean=float(difference.mean()),
        psnr=psnr,
        attention_max=attention_max,
        float_error=float_error,
        latency_ms=latency_ms,
        gate=gate,
        measured=measured,
        passed=bool(passed),
    )


def _implied_float_error(observed: np.ndarray, reference: np.ndarray) -> float:
    exact = np.clip((np.asarray(reference, np.float64) + 1.0) * 127.5, 0.0, 255.0)
    excess = np.abs(observed.astype(np.float64) - exact) - 0.5
    return float(np.max(np.maximum(excess, 0.0)) / 127.5)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())
    return path.stat().st_size


def format_table(results: list[ParityResult]) -> str:
    """The parity table as aligned text, one row per exported file."""
    header = (
        "export",
        "size MB",
        "max |Δ|",
        "mean |Δ|",
        "PSNR dB",
        "attn max",
        "float err",
        "ms/img",
        "check",
        "",
    )
    rows = [header]
    for result in results:
        rows.append(
            (
                result.name,
                f"{result.size_bytes / 1e6:.2f}",
                str(result.image_max),
                f"{result.image_mean:.3f}",
                "inf" if math.isinf(result.psnr) else f"{result.psnr:.1f}",
                f"{result.attention_max:.1e}",
                f"{result.float_error:.1e}",
                f"{result.latency_ms:.1f}",
                result.gate,
                "ok" if result.passed else "FAIL",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
