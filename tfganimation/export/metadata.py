"""What an exported model is, written where an app can read it without TensorFlow.

Each `.tflite` carries a JSON document in the model's own `metadata` table
(an entry named `"tfganimation"`, beside the converter's
`min_runtime_version`), so the file alone says which AUs in which order,
which input size, which value scales and which model it holds. LiteRT's
interpreter ignores metadata entries it does not know, and an app reads them
with the TFLite flatbuffer schema (C++: `FlatBufferModel::ReadAllMetadata()`).

Reading needs neither TensorFlow nor LiteRT: `read_metadata` parses the
flatbuffer with the standard library, so a build script or a phone-side tool
can check a model anywhere. Writing the entry is
`tfganimation.export.tflite.embed_metadata`.

`weights_digest` is the `model_version` every document carries: which
trained weights a file holds. Runs started from trained weights record it
too (`tfganimation.training.initial_weights`), as does the Keras backend.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from typing import Any

import numpy as np

from tfganimation.aus import ACTION_UNITS, OPENFACE_MAX_INTENSITY, PRESETS, preset
from tfganimation.faces.framing import DEFAULT_FRAMING
from tfganimation.version import __version__

METADATA_NAME = "tfganimation"
"""Name of the metadata entry that holds the JSON document."""

FORMAT_VERSION = 1
"""Version of the document's layout; bumped when a field changes meaning."""

_TFLITE_IDENTIFIER = b"TFL3"
# Field positions in the TFLite schema (tensorflow/compiler/mlir/lite/schema/schema.fbs).
_MODEL_BUFFERS, _MODEL_METADATA = 4, 6
_METADATA_NAME, _METADATA_BUFFER = 0, 1
_BUFFER_DATA, _BUFFER_OFFSET, _BUFFER_SIZE = 0, 1, 2


def weights_digest(model) -> str:
    """`"sha256:<16 hex>"` of a model's weights: which trained weights a file holds."""
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
    return f"sha256:{digest.hexdigest()[:16]}"


