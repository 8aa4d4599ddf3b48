"""Which way the arrows point (DESIGN.md), checked by walking clinic/**.py with `ast`.

1. A model never imports views, forms, `request`, `current_user` or templates.
2. Views never touch `db.session`; only services (and the thin cli/demo) commit.
4. A feature never imports another feature's views or forms; the catalogue, pdf/ and svg are leaves.
6. Nothing imports wsgi or the app object; config.py reads no environment, and no module reads
   it at import time.
7. Features below the views form an acyclic graph (views may compose other features' services),
   and no import sits inside a function, where it would hide a circle (a short allow-list names
   the heavy third-party leaves loaded on first use).
Each rule is also run against a small bad example, so the checks themselves can fail.
"""

import ast
import functools
import itertools
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "clinic"
FEATURES = (
    "auth", "practice", "couples", "audit", "exercises", "portal", "records", "notes", "reports",
    "pdf", "inbox", "digest", "reminders", "caseload", "mail", "accounts", "safety",
)
MAY_COMMIT = {"services.py", "cli.py", "demo.py"}
# Services split by use case (DESIGN.md: "a feature that grows splits services by use case").
SERVICE_MODULES = {
    "clinic.mail.delivery", "clinic.reports.report", "clinic.reports.supervision",
    "clinic.auth.challenge", "clinic.auth.twofactor", "clinic.safety.signals", "clinic.safety.checkins",
    "clinic.notes.sealing", "clinic.auth.kept",
}
LEAVES = {"clinic.exercises.catalogue": "clinic.exercises.catalogue", "clinic.pdf": "clinic.pdf",
          "clinic.svg": "clinic.svg", "clinic.domain": "clinic.domain"}
# The words of the domain: imports nothing, so any leaf may use it.
SHARED_LEAF = "clinic.domain"


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. "clinic.auth.views"
    filename: str  # e.g. "views.py"
    tree: ast.Module

    @property
    def feature(self) -> str | None:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 2 and parts[1] in FEATURES else None


def parse(name: str, filename: str, source: str) -> Module:
    return Module(name, filename, ast.parse(source))


@functools.cache  # parsed once per test process; the rules only read the trees
def modules() -> tuple[Module, ...]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(parse(".".join(parts), path.name, path.read_text(encoding="utf-8")))
    return tuple(found)


def _imports(tree: ast.AST) -> Iterable[ast.Import | ast.ImportFrom]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom))


def imported(module: Module, nodes: Iterable[ast.AST] | None = None) -> list[tuple[str, int]]:
    """Every module an import statement may load, as absolute dotted names, with its line.

    `from a.b import c` yields both a.b and a.b.c, since c may be a submodule.
    """
    package = module.name.split(".")
    if module.filename != "__init__.py":
        package = package[:-1]
    result = []
    for node in _imports(module.tree) if nodes is None else nodes:
        if isinstance(node, ast.Import):
            result += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            result.append((target, node.lineno))
            result += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return result


def imported_names(module: Module) -> list[tuple[str, str, int]]:
    """(module, name, line) for every `from module import name`."""
    return [
        (node.module or "", alias.name, node.lineno)
        for node in ast.walk(module.tree)
        if isinstance(node, ast.ImportFrom) and not node.level
        for alias in node.names
    ]


def _attribute_uses(module: Module, owner: str, attributes: set[str]) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Attribute) and node.attr in attributes
        and isinstance(node.value, ast.Name) and node.value.id == owner
    ]


# --- The rules: each returns a list of violations as "module:line what" ------------------------

MODEL_MAY_NOT = {("flask", "request"), ("flask", "render_template"),
                 ("flask", "render_template_string"), ("flask_login", "current_user")}


def rule_1_models(module: Module) -> list[str]:
    if module.filename != "models.py":
        return []
    found = [
        f"{module.name}:{line} imports {target}"
        for target, line in imported(module)
        if target.split(".")[-1] in ("views", "forms") or target == "flask.templating"
    ]
    found += [
        f"{module.name}:{line} imports {name} from {source}"
        for source, name, line in imported_names(module)
        if (source, name) in MODEL_MAY_NOT
    ]
    found += [
        f"{module.name}:{line} uses flask.{attr}"
        for attr in ("request", "render_template")
        for line in _attribute_uses(module, "flask", {attr})
    ]
    return found


