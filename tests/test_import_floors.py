"""The package's floors: a module imports only from its own floor or below, never upward.

Views parse, call services and render; services use the engines and models; nothing
reaches back up. Read from the source itself (every `import`, those inside functions
too), so a new upward import fails here before a reviewer has to spot it.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "aurion"

# Bottom floor first. A module belongs to the floor of its longest matching prefix.
FLOORS = [
    ("base", ("aurion.config", "aurion.problems", "aurion.extensions", "aurion.timestamps")),
    ("models", ("aurion.models", "aurion.schemas")),
    ("engines", ("aurion.engines",)),
    ("services", ("aurion.services",)),
    ("agent", ("aurion.agent",)),
    ("voice", ("aurion.voice",)),
    ("views", ("aurion.api", "aurion.dashboard")),
    ("app", ("aurion", "aurion.cli", "aurion.demo")),
]


def floor_of(module: str) -> int | None:
    """The index of `module`'s floor in FLOORS, or None when no floor claims it."""
    best, best_length = None, -1
    for index, (_, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, package_modules: set[str]) -> set[str]:
    """Every `aurion` module `source` imports; `from aurion.x import y` counts y when y is a module."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "aurion")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "aurion":
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in package_modules else node.module)
    return found


def upward_imports(sources: dict[str, str]) -> list[str]:
    """`importer -> imported` for each import that climbs to a higher floor, given {module: source}."""
    modules = set(sources)
    violations = []
    for importer, source in sorted(sources.items()):
        for imported in sorted(imported_modules(source, modules)):
            if floor_of(imported) > floor_of(importer):
                violations.append(
                    f"{importer} ({FLOORS[floor_of(importer)][0]}) -> {imported} ({FLOORS[floor_of(imported)][0]})"
                )
    return violations


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return {_module_name(path): path.read_text() for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_floor(sources):
    assert [module for module in sources if floor_of(module) is None] == []


def test_no_module_imports_from_a_floor_above_its_own(sources):
    assert upward_imports(sources) == []


def test_an_upward_import_is_caught(sources):
    tampered = {**sources, "aurion.services.messages": sources["aurion.services.messages"] + "\nfrom aurion.api import widget\n"}
    assert upward_imports(tampered) == ["aurion.services.messages (services) -> aurion.api.widget (views)"]


def test_an_import_inside_a_function_is_caught(sources):
    tampered = {**sources, "aurion.engines.broker": "def late():\n    import aurion.agent.turn\n"}
    assert upward_imports(tampered) == ["aurion.engines.broker (engines) -> aurion.agent.turn (agent)"]
