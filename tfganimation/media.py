"""Deprecated: `write_frames` lives in `tfganimation.video` now.

Kept because earlier documentation showed `from tfganimation.media import
write_frames`, so users' scripts may import it from here (with a warning).
The module's other former names moved inside the package: pixel conversion
to `tfganimation.pixels`, the output checks to `tfganimation.outputs`.
"""

from tfganimation.lazy_exports import moved_names

__getattr__ = moved_names(__name__, {"tfganimation.video.animation_file": ("write_frames",)})
