"""`TrainConfig`: everything that defines a training run, saved in its `run.json`.

Importing this module imports no TensorFlow, so that the `train` command's
`--help` can take its defaults from the dataclass, the one place they are
written.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tfganimation.choices import STRATEGIES, TRAINING_PRECISIONS

RUNTIME_OPTIONS = (
    "strategy", "precision", "jit_compile", "backup_every", "sample_every", "validation_steps",
    "snapshot_every", "keep_checkpoints", "best_checkpoint",
)  # fmt: skip
"""`TrainConfig` fields that say how a run computes, not what: a resumed run may change them."""

LOSS_WEIGHTS = ("gp_weight", "au_weight", "cycle_weight", "attention_weight", "attention_tv_weight")
"""The paper's loss weights: `GANimation` arguments with the same names and defaults."""

RENAMED_FIELDS = {"repeat_num": "residual_blocks", "critic_repeat_num": "downsampling_layers"}
"""Old field name → new, for the `run.json` files (and the demo's `demo.json`) written before:
the reference calls both depths `repeat_num`."""


@dataclasses.dataclass
class TrainConfig:
    """Everything that defines a training run; saved as `run.json`.

    Args:
        data: str. The dataset (any format `tfganimation.data` reads).
        out: str. The run directory.
        image_size: int. Training resolution. Defaults to 128.
        batch_size: int. The global batch, split across replicas. Defaults
            to 25, the paper's.
        epochs: int. Total epochs; the last `decay_epochs` decay the rate
            linearly to 0. Defaults to 30 (20 constant + 10 decaying).
        decay_epochs: int. Defaults to 10.
        learning_rate: float. Adam's rate for both networks. Defaults to 1e-4.
        n_critic: int. Critic steps per generator step. Defaults to 5.
        gp_weight: float. Weight of the critic's gradient penalty (WGAN-GP).
            Defaults to 10.0, the paper's.
        au_weight: float. Weight of the AU regression, before the reference's
            extra division by the batch size (160 at batch 25). Defaults to
            4000.0, the paper's.
        cycle_weight: float. Weight of the cycle (L1) reconstruction.
            Defaults to 10.0, the paper's.
        attention_weight: float. Weight of the mean attention, which keeps
            the edit to the face regions that must change. Defaults to 0.1,
            the paper's.
        attention_tv_weight: float. Weight of the attention's total
            variation, which keeps the mask smooth. Defaults to 1e-5, the
            paper's.
        conv_dim: int. Width of the generator's first convolution, and of
            the critic's unless `critic_conv_dim` says otherwise. Defaults to 64.
        critic_conv_dim: int or `None`. Width of the critic's first
            convolution; `None` is `conv_dim`. Defaults to `None`.
        residual_blocks: int. Residual blocks in the generator. Defaults to 6.
        downsampling_layers: int. Stride-2 convolutions in the critic; `None`
            picks 6, or fewer where the image size needs it.
        steps_per_epoch: int. Caps the batches per epoch; `None` is one pass
            over the training split.
        seed: int. Seeds weights, data order, flips, targets and the gradient
            penalty. Defaults to 0.
        jit_compile: bool or "auto". XLA for the train step; "auto" uses it
            only on a single GPU (Keras' rule): on a CPU the XLA critic step
            measured 5× and the generator step 160× slower than the plain
            `tf.function` ones (`benchmarks/train_throughput.py`). Defaults
            to "auto".
        strategy: str. `"default"` (one device), `"mirrored"` (all local
            GPUs) or `"multiworker"` (`TF_CONFIG`); see
            `tfganimation.distribute`. Defaults to `"default"`.
        precision: str. Keras dtype policy of both networks: `"float32"`,
            `"mixed_float16"` (GPUs; with loss scaling), `"mixed_bfloat16"`
            (GPUs from Ampere on, CPUs with AVX512_BF16 or AMX) or `"auto"`:
            mixed_bfloat16 on AMX CPUs and Ampere+ GPUs, float32 elsewhere
            (`tfganimation.precision.training_precision`; `run.json` records
            the policy it chose). Defaults to `"auto"`.
        backup_every: int. Global steps between backups of the training
            state (there is one at every epoch end too); `None` backs up at
            epoch ends only. Defaults to 500.
        sample_every: int. Global steps between pictures of training.
            Defaults to 500.
        validation_steps: int or None. Batches of the test split evaluated
            at each epoch end: the same images with the same target AUs
            every time (drawn once from `seed`), so the `val_*` curves show
            the model changing, not the draws; 0 skips validation, `None`
            evaluates the whole split. Defaults to 10 (~5 training steps'
            worth of compute).
        snapshot_every: int or None. Generator steps between copies of the
            generator's weights in `RUN_DIR/snapshots/` (for learning
            curves); `None` keeps none. Defaults to `None`.
        keep_checkpoints: int. Epoch-end training states kept in
            `RUN_DIR/checkpoints/`, the latest ones; 0 keeps none. Each is
            as large as the backup (640 MiB at the paper's size). Defaults
            to 3.
        best_checkpoint: str or None. A logged loss (`"val_g_au"`, ...)
            whose lowest epoch-end value is kept as
            `checkpoints/best.weights.h5` too; `None` keeps no best.
            Defaults to `None`.
        init_from: str or None. Start from the weights of this model (a run,
            a `.keras` file, `"demo"`, or a PyTorch GANimation checkpoint),
            with fresh optimizers and the paper's schedule: fine-tuning. Its
            architecture replaces the sizes left at their defaults (see
            `tfganimation.training.initial_weights`). Defaults to `None`.
        init_critic: str or None. The critic checkpoint to go with a `.pth`
            generator in `init_from`; `None` takes the one saved beside it,
            if any. Defaults to `None`.

    Not in the reference, off by default (see `GANimation` and `Generator`):
    `upsampling` ("transpose" or "resize"), `augmentations`,
    `color_tv_weight`, `au_gradient_weight`, `au_gradient_every` and
    `critic_warmup_steps`.
    """

    data: str
    out: str
    image_size: int = 128
    batch_size: int = 25
    epochs: int = 30
    decay_epochs: int = 10
    learning_rate: float = 1e-4
    n_critic: int = 5
    gp_weight: float = 10.0
    au_weight: float = 4000.0
    cycle_weight: float = 10.0
    attention_weight: float = 0.1
    attention_tv_weight: float = 1e-5
    conv_dim: int = 64
    critic_conv_dim: int | None = None
    residual_blocks: int = 6
    downsampling_layers: int | None = None
    steps_per_epoch: int | None = None
    seed: int = 0
    jit_compile: bool | str = "auto"
    strategy: str = "default"
    precision: str = "auto"
    backup_every: int | None = 500
    sample_every: int = 500
    validation_steps: int | None = 10
    snapshot_every: int | None = None
    upsampling: str = "transpose"
    augmentations: tuple[str, ...] = ()
    color_tv_weight: float = 0.0
    au_gradient_weight: float = 0.0
    au_gradient_every: int = 1
    critic_warmup_steps: int = 0
    keep_checkpoints: int = 3
    best_checkpoint: str | None = None
    init_from: str | None = None
    init_critic: str | None = None

    def __post_init__(self):
        if not 0 <= self.decay_epochs <= self.epochs:
            raise ValueError(
                "decay_epochs must lie between 0 and epochs. Received: "
                f"epochs={self.epochs}, decay_epochs={self.decay_epochs}"
            )
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"strategy must be one of {STRATEGIES}. Received: strategy={self.strategy!r}"
            )
        if self.precision not in TRAINING_PRECISIONS:
            raise ValueError(
                f"precision must be one of {TRAINING_PRECISIONS}. "
                f"Received: precision={self.precision!r}"
            )
        self.augmentations = tuple(self.augmentations)
        for name in ("backup_every", "sample_every", "snapshot_every"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be >= 1. Received: {name}={value}")
        for name in LOSS_WEIGHTS:
            value = getattr(self, name)
            # `not >= 0` also refuses NaN, which would turn every loss into NaN.
            if not value >= 0 or value == float("inf"):
                raise ValueError(f"{name} must be finite and >= 0. Received: {name}={value}")
        for name in ("validation_steps", "keep_checkpoints"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0. Received: {name}={value}")
        if self.downsampling_layers is None:
            self.downsampling_layers = default_critic_depth(self.image_size)

    @classmethod
    def from_record(cls, config: dict[str, Any]) -> TrainConfig:
        """The `TrainConfig` a `run.json` records, also one written under `RENAMED_FIELDS`.

        A field the record lacks (one added after the run was written, such
        as the loss weights) takes its default: the value the run trained with.
        """
        return cls(**recorded_config(config))


def default_critic_depth(image_size: int) -> int:
    """The reference's 6 stride-2 convolutions, or as many as `image_size` halves."""
    depth = 0
    while depth < 6 and image_size % 2 ** (depth + 1) == 0:
        depth += 1
    return depth


def recorded_config(config: dict[str, Any]) -> dict[str, Any]:
    """A `run.json` configuration with today's field names and every field.

    Old names are renamed (see `RENAMED_FIELDS`), and a field added since the
    run was recorded gets its default, which is what such a run used: the
    loss weights, say, were the paper's before they became fields. Without
    that, comparing a resumed configuration with an old record would find
    every newer field "changed".
    """
    renamed = {RENAMED_FIELDS.get(name, name): value for name, value in config.items()}
    defaults = {
        field.name: field.default
        for field in dataclasses.fields(TrainConfig)
        if field.default is not dataclasses.MISSING
    }
    return {**defaults, **renamed}
