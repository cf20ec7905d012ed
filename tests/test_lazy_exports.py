"""Lazy package attributes."""

import pytest

from tfganimation.lazy_exports import lazy_getattr


def test_lazy_getattr_imports_the_named_module_and_refuses_unknown_names():
    getattr_ = lazy_getattr("pkg", {"sqrt": "math"})
    assert getattr_("sqrt")(9.0) == 3.0
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'cos'"):
        getattr_("cos")
