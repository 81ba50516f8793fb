"""The storage adapters' modules import each other top-down: no import cycle, ever.

Every import counts, also those under ``if TYPE_CHECKING:`` and inside functions: a cycle
that only type checkers see still means two modules that cannot be read, changed or tested
one without the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import docsense.adapters.storage as storage_package

PACKAGE = "docsense.adapters.storage"


def _module_name(path: Path, root: Path) -> str:
    relative = path.relative_to(root).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join([PACKAGE, *parts])


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """The package's modules that ``path`` imports, wherever in the file the import is."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import sub" imports the submodule; "from pkg.mod import name" the module.
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            if name in modules and name != module:
                found.add(name)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Map each module of the package under ``root`` to the package modules it imports."""
    paths = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    modules = set(paths)
    graph = {name: _imports(path, name, modules) for name, path in paths.items()}
    # "from docsense.adapters.storage.x import y" names both the package and x: only x counts.
    for targets in graph.values():
        if any(t.startswith(PACKAGE + ".") for t in targets):
            targets.discard(PACKAGE)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_storage_modules_have_no_import_cycle() -> None:
    root = Path(storage_package.__file__).parent
    graph = import_graph(root)
    assert f"{PACKAGE}.sqlite" in graph
    assert f"{PACKAGE}.postgres" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_cycle_finder_sees_a_cycle_hidden_behind_type_checking(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "base.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        f"    from {PACKAGE}.store import Store\n"
    )
    (tmp_path / "store.py").write_text(f"from {PACKAGE}.base import thing\n")
    (tmp_path / "leaf.py").write_text("from . import base\n")
    graph = import_graph(tmp_path)
    assert graph[f"{PACKAGE}.leaf"] == {f"{PACKAGE}.base"}
    assert find_cycle(graph) == [f"{PACKAGE}.base", f"{PACKAGE}.store", f"{PACKAGE}.base"]


def test_the_base_modules_import_nothing_built_on_them() -> None:
    graph = import_graph(Path(storage_package.__file__).parent)
    assert graph[f"{PACKAGE}.sqlite_database"].isdisjoint(
        {f"{PACKAGE}.sqlite", f"{PACKAGE}.sqlite_projections"}
    )
    assert graph[f"{PACKAGE}.postgres_database"].isdisjoint(
        {
            f"{PACKAGE}.postgres",
            f"{PACKAGE}.postgres_jobs",
            f"{PACKAGE}.postgres_leader",
            f"{PACKAGE}.postgres_projections",
        }
    )
