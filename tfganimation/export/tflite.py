"""Converts the `animate` SavedModel to LiteRT (TFLite) in five variants.

Every variant has the same signature as the SavedModel's, at batch 1:
`image` uint8 RGB and `aus` float32 OpenFace intensities in, `image` and
`color` uint8 and `attention` float32 out. They differ only inside:

| variant | weights | arithmetic |
|---|---|---|
| `float32` | float32 | float32 |
| `float32_winograd` | float32, the residual blocks' 3×3 kernels pre-transformed (4× their weights; 3.5× the file) | float32; those convolutions as Winograd F(4×4, 3×3) products, a quarter of their multiplies |
| `float16` | float16, expanded to float32 when loaded | float32 |
| `dynamic` | int8 | int8 convolutions on activations quantized on the fly |
| `int8` | int8 | int8 convolutions (the uint8 contract's conversions, the instance norms and the AU term stay float), ranges calibrated on real training images |

Only builtin operators are used: LiteRT's interpreter has no TensorFlow
(Flex) fallback, which `keras.Model.export(format="litert")` would enable.
The generator's own forward pass is in ops XNNPACK runs (no 5-D
reshapes, no AU planes, transposed convolutions as sub-pixel convolutions:
`tfganimation.generator.Generator`). The converter reads the SavedModel
written by `write_saved_model`, the route that keeps the variables
(converting a Keras 3 model's concrete functions can silently drop them);
`tfganimation.export.parity` then checks every file against the Keras
model anyway.

`float32_winograd` is for float32 on CPUs (servers, desktops, phones'
CPUs): XNNPACK runs it about 1.6× faster than `float32` at 128 px
(docs/speed.md). Phone GPU delegates pick Winograd kernels for the plain
`float32` file themselves, and the quantized variants keep the direct
kernels, whose ranges int8 can hold.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import flatbuffers
import keras
import numpy as np
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter

from tfganimation.au_conditioning import AU_TERM_SCOPE
from tfganimation.choices import TFLITE_VARIANTS
from tfganimation.export.metadata import METADATA_NAME
from tfganimation.export.saved_model import write_saved_model
from tfganimation.export.signatures import POSTPROCESS_SCOPE, PREPROCESS_SCOPE
from tfganimation.layers import INSTANCE_NORM_SCOPE
from tfganimation.model_files.names import ANIMATE
from tfganimation.winograd import TILE

VARIANTS: tuple[str, ...] = TFLITE_VARIANTS
"""The LiteRT variants, from the most exact to the fastest on phones (`tfganimation.choices`)."""

WINOGRAD_VARIANTS: tuple[str, ...] = ("float32_winograd",)
"""Variants converted from a SavedModel traced with Winograd products
(`write_saved_model(..., portable=True, winograd=True)`)."""

Calibration = Callable[[], Iterable[Mapping[str, np.ndarray]]]
"""Yields `{"image": uint8 [1, H, W, 3], "aus": float32 [1, 17]}` examples."""


CONTRACT_SCOPES: tuple[str, ...] = (PREPROCESS_SCOPE, POSTPROCESS_SCOPE)
"""The uint8 contract's conversions, which the int8 variant must keep in float."""

FLOAT_SCOPES: tuple[str, ...] = (*CONTRACT_SCOPES, INSTANCE_NORM_SCOPE, AU_TERM_SCOPE)
"""Name scopes the int8 variant keeps in float by default (selective quantization).

The contract; each instance norm, statistics and scale-and-shift; and the
AU term of the first convolution. The norms matter most: quantized, their
statistics run outside XNNPACK (the 128-px file took 2-4× longer) and
their outputs lose the precision the next convolution needs (a 128-px
model: 24 dB with the norms in int8, 33 dB with them in float, and faster).
The AU term's products of per-sample weights quantized worst of all layers
(RMS error 57 quantization steps, by the quantization debugger). Measured
trade-offs: docs/speed.md, "Speed against the PyTorch reference"."""


def convert(
    saved_model_dir: str | os.PathLike,
    variant: str,
    calibration: Calibration | None = None,
    float_scopes: tuple[str, ...] = FLOAT_SCOPES,
) -> bytes:
    """Converts the SavedModel's `animate` signature to one LiteRT variant.

    Args:
        saved_model_dir: path. A SavedModel with a batch-1 `animate`
            signature traced for LiteRT
            (`write_saved_model(..., batch_size=1, portable=True)`, with
            `winograd=True` for the `WINOGRAD_VARIANTS`; `convert_generator`
            writes the right one).
        variant: str. One of `VARIANTS`.
        calibration: callable. The int8 variant's representative inputs;
            required for `"int8"`, ignored otherwise.
        float_scopes: name scopes whose ops the int8 variant keeps in float
            (selective quantization); ignored by the other variants.
            Defaults to `FLOAT_SCOPES`.

    Returns:
        The `.tflite` flatbuffer.
    """
    if variant not in VARIANTS:
        raise ValueError(f"Unknown LiteRT variant {variant!r}. Expected one of {VARIANTS}.")
    if variant == "int8":
        if calibration is None:
            raise ValueError("The int8 variant needs calibration images.")
        return _convert_int8(saved_model_dir, calibration, float_scopes)
    converter = _converter(saved_model_dir)
    if variant not in ("float32", *WINOGRAD_VARIANTS):
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if variant == "float16":
        converter.target_spec.supported_types = [tf.float16]
    return converter.convert()


