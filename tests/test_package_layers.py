"""The packages stay in layers: what statistics count (`app.counting`) lies below both the
incidents and the statistics, the incidents never import the statistics, and the survivors'
identifying details (`app.identity`) lie below the incidents, so that no package needs another
that needs it to be loaded first. Read from the source (ast), not from a running import."""

import ast
from pathlib import Path

import app

APP = Path(app.__file__).parent

# Package -> the packages it must never import, directly or from inside a function.
FORBIDDEN = {
    "app.incidents": ("app.stats",),
    "app.counting": ("app.stats", "app.incidents"),
    "app.identity": ("app.incidents",),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module an app module imports, as absolute names (relative imports resolved)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _all_imports() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted(APP.rglob("*.py"))}


def test_no_package_imports_one_it_lies_below() -> None:
    crossings = sorted(
        (module, imported)
        for module, imported_names in _all_imports().items()
        for package, forbidden in FORBIDDEN.items()
        if _within(module, package)
        for imported in imported_names
        if any(_within(imported, below) for below in forbidden)
    )
    assert crossings == []


def test_the_walk_sees_the_imports_it_checks() -> None:
    """Not vacuous: the walk finds the imports the layers are made of, relative ones included."""
    imports = _all_imports()
    assert "app.counting.rollup" in imports["app.incidents.history"]
    assert "app.counting.rules" in imports["app.stats.queries"]
    assert any(_within(name, "app.stats") for name in imports["app.web.labels"])
    assert len(imports) > 100
