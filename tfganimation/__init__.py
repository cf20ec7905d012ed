"""tfganimation: GANimation (Pumarola et al., ECCV 2018) in TensorFlow/Keras 3.

Importing the package imports the model classes, which registers them with
Keras' serialisation: after `import tfganimation`, `keras.models.load_model`
rebuilds saved generators, critics and whole GANimation models. Where
TensorFlow cannot be imported, the parts that do not need it (the AU
catalogue, photo loading, the LiteRT metadata reader) still work.

Example:
```python
import tfganimation as tfga

model = tfga.GANimation(tfga.Generator(image_size=128), tfga.Critic(image_size=128))
model.compile()
model.fit(dataset, epochs=30)
```
"""

import importlib.util
import os

from tfganimation.version import __version__

# TensorFlow's C++ INFO lines (one per XLA compilation, per dataset warning...)
# drown the output of every command; warnings and errors still show. A value
# the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")


def _tensorflow_importable() -> bool:
    try:
        return importlib.util.find_spec("tensorflow") is not None
    except ValueError:  # `sys.modules["tensorflow"] = None`: deliberately blocked.
        return False


if _tensorflow_importable():
    from tfganimation.critic import Critic
    from tfganimation.ganimation import GANimation
    from tfganimation.generator import Generator
    from tfganimation.layers import ResidualBlock
    from tfganimation.schedules import LinearDecay, make_optimizers

from tfganimation.animator import Animator  # noqa: E402  (needs no TensorFlow for .tflite models)

__all__ = [
    "__version__",
    "Animator",
    "Critic",
    "GANimation",
    "Generator",
    "LinearDecay",
    "ResidualBlock",
    "make_optimizers",
]
