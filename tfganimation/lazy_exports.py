"""Lazy package attributes (PEP 562): a submodule is imported when one of its names is first used.

Packages whose submodules need TensorFlow (`tfganimation.data`,
`tfganimation.export`) list their public names this way, so that the parts
that do not need it stay importable without it.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_getattr(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """Returns a module `__getattr__` that takes `name` from the module `exports[name]`."""

    def __getattr__(name: str) -> Any:
        if name in exports:
            return getattr(importlib.import_module(exports[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
