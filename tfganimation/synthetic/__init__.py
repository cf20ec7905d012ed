"""A built-in synthetic world of faces whose action units are known exactly.

Real AU datasets come with OpenFace's noisy estimates and no ground truth for
"this face, but smiling". Here a face is a function of an `Identity` and 17 AU
intensities, so any edit has a pixel-exact answer: `make_dataset` writes
training data in the project's manifest format, and `tfganimation.evaluation`
scores an editor against re-rendered ground truth on held-out identities.

Example:
```python
import numpy as np
from tfganimation import aus
from tfganimation.synthetic import render_face, sample_identity

identity = sample_identity(np.random.default_rng(0))
neutral = render_face(identity, np.zeros(aus.N_AUS), 128)
happy = render_face(identity, aus.preset("happy"), 128)
```
"""

from tfganimation.synthetic.au_sampling import sample_aus
from tfganimation.synthetic.dataset import DatasetSummary, load_identities, make_dataset
from tfganimation.synthetic.identity import HAIR_STYLES, Identity, sample_identity
from tfganimation.synthetic.regions import AU_ZONES, au_region_mask
from tfganimation.synthetic.renderer import MIN_IMAGE_SIZE, render_face

__all__ = [
    "AU_ZONES",
    "DatasetSummary",
    "HAIR_STYLES",
    "Identity",
    "MIN_IMAGE_SIZE",
    "au_region_mask",
    "load_identities",
    "make_dataset",
    "render_face",
    "sample_aus",
    "sample_identity",
]
