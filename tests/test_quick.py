"""One QUICK: every notebook and module that reads the QUICK environment variable reads it in one line, with one rule
(set, and none of "", "0", "false", "no" in any case or spacing, means quick); a notebook that uses QUICK without
reading it imports it from a module that does."""
import os
import re

import pytest
from conftest import ALL_NOTEBOOKS, NOTEBOOKS, code_source

READS = re.compile(r"""(?:environ|getenv)\W*(?:get\W*)?["']QUICK["']""")
IMPORTS = re.compile(r"^\s*from\s+(\w+)\s+import\s+(?:\([^)]*\bQUICK\b|[^\n(]*\bQUICK\b)", re.M)
MEANS = {"1": True, "true": True, "yes": True, " True ": True, "2": True,
         "": False, "0": False, "false": False, "no": False, " FALSE ": False, "No": False, None: False}
MODULES = sorted(NOTEBOOKS.glob("*.py"))


def code_of(path):
    """The code of a module, or of a notebook's code cells."""
    return path.read_text(encoding="utf-8") if path.suffix == ".py" else code_source(path)


def readings(code):
    return [line.split("#")[0].strip() for line in code.splitlines() if READS.search(line)]


def meaning(line, value, monkeypatch):
    """QUICK as `line` sets it when the variable is `value` (None: not set)."""
    if value is None:
        monkeypatch.delenv("QUICK", raising=False)
    else:
        monkeypatch.setenv("QUICK", value)
    namespace = {"os": os}
    exec(line, namespace)
    return namespace["QUICK"]


def problems(path, code, monkeypatch):
    lines = readings(code)
    if len(lines) > 1:
        return f"{path.name} reads QUICK in {len(lines)} places: {lines}"
    if lines:
        wrong = {v: meaning(lines[0], v, monkeypatch) for v in MEANS if meaning(lines[0], v, monkeypatch) != MEANS[v]}
        return f"{path.name}: {lines[0]!r} gives {wrong} (QUICK=value: quick?)" if wrong else None
    uses, sources = re.search(r"\bQUICK\b", code), IMPORTS.findall(code)
    if uses and not any(readings(code_of(NOTEBOOKS / f"{s}.py")) for s in sources if (NOTEBOOKS / f"{s}.py").exists()):
        return f"{path.name} uses QUICK, neither reading it nor importing it from a module that reads it"
    return None


@pytest.mark.parametrize("path", ALL_NOTEBOOKS + MODULES, ids=lambda p: p.name)
def test_quick_is_read_once_with_the_one_rule(path, monkeypatch):
    problem = problems(path, code_of(path), monkeypatch)
    assert not problem, problem


@pytest.mark.parametrize("line", ['QUICK = os.environ.get("QUICK") == "1"',
                                  'QUICK = os.environ.get("QUICK", "0") not in ("", "0")'])
def test_another_rule_or_a_second_reading_is_caught(line, monkeypatch):
    rule = 'QUICK = os.environ.get("QUICK", "").strip().lower() not in ("", "0", "false", "no")'
    assert problems(NOTEBOOKS / "x.py", rule, monkeypatch) is None
    assert problems(NOTEBOOKS / "x.py", line, monkeypatch)
    assert problems(NOTEBOOKS / "x.py", rule + "\n" + rule.replace("QUICK =", "QUICK_TOO ="), monkeypatch)
    assert problems(NOTEBOOKS / "x.py", "print(QUICK)", monkeypatch)
