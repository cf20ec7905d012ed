"""Using a trained model: run it in one of three runtimes, edit photos with it.

- `backends`: the Keras, SavedModel and LiteRT runtimes behind one
  uint8-in, uint8-out `Backend.edit`.
- `animator`: `Animator`, the photo editor: faces found, cropped, edited and
  blended back; sequences of edits for animations.
- `edits`: `EditResult` and `FaceEdit`, what an edit gives back.
- `graph_session`: the Keras backend's frozen graphs.

What a model reference is, and reading its networks back (`load_model`),
is `tfganimation.model_files`; writing the files these runtimes read, and the
runners that run them, is `tfganimation.export`. Both sit below this package.
`load_model`, `LoadedModel` and `load_run` (`tfganimation.training`) stay
importable from here, where earlier code took them.
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
        "tfganimation.inference.animator": ("Animator", "to_aus"),
        "tfganimation.inference.edits": ("EditResult", "FaceEdit"),
        "tfganimation.inference.backends": ("BACKENDS", "Backend", "load_backend"),
        "tfganimation.model_files.loading": ("LoadedModel", "load_model"),
        "tfganimation.training.run_dir": ("load_run",),
    },
)
