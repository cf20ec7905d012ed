"""Training runs: a dataset and a configuration in, a run folder out.

- `config`: `TrainConfig`, everything that defines a run (no TensorFlow).
- `fit`: `train` and the pieces of its `model.fit` loop.
- `run_dir`: the run folder's layout, its `run.json` record, resume checks.
- `storage`: the disk check made before a run starts.

A finished run is read back with `load_run` (or `tfganimation.load_model`),
both from `tfganimation.inference.loading`, the one place models are loaded.

Names are imported lazily, so that `TrainConfig` (and the `train`
command's `--help`) needs no TensorFlow.

Example:
```python
from tfganimation.training import TrainConfig, train

model = train(TrainConfig(data="data/celeba", out="runs/celeba"))
```
"""

from tfganimation.lazy_exports import lazy_getattr

_LAZY_EXPORTS = {
    "TrainConfig": "tfganimation.training.config",
    "RUNTIME_OPTIONS": "tfganimation.training.config",
    "default_critic_depth": "tfganimation.training.config",
    "SAMPLE_ROWS": "tfganimation.training.fit",
    "build_model": "tfganimation.training.fit",
    "compiled_model": "tfganimation.training.fit",
    "default_callbacks": "tfganimation.training.fit",
    "epoch_batches": "tfganimation.training.fit",
    "fit_from_step": "tfganimation.training.fit",
    "train": "tfganimation.training.fit",
    "validation_batches": "tfganimation.training.fit",
    "validation_steps": "tfganimation.training.fit",
    "BACKUP_DIR": "tfganimation.training.run_dir",
    "CHECKPOINT_DIR": "tfganimation.training.run_dir",
    "HISTORY_FILE": "tfganimation.training.run_dir",
    "MODEL_FILE": "tfganimation.training.run_dir",
    "RUN_FILE": "tfganimation.training.run_dir",
    "SNAPSHOT_DIR": "tfganimation.training.run_dir",
    "prepare_run_dir": "tfganimation.training.run_dir",
    "save_model_atomically": "tfganimation.training.run_dir",
    "InsufficientStorageError": "tfganimation.training.storage",
    "StorageNeed": "tfganimation.training.storage",
    "check_storage": "tfganimation.training.storage",
    "storage_needed": "tfganimation.training.storage",
    "training_state_bytes": "tfganimation.training.storage",
    "load_run": "tfganimation.inference.loading",
}

__all__ = list(_LAZY_EXPORTS)

__getattr__ = lazy_getattr(__name__, _LAZY_EXPORTS)
