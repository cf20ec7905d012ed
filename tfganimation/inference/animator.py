"""`Animator`: change the expression of the faces in a photo with a trained model.

One object runs the whole photo-to-photo path: load the photo (EXIF,
transparency, size limit), find the faces, cut each one as the training faces
were cut, run the generator on the crops, and blend the change back into the
full-resolution photo. The model can be a training run, an exported
SavedModel or a LiteRT file (`tfganimation.inference.backends`); all three get and give
the same uint8 faces, so they make the same edits.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from tfganimation.aus import AU_CODES, N_AUS, OPENFACE_MAX_INTENSITY, au_vector, parse_aus, preset
from tfganimation.inference.backends import Backend, load_backend
from tfganimation.inference.edits import EditResult, FaceEdit
from tfganimation.faces import (
    DEFAULT_FRAMING,
    DEFAULT_MAX_PIXELS,
    Face,
    FaceCrop,
    center_crop_face,
    crop_face,
    detect_faces,
    load_photo,
    paste_face,
    select_faces,
)
from tfganimation.faces.framing import check_framing
from tfganimation.faces.photos import PhotoSource
from tfganimation.model_files.reference import ModelReference
from tfganimation.torch_checkpoints.conversion import is_checkpoint

DEFAULT_FEATHER = 0.1
"""Width of the blend at the crop's border, in crop sides (see `paste_face`)."""

_BATCH_SIZE = 8
"""Faces per model call: bounds memory for long animations of many faces."""

AUs = np.ndarray | Sequence[float] | Mapping[str, float] | str
FaceChoice = str | int | Face | Sequence[Face]


