"""The layer rules, read from the code's own imports (ast, nothing imported):

    models  <-  services  <-  (pages, API, tasks, commands)

- no use case (afr_aid.services) imports a page blueprint, a page helper
  (afr_aid.web), the API, a task or a command;
- models import no service and nothing above them; infrastructure
  (afr_aid.infra) imports no service and nothing above;
- no import circle joins modules of two different packages (a blueprint's
  views.py importing the route modules that import its `bp` stays inside
  one package and is allowed).

Lazy imports inside functions count: a rule broken at call time is broken."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "afr_aid"
PAGES = ("afr_aid.auth", "afr_aid.cases", "afr_aid.admin", "afr_aid.dashboard", "afr_aid.notifications",
         "afr_aid.offline")
ABOVE_SERVICES = PAGES + ("afr_aid.web", "afr_aid.api", "afr_aid.tasks", "afr_aid.cli")
RULES = [
    # (who, may not import, why)
    ("afr_aid.services", ABOVE_SERVICES, "a use case knows nothing of pages, the API, tasks or commands"),
    ("afr_aid.models", ("afr_aid.services",) + ABOVE_SERVICES, "tables only: no use case, no page"),
    ("afr_aid.infra", ("afr_aid.services",) + ABOVE_SERVICES, "infrastructure holds no business rule"),
]


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the afr_aid modules it imports (a name imported from a
    package counts as that submodule when one exists)."""
    files = {module_name(path, root): path for path in root.rglob("*.py")}
    modules = {name for name, _ in files}
    graph: dict[str, set[str]] = {}
    for (name, is_package), path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                found.update(f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module
                             for alias in node.names)
        graph[name] = set()
        for target in found:
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                graph[name].add(target)
    return graph


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def broken_rules(graph: dict[str, set[str]]) -> list[str]:
    return [f"{module} imports {target}: {why}"
            for who, forbidden, why in RULES
            for module, targets in sorted(graph.items()) if _inside(module, who)
            for target in sorted(targets) if any(_inside(target, f) for f in forbidden)]


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def circles_across_packages(graph: dict[str, set[str]]) -> list[list[str]]:
    return [group for group in circles(graph) if len({member.rsplit(".", 1)[0] for member in group}) > 1]


def test_every_layer_rule_holds():
    assert not broken_rules(import_graph()), "\n".join(broken_rules(import_graph()))


def test_no_import_circle_joins_two_packages():
    assert not circles_across_packages(import_graph())


def test_the_tree_shows_the_features():
    services = sorted(p.name for p in (PACKAGE / "services").iterdir() if (p / "__init__.py").exists())
    assert services == ["accounts", "cases", "demo", "notifications", "protection"]
    assert not [p.name for p in (PACKAGE / "services").glob("*.py") if p.name != "__init__.py"]
    for package in (PACKAGE / "services").iterdir():
        if package.is_dir() and (package / "__init__.py").exists():
            assert ast.get_docstring(ast.parse((package / "__init__.py").read_text())), package.name
    loose = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__", "celery_app", "clock", "config", "errors", "extensions", "i18n",
                     "permissions", "vocab"]


# The checks themselves must see a broken rule: a graph with one bad edge each.

@pytest.mark.parametrize("module,target", [
    ("afr_aid.services.cases.records", "afr_aid.web.helpers"),
    ("afr_aid.services.accounts.api_tokens", "afr_aid.auth.views"),
    ("afr_aid.services.notifications.outbox", "afr_aid.tasks.notifications"),
    ("afr_aid.services.protection.exports", "afr_aid.api.serialize"),
    ("afr_aid.models.case", "afr_aid.services.cases.records"),
    ("afr_aid.infra.crypto", "afr_aid.services.protection.keys"),
])
def test_a_bad_import_is_caught(module, target):
    graph = import_graph()
    assert module in graph and target in graph
    graph[module] = graph[module] | {target}
    assert broken_rules(graph) == [next(f"{module} imports {target}: {why}" for who, _, why in RULES
                                        if _inside(module, who))]


def test_a_circle_between_two_features_is_caught():
    graph = import_graph()
    graph["afr_aid.services.notifications.notify"] = graph["afr_aid.services.notifications.notify"] | {
        "afr_aid.services.cases.records"}  # records imports notify already
    assert any("afr_aid.services.cases.records" in group and "afr_aid.services.notifications.notify" in group
               for group in circles_across_packages(graph))


def test_a_real_bad_import_in_the_code_is_caught(tmp_path):
    """The same check on a copy of the package with one page import added to a service."""
    import shutil

    copy = tmp_path / "afr_aid"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("templates", "static", "data", "__pycache__"))
    target = copy / "services" / "cases" / "queue.py"
    target.write_text(target.read_text() + "\n\ndef _page():\n    from ...cases.views import bp  # noqa\n")
    assert broken_rules(import_graph(copy)) == ["afr_aid.services.cases.queue imports afr_aid.cases.views: "
                      "a use case knows nothing of pages, the API, tasks or commands"]
