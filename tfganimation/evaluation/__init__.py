"""AU control: does an editor make the face the target AUs describe, next to copying the input?

- `metric`: `score_au_control`, the metric itself on held-out synthetic faces (NumPy only).
- `report`: `EvaluationReport`, its scores and ratios, `evaluation.json`.
- `pictures`: the labelled face grids (`save_grid`, `preset_grid`).
- `editors`: a Keras generator as an `Editor`, the shipped oracle as an `AUReader`.
- `run`: `evaluate_run`, evaluating a model reference (`tfganimation
  evaluate`), and `evaluate_generator`, which the quickstart calls.
- `learning_curve`: the metric over a run's generator snapshots (import its
  names from the module: the function shares the module's name).

Names are imported lazily, so that the metric and its report need no
TensorFlow and no trained model.

Example:
```python
from tfganimation.evaluation import evaluate_run

report, out = evaluate_run("demo")
print(report.format_table())
```
"""

from tfganimation.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(
    __name__,
    {
        "tfganimation.evaluation.metric": ("AUReader", "Editor", "score_au_control"),
        "tfganimation.evaluation.report": (
            "EVALUATION_FILE", "PSNR_CAP_DB", "AUScores", "EvaluationReport", "OracleScores",
            "Scores", "write_report",
        ),
        "tfganimation.evaluation.pictures": (
            "labelled_grid", "preset_grid", "save_grid", "save_png",
        ),
        "tfganimation.evaluation.editors": ("generator_editor", "shipped_oracle"),
        "tfganimation.evaluation.run": ("GRID_FILE", "evaluate_generator", "evaluate_run"),
    },
)
