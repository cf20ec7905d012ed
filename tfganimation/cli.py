"""The `tfganimation` command: a thin argparse front over the library."""

from __future__ import annotations

import argparse
import importlib
import sys

from tfganimation.version import __version__

# Subcommand modules under `tfganimation.commands`, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = ("quickstart", "prepare", "train", "evaluate", "export", "animate")


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
    try:
        return int(args.run(args) or 0)
    except (CommandError, FileNotFoundError, FileExistsError, ValueError) as error:
        print(f"tfganimation {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"tfganimation {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
