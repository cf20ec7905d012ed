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

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.quickstart.config": ("QuickstartConfig",),
        "tfganimation.quickstart.run": (
            "QuickstartResult", "StepClock", "TimeLimit", "demo_comparison", "expression_tour",
            "run_quickstart", "seconds_per_step", "write_expression_animation",
        ),
    },
)
