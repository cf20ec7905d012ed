"""Reading PyTorch state_dicts without PyTorch, and without running what they contain."""

import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from torch_fixtures import checkpoint, requires_checkpoints

from tfganimation.torch_checkpoints.torch_pickle import CheckpointError, read_state_dict
from tfganimation.torch_checkpoints.torch_writer import TensorView, write_legacy_file, write_state_dict

MARKER = "PWNED_BY_CHECKPOINT"


class _RunsACommand:
    """Unpickled naively, it runs `touch PWNED_BY_CHECKPOINT`: what a hostile checkpoint does."""

    def __reduce__(self):
        return os.system, (f"touch {MARKER}",)


def test_writes_and_reads_back_every_dtype(tmp_path):
    tensors = {
        "weight": np.random.default_rng(0).normal(size=(4, 3, 2, 2)).astype(np.float32),
        "half": np.arange(5, dtype=np.float16),
        "double": np.linspace(0, 1, 3),
        "count": np.array(7, np.int64),
        "mask": np.array([True, False]),
        "bytes": np.arange(3, dtype=np.uint8),
    }
    read = read_state_dict(write_state_dict(tmp_path / "net.pth", tensors))
    assert list(read) == list(tensors)
    for name, value in tensors.items():
        assert read[name].dtype == value.dtype and read[name].shape == value.shape, name
        np.testing.assert_array_equal(read[name], value, err_msg=name)


def test_reads_views_with_offsets_and_strides(tmp_path):
    storage = np.arange(12, dtype=np.float32)
    path = tmp_path / "net.pth"
    write_legacy_file(
        path,
        {
            "w": TensorView("0", storage, shape=(3, 4)),
            "wt": TensorView("0", storage, shape=(4, 3), strides=(1, 4)),
            "b": TensorView("0", storage, offset=10, shape=(2,)),
        },
        {"0": storage},
    )
    tensors = read_state_dict(path)
    assert list(tensors) == ["w", "wt", "b"]
    np.testing.assert_array_equal(tensors["w"], storage.reshape(3, 4))
    np.testing.assert_array_equal(tensors["wt"], storage.reshape(3, 4).T)
    np.testing.assert_array_equal(tensors["b"], [10, 11])


def test_a_tensor_reaching_outside_its_storage_is_refused(tmp_path):
    path = tmp_path / "net.pth"
    storage = np.zeros(12, np.float32)
    write_legacy_file(path, {"w": TensorView("0", storage, shape=(3, 4), strides=(400, 1))}, {"0": storage})
    with pytest.raises(CheckpointError, match="outside its storage"):
        read_state_dict(path)


def test_a_self_written_code_execution_pickle_is_refused_and_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pth"
    write_legacy_file(path, {"w": _RunsACommand()}, {})
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
