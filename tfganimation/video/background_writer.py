"""`BackgroundWriter`: frames encoded by a thread of their own while the next batch is edited.

x264 and PyAV's colour conversion release Python's lock, so encoding on a
second thread overlaps the model's work instead of following it.
"""

from __future__ import annotations

import queue
import threading
from typing import Protocol

import numpy as np

from tfganimation.video.stage_timer import StageTimer

DEFAULT_DEPTH = 8
"""Frames waiting to be encoded at most; `write` blocks beyond (bounds the memory)."""


class FrameSink(Protocol):
    """What `BackgroundWriter` writes to: a `VideoWriter`, or a test's list."""

    def write(self, image: np.ndarray, time: float) -> None: ...


class BackgroundWriter:
    """Hands frames to `sink.write` on a background thread, in order.

    Leaving the `with` block normally waits until every frame is written
    and raises the first error the thread met; leaving it by an exception
    drops the frames still waiting (the video is abandoned anyway). An error
    in the thread is also raised by the next `write`, so a failing encoder
    stops the edit early.

    Args:
        sink: the writer, e.g. a `VideoWriter` (finished by its own `with`
            block, after this one).
        timer: StageTimer or `None`. Gets `"encode"`: the thread's time.
        depth: int. Frames that may wait. Defaults to 8.

    Example:
    ```python
    with VideoWriter("out.mp4", 640, 360, 30.0) as writer, BackgroundWriter(writer) as background:
        for frame in frames:
            background.write(frame.image, frame.time)
    ```
    """

    def __init__(
        self, sink: FrameSink, timer: StageTimer | None = None, depth: int = DEFAULT_DEPTH
    ):
        if depth < 1:
            raise ValueError(f"`depth` must be >= 1. Received: depth={depth}")
        self._sink = sink
        self._timer = timer or StageTimer()
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._abandon = threading.Event()
        self._thread = threading.Thread(target=self._run, name="encode", daemon=True)
        self._thread.start()

    def __enter__(self) -> "BackgroundWriter":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            self._abandon.set()
        self._queue.put(_END)  # The thread takes items until this, so there is room soon.
        self._thread.join()
        if kind is None:
            self._raise_error()

    def write(self, image: np.ndarray, time: float) -> None:
        """Queues one uint8 RGB frame shown from `time` seconds (blocks while `depth` wait)."""
        self._raise_error()
        self._queue.put((image, time))

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while (item := self._queue.get()) is not _END:
            if self._error is not None or self._abandon.is_set():
                continue  # Drain, so that `write` and `__exit__` never block forever.
            try:
                with self._timer("encode"):
                    self._sink.write(*item)
            except BaseException as error:
                self._error = error


_END = object()
