"""The architecture's rules, checked on the source: who may import whom, and a light start-up path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "tradewatch"

# package -> modules it must never import (ARCHITECTURE.md, "Layout")
FORBIDDEN = {
    "scrapers": ("prefect", "sqlalchemy", "great_expectations", "tradewatch.db", "tradewatch.flows", "tradewatch.alerts", "tradewatch.expectations"),
    "expectations": ("prefect", "tradewatch.flows", "tradewatch.alerts"),
    "db": ("prefect", "great_expectations", "tradewatch.flows", "tradewatch.alerts", "tradewatch.expectations"),
    "alerts": ("prefect", "great_expectations", "tradewatch.flows", "tradewatch.expectations"),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_respect_the_import_rules(package):
    folder = PKG / package
    if not folder.exists():
        pytest.skip(f"tradewatch/{package} not present")
    bad = []
    for py in folder.rglob("*.py"):
        for mod in imports_of(py):
            if any(mod == f or mod.startswith(f + ".") for f in FORBIDDEN[package]):
                bad.append(f"{py.relative_to(PKG.parent)} imports {mod}")
    assert not bad, "\n".join(bad)


def test_nothing_but_the_cli_imports_flows():
    bad = [
        str(py.relative_to(PKG.parent))
        for py in PKG.rglob("*.py")
        if "flows" not in py.parts and py.name not in ("cli.py", "demo.py")
        and any(m.startswith("tradewatch.flows") for m in imports_of(py))
    ]
    assert not bad, bad


def test_cli_start_up_path_stays_light():
    code = (
        "import sys, tradewatch.cli; "
        "heavy = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('great_expectations', 'pandas', 'prefect', 'matplotlib', 'sqlalchemy')}); "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing the CLI pulled in {out}"


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "tradewatch.cli", "--help"], capture_output=True, text=True, check=True).stdout
    for cmd in ("demo", "nightly", "backfill", "reprocess", "extract", "figures", "ranking", "quarantine", "status", "alerts", "report", "serve"):
        assert cmd in out
