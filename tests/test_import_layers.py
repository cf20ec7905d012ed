"""The package's layers: every import of `tfganimation/` runs down them, and none runs in a circle.

A part is a top-level module or subpackage of `tfganimation/`. `LAYERS` lists
them bottom to top; docs/layout.md states the same order. A part may import
parts of its own layer or of a lower one, never of a higher one, and parts
of one layer may not import each other in a circle. Imports are read with
`ast`, so those inside functions count as much as those at the top of a
module, and so do the module names a package maps its lazy names to
(`lazy_exports`) or imports by name (`importlib.import_module`).
"""

from __future__ import annotations

import ast
import dataclasses
import graphlib
import re
import textwrap
from pathlib import Path

PACKAGE = "tfganimation"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", (
        "version", "lazy_exports", "native_logs", "atomic", "outputs", "pixels", "choices", "aus",
    )),
    ("networks", (
        "winograd", "layers", "subpixel", "au_conditioning", "augment", "losses", "schedules",
        "distribute", "precision", "global_batch", "loss_tracking", "generator", "critic",
        "ganimation",
    )),
    ("data", ("faces", "data", "synthetic", "oracle", "torch_checkpoints", "demo")),
    ("models on disk", ("model_files", "export")),
    ("training", ("training", "callbacks")),
    ("inference", ("inference",)),
    ("applications", ("video", "evaluation", "quickstart", "streamlit_page")),
    ("commands", ("commands",)),
    ("entry points", ("cli", "__init__")),
)  # fmt: skip
"""The parts of `tfganimation/`, bottom layer first: the one statement of the order."""

NAMED_IMPORTERS = ("lazy_exports", "import_module")
"""Calls whose string arguments name modules that get imported."""


@dataclasses.dataclass(frozen=True)
class Import:
    """One import of a package module by another: where it is, and which parts it joins."""

    file: str
    line: int
    module: str
    source: str
    target: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.module}"


def part_of(module: str) -> str:
    """`tfganimation.a.b` -> `a`; the package itself is the part `__init__`."""
    names = module.split(".")
    return names[1] if len(names) > 1 else "__init__"


def package_imports(root: Path, package: str = PACKAGE) -> list[Import]:
    """Every import between two parts of the package in `root / package`, in file order."""
    parts = {path.stem if path.suffix else path.name for path in (root / package).iterdir()}
    found = []
    for path in sorted((root / package).rglob("*.py")):
        relative = path.relative_to(root)
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        source = part_of(module) if module != package else "__init__"
        for line, imported in _imported_modules(path, module, package, parts):
            target = part_of(imported)
            if target != source:
                found.append(Import(str(relative), line, imported, source, target))
    return found


def layer_violations(
    imports: list[Import], layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS
) -> list[str]:
    """One line per import from a lower layer to a higher one, or of a part no layer lists."""
    level = {part: index for index, (_, parts) in enumerate(layers) for part in parts}
    names = [name for name, _ in layers]
    problems = []
    for found in imports:
        unknown = [part for part in (found.source, found.target) if part not in level]
        if unknown:
            problems.append(f"{found}: {', '.join(unknown)} is in no layer")
        elif level[found.target] > level[found.source]:
            problems.append(
                f"{found}: up from layer {names[level[found.source]]!r} "
                f"to layer {names[level[found.target]]!r}"
            )
    return problems


def part_cycle(imports: list[Import]) -> list[str]:
    """One line per import on a circle of parts importing each other, or `[]` if there is none."""
    graph: dict[str, set[str]] = {}
    for found in imports:
        graph.setdefault(found.source, set()).add(found.target)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        circle = error.args[1]  # [a, b, ..., a], each part importing the one before it.
        edges = set(zip(circle[1:], circle[:-1]))
        first = {}
        for found in imports:
            first.setdefault((found.source, found.target), found)
        return [f"{first[edge]}: {' -> '.join(edge)} is on a cycle" for edge in sorted(edges)]
    return []


