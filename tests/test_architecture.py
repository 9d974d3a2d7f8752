"""The import graph runs one way: no cycle between the top-level packages, and inside app/ no
cycle longer than two modules (the layers themselves are import-linter's contracts, pyproject)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

import grimp
import pytest

PACKAGES = ("app", "jobs", "integrations", "forecasting", "simulator")
LONGEST_APP_CYCLE = 2


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES)


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = itertools.count()

    def visit(node: str) -> None:
        index[node] = low[node] = next(counter)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def module_edges(graph: grimp.ImportGraph, modules: Iterable[str]) -> dict[str, set[str]]:
    chosen = set(modules)
    return {m: graph.find_modules_directly_imported_by(m) & chosen for m in chosen}


def test_the_cycle_finder_finds_cycles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_top_level_packages(graph: grimp.ImportGraph) -> None:
    edges: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for module in graph.modules:
        source = module.split(".")[0]
        for imported in graph.find_modules_directly_imported_by(module):
            target = imported.split(".")[0]
            if target != source and target in edges:
                edges[source].add(target)
    found = cycles(edges)
    paths = {
        f"{a} -> {b}": sorted(graph.find_shortest_chains(importer=a, imported=b))[:1]
        for component in found
        for a, b in itertools.permutations(component, 2)
        if b in edges[a]
    }
    assert not found, f"import cycles between packages: {found}; one chain each way: {paths}"


def test_no_import_cycle_of_more_than_two_modules_inside_app(graph: grimp.ImportGraph) -> None:
    app_modules = {m for m in graph.modules if m == "app" or m.startswith("app.")}
    found = [c for c in cycles(module_edges(graph, app_modules)) if len(c) > LONGEST_APP_CYCLE]
    assert not found, f"import cycles inside app/ of more than {LONGEST_APP_CYCLE} modules: {found}"
