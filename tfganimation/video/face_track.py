"""Following faces through a video: detections linked into tracks, their crops smoothed over time.

A detector finds each face anew in every frame, and its box wobbles by a few
pixels from frame to frame even on a still face; cropping at those boxes
would make the edit shimmer. So the detections of each face are linked from
frame to frame by overlap, short misses are bridged, and the box and
keypoints are smoothed over time (`smooth_over_time`, centred, so a moving
face is not lagged) before any crop is cut.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from tfganimation.faces import Face
from tfganimation.video.smoothing import smooth_over_time

DEFAULT_CROP_SMOOTHING = 0.1
"""Standard deviation of the crop's smoothing in seconds: ±3 frames at 30 fps."""

MAX_GAP = 0.25
"""A face the detector misses for up to this many seconds is bridged, not dropped."""

_MIN_OVERLAP = 0.3
"""Intersection over union above which a detection continues a track."""


@dataclasses.dataclass(frozen=True, eq=False)
class FaceTrack:
    """One face followed through a video.

    Args:
        faces: dict from frame index to the smoothed `Face`, for every frame
            from the face's first detection to its last (bridged misses
            included).
        n_detected: int. Frames in which it was found: by the detector, or
            followed by optical flow from a frame where it was
            (`FaceFollower`).
    """

    faces: dict[int, Face]
    n_detected: int

    @property
    def prominence(self) -> float:
        """Box area summed over the frames: a face that is big for long is the subject."""
        return float(sum(face.area for face in self.faces.values()))


def track_faces(
    detections: Sequence[Sequence[Face]],
    times: Sequence[float],
    *,
    smoothing: float = DEFAULT_CROP_SMOOTHING,
    max_gap: float = MAX_GAP,
) -> list[FaceTrack]:
    """Links each frame's detected faces into tracks and smooths every track's crops.

    Args:
        detections: one list of `Face`s per frame.
        times: float seconds of each frame.
        smoothing: float. Standard deviation in seconds of the Gaussian that
            smooths box and keypoints; 0 keeps the detections as they are.
            Defaults to `DEFAULT_CROP_SMOOTHING` (0.1).
        max_gap: float. Seconds a face may go undetected and still continue
            its track. Defaults to `MAX_GAP` (0.25).

    Returns:
        The tracks, most prominent first (see `FaceTrack.prominence`).
    """
    times = np.asarray(times, np.float64)
    if len(detections) != len(times):
        raise ValueError(f"{len(detections)} frames of detections for {len(times)} times.")
    linked: list[dict[int, Face]] = []  # Frame -> detected face, frames in increasing order.
    for frame, faces in enumerate(detections):
        alive = [
            t for t, track in enumerate(linked) if times[frame] - times[_last(track)] <= max_gap
        ]
        pairs = sorted(
            (
                (linked[t][_last(linked[t])].overlap(face), t, f)
                for t in alive
                for f, face in enumerate(faces)
            ),
            reverse=True,
        )
        taken_tracks, taken_faces = set(), set()
        for overlap, t, f in pairs:  # Best overlaps first: greedy one-to-one matching.
            if overlap < _MIN_OVERLAP:
                break
            if t not in taken_tracks and f not in taken_faces:
                linked[t][frame] = faces[f]
                taken_tracks.add(t)
                taken_faces.add(f)
        linked += [{frame: face} for f, face in enumerate(faces) if f not in taken_faces]
    tracks = [_smooth(track, times, smoothing) for track in linked]
    return sorted(tracks, key=lambda track: -track.prominence)


def select_tracks(tracks: Sequence[FaceTrack], which: str = "largest") -> list[FaceTrack]:
    """`"largest"`: the most prominent track only; `"all"`: every track."""
    if which == "all":
        return list(tracks)
    if which == "largest":
        return list(tracks[:1])
    raise ValueError(
        f'In a video, the face to edit must be "all" or "largest". Received: {which!r}'
    )


def _last(track: dict[int, Face]) -> int:
    """The latest frame of a track (dicts keep the order frames were added in)."""
    return next(reversed(track))


def _smooth(detected: dict[int, Face], times: np.ndarray, sigma: float) -> FaceTrack:
    """Every frame of the track's span, with box and keypoints smoothed and misses bridged."""
    first, last = min(detected), _last(detected)
    frames = np.arange(first, last + 1)
    names = sorted(set.intersection(*(set(face.landmarks) for face in detected.values())))
    present = np.isin(frames, list(detected))
    values = np.array([_as_vector(detected[frame], names) for frame in frames[present]])
    span_times = times[frames]
    # Misses are first filled in a straight line, then everything is smoothed.
    filled = np.stack(
        [np.interp(span_times, span_times[present], column) for column in values.T], axis=1
    )
    smoothed = smooth_over_time(span_times, filled, present, sigma)
    mean_score = float(np.mean([face.score for face in detected.values()]))
    faces = {
        int(frame): _from_vector(
            row, names, detected[frame].score if frame in detected else mean_score
        )
        for frame, row in zip(frames, smoothed)
    }
    return FaceTrack(faces=faces, n_detected=len(detected))


def _as_vector(face: Face, names: list[str]) -> list[float]:
    return [*face.box, *(value for name in names for value in face.landmarks[name])]


def _from_vector(row: np.ndarray, names: list[str], score: float) -> Face:
    points = row[4:].reshape(-1, 2)
    landmarks = {name: (float(x), float(y)) for name, (x, y) in zip(names, points)}
    return Face(box=tuple(float(v) for v in row[:4]), score=score, landmarks=landmarks)
