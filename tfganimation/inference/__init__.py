"""Using a trained model: load it, run it in one of three runtimes, edit photos with it.

- `loading`: read a training run, a `.keras` file or the shipped demo back
  (`load_model`, `load_run`): the one place models are loaded.
- `backends`: the Keras, SavedModel and LiteRT runtimes behind one
  uint8-in, uint8-out `Backend.edit`.
- `animator`: `Animator`, the photo editor: faces found, cropped, edited and
  blended back; sequences of edits for animations.

Writing the files these runtimes read is the export side, `tfganimation.export`.
Names are imported lazily: `Animator` on a `.tflite` file needs no TensorFlow.

Example:
```python
from tfganimation.inference import Animator

result = Animator("demo").edit("portrait.jpg", "happy")
```
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.inference.animator": ("Animator", "EditResult", "FaceEdit", "to_aus"),
        "tfganimation.inference.backends": (
            "BACKENDS", "Backend", "detect_backend", "load_backend",
        ),
        "tfganimation.inference.loading": (
            "LoadedModel", "load_model", "load_run", "resolve_model_path",
        ),
    },
)
