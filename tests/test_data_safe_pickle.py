import os
import pickle

import numpy as np
import pytest
from data_fixtures import CallsOnUnpickle, write_marker

from tfganimation.data import UnsafePickleError, load_pickle


def test_reads_protocol_2_dict_of_float64_arrays(tmp_path):
    table = {"a": np.linspace(0, 5, 17), "b": np.zeros(17)}
    path = tmp_path / "aus.pkl"
    path.write_bytes(pickle.dumps(table, protocol=2))
    loaded = load_pickle(path)
    assert loaded.keys() == table.keys()
    np.testing.assert_array_equal(loaded["a"], table["a"])
    assert loaded["a"].dtype == np.float64


def test_reads_numpy_1_module_names_and_newer_protocols(tmp_path):
    table = {"a": np.arange(17, dtype=np.float64), "scalar": np.float64(2.5), "list": [1, "x", (2.0,)]}
    # A numpy 1.x pickle names `numpy.core.multiarray`; numpy 2.x writes `numpy._core`.
    old_names = pickle.dumps(table, protocol=2).replace(b"numpy._core", b"numpy.core")
    assert b"numpy.core.multiarray" in old_names
    for i, data in enumerate([old_names, pickle.dumps(table, protocol=5)]):
        path = tmp_path / f"aus{i}.pkl"
        path.write_bytes(data)
        loaded = load_pickle(path)
        np.testing.assert_array_equal(loaded["a"], table["a"])
        assert loaded["scalar"] == 2.5 and loaded["list"] == [1, "x", (2.0,)]


@pytest.mark.parametrize("make_payload", [
    lambda marker: CallsOnUnpickle(os.system, f"touch {marker}"),
    lambda marker: CallsOnUnpickle(write_marker, str(marker)),
    lambda marker: {"ok": np.zeros(17), "bad": [CallsOnUnpickle(write_marker, str(marker))]},
])
def test_refuses_pickles_that_would_call_code(tmp_path, make_payload):
    marker = tmp_path / "marker"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(make_payload(marker), protocol=2))
    with pytest.raises(UnsafePickleError, match=r"Refused to load global '(posix\.system|data_fixtures\.write_marker)'"):
        load_pickle(path)
    assert not marker.exists()


def test_refuses_object_arrays(tmp_path):
    path = tmp_path / "objects.pkl"
    path.write_bytes(pickle.dumps(np.array([1, "two"], dtype=object), protocol=2))
    with pytest.raises(UnsafePickleError, match="object dtype"):
        load_pickle(path)
