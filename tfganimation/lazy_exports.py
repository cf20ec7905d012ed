"""Lazy package attributes (PEP 562): a submodule is imported when one of its names is first used.

Packages whose submodules need TensorFlow (`tfganimation.data`,
`tfganimation.export`, ...) list their public names this way, so that the
parts that do not need it stay importable without it.
"""

from __future__ import annotations

import importlib
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