def _imported_modules(path: Path, module: str, package: str, parts: set[str]):
    """`(line, module)` for each package module `path` imports, however it is imported."""
    own_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = own_package.split(".")[: len(own_package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base == package:  # `from tfganimation import aus`: a part, or the package's own name.
                names = [f"{package}.{a.name}" if a.name in parts else package for a in node.names]
            else:
                names = [base]
        elif isinstance(node, ast.Call) and _called_name(node) in NAMED_IMPORTERS:
            names = [
                constant.value
                for argument in node.args
                for constant in ast.walk(argument)
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str)
            ]
        else:
            continue
        for name in names:
            if name == package or name.startswith(package + "."):
                yield node.lineno, name


def _called_name(call: ast.Call) -> str | None:
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)


def test_every_part_of_the_package_is_in_one_layer():
    package = Path(__file__).resolve().parents[1] / PACKAGE
    parts = {
        path.stem if path.suffix == ".py" else path.name
        for path in package.iterdir()
        if path.suffix == ".py" or (path / "__init__.py").is_file()
    }
    listed = [part for _, layer in LAYERS for part in layer]
    assert len(listed) == len(set(listed)), "a part is listed in two layers"
    assert set(listed) == parts


def test_no_import_runs_up_the_layers_or_in_a_circle():
    imports = package_imports(Path(__file__).resolve().parents[1])
    assert len(imports) > 100  # The reader found the package's imports.
    problems = layer_violations(imports) + part_cycle(imports)
    assert not problems, "\n".join(problems)


def test_the_layout_page_states_the_same_layers():
    page = (Path(__file__).resolve().parents[1] / "docs" / "layout.md").read_text(encoding="utf-8")
    section = page.split("### Layers", 1)[1].split("The order lives", 1)[0]
    items = re.split(r"^\d+\. \*\*(.+?)\*\*:", section, flags=re.MULTILINE)[1:]
    stated = tuple(
        (name, tuple(re.findall(r"`(\w+)`", body))) for name, body in zip(items[::2], items[1::2])
    )
    assert stated == LAYERS


def _fake_package(root: Path, modules: dict[str, str]) -> Path:
    for name, source in {"__init__.py": "", **modules}.items():
        path = root / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root


def test_the_check_names_an_upward_import_hidden_in_a_function_or_a_lazy_map(tmp_path):
    root = _fake_package(
        tmp_path,
        {
            "low.py": """
                from tfganimation import low_helpers

                def load():
                    from tfganimation.high import thing
                """,
            "low_helpers.py": "",
            "lazy/__init__.py": """
                from tfganimation.lazy_exports import lazy_exports
                __getattr__, __all__ = lazy_exports(__name__, {"tfganimation.high": ("thing",)})
                """,
            "high.py": "from .low import load\n",
        },
    )
    layers = (("bottom", ("low_helpers", "lazy_exports")), ("low", ("low", "lazy")), ("top", ("high",)))

    problems = layer_violations(package_imports(root), layers)

    assert problems == [
        "tfganimation/lazy/__init__.py:3 imports tfganimation.high: up from layer 'low' to layer 'top'",
        "tfganimation/low.py:5 imports tfganimation.high: up from layer 'low' to layer 'top'",
    ]


def test_the_check_names_each_import_of_a_circle_and_parts_no_layer_lists(tmp_path):
    root = _fake_package(
        tmp_path,
        {"a.py": "import tfganimation.b\n", "b/__init__.py": "from ..a import x\n", "c.py": ""},
    )
    imports = package_imports(root)

    assert part_cycle(imports) == [
        "tfganimation/a.py:1 imports tfganimation.b: a -> b is on a cycle",
        "tfganimation/b/__init__.py:1 imports tfganimation.a: b -> a is on a cycle",
    ]
    assert layer_violations(imports, (("all", ("a",)),)) == [
        "tfganimation/a.py:1 imports tfganimation.b: b is in no layer",
        "tfganimation/b/__init__.py:1 imports tfganimation.a: b is in no layer",
    ]
