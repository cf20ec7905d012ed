"""Lazy package attributes (PEP 562): a submodule is imported when one of its names is first used.

Packages whose submodules need TensorFlow (`tfganimation.data`,
`tfganimation.export`, ...) list their public names this way, so that the
parts that do not need it stay importable without it. A module whose names
moved keeps its old import path the same way, warning (`moved_names`).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable


def lazy_exports(
    package: str, names_by_module: dict[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], list[str]]:
    """A module `__getattr__` and `__all__` for `package`'s lazily imported names.

    Args:
        package: str. The package's `__name__`, for the error message.
        names_by_module: dict. Each submodule's dotted name and the public
            names the package takes from it.

    Example:
    ```python
    __getattr__, __all__ = lazy_exports(__name__, {"tfganimation.data.pipeline": ("load_dataset",)})
    ```
    """
    module_of = {name: module for module, names in names_by_module.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name in module_of:
            return getattr(importlib.import_module(module_of[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__, list(module_of)


def moved_names(module: str, names_by_module: dict[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A module `__getattr__` for names that moved elsewhere: each still resolves, with a warning.

    Args:
        module: str. The old module's `__name__`.
        names_by_module: dict. Each new home's dotted name and the names it
            took from `module`.

    Example:
    ```python
    __getattr__ = moved_names(__name__, {"tfganimation.video.animation_file": ("write_frames",)})
    ```
    """
    module_of = {name: home for home, names in names_by_module.items() for name in names}
    resolve, _ = lazy_exports(module, names_by_module)

    def __getattr__(name: str) -> Any:
        if name in module_of:
            warnings.warn(
                f"{module}.{name} is deprecated; import {name} from {module_of[name]}.",
                DeprecationWarning,
                stacklevel=2,
            )
        return resolve(name)

    return __getattr__
