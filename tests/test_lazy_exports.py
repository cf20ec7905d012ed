"""Lazy package attributes."""

import pytest

from tfganimation.lazy_exports import lazy_exports


def test_lazy_exports_imports_the_named_module_and_refuses_unknown_names():
    getattr_, names = lazy_exports("pkg", {"math": ("sqrt", "pi"), "os.path": ("join",)})
    assert names == ["sqrt", "pi", "join"]
    assert getattr_("sqrt")(9.0) == 3.0
    assert getattr_("join")("a", "b") == "a/b"
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'cos'"):
        getattr_("cos")
