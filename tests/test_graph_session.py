"""`GraphSession` runs the export's functions as frozen graphs: same outputs, no per-call set-up."""

import numpy as np
import pytest
import tensorflow as tf
from conftest import TINY, tiny_ganimation

from tfganimation.inference.backends import load_backend
from tfganimation.export.signatures import aus_spec, image_spec, make_animate
from tfganimation.inference.graph_session import GraphSession


@pytest.fixture(scope="module")
def generator():
    return tiny_ganimation().generator


def inputs(batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    size = TINY["image_size"]
    images = rng.integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    return images, rng.uniform(0, 5, (batch, 17)).astype(np.float32)


@pytest.mark.parametrize("batch", [1, 3])
def test_graph_session_returns_what_the_function_returns(generator, batch):
    function = tf.function(
        make_animate(generator), input_signature=[image_spec(TINY["image_size"]), aus_spec()]
    )
    images, aus = inputs(batch)
    expected = {name: value.numpy() for name, value in function(images, aus).items()}
    actual = GraphSession(function)(image=images, aus=aus)
    assert actual.keys() == expected.keys()
    for name in expected:
        assert actual[name].dtype == expected[name].dtype
        # The same graph: at most a rounding step apart where float sums are reordered.
        np.testing.assert_allclose(
            actual[name].astype(np.float64), expected[name].astype(np.float64), atol=1, err_msg=name
        )
    np.testing.assert_allclose(actual["attention"], expected["attention"], atol=1e-6)


def test_keras_backend_traces_once_and_adds_nothing_per_call(tmp_path):
    path = tmp_path / "tiny.keras"
    tiny_ganimation().save(path)
    backend = load_backend(path)
    operations = len(backend._edit.graph.get_operations())
    for batch in (1, 2, 1, 4):
        images, aus = inputs(batch, seed=batch)
        outputs = backend.edit(images, aus)
        assert outputs["image"].shape == images.shape
        assert backend.estimate_aus(images).shape == (batch, 17)
    assert backend._edit.function.experimental_get_tracing_count() == 1
    assert len(backend._edit.graph.get_operations()) == operations
