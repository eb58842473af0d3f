"""The shape of the code: packages by role, dependencies that only point down, no import
cycles (type-only imports included), modules small enough to read in one sitting.

    bot.model                       the recording and its rules: plain data, no I/O
    bot.recall  bot.slack  bot.store  bot.zoom   talking to Recall, Slack, SQLite, Zoom (siblings)
    bot.workflow                    what happens after /record
    bot.web     handlers            the web app; Bolt's listeners
    bot.app                         settings, logging, wiring, the scheduler, the CLI
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

ROOT = ROOT
LAYERS = {
    "bot.model": 0,
    "bot.recall": 1,
    "bot.slack": 1,
    "bot.store": 1,
    "bot.zoom": 1,
    "bot.workflow": 2,
    "bot.web": 3,
    "handlers": 3,
    "bot.app": 4,
}
MAX_LINES = 350


def modules() -> dict[str, Path]:
    found = {}
    for package in ("bot", "handlers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every module of ours that `name` imports, at any depth of the file (functions and
    `if TYPE_CHECKING:` blocks included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def layer(module: str) -> tuple[str, int] | None:
    for prefix, rank in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return prefix, rank
    return None


def test_every_module_belongs_to_a_layer() -> None:
    stray = [m for m in modules() if layer(m) is None and m not in ("bot", "bot.__main__")]
    assert stray == []


def test_dependencies_only_point_down() -> None:
    upward = []
    for module, targets in graph().items():
        mine = layer(module)
        if mine is None:
            continue
        for target in targets:
            theirs = layer(target)
            if theirs is None or theirs[0] == mine[0]:
                continue
            if theirs[1] >= mine[1]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_there_are_no_import_cycles() -> None:
    edges = graph()
    cycles = [component for component in _strongly_connected(edges) if len(component) > 1]
    assert cycles == []


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(sorted(component))
    return found


@pytest.mark.parametrize("module", sorted(modules()))
def test_modules_stay_readable_in_one_sitting(module: str) -> None:
    lines = len(modules()[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


PACKAGES = sorted(name for name, path in modules().items() if path.name == "__init__.py")


@pytest.mark.parametrize("module", PACKAGES)
def test_every_package_says_what_it_is_for(module: str) -> None:
    docstring = ast.get_docstring(ast.parse(modules()[module].read_text()))
    assert docstring, f"{module} has no docstring"


# Names of reference notes the project was built from, which the repository does not carry.
_ABSENT_DOCUMENTS = ("recall-api.md", "slack-platform", "beyond-video", "/work/shared")


def test_no_comment_cites_a_document_that_is_not_in_the_repository() -> None:
    code = [*modules().values()]
    for folder in ("tests", "bench", "docs"):
        code += sorted((ROOT / folder).rglob("*.py"))
    citing = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in code
        if path != Path(__file__)  # this test names what it looks for
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ("§" in line and "RFC" not in line)
        or (".md" in line and "reference" in line)
        or any(name in line for name in _ABSENT_DOCUMENTS)
    ]
    assert citing == []
