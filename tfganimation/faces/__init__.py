"""The face front end for editing real photos: load, detect, crop, paste back.

Importing this package is cheap; TensorFlow is imported only when the first
face detector is built.

Example:
```python
from tfganimation import faces

photo = faces.load_photo("portrait.jpg")
face = faces.select_faces(faces.detect_faces(photo), "largest")[0]
crop = faces.crop_face(photo, face, size=128)  # framing="openface_simalign" for vipermu's
edited, attention = ...  # the generator, run on crop.image
result = faces.paste_face(photo, crop, edited, attention)
```
"""

from tfganimation.faces.crop import DEFAULT_MARGIN, FaceCrop, crop_face
from tfganimation.faces.detection import FaceDetector, detect_faces
from tfganimation.faces.face import Face, NoFaceError, center_crop_face, select_faces
from tfganimation.faces.framing import (
    DEFAULT_FRAMING,
    FRAMINGS,
    openface_simalign_points,
    openface_simalign_transform,
)
from tfganimation.faces.paste import paste_face
from tfganimation.faces.photos import DEFAULT_MAX_PIXELS, PhotoError, load_photo

__all__ = [
    "DEFAULT_FRAMING",
    "DEFAULT_MARGIN",
    "DEFAULT_MAX_PIXELS",
    "FRAMINGS",
    "Face",
    "FaceCrop",
    "FaceDetector",
    "NoFaceError",
    "PhotoError",
    "center_crop_face",
    "crop_face",
    "detect_faces",
    "load_photo",
    "openface_simalign_points",
    "openface_simalign_transform",
    "paste_face",
    "select_faces",
]
