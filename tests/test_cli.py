"""The `tfganimation` command's front door."""

import os
import re
import subprocess
import sys
import textwrap

import tfganimation
from tfganimation.native_logs import native_logs_filtered


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "tfganimation.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"tfganimation {tfganimation.__version__}"


def test_help_lists_commands():
    result = run_cli("--help")
    assert result.returncode == 0 and "usage: tfganimation" in result.stdout


def test_help_imports_no_tensorflow():
    # `tfganimation --help` and every subcommand's `--help`, as the console
    # script runs them, in a fresh interpreter.
    script = textwrap.dedent(
        """
        import contextlib, io, sys
        from tfganimation.cli import COMMANDS, main
        for argv in (["--help"], *([name, "--help"] for name in COMMANDS)):
            with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):
                main(argv)
            assert "usage: tfganimation" in out.getvalue(), argv
        print(sorted(name for name in ("tensorflow", "keras") if name in sys.modules))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]" and result.stderr == ""
    # The module entry point itself, with every import it makes listed on stderr.
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tfganimation.cli", "train", "--help"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert traced.returncode == 0 and "--keep-checkpoints" in traced.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in traced.stderr.splitlines()}
    assert "tfganimation.native_logs" in imported and not {"tensorflow", "keras"} & imported


def test_tensorflow_log_lines_are_silenced_and_errors_are_one_line(tmp_path):
    # `train` imports TensorFlow, whose C++ start-up lines (oneDNN, CUDA
    # drivers) would come first; the error itself stays one line.
    args = ("train", "--data", str(tmp_path / "missing"), "--out", str(tmp_path / "run"))
    quiet = run_cli(*args)
    assert quiet.returncode == 2
    assert quiet.stderr.splitlines() == [f"tfganimation train: error: Dataset path not found: {tmp_path / 'missing'}"]
    # --debug adds the traceback, and the status stays that of a refusal.
    debug = run_cli("--debug", *args)
    assert debug.returncode == 2 and "Traceback" in debug.stderr and "FileNotFoundError" in debug.stderr
    assert debug.stderr.splitlines()[-1] == quiet.stderr.strip()


def test_native_log_filter_drops_abseil_lines_only(capfd):
    with native_logs_filtered():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, b"I0000 00:00:1796182881.043635    8834 port.cc:153] oneDNN custom operations are on.\n")
        os.write(2, b"2024-01-31 12:00:00.123456: W tensorflow/core/util/port.cc:113] TensorFlow before 2.16\n")
        os.write(2, b"I0000 00:00:1.0 1 cpu_feature_guard.cc:210] This TensorFlow binary is optimized.\n")
        os.write(2, b"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow ")
        os.write(2, b"with the appropriate compiler flags.\n")
        os.write(2, b"a warning of our own\nE0000 00:00:1796182596.353317    5108 cuda_platform.cc:52] failed ")
        os.write(2, b"call to cuInit\nF0000 00:00:1796182596.353317    5108 x.cc:1] fatal\nno newline at the end")
    assert capfd.readouterr().err == (
        "a warning of our own\nF0000 00:00:1796182596.353317    5108 x.cc:1] fatal\nno newline at the end"
    )
    os.write(2, b"I0000 00:00:1.0 1 port.cc:1] after the block, stderr is itself again\n")
    assert "after the block" in capfd.readouterr().err


def train_parser():
    """The `train` command's own parser, to read its options' defaults and help."""
    import argparse

    from tfganimation.commands import train

    subparsers = argparse.ArgumentParser().add_subparsers()
    train.add_parser(subparsers)
    return subparsers.choices["train"]


def test_train_defaults_are_the_train_config_defaults():
    import dataclasses

    from tfganimation.cli import build_parser
    from tfganimation.commands.train import given_options
    from tfganimation.training.config import TrainConfig

    # An option left out is absent (so that --resume can tell it from one typed again), and the
    # run it starts has every field at its `TrainConfig` default.
    args = build_parser().parse_args(["train", "--data", "d", "--out", "o"])
    assert given_options(args) == {"data": "d", "out": "o"}
    assert TrainConfig(**given_options(args)) == TrainConfig(data="d", out="o")
    # Every field but the library-only ones has an option, and its help states the field's default.
    library_only = {"upsampling", "augmentations", "color_tv_weight", "au_gradient_weight",
                    "au_gradient_every", "critic_warmup_steps", "snapshot_every"}  # fmt: skip
    actions = {action.dest: action for action in train_parser()._actions}
    for field in dataclasses.fields(TrainConfig):
        if field.name in {"data", "out"} | library_only:
            assert field.name not in actions or field.name in {"data", "out"}
            continue
        action = actions[field.name]
        assert "default" in action.help, field.name
        if field.default is not None:  # None is spelled out in words ("one pass over ...").
            stated = rf"\bdefault {re.escape(str(field.default))}(?![\w.])"
            assert re.search(stated, action.help), (field.name, action.help)
    # A value typed is the field's value, the loss weights included.
    typed = build_parser().parse_args(
        ["train", "--data", "d", "--out", "o", "--au-weight", "2000", "--attention-tv-weight", "0",
         "--jit-compile", "off"]
    )  # fmt: skip
    config = TrainConfig(**given_options(typed))
    assert (config.au_weight, config.attention_tv_weight, config.jit_compile) == (2000.0, 0.0, False)
    assert config.gp_weight == TrainConfig.gp_weight


def test_train_decay_longer_than_training_is_a_one_line_error(tmp_path):
    result = run_cli("train", "--data", str(tmp_path), "--out", str(tmp_path / "run"), "--epochs", "3")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tfganimation train: error: decay_epochs must lie between 0 and epochs. "
        "Received: epochs=3, decay_epochs=10"
    ]


def test_train_keeps_the_old_depth_flags_as_deprecated_aliases(capsys):
    from tfganimation.cli import build_parser

    parse = build_parser().parse_args
    old = parse(["train", "--data", "d", "--out", "o", "--repeat-num", "2", "--critic-repeat-num", "3"])
    assert capsys.readouterr().err.splitlines() == [
        "tfganimation train: note: --repeat-num is deprecated; use --residual-blocks",
        "tfganimation train: note: --critic-repeat-num is deprecated; use --downsampling-layers",
    ]
    new = parse(["train", "--data", "d", "--out", "o", "--residual-blocks", "2", "--downsampling-layers", "3"])
    assert vars(old) == vars(new) and (new.residual_blocks, new.downsampling_layers) == (2, 3)
    assert capsys.readouterr().err == ""


def test_train_needs_data_unless_resuming(capsys):
    from tfganimation import cli

    assert cli.main(["train", "--out", "o"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "tfganimation train: error: --data is required to start a run "
        "(or --resume RUN_DIR to continue one)."
    ]
    assert cli.main(["train", "--resume"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "tfganimation train: error: --resume needs the run to continue: --resume RUN_DIR."
    ]
