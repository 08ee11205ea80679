"""The architecture's rules, checked on the source (docs/architecture.md, "Who may import whom").

The repository's top level is the design card's: ``flows/ scrapers/ expectations/ db/``
with ``alerts/`` and ``report/`` as their peers, and ``tradewatch/`` for what every layer
shares. Each is a top-level package of the installed application.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tradewatch", "scrapers", "expectations", "db", "alerts", "report", "flows")

# package -> the project's packages it may import at run time. Imports under
# ``if TYPE_CHECKING:`` are types only and are not counted.
MAY_IMPORT = {
    "scrapers": {"tradewatch", "scrapers"},
    "expectations": {"tradewatch", "expectations", "db"},
    "db": {"tradewatch", "db"},
    "alerts": {"tradewatch", "alerts", "db"},
    "report": {"tradewatch", "report", "db"},
    "flows": set(PACKAGES),
}
# The shared vocabulary (everything in tradewatch/ but the face: cli.py, demo.py, samples/).
VOCABULARY_MAY_IMPORT = {"tradewatch"}
FACE = ("cli.py", "demo.py", "samples")
FLOW_RUNNERS = ("cli.py", "demo.py")  # nothing else imports flows/

# Where the three frameworks may appear.
LIBRARIES = {
    "prefect": {"flows"},
    "great_expectations": {"expectations"},
    "sqlalchemy": {"db", "alerts", "report", "flows", "face"},
}


def runtime_imports(path: Path) -> set[str]:
    """Absolute imports of a module, leaving out those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def modules(package: str):
    for py in sorted((ROOT / package).rglob("*.py")):
        rel = py.relative_to(ROOT / package)
        if package == "tradewatch" and rel.parts[0] in FACE:
            yield py, "face"
        else:
            yield py, package


def test_the_top_level_is_the_design_cards():
    for name in ("pyproject.toml", "flows", "scrapers", "expectations", "db", "tests", "deploy", "alerts", "report"):
        assert (ROOT / name).exists(), f"{name} missing at the repository root"
    for package in PACKAGES:
        assert (ROOT / package / "__init__.py").is_file(), f"{package}/ is not a package"
    # tradewatch/ keeps the vocabulary, settings, errors, the command line and the demo only
    assert {
        p.name for p in (ROOT / "tradewatch").iterdir() if p.suffix == ".py" or (p.is_dir() and p.name != "__pycache__")
    } == {"__init__.py", "model.py", "config.py", "errors.py", "cli.py", "demo.py", "data", "samples"}


@pytest.mark.parametrize("package", [*sorted(MAY_IMPORT), "tradewatch"])
def test_packages_respect_the_import_rules(package):
    bad = []
    for py, layer in modules(package):
        if layer == "face":  # of the face, only the command line and the demo run the flows
            allowed = set(PACKAGES) - ({"flows"} if py.name not in FLOW_RUNNERS else set())
        else:
            allowed = MAY_IMPORT.get(layer, VOCABULARY_MAY_IMPORT)
        for mod in runtime_imports(py):
            top = mod.split(".")[0]
            if top in PACKAGES and top not in allowed:
                bad.append(f"{py.relative_to(ROOT)} imports {mod}")
            if top in LIBRARIES and layer not in LIBRARIES[top]:
                bad.append(f"{py.relative_to(ROOT)} imports {mod} (allowed in {sorted(LIBRARIES[top])} only)")
    assert not bad, "\n".join(bad)


def test_one_module_per_source_and_no_source_named_twice():
    from scrapers import SOURCE_MODULES

    for source_id, module in SOURCE_MODULES.items():
        assert module == f"scrapers.{source_id}", f"source {source_id} lives in {module}, not scrapers/{source_id}.py"
        assert (ROOT / "scrapers" / f"{source_id}.py").is_file()
        assert (ROOT / "tests" / "scrapers" / f"test_{source_id}.py").is_file(), (
            f"no tests/scrapers/test_{source_id}.py"
        )
    stems = [py.stem for py in (ROOT / "scrapers").rglob("*.py") if py.stem != "__init__"]
    twice = sorted({s for s in stems if s in SOURCE_MODULES and stems.count(s) > 1})
    assert not twice, f"modules named after a source in more than one place: {twice}"


def test_the_distribution_ships_every_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in PACKAGES:
        assert package in include and f"{package}.*" in include, f"pyproject.toml does not ship {package}"
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    for package in PACKAGES:
        assert f"COPY {package} ./{package}" in dockerfile, f"the Dockerfile does not copy {package}/"


def _top_level_names(dist: md.Distribution) -> set[str]:
    names = set((dist.read_text("top_level.txt") or "").split())
    for f in dist.files or ():
        first = f.parts[0] if f.parts else ""
        if (
            first
            and first != ".."
            and not first.endswith((".dist-info", ".egg-info", ".data", ".pth"))
            and first != "__pycache__"
        ):
            names.add(first.removesuffix(".py").split(".")[0])
    return names


def test_no_other_installed_distribution_provides_our_top_level_packages():
    clashes = []
    for dist in md.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name == "tradewatch":
            continue
        for top in _top_level_names(dist) & set(PACKAGES):
            clashes.append(f"{dist.metadata['Name']} {dist.version} provides a top-level {top!r}")
    assert not clashes, "\n".join(clashes)


def test_cli_start_up_path_stays_light():
    code = (
        "import sys, tradewatch.cli; "
        "heavy = sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('great_expectations', 'pandas', 'prefect', 'matplotlib', 'sqlalchemy')}); "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"importing the CLI pulled in {out}"


def test_help_lists_the_commands():
    out = subprocess.run(
        [sys.executable, "-m", "tradewatch.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for cmd in (
        "demo",
        "nightly",
        "backfill",
        "reprocess",
        "extract",
        "figures",
        "ranking",
        "quarantine",
        "status",
        "alerts",
        "report",
        "serve",
    ):
        assert cmd in out


@pytest.mark.slow
def test_the_wheel_holds_every_package_and_its_data(tmp_path):
    """What `pip install .` and the Docker image get: the seven packages, their templates, migrations and data."""
    import shutil
    import zipfile

    src = tmp_path / "src"  # a copy: the build writes build/ and *.egg-info beside the sources
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(src), "-w", str(out)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("tradewatch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    top_level = next(n for n in names if n.endswith(".dist-info/top_level.txt"))
    assert set(zipfile.ZipFile(wheel).read(top_level).decode().split()) == set(PACKAGES)
    for data_file in (
        "alerts/templates/slack.json.j2",
        "alerts/templates/messages/ranking.overtake.txt.j2",
        "report/templates/report.html.j2",
        "db/migrations/env.py",
        "db/migrations/script.py.mako",
        "db/migrations/versions/0002_period_indexes.py",
        "scrapers/prose/terms.toml",
        "tradewatch/data/countries.csv",
        "tradewatch/samples/README.md",
    ):
        assert data_file in names, f"the wheel lacks {data_file}"
    assert any(n.startswith("tradewatch/samples/archive/objects/") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
