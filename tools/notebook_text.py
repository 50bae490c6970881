"""Readers of notebooks and of the files as committed: what the tools in this folder and the tests in tests/ read.
They never write."""
import ast
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent


def committed_text(path):
    """The file at `path` (relative to the repository's root) as last committed, or as on disk outside a git checkout."""
    try:
        return subprocess.run(["git", "show", f"HEAD:{path}"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        return (ROOT / path).read_text(encoding="utf-8")


def cells_of(path):
    """The cells of the notebook at `path` (absolute, or relative to the root) as it is on disk."""
    return json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"]


def stream_text(cell, name):
    """All the text a code cell wrote to the stream `name` ('stdout' or 'stderr'), in order."""
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == name)


def output_text(cell):
    """Everything a code cell printed or displayed as text: its streams and the plain text of its results."""
    parts = []
    for o in cell.get("outputs", []):
        parts.append("".join(o.get("text", "")))
        parts.append("".join(o.get("data", {}).get("text/plain", "")))
    return "".join(parts)


def printed_lines(notebook_text):
    """The stdout lines of a notebook given as JSON text."""
    cells = json.loads(notebook_text)["cells"]
    return [line for c in cells if c["cell_type"] == "code" for line in stream_text(c, "stdout").splitlines()]


def code_source(path):
    """The notebook's code cells as one Python source (lines of shell escapes and magics left out)."""
    code = ["".join(c["source"]) for c in cells_of(path) if c["cell_type"] == "code"]
    return "\n\n".join("\n".join(l for l in cell.splitlines() if not l.lstrip().startswith(("!", "%"))) for cell in code)


def definitions(source):
    """{name: source text} of the top-level functions and classes in `source`, comments included, each line's
    trailing spaces removed."""
    lines = source.splitlines()
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out[node.name] = "\n".join(l.rstrip() for l in lines[node.lineno - 1:node.end_lineno])
    return out
