"""GANimation viewer: change the expression of a face in the browser.

    streamlit run streamlit_app/app.py                      # the quickstart model, else the demo
    streamlit run streamlit_app/app.py -- --model PATH      # a run, .keras, SavedModel, .tflite, demo
    TFGANIMATION_MODEL=PATH streamlit run streamlit_app/app.py

The page only lays out widgets; what it shows and decides is in
`tfganimation.streamlit_page`, where it is tested without a browser.
"""

from __future__ import annotations

import sys

import numpy as np
import streamlit as st

from tfganimation import streamlit_page as page
from tfganimation.aus import PRESETS, preset
from tfganimation.faces import PhotoError, center_crop_face

SOURCES = ("Example", "Upload", "Webcam")


@st.cache_resource(show_spinner="Loading the model…", max_entries=2)
def load_animator(path: str):
    return page.load_animator(path)


def choose_model() -> str:
    """The sidebar's model choice: found models, or a typed path."""
    default = page.default_model(sys.argv[1:])
    options = page.model_choices(default)
    st.sidebar.header("Model")
    chosen = st.sidebar.selectbox(
        "Model", options, key="model_choice", label_visibility="collapsed"
    )
    typed = st.sidebar.text_input(
        "…or a path", key="model_path", placeholder="run dir, .keras, SavedModel, .tflite or demo"
    )
    return typed.strip() or chosen


def choose_photo() -> page.Photo | None:
    """The photo to edit: an example, an upload or a webcam shot; errors are shown here."""
    source = st.radio("Photo", SOURCES, horizontal=True, key="source")
    if source == "Example":
        name = st.selectbox("Example", list(page.EXAMPLES), key="example")
        return page.example_photo(name)
    if source == "Upload":
        upload = st.file_uploader(
            "A photo with a face (JPEG, PNG or WebP)",
            type=list(page.UPLOAD_TYPES),
            max_upload_size=page.MAX_UPLOAD_MB,
            key="upload",
        )
    else:
        upload = st.camera_input("Take a photo", key="camera")
    if upload is None:
        st.info("Upload a photo to start." if source == "Upload" else "Take a photo to start.")
        return None
    try:
        return page.read_upload(upload.getvalue(), upload.name)
    except PhotoError as error:
        st.error(str(error))
        return None


def detected_faces(animator, photo: page.Photo) -> list:
    """The photo's faces left to right; detection runs once per photo."""
    cached = st.session_state.get("faces")
    if cached is None or cached[0] != photo.key:
        with st.spinner("Finding faces…"):
            cached = (photo.key, page.order_faces(animator.detect(photo.image)))
        st.session_state["faces"] = cached
    return cached[1]


def choose_face(photo: page.Photo, faces: list):
    """The face to edit (a `Face`), or `None` with a message when there is none."""
    if not faces:
        message = st.empty()
        if st.checkbox("Edit the centre of the photo", key="center_crop"):
            message.info("No face found: editing the centre of the photo.")
            return center_crop_face(photo.image)
        message.error(
            "No face found in this photo. Try a photo where the face is upright, well lit and "
            "at least 40 pixels wide, or edit the centre of the photo anyway."
        )
        return None
    labels = [page.face_label(index, face) for index, face in enumerate(faces)]
    index = st.radio("Face", range(len(faces)), format_func=labels.__getitem__, key="face_index")
    return faces[min(index or 0, len(faces) - 1)]


def start_expression(animator, model: str, photo: page.Photo, face) -> None:
    """Puts the sliders at the face's own expression whenever the face changes."""
    face_key = (model, photo.key, face.box)
    state = st.session_state
    keys = [slider.key for _, group in page.slider_groups() for slider in group]
    if state.get("expression_for") != face_key or any(key not in state for key in keys):
        aus, where_from = page.starting_expression(animator, photo.image, face)
        state.update(page.slider_state(aus))
        state["start_aus"], state["start_from"], state["expression_for"] = aus, where_from, face_key


def set_sliders(aus) -> None:
    st.session_state.update(page.slider_state(aus))


def presets() -> None:
    """A row of preset expressions, and Reset: back to where the sliders started."""
    columns = st.columns(len(PRESETS) + 1)
    for column, name in zip(columns, PRESETS):
        column.button(
            name.capitalize(),
            key=f"preset_{name}",
            on_click=set_sliders,
            args=(preset(name),),
            width="stretch",
        )
    columns[-1].button(
        "Reset",
        key="reset",
        on_click=set_sliders,
        args=(st.session_state["start_aus"],),
        help="Back to where the sliders started: " + st.session_state["start_from"],
        width="stretch",
    )


def expression_sliders() -> np.ndarray:
    """The sidebar's 17 AU sliders, grouped by face region; returns the target AUs."""
    sidebar = st.sidebar
    sidebar.header("Expression")
    sidebar.caption(
        "Action-unit intensities on the OpenFace scale, 0 (absent) to 5 (maximum). They started "
        f"at {st.session_state['start_from']}."
    )
    for region, sliders in page.slider_groups():
        sidebar.markdown(f"**{page.region_title(region)}**")
        for slider in sliders:
            sidebar.slider(
                slider.label,
                0.0,
                5.0,
                step=page.SLIDER_STEP,
                format="%.1f",
                key=slider.key,
                help=slider.help,
            )
    return page.aus_from_state(st.session_state)


