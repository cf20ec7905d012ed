"""The size budget of video commands, and the error every unreadable or oversized video raises."""

from __future__ import annotations

import dataclasses

DEFAULT_MAX_FRAMES = 9_000
"""Five minutes at 30 fps: at the 1-3 frames per second a CPU edits, over an hour of work."""

DEFAULT_MAX_FRAME_PIXELS = 3840 * 2160
"""4K UHD: a larger frame is ~25 MB decoded, and its faces are far larger than the model's."""


class VideoError(ValueError):
    """Raised for a video that cannot be read, or is over the size budget."""


@dataclasses.dataclass(frozen=True)
class VideoLimits:
    """The largest video a command takes unless told otherwise (`--allow-large`).

    Args:
        max_frames: int. Frames in the whole video. Defaults to
            `DEFAULT_MAX_FRAMES` (9,000).
        max_frame_pixels: int. Width times height of one frame. Defaults to
            `DEFAULT_MAX_FRAME_PIXELS` (4K UHD).
    """

    max_frames: int = DEFAULT_MAX_FRAMES
    max_frame_pixels: int = DEFAULT_MAX_FRAME_PIXELS

    @classmethod
    def unlimited(cls) -> "VideoLimits":
        return cls(max_frames=2**62, max_frame_pixels=2**62)

    def check_frames(self, n_frames: int, what: str) -> None:
        """Raises `VideoError` when `n_frames` is over the budget."""
        if n_frames > self.max_frames:
            raise VideoError(
                f"{what} has {n_frames:,} frames, over the limit of {self.max_frames:,}; "
                "pass --allow-large to process it anyway (or cut it shorter)."
            )
