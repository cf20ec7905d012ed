"""The shipped oracle: where its files live, and loading it."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import keras

from tfganimation.atomic import replacing, write_text_atomically

ORACLE_DIR = Path(__file__).parent / "files"
ORACLE_FILE = "oracle.keras"
RECORD_FILE = "oracle.json"


def save_oracle(oracle: keras.Model, record: dict, directory: str | os.PathLike = ORACLE_DIR) -> Path:
    """Writes `oracle.keras` (weights, no optimizer) and `oracle.json` (its measurements)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with replacing(directory / ORACLE_FILE) as temporary:
        oracle.save(temporary, include_optimizer=False)
    write_text_atomically(directory / RECORD_FILE, json.dumps(record, indent=1) + "\n")
    return directory / ORACLE_FILE


@functools.lru_cache(maxsize=2)
def load_oracle(directory: str | os.PathLike = ORACLE_DIR) -> keras.Model:
    """The trained `AUOracle` (cached: evaluations call it many times)."""
    path = Path(directory) / ORACLE_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"The AU oracle is missing ({path}): reinstall tfganimation, or train one with "
            "`python benchmarks/train_oracle.py`."
        )
    from tfganimation.oracle.model import AUOracle  # noqa: F401  (registers the class)

    return keras.models.load_model(path, compile=False)


def oracle_record(directory: str | os.PathLike = ORACLE_DIR) -> dict:
    """What was measured of the shipped oracle when it was trained (`oracle.json`)."""
    return json.loads((Path(directory) / RECORD_FILE).read_text(encoding="utf-8"))
