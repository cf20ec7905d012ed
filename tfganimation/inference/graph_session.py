"""`GraphSession`: a traced TensorFlow function run as a frozen graph in one long-lived session.

Why not call the `tf.function` itself: an eager function call pays a
one-off set-up in TensorFlow's runtime that some hosts trigger on every
request. Under Streamlit, each rerun of the viewer page (one per slider
move) made the first call of every function cost 110-350 ms instead of
6 ms for the 64-px demo, with no retracing (`benchmarks/interactive.py`).
A `tf.compat.v1.Session` instantiates its graph once and keeps it, so every
call after the first costs the arithmetic alone, in any thread. LiteRT's
interpreter already behaves that way.

The graph holds the weights as constants, copied when the session is built:
it is for inference on a model that no longer changes.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

from tfganimation.export.signatures import GeneratorFn, aus_spec, image_spec, make_animate


class GraphSession:
    """Runs a `tf.function` with a fixed input signature as a frozen graph.

    Args:
        function: `tf.function` with an `input_signature` whose specs are
            named; it returns a dict of tensors.

    Example:
    ```python
    animate = tf.function(make_animate(generator), input_signature=[image_spec(64), aus_spec()])
    run = GraphSession(animate)
    outputs = run(image=faces, aus=targets)  # {"image": np.ndarray, ...}
    ```
    """

    def __init__(self, function: tf.types.experimental.PolymorphicFunction):
        self.function = function
        concrete = function.get_concrete_function()
        frozen = convert_variables_to_constants_v2(concrete)
        graph = tf.Graph()
        with graph.as_default():
            tf.graph_util.import_graph_def(frozen.graph.as_graph_def(), name="")
        names = [spec.name for spec in function.input_signature]
        self._feeds = dict(zip(names, (tensor.name for tensor in frozen.inputs), strict=True))
        outputs = tf.nest.flatten(frozen.structured_outputs, expand_composites=True)
        self._fetches = dict(
            zip(sorted(concrete.structured_outputs), (t.name for t in outputs), strict=True)
        )
        self.graph = graph
        self._session = tf.compat.v1.Session(graph=graph)

    def __call__(self, **inputs: np.ndarray) -> dict[str, np.ndarray]:
        """The function's outputs for numpy `inputs`, named as in its input signature."""
        feed = {self._feeds[name]: value for name, value in inputs.items()}
        return self._session.run(self._fetches, feed)


def frozen_animate(generator: GeneratorFn, image_size: int) -> GraphSession:
    """The export's `animate` signature of `generator` as a frozen graph, for any batch size.

    Takes uint8 `image` `[N, image_size, image_size, 3]` and OpenFace-scale
    `aus` `[N, 17]`, like the SavedModel and LiteRT files. The graph is
    traced as the surrounding code asks: inside `direct_convolutions()` it
    keeps the direct 3×3 kernels.
    """
    signature = [image_spec(image_size), aus_spec()]
    return GraphSession(tf.function(make_animate(generator), input_signature=signature))
