"""Export a trained generator for serving (SavedModel) and for phones (LiteRT).

`export_model` writes a SavedModel with the `animate` and `estimate_aus`
signatures, the generator as LiteRT files in four variants by default
(float32, float16, dynamic-range int8, full-integer int8; on request a
fifth, float32_winograd, float32 for CPUs), and `metadata.json`; then
checks every file against the Keras model on real faces. All of them take
uint8 RGB images and OpenFace AU intensities (0..5) and return uint8 images:
the scaling the networks need happens inside the exported graph.

Names are imported lazily: `read_metadata` must work where TensorFlow is not
installed.

Example:
```python
from tfganimation.export import export_model, read_metadata

report = export_model("runs/celeba", "exports/celeba")
print(report.format_table())
read_metadata("exports/celeba/generator_int8.tflite")["action_units"][8]
# {'index': 8, 'code': 'AU12', 'name': 'Lip Corner Puller', 'region': 'mouth'}
```
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.export.exporter": ("export_model", "ExportReport", "ParityError", "FORMATS"),
        "tfganimation.export.tflite": ("VARIANTS",),
        "tfganimation.export.parity": ("PSNR_FLOORS", "FLOAT_TOLERANCE"),
        "tfganimation.export.metadata": ("read_metadata", "read_metadata_entries"),
    },
)
