"""Loads the original GANimation `aus_openface.pkl` without trusting it.

A pickle is a program: unpickling runs whatever callables the file names, so a
downloaded dataset could run code on the training machine. This unpickler
resolves only an allow-list of globals: the few numpy functions and classes
that rebuild an ndarray, a dtype or a numpy scalar (under both their numpy 1.x
and numpy 2.x module names, since the reference file was written by numpy 1.x
under Python 2 and new ones are written by numpy 2.x). Every other global is
refused before it is even imported, so nothing in the file is ever called.
Plain containers, strings and numbers need no globals at all.
"""

from __future__ import annotations

import importlib
import io
import os
import pickle

import numpy as np


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle names a global outside the allow-list; it was not loaded."""


def _numpy_module(name: str):
    # numpy 2 moved `numpy.core` to `numpy._core`; 1.26 already ships the new name.
    try:
        return importlib.import_module(f"numpy._core.{name}")
    except ImportError:  # numpy < 1.26
        return importlib.import_module(f"numpy.core.{name}")


def _numeric_dtype(*args) -> np.dtype:
    """`numpy.dtype`, minus object dtypes, whose arrays would hold arbitrary objects."""
    dtype = np.dtype(*args)
    if dtype.hasobject:
        raise UnsafePickleError(f"Refused numpy object dtype {dtype!r}: only numeric arrays are allowed.")
    return dtype


def _latin1_encode(text: str, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """`_codecs.encode`, as protocol-2 pickles from Python 3 use it to store raw bytes.

    Only the latin-1 round trip those pickles need is allowed: other codecs
    (zlib, base64, ...) have no business in an AU file.
    """
    if encoding.lower().replace("_", "-") not in ("latin1", "latin-1", "iso-8859-1"):
        raise UnsafePickleError(f"Refused _codecs.encode with encoding {encoding!r}.")
    return text.encode("latin-1", errors)


_MULTIARRAY = _numpy_module("multiarray")
_NUMERIC = _numpy_module("numeric")

_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _numeric_dtype,
    ("_codecs", "encode"): _latin1_encode,
}
for _package in ("numpy.core", "numpy._core"):
    _ALLOWED_GLOBALS[(f"{_package}.multiarray", "_reconstruct")] = _MULTIARRAY._reconstruct
    _ALLOWED_GLOBALS[(f"{_package}.multiarray", "scalar")] = _MULTIARRAY.scalar
    _ALLOWED_GLOBALS[(f"{_package}.numeric", "_frombuffer")] = _NUMERIC._frombuffer


class _RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"Refused to load global '{module}.{name}': an AU pickle may only hold "
                "dicts, lists, tuples, strings, numbers and numeric numpy arrays."
            ) from None


def load_pickle(path: str | os.PathLike) -> object:
    """Unpickles a file that may only contain plain data and numeric numpy arrays.

    Python 2 pickles are read with `encoding="latin1"`, which is how numpy
    arrays pickled by Python 2 must be decoded.

    Args:
        path: str or path-like. The pickle file.

    Returns:
        The unpickled object.

    Raises:
        UnsafePickleError: the file references any other global (a function,
            a class); nothing from the file was executed.
        pickle.UnpicklingError, EOFError: the file is not a valid pickle.
    """
    with open(path, "rb") as file:
        data = file.read()
    return _RestrictedUnpickler(io.BytesIO(data), encoding="latin1").load()
