"""The layout rules of the code base, checked on the source itself.

- Imports flow one way: pages -> ui -> maps/analysis -> loaders. loaders never imports
  analysis, maps, ui, pages or streamlit; its command line (loaders/cli and ``python -m
  loaders``) is a composition root like app.py and may import analysis and maps.
- No import cycles between the project's modules, counting imports inside functions and
  under ``TYPE_CHECKING``.
- Every environment variable is read in loaders/core/settings.py.
- No source file outside tests/, bench/ and the migrations is over 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("loaders", "analysis", "maps", "ui", "pages", "scripts")
#: Which top-level packages each layer may import (besides itself and loaders/core).
ALLOWED: dict[str, set[str]] = {
    "loaders": {"loaders"},
    "analysis": {"analysis", "loaders"},
    "maps": {"maps", "analysis", "loaders"},
    "ui": {"ui", "maps", "analysis", "loaders"},
    "pages": {"ui", "maps", "analysis", "loaders"},
    "scripts": {"maps", "loaders"},
}
COMPOSITION_ROOTS = ("loaders.cli", "loaders.__main__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_files() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (functions and TYPE_CHECKING too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                name = _module_name(path)
                package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _project_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _source_files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_flow_one_way(path: Path) -> None:
    name = _module_name(path)
    layer = name.split(".")[0]
    if layer == "app":
        return
    allowed = ALLOWED[layer] | ({"maps", "analysis"} if name.startswith(COMPOSITION_ROOTS) else set())
    upward = sorted(m for m in _imports(path) if m.split(".")[0] in set(PACKAGES) - allowed)
    assert upward == [], f"{name} imports {upward}"
    if layer in ("loaders", "analysis", "maps"):
        assert not any(m == "streamlit" or m.startswith("streamlit.") for m in _imports(path)), name


def _find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    assert _find_cycles(_project_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycles(graph) == [["a", "b", "c", "a"]]
    assert _find_cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_scanner_sees_hidden_imports(tmp_path: Path) -> None:
    """The import scanner sees imports inside functions and under TYPE_CHECKING."""
    module = tmp_path / "mod.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import maps.palette\n"
        "def f():\n    from analysis import series\n",
        encoding="utf-8",
    )
    names = _imports(module)
    assert {"maps.palette", "analysis.series", "analysis"} <= names


def test_environment_is_read_only_in_settings() -> None:
    readers = []
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        if "os.environ" in text or "getenv(" in text:
            readers.append(str(path.relative_to(ROOT)))
    assert readers == ["loaders/core/settings.py"]


def test_no_source_file_is_over_600_lines() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in _source_files()}
    assert {name: n for name, n in sizes.items() if n > 600} == {}
