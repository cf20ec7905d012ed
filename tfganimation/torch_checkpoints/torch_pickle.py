"""Reads PyTorch `state_dict` files without PyTorch and without running them.

A `.pth`/`.ckpt` file is a pickle: `torch.load(weights_only=False)` or a plain
`pickle.load` calls whatever functions the file names, so a downloaded
checkpoint can run code on the machine that opens it. This reader never calls
a global the file names. It resolves only what a tensor `state_dict` needs:

- `collections.OrderedDict`, the dict a `state_dict` is;
- `torch._utils._rebuild_tensor`/`_rebuild_tensor_v2`/`_rebuild_parameter`,
  replaced by functions that only record (storage, offset, shape, strides);
- `torch.<Type>Storage` (and `torch.cuda.<Type>Storage`, which GPU-trained
  files name), mapped to a NumPy dtype.

Anything else is refused before it is imported, with a one-line message
naming it. Tensors are then cut from the raw storage bytes with bounds
checked against the storage, so a hostile shape or stride cannot read
outside the file's own data.

Both formats users have are read:

- legacy (PyTorch < 1.6, e.g. 0.3 and 0.4.1): a magic-number pickle, a
  protocol-version pickle, a system-info pickle, the `state_dict` pickle,
  a pickle listing the storage keys, then each storage as an int64 element
  count followed by its raw little-endian bytes;
- zip (PyTorch >= 1.6): `<name>/data.pkl` and one `<name>/data/<key>` entry of
  raw bytes per storage.
"""

from __future__ import annotations

import collections
import dataclasses
import io
import os
import pickle
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
"""The first pickle of every legacy `torch.save` file."""

LEGACY_PROTOCOL_VERSION = 1001

STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": np.dtype("<u2"),  # widened to float32 when the tensor is cut
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}
"""PyTorch storage type → the NumPy dtype of its bytes: what the reader accepts and the
writer (`torch_writer`) writes."""


class CheckpointError(ValueError):
    """The file is not a readable, harmless PyTorch `state_dict`; nothing in it was run."""


@dataclasses.dataclass(frozen=True)
class _StorageType:
    name: str

    @property
    def dtype(self) -> np.dtype:
        return STORAGE_DTYPES[self.name]


@dataclasses.dataclass(frozen=True)
class _StorageRef:
    """A storage the pickle points to: its key, element type, size, and view (legacy)."""

    key: str
    storage_type: _StorageType
    numel: int
    view_offset: int = 0


@dataclasses.dataclass(frozen=True)
class _TensorRef:
    """A tensor as the pickle describes it, cut from its storage after unpickling."""

    storage: _StorageRef
    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]


def _rebuild_tensor(storage, storage_offset, size, stride, *_ignored) -> _TensorRef:
    """Stands in for `torch._utils._rebuild_tensor(_v2)`: records, calls nothing."""
    if not isinstance(storage, _StorageRef):
        raise CheckpointError("A tensor in the checkpoint is not backed by a storage.")
    try:
        shape = tuple(int(n) for n in size)
        strides = tuple(int(n) for n in stride)
        offset = int(storage_offset)
    except (TypeError, ValueError):
        raise CheckpointError("A tensor in the checkpoint has a malformed shape or stride.") from None
    return _TensorRef(storage, offset, shape, strides)


def _rebuild_parameter(data, *_ignored):
    """Stands in for `torch._utils._rebuild_parameter`: a Parameter is its tensor."""
    return data


_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}
for _name in STORAGE_DTYPES:
    for _module in ("torch", "torch.cuda"):
        _ALLOWED_GLOBALS[(_module, _name)] = _StorageType(_name)