def rule_2_sessions_and_commits(module: Module) -> list[str]:
    found = []
    if module.filename == "views.py":
        found += [
            f"{module.name}:{line} uses db.session in a view"
            for line in _attribute_uses(module, "db", {"session"})
        ]
    if module.filename not in MAY_COMMIT and module.name not in SERVICE_MODULES:
        found += [
            f"{module.name}:{node.lineno} commits outside a service"
            for node in ast.walk(module.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
        ]
    return found


def rule_4_features(module: Module) -> list[str]:
    found = []
    for target, line in imported(module):
        parts = target.split(".")
        if (
            module.feature and len(parts) >= 3 and parts[0] == "clinic"
            and parts[1] in FEATURES and parts[1] != module.feature
            and parts[2] in ("views", "forms")
        ):
            found.append(f"{module.name}:{line} imports another feature's {target}")
        for leaf, inside in LEAVES.items():
            in_leaf = module.name == leaf or module.name.startswith(leaf + ".")
            if in_leaf and parts[0] == "clinic" and not (
                target == inside or target.startswith(inside + ".")
                or (target == SHARED_LEAF and leaf != SHARED_LEAF)
            ):
                found.append(f"{module.name}:{line} is a leaf but imports {target}")
    if (module.name + ".").startswith("clinic.exercises.catalogue."):
        found += [
            f"{module.name}:{line} is pure data but imports {target}"
            for target, line in imported(module)
            if target.split(".")[0] in ("flask", "flask_sqlalchemy", "sqlalchemy")
        ]
    return found


def _environment_reads(node: ast.AST, *, at_import_only: bool) -> list[int]:
    lines = []
    for child in ast.iter_child_nodes(node):
        if at_import_only and isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        ):
            continue
        if (isinstance(child, ast.Attribute) and child.attr in ("environ", "getenv")) or (
            isinstance(child, ast.Name) and child.id in ("environ", "getenv")
        ):
            lines.append(child.lineno)
        lines += _environment_reads(child, at_import_only=at_import_only)
    return lines


def rule_6_app_and_environment(module: Module) -> list[str]:
    found = [
        f"{module.name}:{line} imports {target}"
        for target, line in imported(module)
        if target == "wsgi" or target.startswith("wsgi.") or target in ("clinic.app", "wsgi.app")
    ]
    at_import_only = module.name != "clinic.config"  # config.py may not read it at all
    found += [
        f"{module.name}:{line} reads the environment"
        + (" at import time" if at_import_only else "")
        for line in _environment_reads(module.tree, at_import_only=at_import_only)
    ]
    return found


# Imports that may wait until first use: WeasyPrint takes ~0.6 s to load and most requests never
# print, so clinic.pdf loads it (and its fetcher, which needs it) only when a PDF is made.
LAZY_ALLOWED = {
    "clinic.pdf": {"clinic.pdf.fetcher"},
    "clinic.pdf.render": {"weasyprint", "clinic.pdf.fetcher"},
}


def _inside_functions(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            found += [child for child in _imports(node) if child not in found]
    return found


def rule_7_no_imports_in_functions(module: Module) -> list[str]:
    allowed = LAZY_ALLOWED.get(module.name, set())
    found = []
    for node in _inside_functions(module.tree):
        targets = [target for target, _line in imported(module, [node])]
        if not allowed.intersection(targets):
            found.append(f"{module.name}:{node.lineno} imports {targets[-1]} inside a function")
    return found


RULES = [
    rule_1_models, rule_2_sessions_and_commits, rule_4_features, rule_6_app_and_environment,
    rule_7_no_imports_in_functions,
]

# Modules above every feature, like the views: they compose features and nothing imports them.
COMPOSERS = {"clinic", "clinic.cli", "clinic.demo"}


def _node(name: str) -> str:
    """The graph node a module belongs to: its feature, or a leaf (which imports no feature and
    so can close no circle), or the top-level module itself."""
    for leaf in LEAVES:
        if name == leaf or name.startswith(leaf + "."):
            return leaf
    parts = name.split(".")
    if len(parts) >= 2 and parts[0] == "clinic":
        return ".".join(parts[:2])
    return name


def feature_graph(found: Sequence[Module]) -> dict[str, dict[str, str]]:
    """node -> {node it imports: "module:line" of one such import}, for everything below the
    views. Imports inside functions count too: hidden, a circle is still a circle."""
    names = {m.name for m in found}
    graph: dict[str, dict[str, str]] = {}
    for module in found:
        if module.filename == "views.py" or module.name in COMPOSERS:
            continue
        source = _node(module.name)
        graph.setdefault(source, {})
        for target, line in imported(module):
            if target not in names or target.split(".")[-1] == "views":
                continue
            node = _node(target)
            if node != source:
                graph[source].setdefault(node, f"{module.name}:{line}")
    return graph


def feature_cycles(found: Sequence[Module]) -> list[str]:
    """Every circle of the graph, as "a -> b -> a (where each arrow is imported)"."""
    graph = feature_graph(found)
    circles, seen = [], set()

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph.get(path[-1], {})):
            if nxt == path[0]:
                key = frozenset(path)
                if key not in seen:
                    seen.add(key)
                    steps = [*path, nxt]
                    where = ", ".join(graph[a][b] for a, b in itertools.pairwise(steps))
                    circles.append(" -> ".join(steps) + f" ({where})")
            elif nxt not in path and nxt > path[0]:
                walk([*path, nxt])

    for start in sorted(graph):
        walk([start])
    return circles


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_code_follows_the_rule(rule):
    found = [violation for module in modules() for violation in rule(module)]

    assert not found, "\n".join(found)


