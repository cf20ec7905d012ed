"""Outputs that never replace what a user saved unless told to: every writer's first check.

A command that writes files refuses, before any work, an output that is
already there, and replaces it only with `overwrite` (`--overwrite`). Two
kinds of output: named files (an animation, an exported model, a converted
checkpoint) and a folder a command fills (a dataset, a run, an evaluation),
which is refused when it holds anything. The message says which paths are
in the way and how to replace them (`advice`: `--overwrite` for commands,
`overwrite=True` for library calls). Writing itself goes through
`tfganimation.atomic`, so a replaced file is replaced whole.

Example:
```python
out = output_folder("runs/celeba", overwrite, "pass --overwrite to replace the run")
path = output_file("smile.gif", overwrite)
```
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

OVERWRITE_ADVICE = "pass --overwrite to replace"


def refuse_existing(
    paths: Iterable[str | os.PathLike], overwrite: bool = False, advice: str = OVERWRITE_ADVICE
) -> None:
    """Raises unless none of `paths` exists, or `overwrite`.

    Raises:
        FileExistsError: naming every path that exists; the message ends
            with `advice`.
    """
    existing = [str(path) for path in paths if Path(path).exists()]
    if existing and not overwrite:
        verb = "exists" if len(existing) == 1 else "exist"
        raise FileExistsError(f"{', '.join(existing)} already {verb}; {advice}.")


def output_file(
    path: str | os.PathLike, overwrite: bool = False, advice: str = f"{OVERWRITE_ADVICE} it"
) -> Path:
    """The file to write, refused if it exists (see `refuse_existing`); creates its folder."""
    path = Path(path)
    refuse_existing([path], overwrite, advice)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def refuse_filled_folder(
    folder: str | os.PathLike, overwrite: bool = False, advice: str = f"{OVERWRITE_ADVICE} them"
) -> Path:
    """The folder a command fills, refused if it holds anything; creates nothing.

    Raises:
        FileExistsError: `folder` is a file (whatever `overwrite` says), or
            holds files and `overwrite` is False; the message ends with `advice`.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} exists and is not a folder.")
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise FileExistsError(f"{folder} already holds files; {advice}.")
    return folder


def output_folder(
    folder: str | os.PathLike, overwrite: bool = False, advice: str = f"{OVERWRITE_ADVICE} them"
) -> Path:
    """`refuse_filled_folder`, then creates the folder (and its parents)."""
    folder = refuse_filled_folder(folder, overwrite, advice)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
