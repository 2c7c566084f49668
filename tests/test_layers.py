"""Imports run one way: the command line (``pipeline/cli.py``, ``pipeline/__main__.py``) and the commands
(``pipeline/commands/``) import the layers below them, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
UPPER = ("pipeline.cli", "pipeline.commands", "pipeline.__main__")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_upper(name: str) -> bool:
    return any(name == upper or name.startswith(upper + ".") for upper in UPPER)


def test_no_lower_layer_imports_the_command_line_or_a_command() -> None:
    lower = [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in ("cli.py", "__main__.py", "commands")
    ]
    assert len(lower) > 50  # the whole package was read
    upward = {
        str(path.relative_to(PACKAGE)): sorted(name for name in _imports(path) if _is_upper(name))
        for path in lower
    }
    assert {module: names for module, names in upward.items() if names} == {}
