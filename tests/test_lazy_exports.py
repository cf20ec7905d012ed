"""Lazy package attributes."""

import pytest

from tfganimation.lazy_exports import lazy_exports, moved_names


def test_lazy_exports_imports_the_named_module_and_refuses_unknown_names():
    getattr_, names = lazy_exports("pkg", {"math": ("sqrt", "pi"), "os.path": ("join",)})
    assert names == ["sqrt", "pi", "join"]
    assert getattr_("sqrt")(9.0) == 3.0
    assert getattr_("join")("a", "b") == "a/b"
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'cos'"):
        getattr_("cos")


def test_moved_names_still_resolve_with_a_warning_naming_the_new_home():
    getattr_ = moved_names("old", {"math": ("sqrt",)})
    with pytest.warns(DeprecationWarning, match="old.sqrt is deprecated; import sqrt from math"):
        assert getattr_("sqrt")(4.0) == 2.0
    with pytest.raises(AttributeError, match="module 'old' has no attribute 'cos'"):
        getattr_("cos")


@pytest.mark.parametrize(
    "old, name, new",
    [
        ("tfganimation.media", "write_frames", "tfganimation.video"),
        ("tfganimation.demo.pictures", "preset_grid", "tfganimation.evaluation.pictures"),
        ("tfganimation.demo.learning_curve", "learning_curve", "tfganimation.evaluation.learning_curve"),
    ],
)
def test_old_import_paths_of_moved_names_still_work(old, name, new):
    import importlib

    with pytest.warns(DeprecationWarning, match=name):
        moved = getattr(importlib.import_module(old), name)
    assert moved is getattr(importlib.import_module(new), name)
