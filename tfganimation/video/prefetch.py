"""`prefetched`: items made by a background thread while the caller works on the previous ones.

Decoding a frame (FFmpeg) and running a model (TensorFlow, LiteRT) both
release Python's lock, so a decoder thread a few frames ahead hides most of
the decoding behind the model instead of adding to it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")

DEFAULT_DEPTH = 8
"""Items made ahead at most: bounds the memory (eight 640x360 frames are 5.5 MB)."""

_POLL = 0.1
"""Seconds the producer waits for room before it checks whether the consumer has gone."""


def prefetched(items: Iterable[Item], depth: int = DEFAULT_DEPTH) -> Iterator[Item]:
    """Yields `items` in order, produced up to `depth` ahead by a background thread.

    An exception raised while producing is raised here, at the item where it
    happened. Closing the generator early (a `break`, an error in the loop)
    stops the thread and closes `items` if it is a generator, so files it
    holds are released.

    Example:
    ```python
    for frame in prefetched(read_frames("clip.mp4")):
        edit(frame)  # The next frames decode meanwhile.
    ```
    """
    if depth < 1:
        raise ValueError(f"`depth` must be >= 1. Received: depth={depth}")
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                slots.put(entry, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not offer((_ITEM, item)):
                    return
            offer((_END, None))
        except BaseException as error:  # Handed to the consumer, raised there.
            offer((_ERROR, error))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = slots.get()
            if kind is _END:
                return
            if kind is _ERROR:
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


_ITEM, _END, _ERROR = object(), object(), object()
