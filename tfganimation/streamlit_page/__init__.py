"""What the Streamlit page (`streamlit_app/app.py`) shows and decides, testable without a browser.

The page only lays out widgets. Everything behind them is here, as plain
functions on numpy arrays:

- `models`: which model to open, and its description.
- `photos`: reading an upload safely, the built-in example photos, the faces.
- `controls`: the AU sliders grouped by region, the comparison panels, the
  bytes of each download.
- `videos`: the video tab: a photo driven by an uploaded performance, an
  uploaded video edited, each as an MP4's bytes.

Nothing here imports Streamlit, and the model runtime (TensorFlow or LiteRT)
is imported only by `load_animator`. The page reads every name from this
package (`page.load_animator`), so a test can replace one here.

Example:
```python
from tfganimation import streamlit_page as page

photo = page.read_upload(open("portrait.jpg", "rb").read(), "portrait.jpg")
animator = page.load_animator(page.default_model())
faces = page.order_faces(animator.detect(photo.image))
result = animator.edit(photo.image, "happy", face=faces[0])
panels = page.face_panels(result.faces[0])
png = page.png_bytes(result.photo)
```
"""

from tfganimation.streamlit_page.controls import (
    ANIMATION_FORMATS,
    DISPLAY_SIZE,
    SLIDER_STEP,
    Panel,
    Slider,
    animation_bytes,
    aus_from_state,
    enlarge,
    face_panels,
    png_bytes,
    region_title,
    slider_groups,
    slider_state,
)
from tfganimation.streamlit_page.models import (
    DEFAULT_MODEL,
    MODEL_ENV,
    default_model,
    describe_model,
    find_models,
    format_seconds,
    load_animator,
    missing_model_message,
    model_choices,
    model_notice,
    model_summary,
    parse_args,
)
from tfganimation.streamlit_page.photos import (
    EXAMPLES,
    MAX_PIXELS,
    MAX_UPLOAD_MB,
    UPLOAD_TYPES,
    WORKING_SIDE,
    Photo,
    draw_faces,
    example_photo,
    face_label,
    make_photo,
    order_faces,
    read_upload,
    starting_expression,
)
from tfganimation.streamlit_page.videos import (
    CSV_UPLOAD_TYPES,
    MAX_VIDEO_UPLOAD_MB,
    VIDEO_UPLOAD_TYPES,
    VIEWER_LIMITS,
    drive_uploaded_photo,
    edit_uploaded_video,
)

__all__ = [
    "ANIMATION_FORMATS", "CSV_UPLOAD_TYPES", "DEFAULT_MODEL", "DISPLAY_SIZE", "EXAMPLES",
    "MAX_PIXELS", "MAX_UPLOAD_MB", "MAX_VIDEO_UPLOAD_MB", "MODEL_ENV", "SLIDER_STEP",
    "UPLOAD_TYPES", "VIDEO_UPLOAD_TYPES", "VIEWER_LIMITS", "WORKING_SIDE", "Panel", "Photo",
    "Slider", "animation_bytes", "aus_from_state", "default_model",
    "describe_model", "draw_faces", "drive_uploaded_photo", "edit_uploaded_video", "enlarge",
    "example_photo", "face_label", "face_panels", "find_models", "format_seconds",
    "load_animator", "make_photo", "missing_model_message", "model_choices", "model_notice",
    "model_summary", "order_faces", "parse_args", "png_bytes", "read_upload", "region_title",
    "slider_groups", "slider_state", "starting_expression",
]  # fmt: skip
