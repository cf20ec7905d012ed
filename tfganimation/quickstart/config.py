"""`QuickstartConfig`: what the quickstart builds and how long it trains.

Importing this module imports no TensorFlow, so that the `quickstart`
command's `--help` takes its defaults from the dataclass.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tfganimation.training.config import TrainConfig


@dataclasses.dataclass
class QuickstartConfig:
    """What the quickstart builds and how long it trains.

    The defaults were chosen by measurement on a 2-core CPU (see docs/quickstart.md
    and `benchmarks/quickstart_quality.py`): many identities with few
    expressions each, because an AU regressor trained on 48 identities only
    memorises them (its error on held-out faces stays at or above the
    variance of the AUs) while one trained on 1,600 generalises; and
    `conv_dim=16`, whose step is about 4x cheaper than at 32 with no
    measurable loss of AU control within 10 minutes.

    Args:
        out: str. Folder for the dataset, the run and the artefacts.
        minutes: float. Training time to plan for (training only; data
            rendering and evaluation come on top).
        steps: int. Train exactly this many batches instead of timing the
            machine, for runs that must be comparable across machines.
        image_size: int. Face size. Defaults to 64.
        n_identities: int. Synthetic people (20% held out for evaluation).
            Defaults to 1000.
        per_identity: int. Expressions rendered per person. Defaults to 10.
        batch_size: int. Defaults to 16.
        conv_dim: int. Width of both networks. Defaults to 16.
        residual_blocks: int. Generator residual blocks. Defaults to 3.
        n_critic: int. Critic steps per generator step. Defaults to 5.
        learning_rate: float. Defaults to 2e-4.
        seed: int. Defaults to 0.
        gp_weight, au_weight, cycle_weight, attention_weight,
            attention_tv_weight: float. The paper's loss weights, as in
            `TrainConfig` (whose defaults they take), so that
            `benchmarks/quickstart_quality.py --set` can compare them.
        precision: str. Keras dtype policy of training, as in `TrainConfig`
            (`--set precision=float32` / `mixed_bfloat16` compares the two's
            quality). Defaults to `"auto"`.
    """

    out: str = "runs/quickstart"
    minutes: float = 10.0
    steps: int | None = None
    image_size: int = 64
    n_identities: int = 1000
    per_identity: int = 10
    batch_size: int = 16
    conv_dim: int = 16
    residual_blocks: int = 3
    n_critic: int = 5
    learning_rate: float = 2e-4
    seed: int = 0
    gp_weight: float = TrainConfig.gp_weight
    au_weight: float = TrainConfig.au_weight
    cycle_weight: float = TrainConfig.cycle_weight
    attention_weight: float = TrainConfig.attention_weight
    attention_tv_weight: float = TrainConfig.attention_tv_weight
    precision: str = TrainConfig.precision

    def train_config(self, data: str, epochs: int, steps_per_epoch: int) -> TrainConfig:
        """The `TrainConfig` of the quickstart's run: this config's values for the fields both have.

        The run goes in `out/run` (`out` holds the dataset and the pictures too).
        """
        shared = {field.name for field in dataclasses.fields(TrainConfig)} & {
            field.name for field in dataclasses.fields(self)
        }
        return TrainConfig(
            **{name: getattr(self, name) for name in shared - {"out"}},
            data=data,
            out=str(Path(self.out) / "run"),
            epochs=epochs,
            decay_epochs=max(1, epochs // 3),
            steps_per_epoch=steps_per_epoch,
        )
