"""Argument types and option helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace], int],
    summary: str,
    description: str,
    **kwargs,
) -> argparse.ArgumentParser:
    """Registers the subcommand `name`, which `run` carries out, and returns its parser.

    `summary` is its line in `tfganimation --help`; `description` the prose
    atop its own `--help`, its line breaks folded to spaces so that it reads
    the same under any help formatter (some commands keep their epilog raw).
    Other keyword arguments go to argparse.
    """
    parser = subparsers.add_parser(
        name, help=summary, description=" ".join(description.split()), **kwargs
    )
    parser.set_defaults(run=run)
    return parser


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1, with a readable error otherwise."""
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    """An argparse type: an integer >= 0, with a readable error otherwise."""
    return _int_at_least(text, 0)


def _int_at_least(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected a number >= {minimum}, got {value}")
    return value


def non_negative_float(text: str) -> float:
    """An argparse type: a finite number >= 0, with a readable error otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


def model_path(text: str) -> str:
    """An argparse type: a model path made absolute, so that `run.json` finds it from anywhere;
    `demo` (the model shipped in the package) stays a name."""
    return text if text == "demo" else str(Path(text).resolve())


def named_after(source: str | os.PathLike, ending: str) -> str:
    """A default `--out`: in the working folder, named after the command's input.

    A folder gives its name, a file its stem: `runs/celeba` + `_export` is
    `celeba_export`, `portrait.jpg` + `_animated.gif` is `portrait_animated.gif`.
    """
    path = Path(source).resolve()
    return (path.name if path.is_dir() else path.stem) + ending


def add_renamed_option(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    flag: str,
    *old_flags: str,
    action: str = "store",
    **kwargs,
) -> argparse.Action:
    """Adds the option `flag`, still answering to its `old_flags` with a deprecation note.

    An old spelling works as before; giving it prints one line on stderr
    naming the new one. The help lists the old spellings as deprecated.
    """
    stored = parser._registry_get("action", action, action)  # "store" → argparse's class

    class Renamed(stored):
        def __call__(self, parser, namespace, values, option_string=None):
            if option_string in old_flags:
                note_deprecated(parser, option_string, flag)
            super().__call__(parser, namespace, values, option_string)

    old = " and ".join(old_flags)
    help_text = kwargs.pop("help")
    help_text += f"; {old} {'is' if len(old_flags) == 1 else 'are'} deprecated"
    return parser.add_argument(flag, *old_flags, action=Renamed, help=help_text, **kwargs)


def note_deprecated(parser: argparse.ArgumentParser, old: str, new: str) -> None:
    """The one-line note a deprecated spelling prints, on stderr."""
    print(f"{parser.prog}: note: {old} is deprecated; use {new}", file=sys.stderr)
