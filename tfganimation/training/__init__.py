"""Training runs: a dataset and a configuration in, a run folder out (see `fit`).

Names are imported lazily from their modules.
"""

from tfganimation.lazy_exports import lazy_getattr

_LAZY_EXPORTS = {
    "RUN_FILE": "tfganimation.training.fit",
    "MODEL_FILE": "tfganimation.training.fit",
    "BACKUP_DIR": "tfganimation.training.fit",
    "HISTORY_FILE": "tfganimation.training.fit",
    "CHECKPOINT_DIR": "tfganimation.training.fit",
    "SNAPSHOT_DIR": "tfganimation.training.fit",
    "SAMPLE_ROWS": "tfganimation.training.fit",
    "RUNTIME_OPTIONS": "tfganimation.training.fit",
    "InsufficientStorageError": "tfganimation.training.fit",
    "TrainConfig": "tfganimation.training.fit",
    "default_critic_depth": "tfganimation.training.fit",
    "build_model": "tfganimation.training.fit",
    "compiled_model": "tfganimation.training.fit",
    "prepare_run_dir": "tfganimation.training.fit",
    "train": "tfganimation.training.fit",
    "fit_from_step": "tfganimation.training.fit",
    "epoch_batches": "tfganimation.training.fit",
    "validation_batches": "tfganimation.training.fit",
    "validation_steps": "tfganimation.training.fit",
    "default_callbacks": "tfganimation.training.fit",
    "training_state_bytes": "tfganimation.training.fit",
    "StorageNeed": "tfganimation.training.fit",
    "storage_needed": "tfganimation.training.fit",
    "check_storage": "tfganimation.training.fit",
    "save_model_atomically": "tfganimation.training.fit",
    "load_run": "tfganimation.training.fit",
}

__all__ = list(_LAZY_EXPORTS)

__getattr__ = lazy_getattr(__name__, _LAZY_EXPORTS)
