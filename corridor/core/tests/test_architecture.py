"""The README's architecture rules that import-linter cannot state: no module imports another
app's private names (a leading underscore), tests aside."""

import ast
from pathlib import Path

import corridor

ROOT = Path(corridor.__file__).parent


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _private_imports_across_apps() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent)
        if "tests" in relative.parts or "migrations" in relative.parts:
            continue
        module = ".".join(relative.with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if not node.module.startswith("corridor.") or _app_of(node.module) == _app_of(module):
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{relative}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def test_no_module_imports_another_apps_private_names():
    assert _private_imports_across_apps() == []
