"""One grammar across the commands: `--model`, `--out`, defaults in help, exit status, aliases."""

from __future__ import annotations

import argparse
import re

import pytest

from tfganimation import cli
from tfganimation.commands import evaluate as evaluate_command
from tfganimation.commands.arguments import named_after
from tfganimation.commands.errors import EXIT_FAILED, EXIT_REFUSED, CommandFailed
from tfganimation.commands.model_argument import model_kind

MODEL_COMMANDS = ("animate", "export", "evaluate")
"""The commands that take a model."""


def subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (subparsers,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(subparsers.choices)


def error_line(capsys, command: str) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"tfganimation {command}: "), lines
    return lines[0]


def test_every_option_states_its_default_in_its_help():
    # A flag (no value) is off unless given; one of a required either-or group has no default.
    checked = 0
    for name, parser in subcommand_parsers().items():
        either_or = {
            action
            for group in parser._mutually_exclusive_groups
            if group.required
            for action in group._group_actions
        }
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0 or action in either_or:
                continue
            shown = parser._get_formatter()._expand_help(action)
            assert "default" in shown, (name, action.option_strings, shown)
            if action.default not in (None, argparse.SUPPRESS):
                default = action.default
                spellings = {str(default), ",".join(map(str, default))} if isinstance(
                    default, tuple
                ) else {str(default), f"{default:g}" if isinstance(default, float) else ""}
                assert any(s and s in shown for s in spellings), (name, action.option_strings)
            checked += 1
    assert checked > 60


def test_every_command_runs_its_own_module_and_describes_itself_in_one_paragraph():
    for name, parser in subcommand_parsers().items():
        assert parser.get_default("run").__module__ == f"tfganimation.commands.{name}"
        # Source line breaks are folded: a raw-formatted command prints no ragged lines.
        assert "\n" not in parser.description and "  " not in parser.description, name
    assert "--jit-compile" in subcommand_parsers()["train"].description


def test_main_help_states_the_conventions_and_the_exit_codes():
    text = cli.build_parser().format_help()
    assert re.search(rf"^\s+{EXIT_FAILED}\s+failed: the work started and went wrong", text, re.M)
    assert re.search(rf"^\s+{EXIT_REFUSED}\s+refused: bad input", text, re.M)
    for convention in ("--model MODEL", "--out PATH", "--overwrite", "TFGANIMATION_DEBUG=1"):
        assert convention in text


@pytest.mark.parametrize("command", MODEL_COMMANDS)
def test_every_model_command_takes_model_the_same_way(command):
    parser = subcommand_parsers()[command]
    (model,) = (action for action in parser._actions if "--model" in action.option_strings)
    assert model.default is None and "default: demo" in model.help
    photo = ["x.png", "--preset", "happy"] if command == "animate" else []
    args = cli.build_parser().parse_args([command, *photo, "--model", "runs/celeba"])
    assert args.model == "runs/celeba"


@pytest.mark.parametrize("command", ["export", "evaluate"])
def test_the_model_as_first_argument_is_a_deprecated_alias(command, capsys):
    parse = cli.build_parser().parse_args

    assert parse([command, "runs/celeba"]).model == "runs/celeba"
    assert capsys.readouterr().err == (
        f"tfganimation {command}: note: MODEL as the first argument is deprecated; "
        "use --model runs/celeba\n"
    )
    assert parse([command, "runs/celeba", "--model", "runs/celeba"]).model == "runs/celeba"
    with pytest.raises(SystemExit) as exit_info:
        parse([command, "runs/celeba", "--model", "other.keras"])
    assert exit_info.value.code == EXIT_REFUSED
    assert "two models given, runs/celeba and other.keras" in capsys.readouterr().err


@pytest.fixture
def references(tmp_path):
    """One model reference of each kind, laid out on disk (nothing in them is loaded)."""
    run = tmp_path / "runs" / "celeba"
    run.mkdir(parents=True)
    (run / "model.keras").write_bytes(b"")
    export = tmp_path / "exports" / "celeba"
    (export / "saved_model" / "1").mkdir(parents=True)
    (export / "saved_model" / "1" / "saved_model.pb").write_bytes(b"")
    for name in ("model.keras", "generator_float32.tflite", "30_net_gen.pth"):
        (tmp_path / name).write_bytes(b"")
    return {
        "run": run,
        "keras": tmp_path / "model.keras",
        "export": export,
        "saved_model": export / "saved_model" / "1",
        "tflite": tmp_path / "generator_float32.tflite",
        "checkpoint": tmp_path / "30_net_gen.pth",
        "demo": "demo",
    }


def test_model_kind_names_every_kind_of_reference(references, tmp_path):
    assert {kind: model_kind(str(path)) for kind, path in references.items()} == {
        kind: kind for kind in references
    }
    with pytest.raises(FileNotFoundError, match="Model not found: .*nowhere \\(expected a run"):
        model_kind(str(tmp_path / "nowhere"))


