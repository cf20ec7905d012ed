"""Installs tfganimation: `pip install -e .[dev]` for development."""

import pathlib

from setuptools import find_packages, setup

ROOT = pathlib.Path(__file__).parent
VERSION = {}
exec((ROOT / "tfganimation" / "version.py").read_text(), VERSION)

setup(
    name="tfganimation",
    version=VERSION["__version__"],
    description=(
        "GANimation (Pumarola et al., ECCV 2018) in TensorFlow/Keras 3: "
        "train with model.fit, edit faces by action units, export to LiteRT."
    ),
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["tfganimation", "tfganimation.*"]),
    # The demo model's files (tfganimation.demo): demo.keras, demo.json,
    # test_identities.json and MODEL_CARD.md.
    package_data={"tfganimation.demo": ["files/*"], "tfganimation.oracle": ["files/*"]},
    install_requires=[
        "tensorflow>=2.18",
        "keras>=3.8",
        "numpy",
        "opencv-python-headless",
        "pillow",
        "tensorboard",
        "ai-edge-litert",
        "mtcnn>=1.0,<2",
        # PyAV: its wheels carry FFmpeg with libx264 and AAC, so videos need nothing else.
        # 18.x is the last series for Python 3.11; 19.x needs Python 3.12.
        "av>=14",
    ],
    extras_require={
        "app": ["streamlit>=1.67,<2"],
        "dev": ["pytest>=8", "streamlit>=1.67,<2", "selenium>=4.20", "matplotlib"],
        "benchmarks": ["matplotlib"],
    },
    entry_points={"console_scripts": ["tfganimation=tfganimation.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
