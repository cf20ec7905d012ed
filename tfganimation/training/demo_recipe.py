"""How the shipped demo model is trained: its dataset and its `TrainConfig`.

`tfganimation train` keeps the paper's recipe. The demo model is a 64-px
GANimation trained once by us on the built-in synthetic faces within a few
hours of a 2-core CPU, where the reference's recipe (given ~1/20 of its
generator steps) learns speckle that fools its critic's AU head instead of
expressions. Its recipe differs in what `DEMO_CHANGES` lists, each recorded
with its reason and measured effect in the model card.

`benchmarks/train_demo.py` runs it; `--resume` continues after any
interruption. The model it trains is shipped as `tfganimation.demo`.
"""

from __future__ import annotations

import dataclasses
import math

from tfganimation.training import TrainConfig


@dataclasses.dataclass(frozen=True)
class DemoDataset:
    """The synthetic dataset the demo model trains on (`make_dataset` arguments)."""

    n_identities: int = 2000
    per_identity: int = 10
    image_size: int = 64
    seed: int = 0


DEMO_DATASET = DemoDataset()

DEMO_CHANGES = {
    "image_size": "64 px (reference 128): 4x fewer pixels per step",
    "conv_dim": "16 (reference 64) in both networks: a step ~16x cheaper",
    "residual_blocks": "4 residual blocks (reference 6, its `repeat_num`)",
    "batch_size": "16 (reference 25)",
    "learning_rate": "2e-4 for both networks (reference 1e-4), as the quickstart",
    "upsampling": "resize-convolution (reference: transposed convolution), no checkerboards",
    "augmentations": "the critic sees real and fake images shifted and recoloured (DiffAugment)",
    "color_tv_weight": "total variation of the colour map (not in the reference): speckle costs",
    "au_gradient_weight": "penalty on the AU head's input gradient (not in the reference)",
    "au_gradient_every": "that penalty on every 4th critic step, 4x weighted (lazy regularisation)",
    "critic_warmup_steps": "4,000 batches of AU regression alone for the critic, first",
}
"""Every way the demo's recipe departs from the paper's, and why."""


def demo_train_config(data: str, out: str) -> TrainConfig:
    """The demo model's training configuration, on the dataset in `data`."""
    return TrainConfig(
        data=data,
        out=out,
        image_size=DEMO_DATASET.image_size,
        batch_size=16,
        epochs=36,
        decay_epochs=12,
        learning_rate=2e-4,
        n_critic=5,
        conv_dim=16,
        residual_blocks=4,
        steps_per_epoch=500,
        seed=0,
        backup_every=1000,
        sample_every=2500,
        validation_steps=8,
        snapshot_every=250,
        upsampling="resize",
        augmentations=("color", "translation"),
        color_tv_weight=2.0,
        au_gradient_weight=20.0,
        au_gradient_every=4,
        critic_warmup_steps=4000,
    )


def first_generator_steps(config: TrainConfig, steps: int) -> TrainConfig:
    """`config` stopped after its first `steps` generator steps, at the same learning rate.

    For comparisons that need only the start of a long recipe (bfloat16
    against float32 training, say): the shortened run takes the epochs that
    hold the critic warm-up and those steps, and keeps the constant rate the
    full recipe has over them, so its snapshots are the full run's.
    """
    if not config.steps_per_epoch:
        raise ValueError("first_generator_steps needs a config with steps_per_epoch set.")
    batches = config.critic_warmup_steps + steps * config.n_critic
    epochs = math.ceil(batches / config.steps_per_epoch)
    if epochs > config.epochs - config.decay_epochs:
        raise ValueError(
            f"The first {steps} generator steps take {epochs} epochs, past the "
            f"{config.epochs - config.decay_epochs} epochs at a constant rate."
        )
    return dataclasses.replace(config, epochs=epochs, decay_epochs=0)
