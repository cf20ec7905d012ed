"""Faces that perform: AU tracks from OpenFace CSVs and driving videos, video editing, and
frames written as a GIF, an MP4 or a still (`write_frames`).

Importing this package is cheap: PyAV (FFmpeg) is imported when a video is
first read or written, and TensorFlow when a model is loaded.

Example:
```python
from tfganimation import Animator
from tfganimation.video import drive_photo, edit_video, read_openface_track

animator = Animator("demo")
track = read_openface_track("performance.csv").smoothed(0.05)
drive_photo(animator, "portrait.jpg", track, "performance.mp4")   # the photo performs
edit_video(animator, "clip.mp4", "clip_happy.mp4", "happy")       # every frame edited
```
"""

from tfganimation.video.animation_file import ANIMATION_FORMATS, STILL_FORMATS, write_frames
from tfganimation.video.au_track import AUTrack
from tfganimation.video.driving import drive_photo
from tfganimation.video.editing import edit_video
from tfganimation.video.face_follower import DEFAULT_DETECT_EVERY, FaceFollower
from tfganimation.video.face_track import FaceTrack, select_tracks, track_faces
from tfganimation.video.openface_track import read_openface_track
from tfganimation.video.video_limits import (
    DEFAULT_MAX_FRAME_PIXELS,
    DEFAULT_MAX_FRAMES,
    VideoError,
    VideoLimits,
)
from tfganimation.video.video_reader import (
    VIDEO_SUFFIXES,
    VideoFrame,
    VideoInfo,
    is_video,
    probe_video,
    read_frames,
)
from tfganimation.video.video_report import VideoReport
from tfganimation.video.video_track import estimate_video_track, read_track
from tfganimation.video.video_writer import VideoWriter, check_output

__all__ = [
    "ANIMATION_FORMATS",
    "AUTrack",
    "DEFAULT_DETECT_EVERY",
    "DEFAULT_MAX_FRAMES",
    "DEFAULT_MAX_FRAME_PIXELS",
    "FaceFollower",
    "FaceTrack",
    "STILL_FORMATS",
    "VIDEO_SUFFIXES",
    "VideoError",
    "VideoFrame",
    "VideoInfo",
    "VideoLimits",
    "VideoReport",
    "VideoWriter",
    "check_output",
    "drive_photo",
    "edit_video",
    "estimate_video_track",
    "is_video",
    "probe_video",
    "read_frames",
    "read_openface_track",
    "read_track",
    "select_tracks",
    "track_faces",
    "write_frames",
]
