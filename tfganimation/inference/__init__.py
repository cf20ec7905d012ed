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

from tfganimation.lazy_exports import lazy_getattr

_LAZY_EXPORTS = {
    "Animator": "tfganimation.inference.animator",
    "EditResult": "tfganimation.inference.animator",
    "FaceEdit": "tfganimation.inference.animator",
    "to_aus": "tfganimation.inference.animator",
    "BACKENDS": "tfganimation.inference.backends",
    "Backend": "tfganimation.inference.backends",
    "detect_backend": "tfganimation.inference.backends",
    "load_backend": "tfganimation.inference.backends",
    "LoadedModel": "tfganimation.inference.loading",
    "load_model": "tfganimation.inference.loading",
    "load_run": "tfganimation.inference.loading",
    "resolve_model_path": "tfganimation.inference.loading",
}

__all__ = list(_LAZY_EXPORTS)

__getattr__ = lazy_getattr(__name__, _LAZY_EXPORTS)
