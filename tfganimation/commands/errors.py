"""How a command ends: refused (exit status 2) or failed (exit status 1), each as one line.

Two outcomes, told apart by the exit status so that scripts can act on them:

- **refused** (`EXIT_REFUSED`, 2, argparse's own status for a wrong
  option): the command did not start its work, because of bad input, an
  option that does not fit, or an output that exists. Nothing was written.
  `CommandError`, `ValueError` and `OSError` (a missing file, an existing
  output, a full disk found before training) are refusals.
- **failed** (`EXIT_FAILED`, 1): the work started and went wrong, e.g. an
  export whose parity check failed or a training run whose loss diverged.
  `CommandFailed`, TensorFlow's runtime errors (`tf.errors.OpError`: out of
  memory, a kernel that cannot run) and any unexpected exception are
  failures.

This module imports neither TensorFlow nor any command: the command modules
raise these errors, and `tfganimation.cli` reports them.
"""

from __future__ import annotations

import sys

EXIT_FAILED = 1
"""Exit status of a command whose work went wrong."""

EXIT_REFUSED = 2
"""Exit status of a command that refused its input, options or output (as argparse does)."""


class CommandError(Exception):
    """A refusal the user can act on: printed as one line, exit status 2, no traceback."""


class CommandFailed(Exception):
    """A run that went wrong: printed as one line, exit status 1, no traceback."""


def exit_status(error: BaseException) -> int | None:
    """`EXIT_REFUSED` or `EXIT_FAILED` for an error reported as one line; None for a bug's.

    A None (an unexpected exception: a bug) is left to Python, which prints
    its traceback and exits with status 1, a failure too.
    """
    if isinstance(error, (CommandError, OSError, ValueError)):
        return EXIT_REFUSED
    if isinstance(error, CommandFailed) or _is_tensorflow_runtime_error(error):
        return EXIT_FAILED
    return None


def one_line(error: BaseException) -> str:
    """What to print of an error: its message, or a TensorFlow runtime error's first line.

    TensorFlow's runtime errors run over many lines (the graph node, its
    inputs, a Python stack); the first, with the error's class, says what
    went wrong.
    """
    if not _is_tensorflow_runtime_error(error):
        return str(error)
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0] if lines else 'no message'}"


def _is_tensorflow_runtime_error(error: BaseException) -> bool:
    """Whether `error` is a `tf.errors.OpError`, asked without importing TensorFlow.

    TensorFlow not imported means no command ran it, so no such error.
    """
    tensorflow = sys.modules.get("tensorflow")
    errors = getattr(tensorflow, "errors", None)
    return errors is not None and isinstance(error, errors.OpError)
