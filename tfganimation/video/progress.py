"""`Progress`: a one-line progress bar on stderr for long video work."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 24
_INTERVAL = 0.25
"""Seconds between redraws: a bar redrawn per frame would cost more than the frame."""


class Progress:
    """Draws `label  40% |#########        | 12/30` on `stream`, redrawn in place.

    `total` may be an estimate (a video's header can miscount its frames);
    the bar stops at 100% and the count keeps going. Nothing is drawn when
    `enabled` is False (`--quiet`).

    Args:
        label: str. What is being done, e.g. `"Editing frames"`.
        total: int. Expected number of steps.
        enabled: bool. Draw at all. Defaults to True.
        stream: text stream. Defaults to `sys.stderr`, so a progress bar
            never mixes with a command's output.
    """

    def __init__(self, label: str, total: int, enabled: bool = True, stream: TextIO | None = None):
        self.label = label
        self.total = max(1, int(total))
        self.done = 0
        self._enabled = enabled
        self._stream = stream or sys.stderr
        self._drawn_at = 0.0

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self._enabled and time.monotonic() - self._drawn_at >= _INTERVAL:
            self._draw()

    def close(self) -> None:
        """Draws the final state and ends the line."""
        if self._enabled:
            self._draw()
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        share = min(1.0, self.done / self.total)
        filled = round(share * _WIDTH)
        bar = "#" * filled + " " * (_WIDTH - filled)
        self._stream.write(f"\r{self.label} {share:4.0%} |{bar}| {self.done}/{self.total}")
        self._stream.flush()
        self._drawn_at = time.monotonic()
