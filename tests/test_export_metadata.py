"""The metadata inside `.tflite` files: written once, read back without TensorFlow."""

import json
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter

from tfganimation.aus import AU_CODES
from tfganimation.export.metadata import (
    build_metadata,
    describe_signatures,
    read_metadata,
    read_metadata_entries,
)
from tfganimation.export.tflite import embed_metadata

METADATA = {
    **build_metadata(
        image_size=32,
        model_version="sha256:0123456789abcdef",
        generator_config={"image_size": 32, "conv_dim": 8, "residual_blocks": 1, "n_aus": 17},
        training_data={"name": "faces", "format": "manifest"},
    ),
    "variant": "float32",
    "signatures": describe_signatures(32, batch_size=1),
}


@pytest.fixture(scope="module")
def small_model():
    """A float LiteRT model with weights: a 3×3 convolution and a bias."""
    kernel = tf.constant(np.random.default_rng(0).normal(size=(3, 3, 3, 4)), tf.float32)

    @tf.function(input_signature=[tf.TensorSpec([1, 8, 8, 3], tf.float32)])
    def model(x):
        return tf.nn.conv2d(x, kernel, 1, "SAME") + tf.range(4, dtype=tf.float32)

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [model.get_concrete_function()], model
    )
    return converter.convert()


def run(model_bytes):
    interpreter = Interpreter(model_content=model_bytes)
    interpreter.allocate_tensors()
    interpreter.set_tensor(
        interpreter.get_input_details()[0]["index"], np.ones((1, 8, 8, 3), np.float32)
    )
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def test_metadata_round_trip_keeps_the_model_and_other_entries(small_model):
    embedded = embed_metadata(small_model, METADATA)
    assert read_metadata(embedded) == METADATA
    entries = read_metadata_entries(embedded)
    assert "min_runtime_version" in entries
    assert (
        entries["min_runtime_version"] == read_metadata_entries(small_model)["min_runtime_version"]
    )
    np.testing.assert_array_equal(run(embedded), run(small_model))


def test_embedding_again_replaces_the_entry(small_model):
    twice = embed_metadata(embed_metadata(small_model, METADATA), {**METADATA, "variant": "int8"})
    model = schema.Model.GetRootAs(twice, 0)
    names = [model.Metadata(i).Name() for i in range(model.MetadataLength())]
    assert names.count(b"tfganimation") == 1
    assert read_metadata(twice)["variant"] == "int8"


def test_buffers_stay_16_byte_aligned(small_model):
    embedded = embed_metadata(small_model, METADATA)
    model = schema.Model.GetRootAs(embedded, 0)
    start = np.frombuffer(embedded, np.uint8).ctypes.data
    offsets = [
        model.Buffers(i).DataAsNumpy().ctypes.data - start
        for i in range(model.BuffersLength())
        if model.Buffers(i).DataLength()
    ]
    assert len(offsets) >= 3  # Kernel, bias, metadata.
    assert all(offset % 16 == 0 for offset in offsets)


def test_metadata_describes_the_contract():
    assert [au["code"] for au in METADATA["action_units"]] == list(AU_CODES)
    animate = METADATA["signatures"]["animate"]
    assert animate["inputs"]["image"] == {
        "dtype": "uint8",
        "shape": [1, 32, 32, 3],
        "scale": "RGB, 0..255",
    }
    assert animate["inputs"]["aus"]["shape"] == [1, 17]
    assert sorted(animate["outputs"]) == ["attention", "color", "image"]
    assert "estimate_aus" not in METADATA["signatures"]
    any_batch = describe_signatures(32, batch_size=None, estimate_aus=True)
    assert any_batch["estimate_aus"]["outputs"]["aus"]["shape"] == [-1, 17]
    json.dumps(METADATA)  # Serialisable.


def test_reader_needs_neither_tensorflow_nor_litert(small_model, tmp_path):
    path = tmp_path / "model.tflite"
    path.write_bytes(embed_metadata(small_model, METADATA))
    script = (
        "import sys, json\n"
        "for blocked in ('tensorflow', 'keras', 'ai_edge_litert', 'flatbuffers'):\n"
        "    sys.modules[blocked] = None\n"
        "from tfganimation.export import read_metadata\n"
        f"print(json.dumps(read_metadata({str(path)!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == METADATA


def test_reader_errors_are_clear(small_model, tmp_path):
    with pytest.raises(ValueError, match="Not a TFLite model"):
        read_metadata(b"PK\x03\x04 not a flatbuffer")
    with pytest.raises(ValueError, match="no 'tfganimation' metadata"):
        read_metadata(small_model)
