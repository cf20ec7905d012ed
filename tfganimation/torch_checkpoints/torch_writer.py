"""Writes NumPy arrays as a PyTorch `state_dict` file, without PyTorch.

The legacy format PyTorch 0.4.1 wrote (and `torch.load` still reads, with
`weights_only=True` too): a magic-number pickle, the protocol version, a
system-info pickle, the `state_dict` pickle whose tensors point at storages
by key, the sorted storage keys, then each storage as an int64 element count
and its raw little-endian bytes. It names only the globals `read_state_dict`
accepts. Used to make full-size checkpoints for tests and benchmarks, which
no fixture ships.
"""

from __future__ import annotations

import collections
import io
import os
import pickle
import struct
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from tfganimation.atomic import write_bytes_atomically
from tfganimation.torch_checkpoints.torch_pickle import (
    STORAGE_DTYPES,
    LEGACY_MAGIC_NUMBER,
    LEGACY_PROTOCOL_VERSION,
)

_SYSTEM_INFO = {"protocol_version": LEGACY_PROTOCOL_VERSION, "little_endian": True,
                "type_sizes": {"short": 2, "int": 4, "long": 4}}  # fmt: skip
"""What `torch.save` records of the machine that wrote the file."""


class _Global:
    """Pickles as the global `module.name`, without importing it (PyTorch is not here)."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self):  # `save_reduce` accepts only callables; never called.
        raise TypeError(f"{self.module}.{self.name} is a name in a pickle, not a function")


class TensorView:
    """Pickles as `torch._utils._rebuild_tensor_v2(storage, offset, shape, strides, False, {})`.

    A view of `storage` (a 1-D array saved under `key`): contiguous over the
    whole storage unless `offset`, `shape` and `strides` say otherwise.
    """

    REBUILD = _Global("torch._utils", "_rebuild_tensor_v2")

    def __init__(self, key: str, storage: np.ndarray, offset: int = 0, shape=None, strides=None):
        storage_type = _STORAGE_TYPES.get(storage.dtype.newbyteorder("<"))
        if storage_type is None:
            raise ValueError(f"no PyTorch storage for dtype {storage.dtype}")
        pid = ("storage", _Global("torch", storage_type), key, "cpu", storage.size, None)
        shape = (storage.size,) if shape is None else tuple(shape)
        strides = _contiguous_strides(shape) if strides is None else tuple(strides)
        self.args = (pid, offset, shape, strides, False, collections.OrderedDict())


_STORAGE_TYPES = {
    dtype.newbyteorder("<"): name
    for name, dtype in STORAGE_DTYPES.items()
    if name != "BFloat16Storage"  # read as its uint16 bits: NumPy has no bfloat16 to write
}


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


class _Pickler(pickle._Pickler):  # The pure-Python pickler lets `save` write a global by name.
    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, _Global):
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        elif isinstance(obj, TensorView):
            self.save_reduce(TensorView.REBUILD, obj.args, obj=obj)
        else:
            super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        return obj if isinstance(obj, tuple) and obj[:1] == ("storage",) else None


def write_state_dict(path: str | os.PathLike, tensors: Mapping[str, np.ndarray]) -> Path:
    """Writes `tensors` (name → array) as a legacy-format PyTorch `state_dict` file.

    Args:
        path: str or path-like. The `.pth` file, replaced whole or not at all.
        tensors: mapping. Arrays of any dtype `read_state_dict` reads
            (float16/32/64, int8/16/32/64, uint8, bool), in file order.

    Example:
    ```python
    write_state_dict("net.pth", {"conv.weight": np.zeros((8, 3, 3, 3), np.float32)})
    ```
    """
    state, storages = collections.OrderedDict(), {}
    for index, (name, value) in enumerate(tensors.items()):
        array = np.asarray(value)
        key = str(index)
        storages[key] = np.ascontiguousarray(array).reshape(-1).astype(array.dtype.newbyteorder("<"))
        try:
            state[name] = TensorView(key, storages[key], shape=array.shape)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    return write_legacy_file(path, state, storages)


def write_legacy_file(
    path: str | os.PathLike, state: Mapping[str, object], storages: Mapping[str, np.ndarray]
) -> Path:
    """Writes a legacy-format file of `state` (values `TensorView`s, or anything picklable) and
    its storages (key → 1-D little-endian array). `write_state_dict` is the usual entry;
    tests use this to write views and hostile pickles."""
    buffer = io.BytesIO()
    for header in (LEGACY_MAGIC_NUMBER, LEGACY_PROTOCOL_VERSION, _SYSTEM_INFO):
        pickle.dump(header, buffer, protocol=2)
    _Pickler(buffer, protocol=2).dump(collections.OrderedDict(state))
    pickle.dump(sorted(storages), buffer, protocol=2)
    for key in sorted(storages):
        buffer.write(struct.pack("<q", storages[key].size))
        buffer.write(storages[key].tobytes())
    return write_bytes_atomically(path, buffer.getvalue())
