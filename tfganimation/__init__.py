"""tfganimation: GANimation (Pumarola et al., ECCV 2018) in TensorFlow/Keras 3.

Importing the package imports no TensorFlow (so `tfganimation --help`
answers at once): the model classes load on first use (`tfga.GANimation`),
which registers them with Keras' serialisation. `keras.models.load_model`
rebuilds saved generators, critics and whole GANimation models once they are
registered: at `import tfganimation` already where Keras was imported
before it, else after first use or `import tfganimation.ganimation`;
`tfga.load_model(path)` needs neither. Where TensorFlow cannot be imported,
the parts that do not need it (the AU catalogue, photo loading, the LiteRT
metadata reader) still work.

Example:
```python
import tfganimation as tfga

model = tfga.GANimation(tfga.Generator(image_size=128), tfga.Critic(image_size=128))
model.compile()
model.fit(dataset, epochs=30)

demo = tfga.load_model("demo")  # The model shipped in the package, trained on synthetic faces.
edited, color, attention = demo.generator((images, target_aus))
```
"""

import importlib
import os
import sys

from tfganimation.lazy_exports import lazy_exports
from tfganimation.version import __version__

# TensorFlow's C++ INFO lines (one per XLA compilation, per dataset warning...)
# drown the output of every command; warnings and errors still show. A value
# the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

from tfganimation.inference.animator import Animator  # noqa: E402  (needs no TensorFlow for .tflite models)

# Everything that imports TensorFlow, only when first used.
__getattr__, _lazy_names = lazy_exports(
    __name__,
    {
        "tfganimation.critic": ("Critic",),
        "tfganimation.ganimation": ("GANimation",),
        "tfganimation.generator": ("Generator",),
        "tfganimation.layers": ("ResidualBlock",),
        "tfganimation.schedules": ("LinearDecay", "make_optimizers"),
        "tfganimation.model_files.loading": ("load_model",),
    },
)

if sys.modules.get("keras") is not None:  # Keras (and TensorFlow) are loaded: registering is free.
    importlib.import_module("tfganimation.ganimation")  # registers every model class

__all__ = ["__version__", "Animator", *_lazy_names]
