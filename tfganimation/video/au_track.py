"""`AUTrack`: a performance as action-unit intensities over time."""

from __future__ import annotations

import dataclasses

import numpy as np

from tfganimation.aus import N_AUS, OPENFACE_MAX_INTENSITY
from tfganimation.video.smoothing import smooth_over_time


@dataclasses.dataclass(frozen=True, eq=False)
class AUTrack:
    """What a face did, frame by frame: the AUs that drive an animation or a video edit.

    A track comes from an OpenFace `FeatureExtraction` CSV
    (`read_openface_track`) or from a driving video read by a model's critic
    (`estimate_video_track`). Rows where the source could not read the face
    (OpenFace's `success == 0`, a low confidence, a frame without a face) are
    kept, so the timing stays the source's, but marked invalid, and their AUs
    are replaced by the last valid row's (rows before the first valid one
    take the first valid row's): a face whose tracking fails holds its
    expression instead of snapping to noise.

    Args:
        times: float array `[T]`. Seconds from the first row, strictly
            increasing; `T >= 2`.
        aus: float array `[T, 17]`. OpenFace intensities (0..5) in
            `tfganimation.aus.AU_CODES` order.
        valid: bool array `[T]`. Rows the source read; at least one.
        source: str. Where the track came from, for reports. Defaults to "".

    Example:
    ```python
    track = read_openface_track("performance.csv").smoothed(0.1).scaled(1.5)
    track.frame_rate, track.n_invalid, track.aus.shape  # 30.0, 4, (300, 17)
    ```
    """

    times: np.ndarray
    aus: np.ndarray
    valid: np.ndarray
    source: str = ""

    def __post_init__(self):
        times = np.asarray(self.times, np.float64)
        aus = np.array(self.aus, np.float32)
        valid = np.asarray(self.valid, bool)
        if times.ndim != 1 or aus.shape != (len(times), N_AUS) or valid.shape != times.shape:
            raise ValueError(
                f"An AUTrack needs times [T], aus [T, {N_AUS}] and valid [T]. Received: "
                f"times {times.shape}, aus {aus.shape}, valid {valid.shape}"
            )
        what = f"{self.source}: " if self.source else ""
        if len(times) < 2:
            raise ValueError(
                f"{what}an AU track needs at least 2 rows (frames); it has {len(times)}."
            )
        if not np.all(np.isfinite(times)):
            raise ValueError(f"{what}timestamps must be finite numbers.")
        backwards = np.flatnonzero(np.diff(times) <= 0)
        if backwards.size:
            row = int(backwards[0]) + 1
            raise ValueError(
                f"{what}timestamps must increase from row to row; data row {row + 1} is at "
                f"{times[row]:g} s, after {times[row - 1]:g} s."
            )
        if not valid.any():
            raise ValueError(
                f"{what}no row has a successfully tracked face (all {len(times)} failed)."
            )
        if not np.all(np.isfinite(aus[valid])):
            raise ValueError(f"{what}AU values must be finite numbers.")
        object.__setattr__(self, "times", times - times[0])
        object.__setattr__(self, "aus", _hold_last_valid(aus, valid))
        object.__setattr__(self, "valid", valid)

    def __len__(self) -> int:
        return len(self.times)

    @property
    def n_invalid(self) -> int:
        """Rows whose AUs were held from the last valid row."""
        return int((~self.valid).sum())

    @property
    def frame_rate(self) -> float:
        """Frames per second: one over the mean time between rows, dropped frames left out.

        Steps over 1.5 times the median are gaps (frames the source dropped),
        not the frame period; averaging the rest undoes the rounding of
        timestamps to milliseconds (OpenFace's 0.033 and 0.034 s give 30 fps).
        """
        steps = np.diff(self.times)
        return float(1.0 / np.mean(steps[steps <= 1.5 * np.median(steps)]))

    @property
    def duration(self) -> float:
        """Seconds from the first row to the end of the last one."""
        return float(self.times[-1] + 1.0 / self.frame_rate)

    def smoothed(self, seconds: float) -> "AUTrack":
        """The track with each AU smoothed over time (Gaussian, standard deviation `seconds`).

        Only valid rows are averaged (see `smooth_over_time`); invalid rows
        then hold the last valid row's smoothed AUs, as before smoothing.
        """
        if seconds < 0:
            raise ValueError(f"Smoothing must be >= 0 seconds. Received: {seconds}")
        aus = smooth_over_time(self.times, self.aus, self.valid, seconds)
        return dataclasses.replace(self, aus=aus)

    def scaled(self, factor: float) -> "AUTrack":
        """The track with every intensity times `factor` (> 1 exaggerates, < 1 damps), kept in 0..5."""
        if not np.isfinite(factor) or factor < 0:
            raise ValueError(f"The AU scale must be a number >= 0. Received: {factor}")
        aus = np.clip(self.aus * factor, 0.0, OPENFACE_MAX_INTENSITY)
        return dataclasses.replace(self, aus=aus)

    def at(self, times: np.ndarray) -> np.ndarray:
        """The AUs at other times (seconds), linearly interpolated; held past either end.

        This is how a track drives a video whose frames fall at other times.
        """
        times = np.asarray(times, np.float64)
        columns = [np.interp(times, self.times, self.aus[:, index]) for index in range(N_AUS)]
        return np.stack(columns, axis=-1).astype(np.float32)


def _hold_last_valid(aus: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Invalid rows take the last valid row's AUs; leading ones the first valid row's."""
    source = np.where(valid, np.arange(len(valid)), -1)
    source = np.maximum.accumulate(source)
    source[source < 0] = np.argmax(valid)
    return np.clip(np.nan_to_num(aus[source]), 0.0, OPENFACE_MAX_INTENSITY).astype(np.float32)
