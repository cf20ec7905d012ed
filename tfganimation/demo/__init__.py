"""The demo model: a GANimation trained by us on synthetic faces, shipped with the package.

Names are imported lazily: `is_demo` and the file readers are used by the
model loaders of every runtime, LiteRT's too, so importing them must not
import the training recipe (and with it TensorFlow).
"""

from tfganimation.lazy_exports import lazy_getattr

_LAZY_EXPORTS = {
    "DEMO_CHANGES": "tfganimation.demo.recipe",
    "DEMO_DATASET": "tfganimation.demo.recipe",
    "DemoDataset": "tfganimation.demo.recipe",
    "demo_train_config": "tfganimation.demo.recipe",
    "DEMO_DIR": "tfganimation.demo.shipped",
    "DEMO_NAME": "tfganimation.demo.shipped",
    "demo_faces": "tfganimation.demo.shipped",
    "demo_metadata": "tfganimation.demo.shipped",
    "demo_model_path": "tfganimation.demo.shipped",
    "demo_notice": "tfganimation.demo.shipped",
    "demo_test_identities": "tfganimation.demo.shipped",
    "is_demo": "tfganimation.demo.shipped",
    "write_demo_files": "tfganimation.demo.shipped",
}

__all__ = list(_LAZY_EXPORTS)


__getattr__ = lazy_getattr(__name__, _LAZY_EXPORTS)
