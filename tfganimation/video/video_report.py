"""`VideoReport`: what a video command wrote, what it could not do, and where the time went."""

from __future__ import annotations

import dataclasses
from pathlib import Path

STAGES = ("decode", "detect", "track", "edit", "paste", "encode")
"""Pipeline stages in the order they happen; a report lists those that took time.

`detect` is the face detector (MTCNN), `track` following faces between its
key frames and linking and smoothing the tracks."""


@dataclasses.dataclass(frozen=True)
class VideoReport:
    """The outcome of `drive_photo` or `edit_video`.

    Args:
        path: Path. The MP4 written.
        frames: int. Frames in it.
        frame_rate: float. Its nominal frames per second.
        duration: float. Seconds.
        frames_edited: int. Frames whose face(s) the model edited.
        frames_without_face: int. Frames passed through unchanged: no face
            (0 when driving a photo).
        held_rows: int. AU rows that read no face (failed OpenFace rows,
            driving frames without a face), which held the last good AUs.
        audio: bool. Whether the MP4 has the source's audio.
        backend: str. The runtime that ran the model.
        precision: str. The arithmetic it ran in (`Animator.precision`),
            e.g. `"bfloat16"`; empty when unknown.
        seconds: dict. Wall-clock seconds per stage (`STAGES`), each on its
            own thread: decoding and encoding overlap the rest, so they can
            add up to more than `wall_seconds`.
        wall_seconds: float. Seconds from start to finish; 0 when not
            measured (the sum of the stages stands in).
    """

    path: Path
    frames: int
    frame_rate: float
    duration: float
    frames_edited: int
    frames_without_face: int = 0
    held_rows: int = 0
    audio: bool = False
    backend: str = ""
    precision: str = ""
    seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    wall_seconds: float = 0.0

    @property
    def elapsed(self) -> float:
        """Seconds from start to finish (`wall_seconds`, else the stages' sum)."""
        return self.wall_seconds or sum(self.seconds.values())

    @property
    def throughput(self) -> float:
        """Frames processed per wall-clock second, all stages included."""
        total = self.elapsed
        return self.frames / total if total > 0 else float("inf")

    def summary(self, name: str | None = None) -> str:
        """A few lines for a person: what was written, what was held or skipped, the time.

        `name` stands for the path in the first line (the viewer's files are temporary).
        """
        lines = [
            f"Wrote {name or self.path}: {self.frames} frames at {self.frame_rate:.3g} fps "
            f"({self.duration:.2f} s){', with audio' if self.audio else ''}; "
            f"{self.frames_edited} edited by the {self.backend} backend"
            f"{f' in {self.precision}' if self.precision else ''}."
        ]
        if self.frames_without_face:
            lines.append(f"{self.frames_without_face} frames without a face were left unchanged.")
        if self.held_rows:
            lines.append(
                f"{self.held_rows} AU rows read no face (tracking failed or low confidence) "
                "and held the last good AUs."
            )
        total = sum(self.seconds.values())
        if total > 0:
            shares = ", ".join(
                f"{stage} {self.seconds[stage] / total:.0%}"
                for stage in STAGES
                if self.seconds.get(stage)
            )
            lines.append(f"{self.elapsed:.1f} s, {self.throughput:.2f} frames/s: {shares}.")
        return "\n".join(lines)