def test_features_below_the_views_form_no_circle():
    found = feature_cycles(modules())

    assert not found, "\n".join(found)


def test_the_walk_sees_the_whole_package():
    names = {m.name for m in modules()}

    assert {"clinic", "clinic.config", "clinic.auth.models", "clinic.couples.views",
            "clinic.audit.services", "clinic.exercises.catalogue"} <= names
    assert len(names) > 30


# --- Each rule catches a bad example ------------------------------------------------------------

BAD = [
    (rule_1_models, "clinic.couples.models", "models.py", "from .forms import CoupleForm"),
    (rule_1_models, "clinic.couples.models", "models.py", "from . import views"),
    (rule_1_models, "clinic.couples.models", "models.py", "from flask import request"),
    (rule_1_models, "clinic.couples.models", "models.py", "from flask_login import current_user"),
    (rule_1_models, "clinic.couples.models", "models.py", "from flask import render_template"),
    (rule_1_models, "clinic.couples.models", "models.py", "import flask\nx = flask.request"),
    (rule_2_sessions_and_commits, "clinic.couples.views", "views.py", "db.session.get(1)"),
    (rule_2_sessions_and_commits, "clinic.couples.models", "models.py", "db.session.commit()"),
    (rule_2_sessions_and_commits, "clinic.couples.views", "views.py", "session.commit()"),
    (rule_4_features, "clinic.couples.services", "services.py", "from ..auth.forms import F"),
    (rule_4_features, "clinic.couples.views", "views.py", "from ..practice import views"),
    (rule_4_features, "clinic.exercises.views", "views.py", "from clinic.couples.forms import F"),
    (rule_4_features, "clinic.exercises.catalogue", "catalogue.py", "from ..extensions import db"),
    (rule_4_features, "clinic.exercises.catalogue", "catalogue.py", "from . import services"),
    (rule_4_features, "clinic.exercises.catalogue", "catalogue.py", "import flask"),
    (rule_4_features, "clinic.exercises.catalogue.files", "files.py", "import sqlalchemy"),
    (rule_4_features, "clinic.pdf.render", "render.py", "from ..couples.services import f"),
    (rule_4_features, "clinic.svg", "svg.py", "from .records.chart import Chart"),
    (rule_6_app_and_environment, "clinic.reports.views", "views.py", "from wsgi import app"),
    (rule_6_app_and_environment, "clinic.reports.views", "views.py", "import wsgi"),
    (rule_6_app_and_environment, "clinic.config", "config.py", "import os\nX = os.environ['X']"),
    (rule_6_app_and_environment, "clinic.config", "config.py",
     "import os\ndef f():\n    return os.getenv('X')"),
    (rule_6_app_and_environment, "clinic.logs", "logs.py",
     "import os\nclass C:\n    LEVEL = os.environ.get('X')"),
    (rule_7_no_imports_in_functions, "clinic.records.progress", "progress.py",
     "def f():\n    from ..notes.services import session_days"),
    (rule_7_no_imports_in_functions, "clinic.security", "security.py",
     "def f():\n    def g():\n        from flask import current_app"),
    (rule_7_no_imports_in_functions, "clinic.notes.services", "services.py",
     "def f():\n    import weasyprint"),  # allowed in clinic.pdf only
]

