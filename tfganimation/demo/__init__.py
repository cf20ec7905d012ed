"""The demo model: a GANimation trained by us on synthetic faces, shipped with the package.

Names are imported lazily: `is_demo` and the file readers are used by the
model loaders of every runtime, LiteRT's too, so importing them must not
import the training recipe (and with it TensorFlow).
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.demo.recipe": (
            "DEMO_CHANGES", "DEMO_DATASET", "DemoDataset", "demo_train_config",
        ),
        "tfganimation.demo.shipped": (
            "DEMO_DIR", "DEMO_NAME", "demo_faces", "demo_metadata", "demo_model_path",
            "demo_notice", "demo_test_identities", "is_demo", "write_demo_files",
        ),
    },
)
