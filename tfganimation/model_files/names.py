"""The names a trained or exported model's files and signatures are found by, without TensorFlow.

Each name has one meaning: the run folder's model is `RUN_MODEL_FILE`, the
demo's is `tfganimation.demo.shipped.DEMO_MODEL_FILE`; an export folder's
record is `EXPORT_METADATA_FILE`, the demo's `DEMO_METADATA_FILE`. The
writers (`tfganimation.training.run_dir`, `tfganimation.export`) and the
readers (`tfganimation.model_files.reference`, the inference backends) share
these, so a file is never looked for under a name it was not written with.
"""

RUN_FILE = "run.json"
"""A training run's record: its configuration, data report and status."""

RUN_MODEL_FILE = "model.keras"
"""A finished training run's whole `GANimation` (generator, critic, optimizers)."""

EXPORT_METADATA_FILE = "metadata.json"
"""An export folder's record: what was exported, from which model, and its parity check."""

SAVED_MODEL_DIR = "saved_model"
"""An export folder's SavedModel, in TensorFlow Serving's numbered layout below it."""

SAVED_MODEL_FILE = "saved_model.pb"
"""The file that makes a folder a SavedModel."""

ANIMATE = "animate"
"""Signature that edits faces: `image`, `aus` → `image`, `attention`, `color`.

One edit per face, not an animation: "animate" is the file format's name
for it, which the web page, the Kotlin and Swift snippets in docs/on_device.md and every
export made so far use, so it stays. In the Python API an edit is `edit`
(`Backend.edit`, `Animator.edit`); an animation is a sequence of edits
(`Animator.interpolate`, the `animate` command)."""

ESTIMATE_AUS = "estimate_aus"
"""Signature that reads a face's AUs with the critic: `image` → `aus`."""


def tflite_file_name(variant: str) -> str:
    """`generator_<variant>.tflite`: an export folder's LiteRT file of one variant."""
    return f"generator_{variant}.tflite"
