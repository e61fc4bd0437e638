"""Installability on Python 3.11–3.14 and the package's metadata (issue 17)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

import ipscore

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
SUPPORTED = ["3.11", "3.12", "3.13", "3.14"]
# Messages pip prints when it cannot reach the package index at all.
UNREACHABLE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Max retries exceeded|"
    r"Network is unreachable|Could not fetch URL|ConnectTimeout|ProxyError"
)


def _requirements_for(python: str) -> list[str]:
    """The dependencies that apply on `python`, markers evaluated for it. pip's
    --python-version does not do this: it evaluates markers against the interpreter running
    pip (pypa/pip#6117, #11010), so on 3.11 it would demand durable-rules for 3.13 too."""
    environment = {"python_version": python, "python_full_version": f"{python}.0"}
    applying = []
    for text in PROJECT["dependencies"]:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            requirement.marker = None
            applying.append(str(requirement))
    return applying


@pytest.mark.parametrize("python", SUPPORTED)
def test_requires_python_admits_every_supported_python(python):
    assert SpecifierSet(PROJECT["requires-python"]).contains(f"{python}.0")
    assert f"Programming Language :: Python :: {python}" in PROJECT["classifiers"]


@pytest.mark.parametrize(("python", "wanted"), [("3.11", True), ("3.12", True),
                                                ("3.13", False), ("3.14", False)])  # fmt: skip
def test_durable_rules_only_where_it_builds(python, wanted):
    names = [Requirement(r).name for r in _requirements_for(python)]
    assert ("durable-rules" in names) is wanted


def _resolve(python: str, folder: Path) -> subprocess.CompletedProcess:
    """Resolve the dependencies for `python` from wheels only (no sdist may be built), without
    installing: pip reads each wheel's metadata and reports what it would install."""
    requirements = folder / f"requirements-{python}.txt"
    requirements.write_text("\n".join(_requirements_for(python)) + "\n", "utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--python-version", python, "--only-binary=:all:", "--target", str(folder / python),
         "--report", str(folder / f"report-{python}.json"), "-r", str(requirements),
         "--disable-pip-version-check", "--timeout", "20"],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip


def test_dependencies_have_wheels_for_3_13_and_3_14(tmp_path):
    pythons = ["3.13", "3.14"]
    with ThreadPoolExecutor(len(pythons)) as pool:
        done = dict(zip(pythons, pool.map(lambda p: _resolve(p, tmp_path), pythons), strict=True))
    for python, result in done.items():
        if result.returncode != 0 and UNREACHABLE.search(result.stderr):
            pytest.skip(f"package index unreachable, wheels for {python} not checked: "
                        f"{UNREACHABLE.search(result.stderr).group(0)}")  # fmt: skip
        assert result.returncode == 0, f"Python {python}:\n{result.stderr[-3000:]}"
        report = json.loads((tmp_path / f"report-{python}.json").read_text("utf-8"))
        names = {item["metadata"]["name"].lower() for item in report["install"]}
        assert {"pandas", "polars", "pyarrow", "pydantic", "pint"} <= names
        assert "durable-rules" not in names
        assert all(item["download_info"]["url"].endswith(".whl") for item in report["install"])


def test_cli_imports_and_runs_without_durable_rules():
    """As on Python 3.13+: durable_rules blocked, every module but the event engine loads and
    a command runs; watch says what is missing."""
    engine = (
        "ipscore.__main__",
        "ipscore.events.host",
        "ipscore.events.watch",
        "ipscore.alerts.engine",
    )
    code = (
        "import sys; sys.modules['durable'] = None\n"
        "import pkgutil, ipscore, ipscore.cli, ipscore.api\n"
        "for m in pkgutil.walk_packages(ipscore.__path__, 'ipscore.'):\n"
        f"    if m.name not in {engine!r}:\n"
        "        __import__(m.name)\n"
        "from ipscore.cli import main\n"
        "main(['rules', 'check'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "0 problem(s)" in done.stdout


def test_version_is_single_sourced():
    assert "version" not in PROJECT and "version" in PROJECT["dynamic"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", ipscore.__version__)
    assert (
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["hatch"]["version"][
            "path"
        ]
        == "ipscore/__init__.py"
    )


def test_license_and_changelog_ship():
    assert PROJECT["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text("utf-8")
    assert "LICENSE" in PROJECT["license-files"]
    assert (ROOT / "CHANGELOG.md").read_text("utf-8").startswith("# Changelog")
    keywords = " ".join(PROJECT["keywords"])
    assert "高价值发明专利" in keywords and "patents" in keywords