def edited(animator, model: str, photo: page.Photo, face, aus: np.ndarray):
    """`Animator.edit` of the current choice, recomputed only when something changed."""
    key = (model, photo.key, face.box, tuple(np.round(aus, 2)))
    cached = st.session_state.get("edit")
    if cached is None or cached[0] != key:
        cached = (key, animator.edit(photo.image, aus, face=face))
        st.session_state["edit"] = cached
    return cached[1]


def show_result(photo: page.Photo, result, edited_column) -> None:
    edited_column.image(result.photo, caption="Edited photo", width="stretch")
    edited_column.caption(
        f"Inference: {page.format_seconds(result.seconds)} · whole edit (crop, model, paste): "
        f"{page.format_seconds(result.timings.get('total', result.seconds))}"
    )
    edited_column.download_button(
        "Download the edited photo (PNG)",
        data=lambda: page.png_bytes(result.photo),
        file_name=f"{photo.stem}_edited.png",
        mime="image/png",
        key="download_photo",
    )
    st.subheader("The model's view of the face")
    for column, panel in zip(st.columns(4), page.face_panels(result.faces[0])):
        # PNG: JPEG would smear the model's enlarged pixels.
        column.image(panel.image, caption=panel.caption, width="stretch", output_format="PNG")


def animation(animator, photo: page.Photo, face, aus: np.ndarray) -> None:
    st.subheader("Animation")
    st.caption("From where the sliders started to the expression set above.")
    frames_column, fps_column, format_column, button_column = st.columns(4)
    frames = frames_column.slider("Frames", 2, 48, 16, key="frames")
    fps = fps_column.slider("Frames per second", 1, 30, 12, key="fps")
    label = format_column.radio(
        "Format", list(page.ANIMATION_FORMATS), horizontal=True, key="format"
    )
    fmt, mime = page.ANIMATION_FORMATS[label]
    if button_column.button("Make animation", key="animate", type="primary"):
        with st.spinner("Animating…"):
            images = animator.interpolate(
                photo.image, aus, start_aus=st.session_state["start_aus"], frames=frames, face=face
            )
            st.session_state["animation"] = {
                "for": (photo.key, face.box),
                "preview": page.animation_bytes(images, "gif", fps),
                "data": page.animation_bytes(images, fmt, fps),
                "fmt": fmt,
                "mime": mime,
                "frames": len(images),
                "seconds": animator.last_inference_seconds,
            }
    made = st.session_state.get("animation")
    if made and made["for"] == (photo.key, face.box):
        st.image(
            made["preview"],
            caption=f"{made['frames']} frames, model {page.format_seconds(made['seconds'])}",
        )
        st.download_button(
            f"Download the animation ({made['fmt'].upper()})",
            data=made["data"],
            file_name=f"{photo.stem}_animation.{made['fmt']}",
            mime=made["mime"],
            key="download_animation",
        )


def main() -> None:
    st.set_page_config(page_title="GANimation viewer", layout="wide")
    st.title("GANimation viewer")
    st.caption(
        "Change a face's expression by its facial action units (GANimation, Pumarola et al., "
        "ECCV 2018). Choose a photo and a face, then pick a preset or move the sliders in the "
        "sidebar."
    )
    model = choose_model()
    problem = page.missing_model_message(model)
    if problem:
        st.warning(problem)
        st.stop()
    try:
        animator = load_animator(model)
    except Exception as error:  # noqa: BLE001 (a user-chosen file can fail in many ways)
        st.error(f"Could not load the model `{model}`: {error}")
        st.stop()
    st.caption(page.model_summary(animator.metadata))
    notice = page.model_notice(model)
    if notice:
        st.info(notice)
    with st.sidebar.expander("About this model"):
        for label, value in page.describe_model(animator.metadata, animator.has_critic):
            st.markdown(f"**{label}:** {value}")

    photo_column, faces_column, edited_column = st.columns([1, 1.5, 1.5])
    with photo_column:
        photo = choose_photo()
    if photo is None:
        st.stop()
    if photo.shrunk:
        width, height = photo.original_size
        photo_column.caption(
            f"Shrunk from {width} × {height} to "
            f"{photo.image.shape[1]} × {photo.image.shape[0]} pixels."
        )
    faces = detected_faces(animator, photo)
    with photo_column:
        face = choose_face(photo, faces)
    faces_column.image(
        page.draw_faces(photo.image, faces, faces.index(face) if face in faces else None),
        caption=f"Faces found: {len(faces)}",
        width="stretch",
    )
    if face is None:
        st.stop()

    start_expression(animator, model, photo, face)
    presets()
    aus = expression_sliders()
    result = edited(animator, model, photo, face, aus)
    show_result(photo, result, edited_column)
    animation(animator, photo, face, aus)


main()
