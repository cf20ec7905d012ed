"""An independent AU estimator for the synthetic world, the judge of edits.

`tfganimation.evaluation` runs it on an editor's outputs and compares its
reading with the target AUs, next to the same on the copy-the-input baseline
and on the renderer's ground truth (the oracle's own floor).

Example:
```python
from tfganimation.oracle import load_oracle

oracle = load_oracle()
aus = oracle.predict(images)  # [N, 17] on the 0..1 scale
```
"""

from tfganimation.oracle.files import ORACLE_DIR, load_oracle, oracle_record, save_oracle
from tfganimation.oracle.model import ORACLE_SIZE, AUOracle

__all__ = ["AUOracle", "ORACLE_DIR", "ORACLE_SIZE", "load_oracle", "oracle_record", "save_oracle"]