GOOD = [
    (rule_1_models, "clinic.couples.models", "models.py", "from ..extensions import db"),
    (rule_2_sessions_and_commits, "clinic.couples.services", "services.py", "db.session.commit()"),
    (rule_2_sessions_and_commits, "clinic.cli", "cli.py", "db.session.commit()"),
    (rule_4_features, "clinic.couples.views", "views.py", "from ..practice import services"),
    (rule_4_features, "clinic.couples.views", "views.py", "from .forms import CoupleForm"),
    (rule_4_features, "clinic.pdf.render", "render.py", "from .fetcher import F\nimport flask"),
    (rule_6_app_and_environment, "clinic", "__init__.py",
     "import os\ndef create_app():\n    return os.environ.get('X')"),
    (rule_7_no_imports_in_functions, "clinic.pdf.render", "render.py",
     "from flask import render_template\ndef f():\n    from weasyprint import HTML"),
]


@pytest.mark.parametrize(("rule", "name", "filename", "source"), BAD)
def test_each_rule_catches_a_bad_example(rule, name, filename, source):
    assert rule(parse(name, filename, source))


@pytest.mark.parametrize(("rule", "name", "filename", "source"), GOOD)
def test_each_rule_lets_a_good_example_pass(rule, name, filename, source):
    assert rule(parse(name, filename, source)) == []


# --- The feature graph catches a circle, even one hidden in a function -------------------------

CIRCLES = [
    [("clinic.records.progress", "progress.py", "def f():\n    from ..notes.services import g"),
     ("clinic.notes.services", "services.py", "from ..records.progress import couple_progress")],
    [("clinic.auth.services", "services.py", "from ..practice.services import team"),
     ("clinic.practice.services", "services.py", "from ..couples import services"),
     ("clinic.couples.services", "services.py", "from ..auth.models import User"),
     ("clinic.auth.models", "models.py", "")],
]
NO_CIRCLES = [
    # Views may compose other features' services: a view is not part of the graph.
    [("clinic.couples.views", "views.py", "from ..notes import services"),
     ("clinic.notes.services", "services.py", "from ..couples.services import get_couple"),
     ("clinic.couples.services", "services.py", "")],
    # A leaf imports nothing of clinic, so an arrow into it closes no circle.
    [("clinic.couples.forms", "forms.py", "from ..exercises.catalogue import STAGES"),
     ("clinic.exercises.services", "services.py", "from ..couples.services import get_couple"),
     ("clinic.couples.services", "services.py", ""),
     ("clinic.exercises.catalogue", "catalogue.py", "import tomllib")],
]


@pytest.mark.parametrize("sources", CIRCLES)
def test_the_graph_catches_a_circle(sources):
    found = feature_cycles([parse(*source) for source in sources])

    assert len(found) == 1 and found[0].startswith("clinic."), found


@pytest.mark.parametrize("sources", NO_CIRCLES)
def test_the_graph_lets_an_acyclic_shape_pass(sources):
    assert feature_cycles([parse(*source) for source in sources]) == []


# --- No import cycles: every module can be the first one imported ------------------------------

# Importing clinic.x first runs the package's __init__ (the factory, which imports every
# blueprint) before clinic.x itself: for every module that `import clinic` already loads, being
# imported first is the same as `import clinic`. Each of the others is imported first after the
# package alone: what an earlier one loaded beyond the package is forgotten again.
_IMPORT_EACH = """
import importlib, sys, traceback
failed, reached = [], set()
for name in ["clinic", *sys.argv[1:]]:
    if name in reached:
        continue
    for loaded in [m for m in sys.modules if (m == "clinic" or m.startswith("clinic."))
                   and m not in reached]:
        del sys.modules[loaded]
        parent, _, child = loaded.rpartition(".")
        if parent in sys.modules:  # or `from parent import child` would find the old one
            sys.modules[parent].__dict__.pop(child, None)
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
    if name == "clinic":
        reached = {m for m in sys.modules if m == "clinic" or m.startswith("clinic.")}
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


@pytest.mark.long
def test_every_module_can_be_imported_first():
    """A script, a shell or a test importing e.g. clinic.auth.services first must not hit a cycle."""
    names = [m.name for m in modules()]

    result = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-W", "ignore", "-c", _IMPORT_EACH, *names],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_runs_past_four_hundred_lines():
    # One job per module (issue 10): a module that grows past this is doing two.
    long = {
        str(path.relative_to(ROOT)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
