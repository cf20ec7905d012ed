"""The on-device page (`web/`) next to a LiteRT export: one folder to serve.

`write_web_page` copies the page, the LiteRT.js runtime it runs the model with
(JavaScript and WebAssembly, from `web/node_modules`, installed by `npm ci`
in `web/`) and an example face into a folder beside the export's
`metadata.json` and `generator_*.tflite`, so that

    cd DIR && python -m http.server

serves the whole thing: the browser loads nothing from anywhere else.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image

from tfganimation.outputs import refuse_existing
from tfganimation.model_files.names import EXPORT_METADATA_FILE

WEB_SOURCE = Path(__file__).resolve().parents[2] / "web"
"""The page's sources in a checkout: `web/` at the repository root."""

PAGE_FILES: tuple[str, ...] = (
    "index.html",
    "app.js",
    "animator.js",
    "photo.js",
    "live.js",
    "live-worker.js",
    "paste.js",
    "style.css",
    "isolation.js",
)

RUNTIME_PACKAGE = "@litertjs/core"

RUNTIME_FILES: dict[str, str] = {
    "litert/index.js": "@litertjs/core/dist/index.js",
    "litert/index.js.map": "@litertjs/core/dist/index.js.map",
    "litert/wasm-utils.js": "@litertjs/wasm-utils/dist/index.js",
    "litert/wasm-utils.js.map": "@litertjs/wasm-utils/dist/index.js.map",
    **{
        f"litert/wasm/{build}.{kind}": f"@litertjs/core/wasm/{build}.{kind}"
        for build in (
            "litert_wasm_internal",  # relaxed SIMD, one thread
            "litert_wasm_compat_internal",  # browsers without relaxed SIMD
            "litert_wasm_threaded_internal",  # cross-origin-isolated pages
        )
        for kind in ("js", "wasm")
    },
}
"""Deployed path → path under `web/node_modules`. The import map in
`index.html` names the two JavaScript modules; LiteRT.js picks one of the
WebAssembly builds (not copied: the JSPI build, only needed for WebGPU/WebNN)."""

RUNTIME_REWRITES: dict[str, tuple[str, str]] = {
    "litert/index.js": ('from "@litertjs/wasm-utils"', 'from "./wasm-utils.js"'),
}
"""Deployed path → (text, replacement): LiteRT.js's one bare import, pointed at
its file. The page's import map resolves it either way, but the live mode's
Web Worker has no import map (workers do not read one)."""

EXAMPLE_FILE = "example.png"
EXAMPLE_SIZE = 256
EXAMPLE_SEED = 1


def write_web_page(
    export_dir: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    overwrite: bool = False,
    web_source: str | os.PathLike | None = None,
) -> list[Path]:
    """Writes the on-device page for an export into `out_dir`.

    Args:
        export_dir: path. A `tfganimation export` folder: `metadata.json` and
            the `.tflite` files it lists.
        out_dir: path or `None`. Where the page goes; created if missing.
            Defaults to `export_dir`. Another folder also gets copies of
            `metadata.json` and the `.tflite` files (not the SavedModel).
        overwrite: bool. Replace files of an earlier page. Defaults to
            `False`: an existing file is an error, before anything is written.
        web_source: path or `None`. The page's sources with `node_modules`
            installed. Defaults to `WEB_SOURCE`, `web/` of this checkout.

    Returns:
        The files written, as paths.

    Raises:
        FileNotFoundError: no export there, or the page's sources or runtime
            are missing (with the command that installs them).
        FileExistsError: a file exists and `overwrite` is False.
        ValueError: `metadata.json` lists no LiteRT files.

    Example:
    ```python
    write_web_page("exports/demo")   # then: cd exports/demo && python -m http.server
    ```
    """
    export_dir = Path(export_dir)
    out_dir = export_dir if out_dir is None else Path(out_dir)
    sources = page_sources(web_source)
    model_files = _model_files(export_dir)
    if out_dir.resolve() != export_dir.resolve():
        sources.update({name: export_dir / name for name in model_files})
    refuse_existing([out_dir / name for name in sorted([*sources, EXAMPLE_FILE])], overwrite)
    written = []
    for name, source in sources.items():
        target = out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name in RUNTIME_REWRITES:
            _copy_rewritten(source, target, *RUNTIME_REWRITES[name])
        else:
            shutil.copyfile(source, target)
        written.append(target)
    written.append(_write_example(out_dir / EXAMPLE_FILE))
    return written


