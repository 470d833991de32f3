"""Rules of the team charter that the code itself must keep: layers, and functions a reader can
hold in mind at once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pilotcli"
LONGEST = 60
"""Lines a function may take, with its docstring and comments."""


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield str(path.relative_to(PACKAGE)), ast.parse(path.read_text(encoding="utf-8"))


def _typer_layer(name: str) -> bool:
    """The thin layer of commands: cli.py and the commands package."""
    return name == "cli.py" or name.startswith("commands/")


def _imported(tree: ast.Module) -> set[str]:
    """The top-level package of every import, at the top of the module or inside a function."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def test_core_code_imports_neither_typer_nor_rich() -> None:
    # Typer only in the command layer; Rich only there and in the table renderer.
    wrong = []
    for name, tree in _modules():
        allowed = (
            {"typer", "click", "rich"} if _typer_layer(name) else {"rich"} if name == "render/rich_tables.py" else set()
        )
        wrong += [f"{name} imports {package}" for package in _imported(tree) & {"typer", "click", "rich"} - allowed]
    assert wrong == []


def test_the_rule_finds_imports_inside_functions() -> None:
    tree = ast.parse("def f():\n    from rich.text import Text\n    import typer.main\n")
    assert _imported(tree) == {"rich", "typer"}


def _scripts() -> Iterator[tuple[str, ast.Module]]:
    """The benchmark and the maintenance scripts: code the team reads and changes too."""
    for path in sorted([*(ROOT / "bench").glob("*.py"), *(ROOT / "scripts").glob("*.py")]):
        yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


def test_no_function_is_longer_than_60_lines() -> None:
    long = [
        f"{name}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for name, tree in [*_modules(), *_scripts()]
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > LONGEST
    ]
    assert long == []


def _views_imported(tree: ast.Module) -> set[str]:
    """The modules of the views package a module imports: 'pilotcli.views' itself for
    `from pilotcli import views`, else 'pilotcli.views.NAME'."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "pilotcli":
            found |= {f"pilotcli.{alias.name}" for alias in node.names if alias.name == "views"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pilotcli.views"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("pilotcli.views")}
    return found


def test_a_command_imports_only_its_own_view_module() -> None:
    # A call imports its command's view and the shared one, never every command's.
    modules = dict(_modules())
    own = {"commands/list.py": "pilotcli.views.listing"}
    wrong = []
    for name, tree in modules.items():
        if name.startswith("commands/"):
            allowed = {own.get(name, "pilotcli.views." + name.removeprefix("commands/").removesuffix(".py"))}
            wrong += [f"{name} imports {module}" for module in sorted(_views_imported(tree) - allowed)]
        elif name.startswith("views/"):
            allowed = set() if name in ("views/__init__.py", "views/shared.py") else {"pilotcli.views.shared"}
            wrong += [f"{name} imports {module}" for module in sorted(_views_imported(tree) - allowed)]
    assert wrong == []
    assert "views/listing.py" in modules  # the rule looks at the package as laid out


def test_the_views_package_imports_nothing() -> None:
    tree = dict(_modules())["views/__init__.py"]
    assert [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)] == []


def test_the_view_rule_finds_every_form_of_import() -> None:
    source = "from pilotcli import views\nimport pilotcli.views.rank\ndef f():\n    from pilotcli.views.show import x\n"
    tree = ast.parse(source)
    assert _views_imported(tree) == {"pilotcli.views", "pilotcli.views.rank", "pilotcli.views.show"}
