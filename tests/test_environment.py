"""The environment: requirements.txt declares every package that tests/ (and tools/, which the tests import) imports,
requirements.lock pins every package of the environment the tests run in at the version installed (`make setup`
builds it so), the two files agree, and `make setup` refuses another Python than the lock's with a message that says
what to do."""
import ast
import importlib.metadata
import os
import platform
import re
import subprocess
import sys

from conftest import NOTEBOOKS, ROOT

LOCK = ROOT / "requirements.lock"
NOT_FROZEN = {"pip"}   # what make lock leaves out: pip comes with the venv


def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    """{normalised name: version} of a requirements file's `name==version` lines."""
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {normal(name): version for name, _, version in (line.partition("==") for line in lines if line)}


def imported(paths):
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield from (alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                yield node.module.split(".")[0]


def undeclared(paths, declared):
    """{module: [its distributions]} of the modules `paths` import that no distribution in `declared` provides."""
    local = {p.stem for folder in (ROOT / "tests", ROOT / "tools", NOTEBOOKS) for p in folder.glob("*.py")}
    provided_by = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(set(imported(paths)) - set(sys.stdlib_module_names) - local):
        distributions = sorted({normal(d) for d in provided_by.get(module, [module])})
        if not set(distributions) & declared:
            missing[module] = distributions
    return missing


TESTS_AND_TOOLS = sorted((ROOT / "tests").glob("*.py")) + sorted((ROOT / "tools").glob("*.py"))


def test_every_package_the_tests_import_is_declared():
    missing = undeclared(TESTS_AND_TOOLS, set(pins(ROOT / "requirements.txt")))
    assert not missing, f"imported by tests/ or tools/, not declared in requirements.txt: {missing}"


def test_an_undeclared_import_is_caught():
    declared = set(pins(ROOT / "requirements.txt")) - {"nbformat"}
    assert "nbformat" in undeclared(TESTS_AND_TOOLS, declared)


def installed():
    return {normal(d.metadata["Name"]): d.version.split("+")[0] for d in importlib.metadata.distributions()
            if normal(d.metadata["Name"]) not in NOT_FROZEN}


def test_the_environment_is_the_locked_one():
    locked, have = pins(LOCK), installed()
    differ = {name: (locked.get(name), version) for name, version in have.items() if locked.get(name) != version}
    absent = sorted(set(locked) - set(have))
    assert not differ and not absent, (
        f"this environment is not the one {LOCK.name} pins: {differ} (name: (locked, installed)); locked but not "
        f"installed: {absent}. Rebuild it (make clean, make setup), or after a change of requirements.txt: make lock")


def test_requirements_and_lock_pin_the_same_versions():
    locked = pins(LOCK)
    differ = {name: (version, locked.get(name)) for name, version in pins(ROOT / "requirements.txt").items()
              if locked.get(name) != version}
    assert not differ, f"requirements.txt and {LOCK.name} differ (name: (requirements, lock)): {differ}"


def check_python(tmp_path, **variables):
    """`make check-python`, as `make setup` runs it before it makes .venv from $(PYTHON): this interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    args = ["make", "-s", "check-python", f"VENV={tmp_path / 'venv'}", f"PYTHON={sys.executable}"]
    return subprocess.run(args + [f"{k}={v}" for k, v in variables.items()], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_setup_accepts_the_locked_python(tmp_path):
    result = check_python(tmp_path)
    assert result.returncode == 0, result.stderr


def test_setup_refuses_another_python_and_says_what_to_do(tmp_path):
    other = "3.9" if sys.version_info[:2] != (3, 9) else "3.10"
    result = check_python(tmp_path, LOCKED_PYTHON=other)
    assert result.returncode != 0
    assert f"needs Python {other}" in result.stderr and f"is Python {platform.python_version()}" in result.stderr
    assert f"make setup PYTHON=/path/to/python{other}" in result.stderr, result.stderr
