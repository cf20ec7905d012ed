"""Files replaced whole or not at all: what every writer of run and dataset files uses.

A reader, a kill (SIGKILL, preemption) or a power loss at any moment sees
either the previous file or the new one, never half of one: the new content
goes to a hidden temporary file beside the target, is flushed to disk, and
is renamed over the target (a rename within one folder is atomic on POSIX
file systems); the folder is flushed too, so the rename itself survives a
power loss. Whatever fails on the way, the temporary file is removed.

Example:
```python
with replacing("run/model.keras") as temporary:
    model.save(temporary)
write_json_atomically("run/run.json", {"status": "finished"})
```
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterator


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write; once the block ends, it durably replaces `path`.

    The temporary name ends with `path`'s whole name, so writers that check
    the suffix (`.keras`, `.weights.h5`, `.png`) accept it, and starts with
    a dot, so listings of the folder's visible files skip it.
    """
    path = Path(path)
    temporary = path.with_name(f".partial-{os.getpid()}-{path.name}")
    try:
        yield temporary
        with open(temporary, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(temporary, path)
        _fsync_folder(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """`Path(path).write_bytes(data)`, replacing the file whole (see `replacing`)."""
    with replacing(path) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """`Path(path).write_text(text)` in UTF-8, replacing the file whole."""
    return write_bytes_atomically(path, text.encode("utf-8"))


def write_json_atomically(path: str | os.PathLike, data: Any) -> Path:
    """`data` as indented JSON (anything else as its `str`), replacing the file whole."""
    return write_text_atomically(path, json.dumps(data, indent=2, default=str) + "\n")


def copy_atomically(source: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Copies `source` to `path`, replacing `path` whole."""
    with replacing(path) as temporary:
        shutil.copyfile(source, temporary)
    return Path(path)


def _fsync_folder(folder: Path) -> None:
    """Flushes a folder's entries (the rename) to disk; POSIX only (Windows cannot open folders)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
