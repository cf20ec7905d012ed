"""Moved to `tfganimation.model_files.loading`; this path is kept for code that imports from it.

`tfganimation.load_model` and `tfganimation.inference.load_model` are the
public names; new code imports from `tfganimation.model_files`.
"""

from tfganimation.model_files.loading import LoadedModel, load_model

__all__ = ["LoadedModel", "load_model"]
