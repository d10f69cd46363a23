"""Which package may import which: read from the source with `ast`, so a new import that breaks a rule fails here.

Every `import x` and `from x import y` counts, also inside functions and under `if TYPE_CHECKING:`. Each failure
names the module, the line and what it imports.
"""

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1] / "app"

# Top-level modules of app/ (db, extensions, mail, errors, web...): infrastructure any domain may use.
INFRASTRUCTURE = frozenset(f"app.{path.stem}" for path in APP_DIR.glob("*.py") if path.stem != "__init__")

# The application factory registers every blueprint, so it alone may import any views module and app.api.
WIRING = "app"


@dataclass(frozen=True)
class Module:
    name: str  # app.laws.views
    path: Path
    tree: ast.Module

    @property
    def domain(self) -> str | None:
        """The package right under app/ (app.auth for app.auth.two_factor.views), None for app/*.py."""
        return None if self.path.parent == APP_DIR else ".".join(self.name.split(".")[:2])

    @property
    def is_views(self) -> bool:
        """A module named views.py, or any other module that creates a Blueprint."""
        return self.path.name == "views.py" or any(
            isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Blueprint"
            for node in ast.walk(self.tree)
        )

    def where(self, node: ast.AST) -> str:
        return f"{self.path.relative_to(APP_DIR.parent)}:{node.lineno}"


@cache
def modules() -> dict[str, Module]:
    found = {}
    for path in sorted(APP_DIR.rglob("*.py")):
        parts = path.relative_to(APP_DIR.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = Module(name, path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return found


def imports(module: Module) -> list[tuple[str, ast.AST]]:
    """Every (imported name, node) of a module: `from a.b import c` gives a.b and a.b.c (c may be a module)."""
    found = []
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, node))
            found += [(f"{base}.{alias.name}", node) for alias in node.names]
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(rule) -> list[str]:
    """Run rule(module, imported name) over every import of every module; return the statements it refuses."""
    found = {}
    for module in modules().values():
        for name, node in imports(module):
            if rule(module, name):
                found[(module.path, node.lineno)] = f"{module.where(node)}: {ast.unparse(node)}"
    return [found[key] for key in sorted(found)]


def test_the_walk_sees_imports_inside_functions():
    # app/api/views.py imports search inside its search view; a walk that missed it would make every rule vacuous.
    assert "app.search.services" in {name for name, _ in imports(modules()["app.api.views"])}


def test_auth_knows_only_organisations_and_infrastructure():
    def refused(module, name):
        if not within(module.name, "app.auth") or not within(name, "app"):
            return False
        allowed = within(name, "app.auth") or within(name, "app.organisations") or name == "app"
        return not allowed and not any(within(name, infra) for infra in INFRASTRUCTURE)

    found = violations(refused)
    assert not found, "app/auth may import only app.organisations and infrastructure:\n" + "\n".join(found)


@pytest.mark.parametrize("other", ["app.comments", "app.moderation", "app.search", "app.notifications", "app.api"])
def test_laws_do_not_know_the_domains_built_on_them(other):
    found = violations(lambda module, name: within(module.name, "app.laws") and within(name, other))
    assert not found, f"app/laws must not import {other}:\n" + "\n".join(found)


def test_nothing_imports_the_api():
    def refused(module, name):
        return within(name, "app.api") and module.name != WIRING and not within(module.name, "app.api")

    found = violations(refused)
    assert not found, "Only the application factory may import app.api:\n" + "\n".join(found)


def test_views_do_not_import_other_domains_views():
    views = {name: module for name, module in modules().items() if module.is_views}

    def refused(module, name):
        if not module.is_views:
            return False
        target = views.get(name) or views.get(name.rpartition(".")[0])
        return target is not None and target.domain != module.domain

    found = violations(refused)
    assert not found, (
        "A views module may not import another domain's views; shared request helpers go to app/web.py, "
        "loaders to the domain's own modules (app/laws/access.py):\n" + "\n".join(found)
    )


def _is_draft(node: ast.AST) -> bool:
    """`LawStatus.DRAFT` or the string "draft"."""
    if isinstance(node, ast.Constant):
        return node.value == "draft"
    return isinstance(node, ast.Attribute) and node.attr == "DRAFT" and getattr(node.value, "id", None) == "LawStatus"


def test_only_laws_decide_that_drafts_are_hidden():
    found = {}
    for module in modules().values():
        if within(module.name, "app.laws"):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Compare) and any(_is_draft(part) for part in ast.walk(node)):
                found[(module.path, node.lineno)] = f"{module.where(node)}: {ast.unparse(node)}"
            elif isinstance(node, ast.Attribute) and _is_draft(node):
                found.setdefault((module.path, node.lineno), f"{module.where(node)}: uses LawStatus.DRAFT")
    found = [found[key] for key in sorted(found)]
    assert not found, (
        "Who sees a draft is decided in app/laws (Law.is_visible_to, Law.is_public, app/laws/access.py); elsewhere "
        "ask them instead of testing the status:\n" + "\n".join(found)
    )
