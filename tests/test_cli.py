"""The `tfganimation` command's front door."""

import subprocess
import sys

import tfganimation


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
