"""The PyTorch codebases' checkpoints in `shared/reference/pytorch_checkpoints`, for tests.

They exist only beside the project's own checkouts (and in CI); tests that
need them skip with the reason elsewhere. Arrays there are NCHW; `nhwc`
turns them into this project's layout.
"""

from pathlib import Path

import numpy as np
import pytest

CHECKPOINTS = Path(__file__).resolve().parents[2] / "shared/reference/pytorch_checkpoints"

requires_checkpoints = pytest.mark.skipif(
    not CHECKPOINTS.is_dir(),
    reason=f"{CHECKPOINTS} not found (the reference checkpoints exist only beside the project's checkouts)",
)

GENERATORS = {
    "original legacy": ("original/net_epoch_30_id_G.pth", "original/net_epoch_30_id_D.pth"),
    "original zip": ("original/net_epoch_30_id_G.zip-format.pth", "original/net_epoch_30_id_D.pth"),
    "original DataParallel": (
        "original/net_epoch_30_id_G.dataparallel.pth",
        "original/net_epoch_30_id_D.pth",
    ),
    "replicate": ("replicate/30_net_gen.pth", "replicate/30_net_dis.pth"),
    "stargan_based": ("stargan_based/200000-G.ckpt", "stargan_based/200000-D.ckpt"),
}
"""Every fixture generator with its critic, by a readable name."""


def checkpoint(relative: str) -> Path:
    return CHECKPOINTS / relative


def reference_io(generator_relative: str) -> dict[str, np.ndarray]:
    """The inputs and outputs the codebase's own classes computed, NHWC."""
    data = np.load(CHECKPOINTS / Path(generator_relative).parent / "io.npz")
    return {name: nhwc(data[name]) if data[name].ndim == 4 else data[name] for name in data.files}


def nhwc(array: np.ndarray) -> np.ndarray:
    return np.transpose(array, (0, 2, 3, 1))
