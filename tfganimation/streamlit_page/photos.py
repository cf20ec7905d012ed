"""What the Streamlit viewer (`streamlit_app/app.py`) shows and decides, testable without a browser.

The page only lays out widgets. Everything behind them is here, as plain
functions on numpy arrays: which model to open, reading an upload safely,
the built-in example photos, the face boxes, the AU sliders grouped by
region, the comparison panels, and the bytes of each download.

Nothing here imports Streamlit, and the model runtime (TensorFlow or LiteRT)
is imported only by `load_animator`.

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

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from tfganimation.aus import ACTION_UNITS, OPENFACE_MAX_INTENSITY, REGIONS, ActionUnit
from tfganimation.demo.shipped import (
    DEMO_NAME,
    demo_metadata,
    demo_model_path,
    demo_notice,
    is_demo,
)
from tfganimation.faces import Face, PhotoError, crop_face, load_photo, select_faces

DEFAULT_MODEL = "runs/quickstart/run"
"""Where `tfganimation quickstart` leaves its model, relative to the working directory;
opened first when it is there, else the demo model shipped in the package."""

MODEL_ENV = "TFGANIMATION_MODEL"
"""Environment variable naming the model to open when `--model` is not given."""

UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp")
MAX_UPLOAD_MB = 25
"""Largest upload accepted, in megabytes (phone photos are 2-10 MB)."""

MAX_PIXELS = 24_000_000
"""Largest photo accepted, in pixels (a 24-megapixel camera); refused before decoding."""

WORKING_SIDE = 2048
"""Photos with a longer side are shrunk to it: the page stays responsive and faces stay sharp."""

SLIDER_STEP = 0.1
DISPLAY_SIZE = 256
"""Face panels are enlarged to about this many pixels, by whole-pixel repetition."""

ANIMATION_FORMATS = {"GIF": ("gif", "image/gif"), "MP4": ("mp4", "video/mp4")}

_SEARCH_DEPTH = 4
_SKIPPED_FOLDERS = {"checkpoints", "logs", "samples", "data", "saved_model", "__pycache__"}


# Models.


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The page's own arguments: `streamlit run streamlit_app/app.py -- --model PATH`.

    Unknown arguments are ignored, so the page also runs under test runners
    whose command line it sees.
    """
    parser = argparse.ArgumentParser(
        prog="streamlit_app/app.py", add_help=False, allow_abbrev=False
    )
    parser.add_argument("--model", default=None)
    return parser.parse_known_args(list(argv))[0]


