"""Deprecated: the learning curve lives in `tfganimation.evaluation.learning_curve` now.

Kept only for `benchmarks/demo_learning_curve.py`, which imports it from here
and is outside this change; delete this module once it imports from the new
home.
"""

from tfganimation.lazy_exports import moved_names

__getattr__ = moved_names(
    __name__,
    {
        "tfganimation.evaluation.learning_curve": (
            "COLUMNS", "learning_curve", "plot_curve", "read_curve", "snapshot_steps",
        ),
    },
)
