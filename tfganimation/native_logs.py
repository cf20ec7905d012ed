"""TensorFlow's C++ log lines, kept off a command's terminal.

TensorFlow (2.16 and later) logs from C++ through Abseil, which nobody
initialises, so every line goes to stderr whatever `TF_CPP_MIN_LOG_LEVEL`
says: a "WARNING: All log messages before absl::InitializeLog()" banner,
oneDNN and CUDA-driver notices at start-up, optimizer notes later
(`I0000 00:00:1718392474.370713  681831 port.cc:153] ...`). The only place
they can be stopped is the file descriptor they are written to.

Example:
```python
with native_logs_filtered():
    import tensorflow as tf  # no start-up lines; Python's own stderr passes
```
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from typing import Iterator

NATIVE_LOG_LINE = re.compile(
    rb"[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^\s\]]+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] [^\s\]]+:\d+\] "
    rb"|To enable the following instructions: .*, rebuild TensorFlow with the appropriate compiler"
)
"""The start of an INFO, WARNING or ERROR line of Abseil (or of TensorFlow's own
format before 2.16: `2024-01-31 12:00:00.123456: I tensorflow/...cc:42] `), of
Abseil's banner, or the second line of TensorFlow's two-line CPU-features notice;
FATAL lines pass."""


@contextlib.contextmanager
def native_logs_filtered(fd: int = 2) -> Iterator[None]:
    """Drops Abseil log lines written to `fd` (stderr) while the block runs.

    Everything else written to `fd` — Python's own `sys.stderr`, tracebacks,
    warnings, FATAL lines — passes through unchanged, a line at a time: the
    descriptor is pointed at a pipe that a thread reads and filters.
    """
    sys.stderr.flush()
    original = os.dup(fd)
    read_end, write_end = os.pipe()
    os.dup2(write_end, fd)
    os.close(write_end)
    pump = threading.Thread(target=_forward, args=(read_end, original), daemon=True)
    pump.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original, fd)  # the pipe's last writer closes: the thread reads to its end
        pump.join(timeout=10)
        os.close(original)


def _forward(read_end: int, destination: int) -> None:
    """Copies lines from `read_end` to `destination`, dropping `NATIVE_LOG_LINE` ones."""
    pending = b""
    with os.fdopen(read_end, "rb", buffering=0) as source:
        while chunk := source.read(65536):
            *lines, pending = (pending + chunk).split(b"\n")
            _write(destination, b"".join(line + b"\n" for line in lines if not NATIVE_LOG_LINE.match(line)))
    if pending and not NATIVE_LOG_LINE.match(pending):
        _write(destination, pending)


def _write(destination: int, data: bytes) -> None:
    while data:
        data = data[os.write(destination, data) :]
