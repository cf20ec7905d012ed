"""A model on disk: what its files are called, what a reference names, its networks.

- `names`: the file and signature names runs, exports and the demo are
  written and found under (no TensorFlow).
- `reference`: `resolve_model`, the one set of rules that turns any model
  reference (a run folder, a `.keras` file, an export folder, a SavedModel,
  a `.tflite`, a PyTorch checkpoint or `"demo"`) into a `ModelReference`:
  kind, files, record, training data (no TensorFlow).
- `loading`: `load_model`, the Keras networks of a reference.

This package sits below `tfganimation.export` and `tfganimation.inference`,
which both take model references, and above the networks, the demo's files
and `tfganimation.torch_checkpoints`. Names are imported lazily, so asking
what a reference is imports no TensorFlow.

Example:
```python
from tfganimation.model_files import load_model, resolve_model

resolve_model("demo").training_data   # 'synthetic faces (tfganimation.synthetic)'
generator = load_model("demo").generator
```
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.model_files.reference": (
            "MODEL_KINDS", "ModelReference", "model_kind", "resolve_model",
        ),
        "tfganimation.model_files.loading": ("LoadedModel", "load_model"),
    },
)
