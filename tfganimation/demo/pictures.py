"""Deprecated: `preset_grid` lives in `tfganimation.evaluation.pictures` now.

Kept only for `benchmarks/demo_report.py`, which imports it from here and is
outside this change; delete this module once it imports from the new home.
"""

from tfganimation.lazy_exports import moved_names

__getattr__ = moved_names(__name__, {"tfganimation.evaluation.pictures": ("preset_grid",)})
