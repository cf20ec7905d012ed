"""The `tfganimation` command: a thin argparse front over the library.

Parsing imports no TensorFlow (each command imports the library inside its
`run`), so `--help` answers at once. TensorFlow's C++ log lines are dropped
while a command runs (`tfganimation.native_logs`) unless `--verbose`. A
command ends refused (status 2) or failed (status 1), with one line on
stderr and no traceback (`tfganimation.commands.errors`); `--debug` adds the
traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import textwrap
import traceback

from tfganimation.commands.errors import (
    EXIT_FAILED,
    EXIT_REFUSED,
    exit_status,
    one_line,
)
from tfganimation.commands.model_argument import KERAS_KINDS, KINDS, describe
from tfganimation.native_logs import native_logs_filtered
from tfganimation.version import __version__

# Subcommand modules under `tfganimation.commands`, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = (
    "quickstart", "prepare", "train", "evaluate", "export", "animate", "convert",
)  # fmt: skip

VERBOSE_ENV = "TFGANIMATION_VERBOSE"
"""Set to 1 for what `--verbose` shows, in every command."""

DEBUG_ENV = "TFGANIMATION_DEBUG"
"""Set to 1 for what `--debug` shows, in every command."""


def _convention(name: str, text: str) -> str:
    """One entry of the conventions in `tfganimation --help`, wrapped beside its name."""
    return textwrap.fill(text, 80, initial_indent=f"  {name:<16}", subsequent_indent=" " * 18)


EPILOG = "\n".join([
    "conventions shared by every command:",
    _convention(
        "--model MODEL",
        f"the model of animate, export and evaluate, the same in all three: {describe(KINDS)}; "
        f"export and evaluate need weights: {describe(KERAS_KINDS)}. Left out: demo, the "
        "model shipped in the package. The first argument of export and evaluate still "
        "works as MODEL (deprecated).",
    ),
    _convention(
        "--out PATH",
        "where the command writes; left out, a name after the command's input in the "
        "working folder (each command's --help says which).",
    ),
    _convention(
        "--overwrite",
        "replace what an earlier run of the command wrote at --out; without it, a command "
        "refuses an --out that exists (a file, or a folder holding files) before any work. "
        "Nothing else there is deleted.",
    ),
    "",
    "exit status:",
    _convention("0", "done"),
    _convention(
        str(EXIT_FAILED),
        "failed: the work started and went wrong (a parity check that failed, a training "
        "loss that diverged, a TensorFlow runtime error)",
    ),
    _convention(
        str(EXIT_REFUSED),
        "refused: bad input, an option that does not fit, or an existing output; nothing "
        "was written",
    ),
    f"  An error is one line on stderr; --debug (or {DEBUG_ENV}=1) adds its traceback.",
])  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfganimation",
        description=(
            "GANimation in TensorFlow/Keras: train an action-unit conditioned face editor,\n"
            "measure its AU control, export it, and animate photos."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"tfganimation {__version__}")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=f"show TensorFlow's own log lines (or set {VERBOSE_ENV}=1; default: dropped)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show an error's traceback, and TensorFlow's log lines "
        f"(or set {DEBUG_ENV}=1; default: the error as one line)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"tfganimation.commands.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0 if args.command is None else EXIT_REFUSED
    debug = args.debug or _env_flag(DEBUG_ENV)
    verbose = debug or args.verbose or _env_flag(VERBOSE_ENV)
    with contextlib.nullcontext() if verbose else native_logs_filtered():
        try:
            return int(args.run(args) or 0)
        except KeyboardInterrupt:
            print(f"tfganimation {args.command}: interrupted", file=sys.stderr)
            return 130
        except Exception as error:
            status = exit_status(error)
            if status is None:  # A bug: Python prints the traceback, status 1.
                raise
            if debug:
                traceback.print_exc()
            outcome = "failed" if status == EXIT_FAILED else "error"
            print(f"tfganimation {args.command}: {outcome}: {one_line(error)}", file=sys.stderr)
            return status


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


if __name__ == "__main__":
    sys.exit(main())
