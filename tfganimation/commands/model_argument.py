"""`--model MODEL`: the one model argument of every command that takes a model.

Every kind of model reference the project reads is spelled the same way in
every command (`animate`, `export`, `evaluate`), and each command states the
kinds it can use: a command that needs Keras weights (`export`, `evaluate`)
refuses an export folder or a `.tflite` file with a line that says so,
before anything loads. Left out, `--model` is the demo model shipped in the
package.

`export` and `evaluate` took the model as their first argument before
`--model` existed; that spelling still works, with a deprecation note.
"""

from __future__ import annotations

import argparse
import dataclasses

from tfganimation.commands.arguments import note_deprecated
from tfganimation.commands.errors import CommandError
from tfganimation.demo.shipped import DEMO_NAME  # plain data, no TensorFlow

KIND_NAMES: dict[str, str] = {
    "run": "a run directory",
    "keras": "a .keras file",
    "export": "an export folder",
    "saved_model": "a SavedModel",
    "tflite": "a .tflite file",
    "checkpoint": "a PyTorch GANimation .pth/.ckpt",
    "demo": "demo",
}
"""Every kind of model reference, by name, with how `--help` and errors describe it."""

KINDS: tuple[str, ...] = tuple(KIND_NAMES)
"""Every kind: what `animate` takes."""

KERAS_KINDS: tuple[str, ...] = ("run", "keras", "checkpoint", "demo")
"""The kinds that hold Keras weights (a `.pth`/`.ckpt` is converted as it loads): what
`export` and `evaluate` take."""


@dataclasses.dataclass(frozen=True)
class ModelArgument:
    """The model a command was given.

    Args:
        reference: str. What the loaders take: a path, or `"demo"`.
        kind: str. One of `KINDS`.
        given: bool. False when `--model` was left out and the demo stands in.
    """

    reference: str
    kind: str
    given: bool


def add_model_argument(
    parser: argparse.ArgumentParser, kinds: tuple[str, ...], *, operand_alias: bool = False
) -> None:
    """Adds `--model` (and, with `operand_alias`, the deprecated first-argument spelling)."""
    parser.add_argument(
        "--model",
        action=_ModelAction,
        default=None,
        help=f"the model: {describe(kinds)} (default: demo, the model shipped in the package, "
        "trained on synthetic faces)",
    )
    if operand_alias:
        parser.add_argument(
            "model_operand",
            nargs="?",
            action=_ModelAction,
            metavar="MODEL",
            help="the model as the first argument: the spelling before --model (deprecated)",
        )


def model_argument(args: argparse.Namespace, kinds: tuple[str, ...]) -> ModelArgument:
    """The `--model` of parsed `args`, checked to exist and to be of one of `kinds`.

    Raises:
        FileNotFoundError: nothing is at the path.
        CommandError: a model of a kind the command cannot use.
    """
    given = args.model is not None
    reference = args.model if given else DEMO_NAME
    kind = model_kind(reference, kinds)
    if kind not in kinds:
        raise CommandError(
            f"{reference} is {KIND_NAMES[kind]}; this command takes {describe(kinds)}"
            + (": pass the model it was exported from." if kind not in KERAS_KINDS else ".")
        )
    return ModelArgument(reference, kind, given)


def model_kind(reference: str, expected: tuple[str, ...] = KINDS) -> str:
    """What kind of model `reference` is, from its name and layout alone (nothing is loaded).

    The commands' question to `tfganimation.model_files.model_kind`, with
    the error naming the kinds this command takes.

    Raises:
        FileNotFoundError: nothing is at the path (the message lists `expected`).
    """
    from tfganimation.model_files.reference import model_kind as kind_of

    kind = kind_of(reference)
    if kind is None:
        raise FileNotFoundError(f"Model not found: {reference} (expected {describe(expected)}).")
    return kind


def describe(kinds: tuple[str, ...]) -> str:
    """`kinds` in words: "a run directory, a .keras file or demo"."""
    names = [KIND_NAMES[kind] for kind in kinds]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


class _ModelAction(argparse.Action):
    """Stores the model once: from `--model` or the deprecated first argument, not two models."""

    def __call__(self, parser, namespace, values, option_string=None):
        if values is None:  # The first argument, left out.
            return
        given = getattr(namespace, "model", None)
        if given is not None and given != values:
            parser.error(f"two models given, {given} and {values}: give --model once")
        if option_string is None:
            note_deprecated(parser, "MODEL as the first argument", f"--model {values}")
        namespace.model = values