def default_model(argv: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> str:
    """The model to open first: `--model`, else `$TFGANIMATION_MODEL`, else the quickstart's
    when there is one in the working directory, else `"demo"`, the model shipped in the
    package, so that the page always opens on a model that edits faces.
    """
    environ = os.environ if environ is None else environ
    chosen = parse_args(argv).model or environ.get(MODEL_ENV)
    if chosen:
        return chosen
    return DEFAULT_MODEL if Path(DEFAULT_MODEL).exists() else DEMO_NAME


def model_choices(default: str, root: str | os.PathLike = "runs") -> list[str]:
    """The sidebar's model list: `default`, the models `find_models` finds, and `"demo"`."""
    return list(dict.fromkeys([default, *find_models(root), DEMO_NAME]))


def model_notice(model: str | os.PathLike) -> str | None:
    """What the page must say about a model before showing its edits, or `None`.

    For the demo: that it has only seen synthetic faces, so on a real photo
    it shows the mechanics of an edit, not real-face quality.
    """
    return demo_notice() if is_demo(model) else None


def missing_model_message(path: str | os.PathLike) -> str | None:
    """What to tell the user when nothing is at `path` (Markdown), or `None` if something is."""
    if is_demo(path):
        try:
            demo_model_path()
            demo_metadata()
        except FileNotFoundError as error:
            return str(error)
        return None
    if Path(path).exists():
        return None
    where = f"`{path}`" + ("" if Path(path).is_absolute() else f" (in `{Path.cwd()}`)")
    if os.fspath(path) == DEFAULT_MODEL:
        return (
            f"No model at {where} yet. Train the quickstart model on built-in synthetic faces "
            "(about 10 minutes on a laptop CPU), then reload this page:\n\n"
            "```bash\ntfganimation quickstart\n```\n\n"
            "Or enter the path of another model in the sidebar: a training run directory, "
            "a `.keras` file, an exported SavedModel or a `.tflite` file."
        )
    return (
        f"No model at {where}. Enter a training run directory, a `.keras` file, an "
        "exported SavedModel or a `.tflite` file, or train one with `tfganimation quickstart`."
    )


def find_models(root: str | os.PathLike = "runs", limit: int = 50) -> list[str]:
    """Models under `root` for the sidebar's list, sorted by path.

    Listed: run directories (holding `model.keras`) and export folders
    (holding `saved_model/`) as folders, SavedModel folders, other `.keras`
    files, and `.tflite` files. The search goes `_SEARCH_DEPTH` folders
    down and skips checkpoints, logs, samples, data sets and hidden folders.
    """
    root = Path(root)
    found: list[str] = []
    if not root.is_dir():
        return found
    for folder, subfolders, files in os.walk(root):
        folder_path = Path(folder)
        is_model = (
            "model.keras" in files or "saved_model" in subfolders or "saved_model.pb" in files
        )
        if is_model:
            found.append(str(folder_path))
        found += [
            str(folder_path / name)
            for name in files
            if name.endswith(".tflite") or (name.endswith(".keras") and not is_model)
        ]
        depth = len(folder_path.relative_to(root).parts)
        subfolders[:] = [
            name
            for name in subfolders
            if depth < _SEARCH_DEPTH
            and "saved_model.pb" not in files
            and name not in _SKIPPED_FOLDERS
            and not name.startswith(".")
        ]
    return sorted(found)[:limit]


def load_animator(model: str | os.PathLike, backend: str | None = None):
    """`tfganimation.animator.Animator(model)`, importing the runtime only now."""
    from tfganimation.animator import Animator

    return Animator(model, backend=backend, max_pixels=MAX_PIXELS)


def describe_model(
    metadata: Mapping[str, Any], has_critic: bool | None = None
) -> list[tuple[str, str]]:
    """`(label, value)` rows saying which model is loaded, for the sidebar."""
    size = metadata.get("image_size")
    rows = [
        ("Model", str(metadata.get("model") or "?")),
        ("Runtime", _RUNTIMES.get(metadata.get("backend"), str(metadata.get("backend")))),
        ("Face size", f"{size} × {size} px" if size else "?"),
        ("Training data", str(metadata.get("training_data") or "unknown")),
    ]
    if has_critic is not None:
        rows.append(
            ("Estimates AUs", "yes (critic)" if has_critic else "no: sliders start at neutral")
        )
    for key, label in (
        ("variant", "LiteRT variant"),
        ("model_version", "Weights"),
        ("exported_with", "Exported with tfganimation"),
        ("tfganimation_version", "tfganimation"),
    ):
        if metadata.get(key):
            rows.append((label, str(metadata[key])))
    return rows


def model_summary(metadata: Mapping[str, Any]) -> str:
    """One line naming the loaded model, its runtime, face size and training data."""
    size = metadata.get("image_size")
    runtime = _RUNTIMES.get(metadata.get("backend"), str(metadata.get("backend")))
    data = metadata.get("training_data")
    return f"Model `{metadata.get('model')}`: {runtime}, {size} × {size} px faces, " + (
        f"trained on `{data}`." if data else "training data unknown."
    )


_RUNTIMES = {
    "keras": "Keras (TensorFlow)",
    "saved_model": "SavedModel (TensorFlow)",
    "litert": "LiteRT",
}


def format_seconds(seconds: float) -> str:
    """`0.0123` → `"12 ms"`, `1.5` → `"1.50 s"`."""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


# Photos.


@dataclasses.dataclass(frozen=True, eq=False)
class Photo:
    """A photo ready to edit, and what the page needs to know about it.

    Args:
        image: uint8 array `[H, W, 3]`, RGB, at most `WORKING_SIDE` on its
            longer side.
        name: str. File name (or example name) for downloads and messages.
        original_size: tuple. `(width, height)` before any shrinking.
        key: str. Digest of the pixels: the same photo gets the same key.
    """

    image: np.ndarray
    name: str
    original_size: tuple[int, int]
    key: str

    @property
    def shrunk(self) -> bool:
        return self.original_size != (self.image.shape[1], self.image.shape[0])

    @property
    def stem(self) -> str:
        return Path(self.name).stem or "photo"


def make_photo(image: np.ndarray, name: str, max_side: int = WORKING_SIDE) -> Photo:
    """Wraps a uint8 RGB photo, shrinking it (area-averaged) to `max_side` if larger."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale < 1:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    image = np.ascontiguousarray(image, dtype=np.uint8)
    key = hashlib.sha256(image.tobytes() + repr(image.shape).encode()).hexdigest()[:16]
    return Photo(image=image, name=name, original_size=(width, height), key=key)


def read_upload(
    data: bytes,
    name: str = "the upload",
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_UPLOAD_MB * 2**20,
) -> Photo:
    """Reads uploaded (or webcam) bytes as a `Photo`, with messages fit to show a user.

    Raises:
        PhotoError: empty, over `max_bytes`, over `max_pixels` (checked from
            the header, before decoding), or not a readable image.
    """
    if not data:
        raise PhotoError(f"{name} is empty.")
    if len(data) > max_bytes:
        raise PhotoError(
            f"{name} is {len(data) / 2**20:.1f} MB; the viewer takes photos up to "
            f"{max_bytes / 2**20:g} MB."
        )
    size = _header_size(data)
    if size is not None and size[0] * size[1] > max_pixels:
        raise PhotoError(
            f"{name} is {size[0]} × {size[1]} pixels ({size[0] * size[1] / 1e6:.0f} megapixels); "
            f"the viewer takes photos up to {max_pixels / 1e6:g} megapixels. "
            "Shrink it and upload it again."
        )
    try:
        image = load_photo(bytes(data), max_pixels=max_pixels)
    except (OSError, SyntaxError, ValueError) as error:
        # PhotoError is a ValueError; Pillow raises OSError for some truncated headers.
        raise PhotoError(
            f"{name} is not a photo the viewer can read: upload a JPEG, PNG or WebP image. "
            f"({error})"
        ) from error
    return make_photo(image, name)


def _header_size(data: bytes) -> tuple[int, int] | None:
    """`(width, height)` from the image header alone, or `None` if Pillow cannot tell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                return image.size
        except Image.DecompressionBombError:
            return (2**16, 2**16)  # Over Pillow's own limit, so over ours.
        except Exception:  # noqa: BLE001 (any failure here means: not an image; load_photo says so)
            return None


EXAMPLES: dict[str, tuple[int, ...]] = {
    "Synthetic face 1": (4,),
    "Synthetic face 2": (1,),
    "Synthetic face 3": (14,),
    "Two synthetic faces": (3, 4),
}
"""Built-in photos: the `sample_identity` seeds drawn in each, left to right.

The seeds are ones whose faces MTCNN finds with a score above 0.98.
"""

_EXAMPLE_FACE = 256
_EXAMPLE_HEIGHT = 448


@functools.lru_cache(maxsize=len(EXAMPLES))
def _example_image(name: str) -> np.ndarray:
    from tfganimation.synthetic import render_face, sample_identity

    seeds = EXAMPLES[name]
    width = max(640, len(seeds) * (_EXAMPLE_FACE + 64) + 64)
    # A soft vertical gradient, like a studio backdrop.
    shade = np.linspace(0.0, 1.0, _EXAMPLE_HEIGHT)[:, None, None]
    top, bottom = np.array([96, 116, 138]), np.array([54, 64, 80])
    canvas = np.broadcast_to(top + shade * (bottom - top), (_EXAMPLE_HEIGHT, width, 3))
    canvas = np.rint(canvas).astype(np.uint8)
    gap = (width - len(seeds) * _EXAMPLE_FACE) // (len(seeds) + 1)
    top_edge = (_EXAMPLE_HEIGHT - _EXAMPLE_FACE) // 2
    for index, seed in enumerate(seeds):
        face = render_face(
            sample_identity(np.random.default_rng(seed)), np.zeros(17), _EXAMPLE_FACE
        )
        left = gap + index * (_EXAMPLE_FACE + gap)
        canvas[top_edge : top_edge + _EXAMPLE_FACE, left : left + _EXAMPLE_FACE] = face
    canvas.flags.writeable = False
    return canvas


def example_photo(name: str) -> Photo:
    """A built-in photo of synthetic faces (`tfganimation.synthetic`), named in `EXAMPLES`."""
    if name not in EXAMPLES:
        raise ValueError(f"Unknown example {name!r}. Expected one of: {', '.join(EXAMPLES)}.")
    return make_photo(_example_image(name).copy(), name.lower().replace(" ", "_") + ".png")


# Faces.


def order_faces(faces: Sequence[Face]) -> list[Face]:
    """The faces left to right: the numbering the page shows. Empty stays empty."""
    return select_faces(faces, "all") if faces else []


def face_label(index: int, face: Face) -> str:
    """How a face is named in the face picker; `index` counts from 0, left to right."""
    if face.score <= 0:
        return f"Face {index + 1} (centre of the photo)"
    return f"Face {index + 1} ({face.score:.0%} sure)"


def draw_faces(photo: np.ndarray, faces: Sequence[Face], selected: int | None = None) -> np.ndarray:
    """A copy of `photo` with each face's box and number; the selected one in green.

    `faces` are numbered from 1 in the order given (use `order_faces`).
    """
    canvas = np.array(photo, dtype=np.uint8, copy=True)
    thickness = max(2, round(max(canvas.shape[:2]) / 300))
    for index, face in enumerate(faces):
        color = (60, 220, 90) if index == selected else (255, 210, 40)
        x, y, w, h = (round(value) for value in face.box)
        cv2.rectangle(canvas, (x, y), (x + w, y + h), color, thickness, cv2.LINE_AA)
        scale = max(0.6, w / 160)
        label = str(index + 1)
        (text_w, text_h), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
        top = max(0, y - text_h - base - 2 * thickness)
        cv2.rectangle(
            canvas,
            (x, top),
            (x + text_w + 2 * thickness, top + text_h + base + 2 * thickness),
            color,
            -1,
        )
        cv2.putText(
            canvas,
            label,
            (x + thickness, top + text_h + thickness),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (20, 20, 20),
            thickness,
            cv2.LINE_AA,
        )
    return canvas


def starting_expression(animator, photo: np.ndarray, face: Face) -> tuple[np.ndarray, str]:
    """Where the sliders start for a face: the critic's estimate of its AUs, or neutral.

    Returns:
        `(aus, where_from)`: a float32 17-vector on the OpenFace scale, and
        a few words saying where it came from.
    """
    crop = crop_face(photo, face, size=animator.image_size)
    estimate = animator.estimate_aus(crop.image)
    if estimate is None:
        return np.zeros(
            len(ACTION_UNITS), np.float32
        ), "neutral (this model has no critic to read the face)"
    estimate = np.clip(np.nan_to_num(np.asarray(estimate, np.float32)), 0.0, OPENFACE_MAX_INTENSITY)
    return estimate, "the critic's estimate of this face"


# Sliders.


@dataclasses.dataclass(frozen=True)
class Slider:
    """One AU slider: the AU, its position in the 17-vector, and how it is labelled."""

    au: ActionUnit
    index: int

    @property
    def key(self) -> str:
        return f"au_{self.au.code}"

    @property
    def label(self) -> str:
        return f"{self.au.code} {self.au.name}"

    @property
    def help(self) -> str:
        return (
            f"FACS {self.au.code}, {self.au.name}, on the OpenFace intensity scale: "
            "0 absent, 1 trace (A), 2 slight (B), 3 marked (C), 4 severe (D), 5 maximum (E)."
        )


def slider_groups() -> list[tuple[str, list[Slider]]]:
    """The 17 sliders grouped by face region, regions in `REGIONS` order, AUs in vector order."""
    sliders = [Slider(au, index) for index, au in enumerate(ACTION_UNITS)]
    return [(region, [s for s in sliders if s.au.region == region]) for region in REGIONS]


def region_title(region: str) -> str:
    """`"brows/eyes"` → `"Brows / eyes"`."""
    return region.replace("/", " / ").capitalize()


def slider_state(aus) -> dict[str, float]:
    """Slider values `{key: value}` for a 17-vector, clipped to 0..5, on the slider's grid."""
    aus = np.clip(np.asarray(aus, np.float64).reshape(-1), 0.0, OPENFACE_MAX_INTENSITY)
    if aus.shape != (len(ACTION_UNITS),):
        raise ValueError(f"Expected {len(ACTION_UNITS)} AU values. Received: shape={aus.shape}")
    return {
        slider.key: round(round(float(aus[slider.index]) / SLIDER_STEP) * SLIDER_STEP, 1)
        for _, group in slider_groups()
        for slider in group
    }


def aus_from_state(state: Mapping[str, Any]) -> np.ndarray:
    """The 17-vector the sliders in `state` (`st.session_state`) describe; missing ones are 0."""
    aus = np.zeros(len(ACTION_UNITS), np.float32)
    for _, group in slider_groups():
        for slider in group:
            aus[slider.index] = float(state.get(slider.key, 0.0))
    return aus


# Panels and downloads.


@dataclasses.dataclass(frozen=True, eq=False)
class Panel:
    caption: str
    image: np.ndarray


def enlarge(image: np.ndarray, size: int = DISPLAY_SIZE) -> np.ndarray:
    """Repeats each pixel so the image is about `size` wide: the model's pixels, unsmoothed."""
    factor = max(1, round(size / image.shape[1]))
    if factor == 1:
        return image
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST)