class _StateDictUnpickler(pickle.Unpickler):
    """Resolves only the allow-listed globals; storages become `_StorageRef`s."""

    def __init__(self, file, legacy: bool):
        super().__init__(file, encoding="latin1")
        self.legacy = legacy

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise CheckpointError(
                f"refused: the checkpoint's pickle names '{module}.{name}', which a tensor "
                "state_dict never needs (loading it with torch.load(weights_only=False) or "
                "pickle would run it); nothing was executed"
            ) from None

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise CheckpointError(f"refused: unknown persistent reference {str(pid)[:80]!r}.")
        storage_type, key, numel = pid[1], str(pid[2]), pid[4]
        if not isinstance(storage_type, _StorageType):
            raise CheckpointError(f"refused: storage of unknown type {storage_type!r}.")
        if self.legacy:
            # (storage, type, root_key, location, root_numel, view_metadata)
            view = pid[5] if len(pid) > 5 else None
            if view is not None:
                _view_key, view_offset, view_numel = view
                return _StorageRef(key, storage_type, int(numel), int(view_offset))
        return _StorageRef(key, storage_type, int(numel))


def read_state_dict(path: str | os.PathLike) -> collections.OrderedDict[str, np.ndarray]:
    """The tensors of a PyTorch `state_dict` file, as NumPy arrays, without PyTorch.

    Args:
        path: str or path-like. A `.pth`/`.ckpt`/`.pt` file written by
            `torch.save(module.state_dict(), path)`, in the legacy (< 1.6) or
            zip (>= 1.6) format.

    Returns:
        An ordered dict from parameter name to array, in the file's order.
        Half, bfloat16 and float64 tensors keep their own dtype except
        bfloat16, which NumPy lacks and becomes float32 (exactly).

    Raises:
        CheckpointError: the file names any global a tensor state_dict does
            not need (nothing from it was run), is truncated or damaged, is
            not a PyTorch file, or holds something other than a flat mapping
            from names to tensors.
        FileNotFoundError: no such file.

    Example:
    ```python
    tensors = read_state_dict("30_net_gen.pth")
    tensors["model.0.weight"].shape  # (64, 20, 7, 7)
    ```
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such checkpoint: {path}")
    try:
        if zipfile.is_zipfile(path):
            raw, storages = _read_zip(path)
        else:
            raw, storages = _read_legacy(path)
        return _state_dict(raw, storages, path)
    except CheckpointError as error:
        raise CheckpointError(f"{path.name}: {error}") from None
    except (pickle.UnpicklingError, EOFError, zipfile.BadZipFile, struct.error, KeyError,
            IndexError, TypeError, ValueError, AttributeError, MemoryError, UnicodeDecodeError,
            OverflowError) as error:  # fmt: skip
        raise CheckpointError(
            f"{path.name}: not a readable PyTorch checkpoint (truncated or damaged?): "
            f"{type(error).__name__}: {str(error)[:120]}"
        ) from None


def _read_zip(path: Path) -> tuple[Any, dict[str, np.ndarray]]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [name for name in names if name.endswith("/data.pkl") or name == "data.pkl"]
        if len(pickles) != 1:
            raise CheckpointError("a zip file, but not a PyTorch checkpoint (no data.pkl inside)")
        prefix = pickles[0][: -len("data.pkl")]
        byteorder_name = f"{prefix}byteorder"
        if byteorder_name in names and archive.read(byteorder_name).strip() != b"little":
            raise CheckpointError("big-endian checkpoints are not supported")
        unpickler = _StateDictUnpickler(io.BytesIO(archive.read(pickles[0])), legacy=False)
        raw = unpickler.load()
        keys = {ref.key for ref in _storage_refs(raw)}
        storages = {}
        for key in keys:
            member = f"{prefix}data/{key}"
            if member not in names:
                raise CheckpointError(f"storage {key} is missing from the archive (truncated?)")
            storages[key] = np.frombuffer(archive.read(member), dtype=np.uint8)
    return raw, storages


def _read_legacy(path: Path) -> tuple[Any, dict[str, np.ndarray]]:
    data = path.read_bytes()
    stream = io.BytesIO(data)

    def load(legacy: bool = True):
        return _StateDictUnpickler(stream, legacy=legacy).load()

    try:
        magic = load()
    except (pickle.UnpicklingError, EOFError, CheckpointError, ValueError):
        magic = None
    if magic != LEGACY_MAGIC_NUMBER:
        if data.startswith(b"PK\x03\x04"):
            raise CheckpointError(
                "a damaged zip-format checkpoint: its zip directory is missing (truncated download?)"
            )
        raise CheckpointError(
            "not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save file)"
        )
    if load() != LEGACY_PROTOCOL_VERSION:
        raise CheckpointError("unsupported legacy checkpoint protocol")
    load()  # system info: byte order and sizes, all little-endian on every PyTorch build users have
    raw = load()
    storage_keys = load()
    if not isinstance(storage_keys, list):
        raise CheckpointError("malformed legacy checkpoint: no storage list")
    dtypes = {ref.key: ref.storage_type.dtype for ref in _storage_refs(raw)}
    storages = {}
    for key in map(str, storage_keys):
        if key not in dtypes:
            raise CheckpointError(f"malformed legacy checkpoint: storage {key} belongs to no tensor")
        (numel,) = struct.unpack("<q", stream.read(8))
        nbytes = numel * dtypes[key].itemsize
        if numel < 0 or nbytes > len(data) - stream.tell():
            raise CheckpointError(f"storage {key} runs past the end of the file (truncated?)")
        storages[key] = np.frombuffer(stream.read(nbytes), dtype=np.uint8)
    return raw, storages


def _storage_refs(raw) -> list[_StorageRef]:
    if not isinstance(raw, dict):
        return []
    return [value.storage for value in raw.values() if isinstance(value, _TensorRef)]


def _state_dict(raw, storages: dict[str, np.ndarray], path: Path) -> collections.OrderedDict:
    if not isinstance(raw, dict):
        raise CheckpointError(
            f"holds a {type(raw).__name__}, not a state_dict (a mapping from parameter names "
            "to tensors); save the network's state_dict()"
        )
    tensors = collections.OrderedDict()
    for name, value in raw.items():
        if not isinstance(value, _TensorRef):
            kind = "a nested dict" if isinstance(value, dict) else type(value).__name__
            raise CheckpointError(
                f"entry {name!r} is {kind}, not a tensor: this is not a flat state_dict "
                f"(top-level keys: {', '.join(map(str, list(raw)[:6]))})"
            )
        tensors[str(name)] = _cut_tensor(value, storages)
    return tensors


def _cut_tensor(ref: _TensorRef, storages: dict[str, np.ndarray]) -> np.ndarray:
    """The tensor's elements copied out of its storage, every index checked in bounds."""
    dtype = ref.storage.storage_type.dtype
    raw = storages[ref.storage.key]
    if raw.size % dtype.itemsize:
        raise CheckpointError(f"storage {ref.storage.key} is not a whole number of elements")
    elements = raw.view(dtype)
    if any(n < 0 for n in ref.shape) or any(s < 0 for s in ref.strides):
        raise CheckpointError("a tensor has a negative size or stride")
    if len(ref.shape) != len(ref.strides):
        raise CheckpointError("a tensor's shape and strides disagree")
    start = ref.storage.view_offset + ref.offset
    count = int(np.prod(ref.shape, dtype=np.int64))
    if count:
        last = start + sum((n - 1) * s for n, s in zip(ref.shape, ref.strides))
        if start < 0 or last >= elements.size:
            raise CheckpointError("a tensor reaches outside its storage (damaged file?)")
        array = np.lib.stride_tricks.as_strided(
            elements[start:],
            shape=ref.shape,
            strides=tuple(s * dtype.itemsize for s in ref.strides),
            writeable=False,
        ).copy()
    else:
        array = np.zeros(ref.shape, dtype)
    if ref.storage.storage_type.name == "BFloat16Storage":
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return array