@pytest.mark.parametrize("command", ["export", "evaluate"])
@pytest.mark.parametrize("kind", ["export", "saved_model", "tflite"])
def test_commands_that_need_weights_refuse_an_export_before_loading(
    command, kind, references, tmp_path, capsys
):
    out = tmp_path / "out"

    status = cli.main([command, "--model", str(references[kind]), "--out", str(out)])

    assert status == EXIT_REFUSED
    line = error_line(capsys, command)
    assert "this command takes a run directory, a .keras file" in line
    assert line.endswith("pass the model it was exported from.") and not out.exists()


def test_evaluate_defaults_out_after_the_model(references, monkeypatch, capsys):
    import tfganimation.evaluation

    calls = []

    def fake_evaluate_run(model, **kwargs):
        calls.append((model, kwargs["data"], str(kwargs["out"])))
        raise CommandFailed("stop here")

    monkeypatch.setattr(tfganimation.evaluation, "evaluate_run", fake_evaluate_run)
    monkeypatch.chdir(references["keras"].parent)
    run, keras_file = str(references["run"]), str(references["keras"])

    assert cli.main(["evaluate", "--model", run]) == EXIT_FAILED
    assert cli.main(["evaluate", "--model", keras_file, "--data", "synthetic"]) == EXIT_FAILED
    assert cli.main(["evaluate"]) == EXIT_FAILED
    assert calls == [
        (run, None, f"{run}/evaluation"),
        (keras_file, "synthetic", "model_evaluation"),
        ("demo", None, "demo_evaluation"),
    ]
    assert "No --model given: evaluating the demo model" in capsys.readouterr().out
    # A .keras file names no dataset: refused before anything loads.
    assert cli.main(["evaluate", "--model", keras_file]) == EXIT_REFUSED
    assert "which names no training dataset: pass the synthetic dataset" in error_line(
        capsys, "evaluate"
    )
    assert len(calls) == 3


def test_out_defaults_are_named_after_the_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs" / "celeba").mkdir(parents=True)
    assert named_after("runs/celeba", "_export") == "celeba_export"
    assert named_after("runs/celeba/", "_export") == "celeba_export"
    assert named_after("photos/portrait.jpg", "_animated.gif") == "portrait_animated.gif"
    assert named_after("demo", "_evaluation") == "demo_evaluation"


def test_export_refuses_an_out_holding_files_without_overwrite(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")

    status = cli.main(["export", "--model", "demo", "--out", str(out)])

    assert status == EXIT_REFUSED
    assert "already holds files; pass --overwrite" in error_line(capsys, "export")
    assert [path.name for path in out.iterdir()] == ["notes.txt"]


def test_train_out_defaults_after_the_data_and_a_diverged_run_failed(tmp_path, monkeypatch, capsys):
    import tfganimation.training
    from tfganimation.callbacks import NonFiniteLossError

    configs = []

    def diverging_train(config, **kwargs):
        configs.append(config)
        raise NonFiniteLossError("g_loss is nan at step 3")

    monkeypatch.setattr(tfganimation.training, "train", diverging_train)

    status = cli.main(["train", "--data", str(tmp_path / "celeba")])

    assert status == EXIT_FAILED and configs[0].out == "celeba_run"
    assert error_line(capsys, "train") == "tfganimation train: failed: g_loss is nan at step 3"


def test_tensorflow_runtime_errors_are_one_line_failures(monkeypatch, capsys):
    import tensorflow as tf

    def out_of_memory(args):
        raise tf.errors.ResourceExhaustedError(
            None, None, "OOM when allocating tensor with shape[64,128]\n\t [[{{node conv}}]]\nmore"
        )

    monkeypatch.setattr(evaluate_command, "run", out_of_memory)

    assert cli.main(["evaluate"]) == EXIT_FAILED
    assert error_line(capsys, "evaluate") == (
        "tfganimation evaluate: failed: ResourceExhaustedError: "
        "OOM when allocating tensor with shape[64,128]"
    )
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    assert cli.main(["evaluate"]) == EXIT_FAILED
    shown = capsys.readouterr().err
    assert "Traceback" in shown and "[[{{node conv}}]]" in shown
    assert shown.strip().splitlines()[-1].startswith("tfganimation evaluate: failed: Resource")


@pytest.mark.parametrize(
    "old, new, attribute, value",
    [
        ("--batch-size 4", "--frames-per-call 4", "frames_per_call", 4),
        ("--min-confidence 0.5", "--hold-below 0.5", "hold_below", 0.5),
        ("--show-masks", "--show-attention", "show_attention", True),
    ],
)
def test_animate_keeps_renamed_options_as_deprecated_aliases(old, new, attribute, value, capsys):
    parse = cli.build_parser().parse_args
    base = ["animate", "clip.mp4", "--preset", "happy"]

    renamed = parse([*base, *new.split()])
    assert capsys.readouterr().err == ""
    deprecated = parse([*base, *old.split()])

    assert vars(deprecated) == vars(renamed) and getattr(renamed, attribute) == value
    assert capsys.readouterr().err == (
        f"tfganimation animate: note: {old.split()[0]} is deprecated; use {new.split()[0]}\n"
    )