def attention_image(attention: np.ndarray) -> np.ndarray:
    """GANimation's attention `[S, S, 1]` in [0, 1] as grey RGB: white kept, black repainted."""
    attention = np.asarray(attention, np.float32)
    grey = np.rint(np.clip(attention.reshape(attention.shape[:2]), 0.0, 1.0) * 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def face_panels(edit, size: int = DISPLAY_SIZE) -> list[Panel]:
    """Original face, edited face, attention and colour of one `FaceEdit`, side by side."""
    return [
        Panel("Original face", enlarge(edit.crop.image, size)),
        Panel("Edited face", enlarge(edit.edited, size)),
        Panel("Attention (white: kept)", enlarge(attention_image(edit.attention), size)),
        Panel("Colour (painted)", enlarge(edit.color, size)),
    ]


def png_bytes(image: np.ndarray) -> bytes:
    """A uint8 RGB image as PNG file bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def animation_bytes(frames: Sequence[np.ndarray], fmt: str, fps: float) -> bytes:
    """Frames as the bytes of a `"gif"` or `"mp4"` file (`tfganimation.media.write_frames`)."""
    from tfganimation.media import write_frames

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("gif", "mp4"):
        raise ValueError(f'`fmt` must be "gif" or "mp4". Received: fmt={fmt!r}')
    with tempfile.TemporaryDirectory(prefix="tfganimation-viewer-") as folder:
        path = write_frames(frames, Path(folder) / f"animation.{fmt}", fps=fps)
        return path.read_bytes()
