"""The named choices of training, export and inference, in one place without TensorFlow.

The modules that implement each choice import TensorFlow (`distribute`,
`precision`, `export.tflite`, `inference.backends`); the command line, whose
`--help` must answer at once, and `TrainConfig`, which validates before
anything is built, read the names from here instead of spelling them out.
"""

STRATEGIES: tuple[str, ...] = ("default", "mirrored", "multiworker")
"""The distribution strategies of `tfganimation.distribute.make_strategy` (`train --strategy`)."""

PRECISIONS: tuple[str, ...] = ("float32", "mixed_float16", "mixed_bfloat16")
"""The Keras dtype policies training may run under (`tfganimation.precision.dtype_policy`)."""

TRAINING_PRECISIONS: tuple[str, ...] = ("auto", *PRECISIONS)
"""What `train --precision` takes: a dtype policy, or `"auto"`
(`tfganimation.precision.training_precision` picks one for the machine)."""

EXPORT_FORMATS: tuple[str, ...] = ("saved_model", "tflite")
"""What `tfganimation.export.export_model` writes (`export --formats`)."""

TFLITE_VARIANTS: tuple[str, ...] = ("float32", "float32_winograd", "float16", "dynamic", "int8")
"""The LiteRT variants (`export --variants`), from the most exact to the fastest on phones."""

DEFAULT_TFLITE_VARIANTS: tuple[str, ...] = ("float32", "float16", "dynamic", "int8")
"""What `export` writes unless asked: all but `float32_winograd`, whose file is 3.5× the
float32 one's and which pays on CPUs only (`tfganimation.export.tflite`)."""

INFERENCE_PRECISIONS: tuple[str, ...] = ("auto", "float32", "bfloat16")
"""The arithmetic a generator runs in for inference (`animate --precision`, `Animator(precision=)`;
`tfganimation.precision.inference_precision`): a precision, or `"auto"`."""

EXPORT_PRECISIONS: tuple[str, ...] = ("float32", "bfloat16")
"""The arithmetic of an exported SavedModel (`export --precision`); its signature is the same in both."""

BACKENDS: tuple[str, ...] = ("keras", "saved_model", "litert")
"""The runtimes an `Animator` can drive (`animate --backend`; `tfganimation.inference.backends`)."""