def convert_generator(
    generator: keras.Model,
    image_size: int,
    variant: str,
    scratch: str | os.PathLike,
    calibration: Calibration | None = None,
) -> bytes:
    """`convert` of the generator's batch-1 SavedModel traced as `variant` needs.

    The SavedModel is written under `scratch` the first time a variant
    needs it (one with direct convolutions, one with Winograd products) and
    reused by the variants after.

    Raises:
        ValueError: see `check_image_size`.
    """
    check_image_size((variant,), image_size)
    winograd = variant in WINOGRAD_VARIANTS
    folder = Path(scratch) / ("batch1_winograd" if winograd else "batch1")
    if not folder.exists():
        write_saved_model(
            folder, generator, None, image_size, batch_size=1, portable=True, winograd=winograd
        )
    return convert(folder, variant, calibration)


def check_image_size(variants: Iterable[str], image_size: int) -> None:
    """Refuses `WINOGRAD_VARIANTS` at sizes whose residual maps are not whole Winograd tiles.

    The residual blocks run at a quarter of the image size; on maps that
    are not multiples of `TILE` the file would hold only direct
    convolutions under the variant's name.
    """
    for variant in variants:
        if variant in WINOGRAD_VARIANTS and (image_size // 4) % TILE:
            raise ValueError(
                f"The {variant} variant needs an image size that is a multiple of {4 * TILE} "
                f"(its residual maps in whole {TILE}x{TILE} tiles). "
                f"Received: image_size={image_size}"
            )


def _converter(saved_model_dir: str | os.PathLike) -> tf.lite.TFLiteConverter:
    converter = tf.lite.TFLiteConverter.from_saved_model(
        str(saved_model_dir), signature_keys=[ANIMATE]
    )
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter


def _convert_int8(
    saved_model_dir: str | os.PathLike, calibration: Calibration, float_scopes: tuple[str, ...]
) -> bytes:
    """Full-integer network, with the uint8 contract's conversions kept in float.

    Quantizing the conversions themselves is wrong, not just imprecise: the
    quantizer gives `(x + 1)` the 0..255 scale of `(x + 1) · 127.5`, which
    leaves three output levels (PSNR ~18 dB on a trained model). Keeping the
    `preprocess`/`postprocess` nodes in float (selective quantization, via
    the quantization debugger's denylist) makes the int8 file compute the
    contract exactly as the float ones do; only the network is int8.
    Ops in the other `float_scopes` stay float the same way.
    """
    float_nodes = [
        detail["name"]
        for detail in Interpreter(
            model_content=convert(saved_model_dir, "float32")
        ).get_tensor_details()
        if in_scopes(detail["name"], float_scopes)
    ]
    converter = _converter(saved_model_dir)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.TFLITE_BUILTINS_INT8,
        tf.lite.OpsSet.TFLITE_BUILTINS,  # For the float contract nodes.
    ]
    options = tf.lite.experimental.QuantizationDebugOptions(denylisted_nodes=float_nodes)
    with warnings.catch_warnings():
        # The debugger opens its own model with the deprecated tf.lite.Interpreter.
        warnings.simplefilter("ignore", UserWarning)
        debugger = tf.lite.experimental.QuantizationDebugger(
            converter=converter, debug_options=options
        )
    return debugger.get_nondebug_quantized_model()


def in_scopes(tensor_name: str, scopes: tuple[str, ...]) -> bool:
    """Whether a converted tensor comes from an op under one of the name `scopes`.

    A scope may sit inside others (the generator's own, `generator/…`);
    TensorFlow numbers a scope opened again (`scope_1/`, `scope_2/`, …), and
    the converter joins the names of fused ops with `;`.
    """
    pattern = re.compile(rf"(?:^|/)(?:{'|'.join(map(re.escape, scopes))})(?:_\d+)?/")
    return any(pattern.search(part) for part in tensor_name.split(";"))


def embed_metadata(model: bytes, metadata: Mapping[str, Any]) -> bytes:
    """Stores `metadata` as JSON in the model's `"tfganimation"` metadata entry.

    Replaces an existing entry of that name. The model is re-serialised with
    the schema's object API; every buffer is kept 16-byte aligned, as the
    converter writes them (the schema asks for it, the generated Python
    packer ignores it), so weights can still be used in place from a
    memory-mapped file.
    """
    tree = schema.ModelT.InitFromPackedBuf(bytearray(model), 0)
    payload = np.frombuffer(json.dumps(metadata, indent=1).encode("utf-8"), dtype=np.uint8)
    tree.metadata = tree.metadata or []
    existing = [entry for entry in tree.metadata if _text(entry.name) == METADATA_NAME]
    if existing:
        buffer_index = existing[0].buffer
    else:
        tree.buffers.append(schema.BufferT())
        buffer_index = len(tree.buffers) - 1
        entry = schema.MetadataT()
        entry.name, entry.buffer = METADATA_NAME, buffer_index
        tree.metadata.append(entry)
    tree.buffers[buffer_index].data = payload
    tree.buffers = [_AlignedBuffer.of(buffer) for buffer in tree.buffers]
    builder = flatbuffers.Builder(len(model) + payload.size + 1024)
    builder.Finish(tree.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


class _AlignedBuffer(schema.BufferT):
    """A `BufferT` whose data starts on a 16-byte boundary (`force_align: 16`)."""

    @classmethod
    def of(cls, buffer: schema.BufferT) -> _AlignedBuffer:
        aligned = cls()
        aligned.data, aligned.offset, aligned.size = buffer.data, buffer.offset, buffer.size
        return aligned

    def Pack(self, builder: flatbuffers.Builder) -> int:  # noqa: N802 (the schema's name)
        if self.data is not None and len(self.data):
            # Pads so that the data, written next, ends 16-aligned from the
            # buffer's end; `Finish` aligns the total size to 16 as well.
            builder.Prep(16, len(self.data))
        return super().Pack(builder)


def _text(value: bytes | str | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value
