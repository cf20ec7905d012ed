"""`StageTimer`: where the time of a video pipeline goes, stage by stage."""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Iterable, Iterator


class StageTimer:
    """Adds up wall-clock seconds per named stage (decode, detect, track, edit, paste, encode).

    Stages may run on different threads (decoding and encoding overlap the
    model), so their seconds can add up to more than the wall-clock time.

    Example:
    ```python
    timer = StageTimer()
    for frame in timer.iterate("decode", read_frames("clip.mp4")):
        with timer("detect"):
            faces = detect_faces(frame.image)
    timer.seconds  # {"decode": 0.8, "detect": 12.1}
    ```
    """

    def __init__(self):
        self.seconds: dict[str, float] = collections.defaultdict(float)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            with self._lock:
                self.seconds[stage] += elapsed

    def iterate(self, stage: str, items: Iterable) -> Iterator:
        """Yields `items`, timing how long each one takes to produce (e.g. decoding)."""
        iterator = iter(items)
        while True:
            with self(stage):
                item = next(iterator, _END)
            if item is _END:
                return
            yield item


_END = object()
