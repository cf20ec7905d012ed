"""Finding the faces of consecutive frames cheaply: a detector on key frames, optical flow between.

MTCNN costs ~0.1 s a 640x360 frame on two cores, over ten times everything
else a video edit does per frame. Between two frames a face barely moves, so
`FaceFollower` runs the detector only on key frames (every `detect_every`
frames) and moves each face from frame to frame by the optical flow of
corner points inside it (pyramidal Lucas-Kanade in OpenCV, ~1 ms a face).
A face whose points the flow cannot follow (it turned, left the picture,
was covered, moved too far) is "lost", and the detector runs on that very
frame, so a lost face costs one detection, not a wrong crop. A face that
appears between key frames is found at the next key frame and then followed
back through the frames since (`found_late`), so it is edited from about
when it came into view. A face the detector misses on a key frame while
the flow still holds it is kept (MTCNN missed a third of the frames of an
expressive synthetic face that never moved), but only for `_MAX_MISSES`
key frames in a row, so something the flow follows that is no face does
not stay a face for long. A face too flat or too small to give the flow
`_MIN_POINTS` corners is lost on the next frame, so it costs a detection
per frame, as before key frames, rather than a guessed crop.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import cv2
import numpy as np

from tfganimation.faces import Face, detect_faces
from tfganimation.video.stage_timer import StageTimer

DEFAULT_DETECT_EVERY = 10
"""Frames from one detection to the next: 3 a second at 30 fps (1 = every frame, as before)."""

_MAX_POINTS = 60
_MIN_POINTS = 4
"""A face followed by fewer corner points than this is lost."""

_MIN_KEPT = 0.4
"""A face that keeps fewer than this share of its key frame's points is lost."""

_MAX_ROUND_TRIP = 1.0
"""Pixels a point may miss its start by when flowed forward and back (Kalal et al., 2010)."""

_SAME_FACE = 0.3
"""Box overlap (intersection over union) above which a detection is a face already followed."""

_MAX_MISSES = 2
"""Key frames in a row the detector may miss a face the flow still follows; it is dropped at
the next (with 10 frames from one key frame to the next, about a second at 30 fps)."""

_MAX_SCALE_STEP = 1.25
"""A face does not grow or shrink by more than this from one frame to the next."""

_WINDOW_REACH = 1.0
"""The flow looks this many face sizes around a face: it follows up to that much motion a frame."""

_LUCAS_KANADE = {
    "winSize": (21, 21),
    "maxLevel": 3,  # Pyramid levels: follows motion of up to ~80 px a frame.
    "criteria": (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 20, 0.03),
}


@dataclasses.dataclass(frozen=True, eq=False)
class _Followed:
    """A face and the corner points (`[N, 1, 2]` float32, frame pixels) that carry it."""

    face: Face
    points: np.ndarray
    start_points: int
    misses: int = 0  # Key frames in a row on which the detector did not find it.