def build_metadata(
    image_size: int,
    model_version: str,
    generator_config: dict[str, Any],
    training_data: dict[str, Any] | None,
    framing: str = DEFAULT_FRAMING,
    converted_from: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What every export of one model shares: AUs, presets, sizes, versions, training data.

    `"presets"` maps each of `tfganimation.aus.PRESETS` to its 17 intensities
    (OpenFace scale, in the order of `"action_units"`), for an app's buttons.

    Each `.tflite` adds `"variant"` and its `"signatures"`; `metadata.json`
    adds the SavedModel's and the LiteRT files' signatures and the parity
    results.

    Args:
        image_size: int. Height and width of the exported signatures' images.
        model_version: str. Identifies the weights (see `weights_digest`).
        generator_config: dict. The generator's `image_size` (the training
            size), `conv_dim`, `residual_blocks` and `n_aus`.
        training_data: dict or `None`. What the model was trained on, from
            the run's `run.json`; `None` when unknown.
        framing: str. How faces must be cropped for the model (one of
            `tfganimation.faces.FRAMINGS`), so that an app crops as its
            training data was. Defaults to `"face_recognition"`.
        converted_from: dict or `None`. For a model converted from a
            PyTorch checkpoint, its conversion record (files, SHA-256, layout).

    Returns:
        A JSON-serialisable dict.
    """
    return {
        "format_version": FORMAT_VERSION,
        "tfganimation_version": __version__,
        "model_version": model_version,
        "image_size": image_size,
        "action_units": [
            {"index": index, "code": au.code, "name": au.name, "region": au.region}
            for index, au in enumerate(ACTION_UNITS)
        ],
        "presets": {name: preset(name).tolist() for name in PRESETS},
        "generator": generator_config,
        "training_data": training_data,
        "framing": framing,
        "converted_from": converted_from,
    }


def saved_model_precision(document: dict[str, Any]) -> str:
    """The precision an export's SavedModel computes in, as its `metadata.json` records it.

    `"float32"` or `"bfloat16"` (`export --precision`); `"float32"` where
    nothing is recorded: exports written before the choice existed, and
    SavedModels without the document, were all float32.
    """
    return document.get("saved_model", {}).get("precision", "float32")


def describe_signatures(
    image_size: int, batch_size: int | None, estimate_aus: bool = False
) -> dict[str, Any]:
    """Names, dtypes, shapes and value scales of the exported signatures.

    Args:
        image_size: int. Height and width of the images.
        batch_size: int or `None`. The fixed batch size (1 for LiteRT);
            `None` writes -1, any batch (the SavedModel).
        estimate_aus: bool. Whether the `estimate_aus` signature is there.
    """
    batch = -1 if batch_size is None else batch_size
    image = {"dtype": "uint8", "shape": [batch, image_size, image_size, 3], "scale": "RGB, 0..255"}
    aus = {
        "dtype": "float32",
        "shape": [batch, len(ACTION_UNITS)],
        "scale": f"OpenFace intensity 0..{OPENFACE_MAX_INTENSITY:g}, in the order of action_units",
    }
    signatures = {
        "animate": {
            "inputs": {"image": image, "aus": aus},
            "outputs": {
                "image": {**image, "scale": "RGB, 0..255: the edited face"},
                "attention": {
                    "dtype": "float32",
                    "shape": [batch, image_size, image_size, 1],
                    "scale": "0..1: 1 keeps the input pixel, 0 takes the colour map's",
                },
                "color": {**image, "scale": "RGB, 0..255: the generated colour map"},
            },
        }
    }
    if estimate_aus:
        signatures["estimate_aus"] = {"inputs": {"image": image}, "outputs": {"aus": aus}}
    return signatures


def read_metadata(model: str | os.PathLike | bytes) -> dict[str, Any]:
    """The `"tfganimation"` metadata document of a `.tflite` file (path or bytes).

    Raises:
        ValueError: not a TFLite model, or one without the document.
    """
    entries = read_metadata_entries(model)
    if METADATA_NAME not in entries:
        raise ValueError(
            f"The model has no {METADATA_NAME!r} metadata (entries: {sorted(entries)}); "
            "was it written by tfganimation export?"
        )
    return json.loads(entries[METADATA_NAME].decode("utf-8"))


def read_metadata_entries(model: str | os.PathLike | bytes) -> dict[str, bytes]:
    """Every metadata entry of a `.tflite` file, `{name: contents}`.

    The Python twin of TFLite's C++ `FlatBufferModel::ReadAllMetadata()`.
    """
    data = bytes(model) if isinstance(model, (bytes, bytearray, memoryview)) else _read(model)
    if len(data) < 8 or data[4:8] != _TFLITE_IDENTIFIER:
        raise ValueError("Not a TFLite model (no 'TFL3' file identifier).")
    root = _Table(data, _uoffset(data, 0))
    buffers = root.tables(_MODEL_BUFFERS)
    entries = {}
    for entry in root.tables(_MODEL_METADATA):
        name = entry.bytes(_METADATA_NAME).decode("utf-8")
        entries[name] = _buffer_contents(data, buffers[entry.uint32(_METADATA_BUFFER)])
    return entries


def _read(path: str | os.PathLike) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


def _buffer_contents(data: bytes, buffer: _Table) -> bytes:
    # Models over 2 GB keep buffer contents after the flatbuffer, by offset and size.
    offset = buffer.uint64(_BUFFER_OFFSET)
    if offset > 1:
        return data[offset : offset + buffer.uint64(_BUFFER_SIZE)]
    return buffer.bytes(_BUFFER_DATA)


def _uoffset(data: bytes, position: int) -> int:
    return position + struct.unpack_from("<I", data, position)[0]


class _Table:
    """Just enough of the flatbuffer wire format to walk a TFLite model's tables."""

    def __init__(self, data: bytes, position: int):
        self.data = data
        self.position = position
        self.vtable = position - struct.unpack_from("<i", data, position)[0]
        self.vtable_size = struct.unpack_from("<H", data, self.vtable)[0]

    def _field(self, index: int) -> int | None:
        entry = 4 + 2 * index
        if entry >= self.vtable_size:
            return None
        offset = struct.unpack_from("<H", self.data, self.vtable + entry)[0]
        return self.position + offset if offset else None

    def uint32(self, index: int) -> int:
        field = self._field(index)
        return 0 if field is None else struct.unpack_from("<I", self.data, field)[0]

    def uint64(self, index: int) -> int:
        field = self._field(index)
        return 0 if field is None else struct.unpack_from("<Q", self.data, field)[0]

    def bytes(self, index: int) -> bytes:
        field = self._field(index)
        if field is None:
            return b""
        start = _uoffset(self.data, field)
        length = struct.unpack_from("<I", self.data, start)[0]
        return self.data[start + 4 : start + 4 + length]

    def tables(self, index: int) -> list[_Table]:
        field = self._field(index)
        if field is None:
            return []
        start = _uoffset(self.data, field)
        length = struct.unpack_from("<I", self.data, start)[0]
        return [_Table(self.data, _uoffset(self.data, start + 4 + 4 * i)) for i in range(length)]