def runtime_version(web_source: str | os.PathLike | None = None) -> str:
    """The `@litertjs/core` version pinned in `web/package.json`."""
    package = json.loads((Path(web_source or WEB_SOURCE) / "package.json").read_text())
    return package["dependencies"][RUNTIME_PACKAGE]


def page_sources(web_source: str | os.PathLike | None = None) -> dict[str, Path]:
    """Deployed name → source file: the page and its runtime, checked to be there.

    Raises:
        FileNotFoundError: a file is missing, or the installed LiteRT.js is
            not the version `web/package.json` pins; the message says how
            to install it.
    """
    web_source = Path(web_source or WEB_SOURCE)
    missing_page = [name for name in PAGE_FILES if not (web_source / name).is_file()]
    if missing_page:
        raise FileNotFoundError(
            f"The page's sources are not in {web_source} (missing {', '.join(missing_page)}): "
            "the on-device page ships in a tfganimation checkout, not in the wheel."
        )
    modules = web_source / "node_modules"
    install = f"run `npm ci` in {web_source} (npm 7 or newer)"
    installed = modules / RUNTIME_PACKAGE / "package.json"
    if not installed.is_file():
        raise FileNotFoundError(f"LiteRT.js is not installed in {modules}: {install}.")
    pinned, found = runtime_version(web_source), json.loads(installed.read_text())["version"]
    if found != pinned:
        raise FileNotFoundError(
            f"{RUNTIME_PACKAGE} {found} is installed, but web/package.json pins {pinned}: "
            f"{install}."
        )
    sources = {name: web_source / name for name in PAGE_FILES}
    sources.update({name: modules / path for name, path in RUNTIME_FILES.items()})
    missing = [str(path) for path in sources.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"Missing {', '.join(missing)}: {install}.")
    for name, (text, _) in RUNTIME_REWRITES.items():
        if text not in sources[name].read_text():
            raise FileNotFoundError(
                f"{sources[name]} does not contain {text!r}, which the page rewrites for its "
                f"Web Worker: {install}."
            )
    return sources


def _copy_rewritten(source: Path, target: Path, text: str, replacement: str) -> None:
    """Copies `source` with `text` (checked by `page_sources`) replaced."""
    target.write_text(source.read_text().replace(text, replacement))


def _model_files(export_dir: Path) -> list[str]:
    """`metadata.json` and the LiteRT files it lists, checked to be there."""
    metadata_path = export_dir / EXPORT_METADATA_FILE
    if not metadata_path.is_file():
        raise FileNotFoundError(
            f"No {EXPORT_METADATA_FILE} in {export_dir}: pass a `tfganimation export` folder."
        )
    files: Mapping[str, str] = json.loads(metadata_path.read_text()).get("litert", {}).get(
        "files", {}
    )
    if not files:
        raise ValueError(
            f"{metadata_path} lists no LiteRT files: export with --formats tflite "
            "(the page runs the .tflite files)."
        )
    missing = [name for name in files.values() if not (export_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{metadata_path} lists {', '.join(missing)}, missing from {export_dir}."
        )
    return [EXPORT_METADATA_FILE, *files.values()]


def _write_example(path: Path) -> Path:
    """A neutral synthetic face (`tfganimation.synthetic`), framed as the training crops."""
    from tfganimation.synthetic import render_face, sample_identity

    face = render_face(
        sample_identity(np.random.default_rng(EXAMPLE_SEED)), np.zeros(17), EXAMPLE_SIZE
    )
    Image.fromarray(face).save(path)
    return path
