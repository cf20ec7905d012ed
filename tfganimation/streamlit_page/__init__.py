"""What the Streamlit page (`streamlit_app/app.py`) shows and decides, testable without a browser.

The page reads every name from this package (`page.load_animator`), so a
test can replace one here.
"""

from tfganimation.streamlit_page.photos import (
    ANIMATION_FORMATS,
    DEFAULT_MODEL,
    DISPLAY_SIZE,
    EXAMPLES,
    MAX_PIXELS,
    MAX_UPLOAD_MB,
    MODEL_ENV,
    SLIDER_STEP,
    UPLOAD_TYPES,
    WORKING_SIDE,
    Panel,
    Photo,
    Slider,
    animation_bytes,
    attention_image,
    aus_from_state,
    default_model,
    describe_model,
    draw_faces,
    enlarge,
    example_photo,
    face_label,
    face_panels,
    find_models,
    format_seconds,
    load_animator,
    make_photo,
    missing_model_message,
    model_choices,
    model_notice,
    model_summary,
    order_faces,
    parse_args,
    png_bytes,
    read_upload,
    region_title,
    slider_groups,
    slider_state,
    starting_expression,
)

__all__ = ['ANIMATION_FORMATS', 'DEFAULT_MODEL', 'DISPLAY_SIZE', 'EXAMPLES', 'MAX_PIXELS', 'MAX_UPLOAD_MB', 'MODEL_ENV', 'SLIDER_STEP', 'UPLOAD_TYPES', 'WORKING_SIDE', 'Panel', 'Photo', 'Slider', 'animation_bytes', 'attention_image', 'aus_from_state', 'default_model', 'describe_model', 'draw_faces', 'enlarge', 'example_photo', 'face_label', 'face_panels', 'find_models', 'format_seconds', 'load_animator', 'make_photo', 'missing_model_message', 'model_choices', 'model_notice', 'model_summary', 'order_faces', 'parse_args', 'png_bytes', 'read_upload', 'region_title', 'slider_groups', 'slider_state', 'starting_expression']
