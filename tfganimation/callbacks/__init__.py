"""Keras callbacks for GANimation runs: fault-tolerant backups, bounded epoch
checkpoints, divergence checks and pictures of training.

Example:
```python
from tfganimation.callbacks import AtomicBackupAndRestore, StopOnNonFiniteLoss

backup = AtomicBackupAndRestore("run/backup", save_freq=500)
first_step = backup.restore(model)  # 0 for a new run
model.fit(dataset, callbacks=[StopOnNonFiniteLoss(), backup])
```
"""

from tfganimation.callbacks.backup_and_restore import AtomicBackupAndRestore
from tfganimation.callbacks.epoch_checkpoints import EpochCheckpoints
from tfganimation.callbacks.generator_snapshots import GeneratorSnapshots
from tfganimation.callbacks.global_step import GlobalStepCallback, read_global_step
from tfganimation.callbacks.stop_on_non_finite_loss import NonFiniteLossError, StopOnNonFiniteLoss
from tfganimation.callbacks.training_samples import TrainingSamples

__all__ = [
    "AtomicBackupAndRestore",
    "EpochCheckpoints",
    "GeneratorSnapshots",
    "GlobalStepCallback",
    "NonFiniteLossError",
    "StopOnNonFiniteLoss",
    "TrainingSamples",
    "read_global_step",
]
