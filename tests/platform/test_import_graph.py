"""Dependencies point one way: no cycle of module-level imports between platform/'s apps.

Walks platform/ with ``ast`` (nothing is imported), so a new cycle fails here before it
fails at start-up, and the rules a newcomer relies on are written down as tests."""
from __future__ import annotations

import ast
from pathlib import Path

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
APPS = ("jobs", "trust", "accounts", "studio", "hallmark")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PLATFORM).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PLATFORM.rglob("*.py") if "migrations" not in p.parts}


def _top_level_imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Return the platform modules that ``path`` imports when it is loaded (function bodies excluded)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:  # `from jobs.models import Job` → jobs.models
            target = target.rpartition(".")[0]
        if target:
            found.add(target)

    def visit(nodes) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
            elif isinstance(node, (ast.If, ast.Try, ast.With)):  # run at import time too
                visit(ast.iter_child_nodes(node))
            elif isinstance(node, ast.ClassDef):
                visit(node.body)

    visit(ast.parse(path.read_text(), filename=str(path)).body)
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _top_level_imports(path, name, set(modules)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def _app(module: str) -> str:
    return module.split(".")[0]


def test_no_cycle_of_module_level_imports_spans_two_apps():
    spanning = [c for c in _cycles(_graph()) if len({_app(m) for m in c}) > 1]
    assert spanning == []


def test_the_walker_sees_a_cycle_when_there_is_one():
    graph = _graph()
    graph["trust.audit"] = graph["trust.audit"] | {"jobs.services"}  # what jobs → trust → jobs would look like
    assert any({"jobs.services", "trust.audit"} <= set(c) for c in _cycles(graph))


def test_the_walker_reads_relative_and_absolute_imports():
    graph = _graph()
    assert {"jobs.intake", "jobs.models", "jobs.runtime", "trust.audit"} <= graph["jobs.services"]
    assert "jobs.services" in graph["trust.enforcement"]


def test_jobs_services_never_reach_trusts_enforcement():
    graph = _graph()
    jobs_modules = [m for m in graph if _app(m) == "jobs" and m != "jobs.tasks"]  # the thin task hands blocks on
    assert [m for m in jobs_modules if any(_app(t) == "trust" and t != "trust.audit" for t in graph[m])] == []


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_the_audit_log_imports_no_service():
    assert {t for t in _graph()["trust.audit"] if _app(t) in APPS} <= {"trust.audit_models"}


def test_the_audit_log_is_a_leaf_that_reaches_neither_jobs_nor_accounts():
    reached = _reachable(_graph(), "trust.audit")
    assert {m for m in reached if _app(m) in ("jobs", "accounts", "studio")} == set()