class FaceFollower:
    """Finds the faces in consecutive video frames: a detector on key frames, optical flow between.

    Call it once per frame, in order. Key frames are every `detect_every`
    frames from the first, and any frame on which a followed face is lost
    (see the module docstring); with `detect_every=1` every frame is a key
    frame, nothing is followed, and it is plain per-frame detection.

    Args:
        detect_every: int. Frames from one scheduled detection to the next.
            Defaults to `DEFAULT_DETECT_EVERY` (10).
        detector: callable from a uint8 RGB frame to its `Face`s. Defaults
            to `tfganimation.faces.detect_faces` (MTCNN).
        timer: StageTimer or `None`. Gets `"detect"` (the detector) and
            `"track"` (the flow).

    Attributes:
        detections: int. Frames the detector ran on.
        losses: int. Of those, frames a lost face made key frames.
        found_late: list of `(frames_back, Face)`: after a call, the faces
            first detected on this frame followed back through earlier frames
            (`frames_back` 1 is the previous frame). Empty on most calls.

    Example:
    ```python
    follower = FaceFollower(detect_every=10)
    faces_per_frame = [follower(frame.image) for frame in read_frames("clip.mp4")]
    ```
    """

    def __init__(
        self,
        detect_every: int = DEFAULT_DETECT_EVERY,
        detector: Callable[[np.ndarray], Sequence[Face]] | None = None,
        timer: StageTimer | None = None,
    ):
        if isinstance(detect_every, bool) or not isinstance(detect_every, int) or detect_every < 1:
            raise ValueError(
                f"`detect_every` must be an int >= 1 (1 detects on every frame). "
                f"Received: detect_every={detect_every!r}"
            )
        self.detect_every = detect_every
        self._detector = detector or detect_faces
        self._timer = timer or StageTimer()
        self._followed: list[_Followed] = []
        self._previous: np.ndarray | None = None  # The last frame, in grey.
        self._between: list[tuple[np.ndarray, list[Face]]] = []  # Since the last key frame.
        self.detections = 0
        self.losses = 0
        self.found_late: list[tuple[int, Face]] = []

    def __call__(self, image: np.ndarray) -> list[Face]:
        """The faces of the next frame (uint8 RGB `[H, W, 3]`), as `Face`s in its pixels."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(
                "Frames must be uint8 RGB arrays [H, W, 3]. "
                f"Received: shape={image.shape}, dtype={image.dtype}"
            )
        self.found_late = []
        with self._timer("track"):
            gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
            moved = [
                _follow(self._previous, gray, followed)
                for followed in self._followed
                if self.detect_every > 1  # 1: detection alone, as before followers.
            ]
        due = self._previous is None or len(self._between) + 1 >= self.detect_every
        if not due and all(followed is not None for followed in moved):
            self._followed = moved
            faces = [followed.face for followed in moved]
            self._between.append((gray, faces))
            self._previous = gray
            return faces
        if not due:
            self.losses += 1
        with self._timer("detect"):
            detected = list(self._detector(image))
        self.detections += 1
        with self._timer("track"):
            known = [followed.face for followed in moved if followed is not None]
            self.found_late = self._follow_back(gray, detected, known)
            # A followed face the detector missed is kept while the flow holds,
            # for a few key frames: detectors miss faces that are plainly there.
            kept = [
                dataclasses.replace(_start(gray, followed.face), misses=followed.misses + 1)
                for followed in moved
                if followed is not None
                and followed.misses < _MAX_MISSES
                and not any(followed.face.overlap(face) > _SAME_FACE for face in detected)
            ]
            self._followed = [_start(gray, face) for face in detected] + kept
        self._between = []
        self._previous = gray
        return [followed.face for followed in self._followed]

    def _follow_back(
        self, gray: np.ndarray, faces: list[Face], known: list[Face]
    ) -> list[tuple[int, Face]]:
        """Faces new on this key frame (no `known` face overlaps them), followed back through the
        frames since the last key frame (not into it: the detector saw no face there)."""
        found = []
        for face in faces:
            if any(face.overlap(other) > _SAME_FACE for other in known):
                continue
            followed, later = _start(gray, face), gray
            for back, (earlier, there) in enumerate(reversed(self._between), start=1):
                followed = _follow(later, earlier, followed)
                if followed is None or any(
                    followed.face.overlap(other) > _SAME_FACE for other in there
                ):
                    break  # Out of view, or it was followed there already (lost since).
                found.append((back, followed.face))
                later = earlier
        return found


def _start(gray: np.ndarray, face: Face) -> _Followed:
    """Corner points inside the middle of the face box (its edges hold background)."""
    height, width = gray.shape
    x, y, w, h = face.box
    left, top = max(0, int(x + 0.15 * w)), max(0, int(y + 0.1 * h))
    right, bottom = min(width, int(x + 0.85 * w)), min(height, int(y + 0.9 * h))
    points = None
    if right - left >= 8 and bottom - top >= 8:
        points = cv2.goodFeaturesToTrack(
            gray[top:bottom, left:right],
            maxCorners=_MAX_POINTS,
            qualityLevel=0.0001,
            minDistance=max(2.0, w / 20),
            blockSize=3,
        )
    if points is None:
        points = np.zeros((0, 1, 2), np.float32)
    points = (points.reshape(-1, 1, 2) + np.float32([left, top])).astype(np.float32)
    return _Followed(face=face, points=points, start_points=len(points))


def _follow(previous: np.ndarray, gray: np.ndarray, followed: _Followed) -> _Followed | None:
    """The face moved by the flow of its points from `previous` to `gray`; `None` if lost."""
    if len(followed.points) < _MIN_POINTS:
        return None
    # The flow runs in a window of a face's size around the face, not on the whole
    # frame: its cost then does not grow with the video's resolution.
    x, y, w, h = followed.face.box
    reach = max(w, h) * _WINDOW_REACH
    left, top = max(0, int(x - reach)), max(0, int(y - reach))
    right = min(gray.shape[1], int(x + w + reach) + 1)
    bottom = min(gray.shape[0], int(y + h + reach) + 1)
    if right - left < 8 or bottom - top < 8:
        return None
    offset = np.float32([left, top])
    before, after = previous[top:bottom, left:right], gray[top:bottom, left:right]
    points = followed.points - offset
    ahead, status, _ = cv2.calcOpticalFlowPyrLK(before, after, points, None, **_LUCAS_KANADE)
    back, status_back, _ = cv2.calcOpticalFlowPyrLK(after, before, ahead, None, **_LUCAS_KANADE)
    round_trip = np.linalg.norm((back - points).reshape(-1, 2), axis=1)
    good = status.ravel().astype(bool) & status_back.ravel().astype(bool)
    good &= round_trip < _MAX_ROUND_TRIP
    if good.sum() < max(_MIN_POINTS, _MIN_KEPT * followed.start_points):
        return None
    matrix, _ = cv2.estimateAffinePartial2D(points[good], ahead[good], method=cv2.LMEDS)
    if matrix is None:
        return None
    scale = math.hypot(matrix[0, 0], matrix[1, 0])
    if not 1 / _MAX_SCALE_STEP <= scale <= _MAX_SCALE_STEP:
        return None
    matrix[:, 2] += offset - matrix[:, :2] @ offset  # Back to the frame's pixels.
    face = _moved(followed.face, matrix, scale)
    center_x, center_y = face.center
    if not (0 <= center_x < gray.shape[1] and 0 <= center_y < gray.shape[0]):
        return None  # Its middle has left the picture.
    return dataclasses.replace(followed, face=face, points=ahead[good] + offset)


def _moved(face: Face, matrix: np.ndarray, scale: float) -> Face:
    """The face under a similarity transform: keypoints moved, box recentred and rescaled."""

    def apply(x: float, y: float) -> tuple[float, float]:
        new = matrix @ np.array([x, y, 1.0])
        return float(new[0]), float(new[1])

    center_x, center_y = apply(*face.center)
    width, height = face.box[2] * scale, face.box[3] * scale
    return Face(
        box=(center_x - width / 2, center_y - height / 2, width, height),
        score=face.score,
        landmarks={name: apply(*point) for name, point in face.landmarks.items()},
    )


