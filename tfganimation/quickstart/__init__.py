"""The quickstart: the whole pipeline on built-in synthetic faces, in minutes.

- `config`: `QuickstartConfig`, what it builds and how long it trains (no TensorFlow).
- `run`: `run_quickstart` and its steps: render the faces, size the run to
  the minutes asked for, train, evaluate, write the pictures.

Names are imported lazily, so that the `quickstart` command's `--help`
needs no TensorFlow.

Example:
```python
from tfganimation.quickstart import QuickstartConfig, run_quickstart

result = run_quickstart(QuickstartConfig(minutes=10))
print(result.summary)
```
"""

from tfganimation.lazy_exports import lazy_getattr

_LAZY_EXPORTS = {
    "QuickstartConfig": "tfganimation.quickstart.config",
    "QuickstartResult": "tfganimation.quickstart.run",
    "StepClock": "tfganimation.quickstart.run",
    "TimeLimit": "tfganimation.quickstart.run",
    "demo_comparison": "tfganimation.quickstart.run",
    "expression_tour": "tfganimation.quickstart.run",
    "run_quickstart": "tfganimation.quickstart.run",
    "seconds_per_step": "tfganimation.quickstart.run",
    "write_expression_animation": "tfganimation.quickstart.run",
}

__all__ = list(_LAZY_EXPORTS)

__getattr__ = lazy_getattr(__name__, _LAZY_EXPORTS)
