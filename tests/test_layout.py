"""The package's shape: small functions and modules, imports flow downwards.

Layers, lowest first; a module may import only from its own layer's lower
neighbours, never upwards, and the import graph has no cycle.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "sklearn_gd"

# lower index = lower layer
LAYERS = [
    {"_exceptions", "_blas", "_losses", "_component"},
    {"penalties", "schedules", "optimizers", "_csr"},
    {"_gather"},
    {"_rows"},
    {"_dask", "_problem"},
    {"_step_size"},
    {"_solvers._monitor", "_solvers.per_sample"},
    {"_solvers.gd", "_solvers.cg", "_solvers.tnc", "_solvers.vr"},
    {"_solvers"},
    {"_reports"},
    {"_base"},
    {"_regression", "_classification"},
    {"compare", "chunks", "plot"},
    {"__init__"},
    {"__main__"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        yield ".".join(parts), path


def _imports(name, path):
    """The package modules that ``name`` imports (relative imports)."""
    tree = ast.parse(path.read_text())
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    if name == "__init__":
        package = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                target = ".".join([*base, node.module])
                found.add(target)
            else:  # from . import a, b
                found.update(".".join([*base, a.name]) for a in node.names)
    return {t for t in found if t in LAYER}


def test_every_module_has_a_layer():
    assert {name for name, _ in _modules()} == set(LAYER)


@pytest.mark.parametrize("name, path", list(_modules()), ids=lambda v: str(v))
def test_imports_only_go_down(name, path):
    for target in _imports(name, path):
        assert LAYER[target] < LAYER[name], f"{name} imports {target}"


@pytest.mark.parametrize("name, path", list(_modules()), ids=lambda v: str(v))
def test_functions_and_modules_are_small(name, path):
    source = path.read_text()
    assert len(source.splitlines()) <= 900, name
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= 80, f"{name}.{node.name} has {length} lines"
