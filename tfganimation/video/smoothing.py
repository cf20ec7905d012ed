"""Gaussian smoothing of values sampled at (possibly irregular) times."""

from __future__ import annotations

import numpy as np

_REACH = 3.0
"""Samples further than this many standard deviations away get no weight."""


def smooth_over_time(
    times: np.ndarray, values: np.ndarray, present: np.ndarray, sigma: float
) -> np.ndarray:
    """Each row replaced by the Gaussian-weighted mean of the present rows near it in time.

    Weights follow the time between samples, not their index, so dropped
    frames and irregular timestamps are smoothed as the motion was, and rows
    that are not `present` (a failed tracking row, a frame where the face was
    missed) take no part: they come out as the average of their present
    neighbours, which bridges short gaps. A row with no present row within
    three `sigma` keeps its own value. The filter is centred (it looks ahead
    as much as back), so it does not delay the motion.

    Args:
        times: float array `[T]`, seconds, increasing.
        values: float array `[T, D]`.
        present: bool array `[T]`. Rows that are real measurements.
        sigma: float. Standard deviation of the Gaussian, in seconds; 0
            returns a copy of `values`.

    Returns:
        float64 array `[T, D]`.
    """
    times = np.asarray(times, np.float64)
    values = np.asarray(values, np.float64)
    present = np.asarray(present, bool)
    if sigma < 0:
        raise ValueError(f"`sigma` must be >= 0 seconds. Received: sigma={sigma}")
    smoothed = values.copy()
    if sigma == 0 or not present.any():
        return smoothed
    sample_times, samples = times[present], values[present]
    starts = np.searchsorted(sample_times, times - _REACH * sigma, side="left")
    stops = np.searchsorted(sample_times, times + _REACH * sigma, side="right")
    for row, (start, stop) in enumerate(zip(starts, stops)):
        if start == stop:
            continue
        weights = np.exp(-0.5 * ((sample_times[start:stop] - times[row]) / sigma) ** 2)
        smoothed[row] = weights @ samples[start:stop] / weights.sum()
    return smoothed