class Animator:
    """Edits the expressions of the faces in photos by action units (AUs).

    GANimation (Pumarola et al., ECCV 2018, https://arxiv.org/abs/1807.09251)
    changes a face to a target vector of 17 AU intensities. `Animator` puts
    it to work on whole photos: each face is found (MTCNN), cut out as the
    training faces were, edited, and only the change is blended back, so
    pixels the edit did not reach stay bit-for-bit the same.

    The model is read by one of three runtimes (`tfganimation.inference.backends`),
    chosen from what the reference is (`tfganimation.model_files.resolve_model`)
    unless `backend` names one:

    - a training run directory, a `.keras` file or a PyTorch checkpoint →
      `"keras"`, which can also estimate a face's AUs with the critic;
    - `"demo"`, the demo model shipped in the package → `"keras"`; it was
      trained on synthetic faces only (see `tfganimation.demo`);
    - an export folder or a SavedModel folder → `"saved_model"`, with
      `estimate_aus` when the export has it (an export of LiteRT files
      only → `"litert"`);
    - a `.tflite` file → `"litert"`, which needs no TensorFlow for the model.

    The generator runs in `precision`; `"auto"` is bfloat16 where the
    hardware computes it natively (faster, edits within 50 dB PSNR of
    float32's), and an exported file's own precision. `precision` and
    `metadata["precision"]` say what runs.

    Calls are serialised by a lock, so one `Animator` can be shared by the
    threads of an app (a LiteRT interpreter is not thread-safe).

    Args:
        model: path, `"demo"`, a `ModelReference`, or an object implementing
            `tfganimation.inference.backends.Backend` (another runtime, or a test double).
        backend: str or `None`. `"keras"`, `"saved_model"` or `"litert"`;
            `None` picks from the path. An export folder can be read as
            `"saved_model"` (the default) or `"litert"` (its most exact
            `.tflite`).
        max_pixels: int. Larger photos are refused before they are decoded.
            Defaults to `DEFAULT_MAX_PIXELS` (40 megapixels).
        threads: int or `None`. LiteRT interpreter threads. Defaults to all
            cores.
        framing: str or `None`. How faces are cut out for the model (see
            `tfganimation.faces.FRAMINGS`); `None` takes the framing of the
            model's training faces from its record (a converted StarGAN-based
            checkpoint: `"openface_simalign"`; every other model:
            `"face_recognition"`).
        precision: str. `"auto"` (the default), `"float32"` or `"bfloat16"`
            (see `load_backend`); an exported file refuses a precision it
            does not hold.

    Example:
    ```python
    animator = Animator("exports/celeba/generator_float32.tflite")
    result = animator.edit("portrait.jpg", {"AU12": 3, "AU06": 2})
    frames = animator.interpolate("portrait.jpg", "happy", frames=24)
    write_frames(frames, "smile.gif")  # From tfganimation.video.
    ```
    """

    def __init__(
        self,
        model: str | os.PathLike | ModelReference | Backend,
        *,
        backend: str | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        threads: int | None = None,
        framing: str | None = None,
        precision: str = "auto",
    ):
        if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
            raise ValueError(
                f"`max_pixels` must be a positive int. Received: max_pixels={max_pixels!r}"
            )
        if isinstance(model, (str, os.PathLike, ModelReference)):
            runtime = load_backend(model, backend, threads, precision)
            model_name = model.name if isinstance(model, ModelReference) else os.fspath(model)
        elif backend is not None or precision != "auto":
            raise ValueError(
                "Pass `backend` and `precision` only with a model path, not with a Backend object."
            )
        else:
            runtime, model_name = model, model.metadata.get("model")
        self._backend = runtime
        self._lock = threading.Lock()
        self.backend: str = runtime.name
        self.image_size: int = int(runtime.image_size)
        self.has_critic: bool = bool(runtime.has_critic)
        self.precision: str | None = runtime.metadata.get("precision")
        self.max_pixels = max_pixels
        self.framing: str = check_framing(
            framing or runtime.metadata.get("framing") or DEFAULT_FRAMING
        )
        self.last_inference_seconds: float = 0.0
        self.metadata: dict[str, Any] = {
            "training_data": None,
            **runtime.metadata,
            "backend": self.backend,
            "model": model_name,
            "image_size": self.image_size,
            "au_codes": list(AU_CODES),
            "framing": self.framing,
            "precision": self.precision,
        }

    def describe_runtime(self) -> str:
        """What runs the model, for a summary line: `"keras backend in bfloat16"`."""
        return f"{self.backend} backend" + (f" in {self.precision}" if self.precision else "")

    def crop(self, photo: np.ndarray, face: Face) -> FaceCrop:
        """`face` cut out of `photo` at the model's size, framed as its training faces were."""
        return crop_face(photo, face, size=self.image_size, framing=self.framing)

    def detect(self, photo: PhotoSource) -> list[Face]:
        """Every face in `photo` (anything `load_photo` reads), most certain first."""
        return detect_faces(self._load(photo))

    def find_faces(
        self, photo: PhotoSource, face: FaceChoice = "largest", center_crop: bool = False
    ) -> list[Face]:
        """The faces `edit` and `interpolate` would edit, for passing to several calls.

        Args:
            photo: anything `load_photo` reads.
            face: `"all"` (left to right), `"largest"`, an int index in the
                left-to-right order, or `Face`s to take as they are.
                Defaults to `"largest"`.
            center_crop: bool. Skip detection and take the centre of the
                photo as the face, for photos detection fails on (an
                already-cropped face, a drawing). Defaults to False.

        Raises:
            NoFaceError: nothing detected and `center_crop` is False.
            ValueError: an invalid `face` choice or index.
        """
        return self._select(self._load(photo), face, center_crop)

    def edit(
        self,
        photo: PhotoSource,
        aus: AUs,
        *,
        face: FaceChoice = "largest",
        center_crop: bool = False,
        feather: float = DEFAULT_FEATHER,
    ) -> EditResult:
        """Gives the chosen faces in `photo` the expression `aus`.

        Args:
            photo: a path, bytes, a PIL image or an array (see `load_photo`).
            aus: the target: 17 OpenFace intensities (0..5) in
                `tfganimation.aus.AU_CODES` order, a dict like `{"AU12": 3}`
                (others 0), a string like `"AU12=3,AU06=2"`, or a preset
                name (`tfganimation.aus.PRESETS`).
            face: which faces; see `find_faces`. Defaults to `"largest"`.
            center_crop: bool. See `find_faces`. Defaults to False.
            feather: float. See `paste_face`. Defaults to 0.1.

        Returns:
            An `EditResult`.

        Raises:
            PhotoError: unreadable, or over `max_pixels`.
            NoFaceError: no face found and `center_crop` is False.
            ValueError: invalid AUs or face choice.
        """
        target = to_aus(aus)
        timings: dict[str, float] = {}
        with _timed(timings, "total"):
            photo, crops = self._prepare(photo, face, center_crop, timings)
            with _timed(timings, "model"):
                outputs = self._edit(_stack(crops), np.tile(target, (len(crops), 1)))
            with _timed(timings, "paste"):
                edited, edits = self._paste(photo, crops, outputs, feather)
        self.last_inference_seconds = timings["model"]
        return EditResult(photo=edited, faces=edits, seconds=timings["model"], timings=timings)

    def interpolate(
        self,
        photo: PhotoSource,
        end_aus: AUs,
        *,
        start_aus: AUs | None = None,
        frames: int = 24,
        face: FaceChoice = "largest",
        center_crop: bool = False,
        feather: float = DEFAULT_FEATHER,
    ) -> list[np.ndarray]:
        """An animation from one expression to another, as full edited photos.

        The AUs move in a straight line from `start_aus` to `end_aus`, both
        ends included; every frame, the first too, is the model's output, so
        the animation does not jump between the photo and the model's look.
        The last frame equals `edit(photo, end_aus, ...).photo`.

        Args:
            photo: see `edit`.
            end_aus: the final expression; see `edit`.
            start_aus: the first expression, or `None`: each face starts from
                its own expression as the critic estimates it when the model
                has one (`has_critic`), else from neutral (all zeros).
            frames: int >= 2. Number of frames. Defaults to 24.
            face, center_crop, feather: see `edit`.

        Returns:
            `frames` uint8 photos `[H, W, 3]`.
        """
        if isinstance(frames, bool) or not isinstance(frames, int) or frames < 2:
            raise ValueError(f"`frames` must be an int >= 2. Received: frames={frames!r}")
        end = to_aus(end_aus)
        start = None if start_aus is None else to_aus(start_aus)
        photo, crops = self._prepare(photo, face, center_crop, timings={})
        images = _stack(crops)
        started = time.perf_counter()
        if start is not None:
            starts = np.tile(start, (len(crops), 1))
        elif self.has_critic:
            with self._lock:
                starts = np.asarray(self._backend.estimate_aus(images), np.float32)
        else:
            starts = np.zeros((len(crops), N_AUS), np.float32)
        # [frames, faces, 17]: at weight 1 this is exactly `end`.
        weights = np.linspace(0.0, 1.0, frames, dtype=np.float32)[:, None, None]
        aus = (1.0 - weights) * starts[None] + weights * end[None, None]
        outputs = self._edit(np.tile(images, (frames, 1, 1, 1)), aus.reshape(-1, N_AUS))
        self.last_inference_seconds = time.perf_counter() - started
        count = len(crops)
        return [
            self._paste(photo, crops, _slice(outputs, index * count, count), feather)[0]
            for index in range(frames)
        ]

    def estimate_aus(self, face_crop: np.ndarray) -> np.ndarray | None:
        """The critic's reading of a face crop's AUs (OpenFace scale 0..5), or `None` without one.

        Args:
            face_crop: uint8 array `[S, S, 3]`, `S = image_size`: a
                `FaceCrop.image`, e.g. `result.faces[0].crop.image`.
        """
        if not self.has_critic:
            return None
        face_crop = np.asarray(face_crop)
        if face_crop.shape != (self.image_size, self.image_size, 3) or face_crop.dtype != np.uint8:
            raise ValueError(
                f"`face_crop` must be uint8 [{self.image_size}, {self.image_size}, 3]. "
                f"Received: shape={face_crop.shape}, dtype={face_crop.dtype}"
            )
        with self._lock:
            return np.asarray(self._backend.estimate_aus(face_crop[None]), np.float32)[0]

    def edit_crops(self, crops: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        """The model on face crops already cut, each with its own target: the batch path of videos.

        Args:
            crops: uint8 array `[N, S, S, 3]`, `S = image_size` (`FaceCrop.image`s).
            aus: float array `[N, 17]`, OpenFace scale 0..5.

        Returns:
            `{"image": uint8 [N, S, S, 3], "attention": float32 [N, S, S, 1],
            "color": uint8 [N, S, S, 3]}`.
        """
        return self._edit(np.asarray(crops, np.uint8), np.asarray(aus, np.float32))

    def estimate_crops(self, crops: np.ndarray) -> np.ndarray:
        """The critic's AUs (0..5) of face crops `[N, S, S, 3]`, `_BATCH_SIZE` at a time.

        Raises:
            ValueError: the model has no critic (`has_critic` is False).
        """
        if not self.has_critic:
            hint = ""
            if is_checkpoint(str(self.metadata.get("model"))):
                hint = (
                    " A PyTorch generator reads AUs with its critic: put the critic file beside it "
                    "under its codebase's name (e.g. 30_net_dis.pth), or convert both with "
                    "`tfganimation convert GEN --critic DIS --out model.keras`."
                )
            raise ValueError(
                f"The {self.backend} model {self.metadata['model']} has no critic to read AUs with."
                + hint
            )
        crops = np.asarray(crops, np.uint8)
        with self._lock:
            parts = [
                np.asarray(
                    self._backend.estimate_aus(crops[start : start + _BATCH_SIZE]), np.float32
                )
                for start in range(0, len(crops), _BATCH_SIZE)
            ]
        return np.concatenate(parts)

    def _load(self, photo: PhotoSource) -> np.ndarray:
        return load_photo(photo, max_pixels=self.max_pixels)

    def _prepare(
        self, photo: PhotoSource, face: FaceChoice, center_crop: bool, timings: dict[str, float]
    ) -> tuple[np.ndarray, list[FaceCrop]]:
        """The loaded photo and the crops of the faces to edit; each stage timed into `timings`."""
        with _timed(timings, "load"):
            photo = self._load(photo)
        with _timed(timings, "detect"):
            faces = self._select(photo, face, center_crop)
        with _timed(timings, "crop"):
            crops = [self.crop(photo, item) for item in faces]
        return photo, crops

    def _select(self, photo: np.ndarray, face: FaceChoice, center_crop: bool) -> list[Face]:
        if isinstance(face, Face):
            return [face]
        if isinstance(face, Sequence) and not isinstance(face, str):
            if not face or not all(isinstance(item, Face) for item in face):
                raise ValueError("`face` as a sequence must hold one or more Face objects.")
            return list(face)
        if face not in ("all", "largest") and (isinstance(face, bool) or not isinstance(face, int)):
            raise ValueError(
                f'`face` must be "all", "largest", an int index or Face(s). Received: face={face!r}'
            )
        if center_crop:
            return [center_crop_face(photo)]
        return select_faces(detect_faces(photo), face)

    def _edit(self, images: np.ndarray, aus: np.ndarray) -> dict[str, np.ndarray]:
        """The backend's `edit` over any number of faces, `_BATCH_SIZE` at a time."""
        aus = np.asarray(aus, np.float32)
        parts = []
        with self._lock:
            for start in range(0, len(images), _BATCH_SIZE):
                end = start + _BATCH_SIZE
                parts.append(self._backend.edit(images[start:end], aus[start:end]))
        return {
            "image": np.concatenate([part["image"] for part in parts]).astype(np.uint8),
            "attention": np.concatenate([part["attention"] for part in parts]).astype(np.float32),
            "color": np.concatenate([part["color"] for part in parts]).astype(np.uint8),
        }

    def _paste(
        self,
        photo: np.ndarray,
        crops: list[FaceCrop],
        outputs: dict[str, np.ndarray],
        feather: float,
    ) -> tuple[np.ndarray, list[FaceEdit]]:
        """Blends each face's edit into the photo, one after another."""
        edits = [
            FaceEdit(
                face=crop.face,
                crop=crop,
                edited=outputs["image"][index],
                attention=outputs["attention"][index],
                color=outputs["color"][index],
            )
            for index, crop in enumerate(crops)
        ]
        for edit in edits:
            photo = paste_face(photo, edit.crop, edit.edited, edit.attention, feather)
        return photo, edits


def to_aus(aus: AUs) -> np.ndarray:
    """A target expression in any accepted form as a float32 17-vector, OpenFace scale.

    Accepts 17 numbers in `AU_CODES` order, a `{"AU12": 3}` dict, an
    `"AU12=3,AU06=2"` string, or a preset name such as `"happy"`.

    Raises:
        ValueError: an unknown AU or preset, the wrong length, or a value
            outside 0..5.
    """
    if isinstance(aus, str):
        return parse_aus(aus) if "=" in aus else preset(aus)
    if isinstance(aus, Mapping):
        return au_vector(aus)
    vector = np.asarray(aus, dtype=np.float32)
    if vector.shape != (N_AUS,):
        raise ValueError(
            f"AUs must be {N_AUS} values in the order of tfganimation.aus.AU_CODES. "
            f"Received: shape={vector.shape}"
        )
    if not np.all(np.isfinite(vector)) or vector.min() < 0 or vector.max() > OPENFACE_MAX_INTENSITY:
        raise ValueError(
            f"AU intensities must lie in 0..{OPENFACE_MAX_INTENSITY:g} (OpenFace scale). "
            f"Received: min={vector.min()}, max={vector.max()}"
        )
    return vector


def _stack(crops: list[FaceCrop]) -> np.ndarray:
    return np.stack([crop.image for crop in crops])


def _slice(outputs: dict[str, np.ndarray], start: int, count: int) -> dict[str, np.ndarray]:
    return {name: value[start : start + count] for name, value in outputs.items()}


@contextlib.contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
