"""The `tfganimation` command: a thin argparse front over the library.

Parsing imports no TensorFlow (each command imports the library inside its
`run`), so `--help` answers at once. TensorFlow's C++ log lines are dropped
while a command runs (`tfganimation.native_logs`), and a failure the user
can act on is one line on stderr with exit status 2; `--verbose` (or
`TFGANIMATION_VERBOSE=1`) keeps both the log lines and the tracebacks.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys

from tfganimation.native_logs import native_logs_filtered
from tfganimation.version import __version__

# Subcommand modules under `tfganimation.commands`, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = (
    "quickstart", "prepare", "train", "evaluate", "export", "animate", "convert",
)  # fmt: skip

VERBOSE_ENV = "TFGANIMATION_VERBOSE"
"""Set to 1 for what `--verbose` shows, in every command."""


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 2, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfganimation",
        description=(
            "GANimation in TensorFlow/Keras: train an action-unit conditioned face "
            "editor, evaluate it, export it, and animate photos."
        ),
    )
    parser.add_argument("--version", action="version", version=f"tfganimation {__version__}")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help=f"show TensorFlow's own log lines, and a traceback with an error (or set {VERBOSE_ENV}=1)",
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
        return 0 if args.command is None else 2
    verbose = args.verbose or os.environ.get(VERBOSE_ENV, "") not in ("", "0")
    with contextlib.nullcontext() if verbose else native_logs_filtered():
        try:
            return int(args.run(args) or 0)
        except (CommandError, OSError, ValueError) as error:
            if verbose:
                raise
            print(f"tfganimation {args.command}: error: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"tfganimation {args.command}: interrupted", file=sys.stderr)
            return 130


if __name__ == "__main__":
    sys.exit(main())
