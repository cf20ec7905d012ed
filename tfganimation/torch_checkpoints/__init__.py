"""The published PyTorch GANimation weights, read safely and converted to this project's models.

- `torch_pickle`: `read_state_dict`, a reader for `.pth`/`.ckpt` state_dicts
  (legacy and zip formats) that needs no PyTorch and never runs the pickle.
- `layouts`: how the three public codebases (the paper's code, the replicate,
  the StarGAN-based port) name their tensors (plain data, no TensorFlow).
- `porting`: sizes read from the tensors' shapes; every weight assigned to
  `Generator`/`Critic` through a layout hook, nothing left unexplained.
- `conversion`: `convert_checkpoint` and `save_converted`, with the record of
  where a model came from.

Example:
```python
from tfganimation.torch_checkpoints import convert_checkpoint

converted = convert_checkpoint("30_net_gen.pth", critic_path="30_net_dis.pth")
converted.record["layout"]  # "replicate"
```
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.torch_checkpoints.conversion": (
            "ConvertedCheckpoint", "convert_checkpoint", "find_critic", "is_checkpoint",
            "save_converted",
        ),
        "tfganimation.torch_checkpoints.torch_pickle": ("CheckpointError", "read_state_dict"),
    },
)  # fmt: skip
