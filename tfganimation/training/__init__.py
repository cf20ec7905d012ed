"""Training runs: a dataset and a configuration in, a run folder out.

- `config`: `TrainConfig`, everything that defines a run (no TensorFlow).
- `fit`: `train` and the pieces of its `model.fit` loop.
- `run_dir`: the run folder's layout, its `run.json` record, resume checks.
- `storage`: the disk check made before a run starts.
- `initial_weights`: starting a run from a trained model or a PyTorch
  checkpoint (`TrainConfig.init_from`): fine-tuning.
- `demo_recipe`: the `TrainConfig` and dataset the shipped demo model
  (`tfganimation.demo`) was trained with.

A finished run is read back whole, optimizers included, with `load_run`
(`run_dir`); its networks alone with `tfganimation.load_model`.

Names are imported lazily, so that `TrainConfig` (and the `train`
command's `--help`) needs no TensorFlow.

Example:
```python
from tfganimation.training import TrainConfig, train

model = train(TrainConfig(data="data/celeba", out="runs/celeba"))
```
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.training.config": (
            "TrainConfig", "LOSS_WEIGHTS", "RUNTIME_OPTIONS", "default_critic_depth",
        ),
        "tfganimation.training.fit": (
            "SAMPLE_ROWS", "build_model", "compiled_model", "default_callbacks", "epoch_batches",
            "fit_from_step", "train", "validation_batches", "validation_steps",
        ),
        "tfganimation.training.run_dir": (
            "BACKUP_DIR", "CHECKPOINT_DIR", "HISTORY_FILE", "RUN_FILE", "RUN_MODEL_FILE",
            "SNAPSHOT_DIR", "load_run", "prepare_run_dir", "resumed_config",
            "save_model_atomically",
        ),
        "tfganimation.training.storage": (
            "InsufficientStorageError", "StorageNeed", "check_storage", "storage_needed",
            "training_state_bytes",
        ),
    },
)
