"""Action-unit datasets: read, validate, convert and feed them to `fit`.

Readers turn a dataset on disk into a validated `DatasetIndex` (image path,
17 OpenFace AU intensities, split), skipping and counting anything unusable:
the original GANimation layout (`read_original_layout`), OpenFace CSVs
(`read_openface`) and the project's manifest (`read_manifest`); `read_index`
detects which. `prepare_dataset` converts any of them into the manifest
layout; `load_dataset` builds the `tf.data` pipeline.

Names are imported lazily so that `prepare` and indexing never import
TensorFlow.

Example:
```python
from tfganimation.data import load_dataset

dataset = load_dataset("path/to/dataset", batch_size=25, seed=0)
model.fit(dataset, epochs=30)
```
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.data.index": (
            "DatasetError", "DatasetIndex", "IndexReport", "Sample", "SKIP_REASONS",
        ),
        "tfganimation.data.safe_pickle": ("UnsafePickleError", "load_pickle"),
        "tfganimation.data.images": ("check_image",),
        "tfganimation.data.original_layout": ("read_original_layout",),
        "tfganimation.data.openface": ("DEFAULT_MIN_CONFIDENCE", "read_openface"),
        "tfganimation.data.manifest": ("read_manifest", "write_manifest"),
        "tfganimation.data.readers": ("FORMATS", "detect_format", "read_index"),
        "tfganimation.data.prepare": ("PrepareReport", "prepare_dataset"),
        "tfganimation.data.transforms": (
            "decode_image", "flip_horizontally", "resize_to_square", "sample_target_aus",
            "scale_image",
        ),
        "tfganimation.data.pipeline": ("load_dataset",),
    },
)
