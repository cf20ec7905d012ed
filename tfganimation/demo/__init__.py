"""The demo model: a GANimation trained by us on synthetic faces, shipped with the package.

This package is its files (`shipped`: where they are, what they say, how
they are written): package data that the model loaders of every runtime,
LiteRT's too, read through `tfganimation.model_files`, so it sits below
them and imports no TensorFlow until a function needs it. How the demo is
trained is `tfganimation.training.demo_recipe`; whether a model reference
names the demo is `tfganimation.model_files.reference.is_demo`.
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.demo.shipped": (
            "DEMO_DIR", "DEMO_NAME", "demo_faces", "demo_metadata", "demo_model_path",
            "demo_notice", "demo_test_identities", "write_demo_files",
        ),
    },
)
