"""Reading PyTorch state_dicts without PyTorch, and without running what they contain."""

import io
import os
import pickle
import struct
import subprocess
import sys
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from torch_fixtures import checkpoint, requires_checkpoints

from tfganimation.torch_checkpoints.torch_pickle import (
    LEGACY_MAGIC_NUMBER,
    LEGACY_PROTOCOL_VERSION,
    CheckpointError,
    read_state_dict,
)

MARKER = "PWNED_BY_CHECKPOINT"


class _Global:
    """Pickles as a reference to `module.name`, as torch.save writes a class or function."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self):  # `save_reduce` only accepts callables; never called.
        raise AssertionError("a stand-in for a PyTorch global")


class _Call:
    """Pickles as `function(*args)`: how tensors (and attacks) are written."""

    def __init__(self, function, *args):
        self.function, self.args = function, args


class _Pickler(pickle._Pickler):
    """Writes state_dict pickles as torch.save does, without PyTorch to name its globals."""

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, _Global):
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        elif isinstance(obj, _Call):
            self.save_reduce(obj.function, obj.args, obj=obj)
        else:
            super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if isinstance(obj, tuple) and obj and obj[0] == "storage":
            return obj
        return None


def _legacy_file(path, entries: dict, storages: dict[str, np.ndarray]) -> None:
    """A legacy (PyTorch < 1.6) checkpoint: entries map names to (key, offset, shape, stride)."""
    float_storage = _Global("torch", "FloatStorage")
    rebuild = _Global("torch._utils", "_rebuild_tensor_v2")
    state = OrderedDict()
    for name, value in entries.items():
        if isinstance(value, _Call):
            state[name] = value
            continue
        key, offset, shape, stride = value
        pid = ("storage", float_storage, key, "cpu", storages[key].size, None)
        state[name] = _Call(rebuild, pid, offset, shape, stride, False, OrderedDict())
    buffer = io.BytesIO()
    for header in (LEGACY_MAGIC_NUMBER, LEGACY_PROTOCOL_VERSION, {"little_endian": True}):
        pickle.dump(header, buffer, protocol=2)
    _Pickler(buffer, protocol=2).dump(state)
    pickle.dump(sorted(storages), buffer, protocol=2)
    for key in sorted(storages):
        data = storages[key].astype("<f4")
        buffer.write(struct.pack("<q", data.size) + data.tobytes())
    path.write_bytes(buffer.getvalue())


def test_reads_a_self_written_legacy_file_with_offsets_and_strides(tmp_path):
    storage = np.arange(12, dtype=np.float32)
    path = tmp_path / "net.pth"
    _legacy_file(
        path,
        {"w": ("0", 0, (3, 4), (4, 1)), "wt": ("0", 0, (4, 3), (1, 4)), "b": ("0", 10, (2,), (1,))},
        {"0": storage},
    )
    tensors = read_state_dict(path)
    assert list(tensors) == ["w", "wt", "b"]
    np.testing.assert_array_equal(tensors["w"], storage.reshape(3, 4))
    np.testing.assert_array_equal(tensors["wt"], storage.reshape(3, 4).T)
    np.testing.assert_array_equal(tensors["b"], [10, 11])


def test_a_tensor_reaching_outside_its_storage_is_refused(tmp_path):
    path = tmp_path / "net.pth"
    _legacy_file(path, {"w": ("0", 0, (3, 4), (400, 1))}, {"0": np.zeros(12, np.float32)})
    with pytest.raises(CheckpointError, match="outside its storage"):
        read_state_dict(path)


def test_a_self_written_code_execution_pickle_is_refused_and_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pth"
    _legacy_file(path, {"w": _Call(os.system, f"touch {MARKER}")}, {})
    with pytest.raises(CheckpointError, match=r"names '(posix|nt)\.system'") as error:
        read_state_dict(path)
    assert "\n" not in str(error.value)
    assert not (tmp_path / MARKER).exists()


@requires_checkpoints
@pytest.mark.parametrize("name", ["code_execution.legacy.pth", "code_execution.zip-format.pth"])
def test_the_hostile_fixtures_are_refused_and_never_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CheckpointError, match="names 'posix.system'.*nothing was executed"):
        read_state_dict(checkpoint(f"hostile/{name}"))
    assert not list(tmp_path.rglob(MARKER))
    assert not list(checkpoint("hostile").glob(MARKER))


@requires_checkpoints
def test_a_truncated_zip_checkpoint_gets_one_line():
    with pytest.raises(CheckpointError, match="truncated") as error:
        read_state_dict(checkpoint("hostile/truncated.pth"))
    assert "\n" not in str(error.value)


def test_a_file_that_is_no_checkpoint_gets_one_line(tmp_path):
    path = tmp_path / "notes.pth"
    path.write_text("hello")
    with pytest.raises(CheckpointError, match="not a PyTorch checkpoint"):
        read_state_dict(path)
    archive = tmp_path / "other.pth"
    with zipfile.ZipFile(archive, "w") as zip_file:
        zip_file.writestr("readme.txt", "hi")
    with pytest.raises(CheckpointError, match="no data.pkl"):
        read_state_dict(archive)


@requires_checkpoints
def test_legacy_and_zip_files_of_one_network_hold_the_same_tensors():
    legacy = read_state_dict(checkpoint("original/net_epoch_30_id_G.pth"))
    zipped = read_state_dict(checkpoint("original/net_epoch_30_id_G.zip-format.pth"))
    # The legacy file also holds PyTorch 0.3's running statistics.
    assert set(zipped) < set(legacy)
    assert {key for key in legacy if key not in zipped} == {
        key for key in legacy if key.endswith(("running_mean", "running_var"))
    }
    for key, value in zipped.items():
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, legacy[key], err_msg=key)


@requires_checkpoints
def test_integer_buffers_keep_their_type():
    tensors = read_state_dict(checkpoint("stargan_based/200000-G.ckpt"))
    counters = [value for key, value in tensors.items() if key.endswith("num_batches_tracked")]
    assert counters and all(value.dtype == np.int64 and value.shape == () for value in counters)


@requires_checkpoints
def test_reading_needs_no_torch():
    """A checkpoint reads and converts where `import torch` fails."""
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "from tfganimation.torch_checkpoints.conversion import convert_checkpoint\n"
        f"converted = convert_checkpoint({str(checkpoint('replicate/30_net_gen.pth'))!r})\n"
        "import importlib.util\n"
        "try:\n    import torch\nexcept ImportError:\n    print('no torch', converted.record['layout'])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no torch replicate" in result.stdout
