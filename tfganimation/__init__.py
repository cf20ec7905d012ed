"""tfganimation: GANimation (Pumarola et al., ECCV 2018) in TensorFlow/Keras 3.

The public names below are imported lazily, so that `import tfganimation` and
the command line's `--help` do not pay for importing TensorFlow.

Example:
```python
import tfganimation as tfga

model = tfga.GANimation(tfga.Generator(image_size=128), tfga.Critic(image_size=128))
model.compile()
model.fit(dataset, epochs=30)
```
"""

import importlib

from tfganimation.version import __version__

_LAZY_EXPORTS = {
    "Generator": "tfganimation.generator",
    "Critic": "tfganimation.critic",
    "GANimation": "tfganimation.ganimation",
    "LinearDecay": "tfganimation.schedules",
    "make_optimizers": "tfganimation.schedules",
}

__all__ = ["__version__", *_LAZY_EXPORTS]


def __getattr__(name):
    if name in _LAZY_EXPORTS:
        return getattr(importlib.import_module(_LAZY_EXPORTS[name]), name)
    raise AttributeError(f"module 'tfganimation' has no attribute {name!r}")
