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

from tfganimation.lazy_exports import lazy_getattr

_LAZY_EXPORTS = {
    "DatasetError": "tfganimation.data.index",
    "DatasetIndex": "tfganimation.data.index",
    "IndexReport": "tfganimation.data.index",
    "Sample": "tfganimation.data.index",
    "SKIP_REASONS": "tfganimation.data.index",
    "UnsafePickleError": "tfganimation.data.safe_pickle",
    "load_pickle": "tfganimation.data.safe_pickle",
    "check_image": "tfganimation.data.images",
    "read_original_layout": "tfganimation.data.original_layout",
    "DEFAULT_MIN_CONFIDENCE": "tfganimation.data.openface",
    "read_openface": "tfganimation.data.openface",
    "read_manifest": "tfganimation.data.manifest",
    "write_manifest": "tfganimation.data.manifest",
    "FORMATS": "tfganimation.data.readers",
    "detect_format": "tfganimation.data.readers",
    "read_index": "tfganimation.data.readers",
    "PrepareReport": "tfganimation.data.prepare",
    "prepare_dataset": "tfganimation.data.prepare",
    "decode_image": "tfganimation.data.transforms",
    "flip_horizontally": "tfganimation.data.transforms",
    "resize_to_square": "tfganimation.data.transforms",
    "sample_target_aus": "tfganimation.data.transforms",
    "scale_image": "tfganimation.data.transforms",
    "load_dataset": "tfganimation.data.pipeline",
}

__all__ = list(_LAZY_EXPORTS)


__getattr__ = lazy_getattr(__name__, _LAZY_EXPORTS)
