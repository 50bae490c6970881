"""Cheap checks of what the notebooks rely on and what the repository must never contain."""
import json
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_corpus_has_the_course_alphabet_size():
    text = (ROOT / "data" / "rnn_history.txt").read_text(encoding="utf-8")
    # 75 distinct characters, like the course's text: the quiz's shapes (z is 85 x 1, ...) depend on it.
    assert len(set(text)) == 75
    assert 9_000 <= len(text) <= 11_000


def test_requirements_are_exact_pins():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    pins = [l for l in lines if l and not l.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.+]*", p) for p in pins), pins
    assert "torch==2.13.0" in pins and "torchtext==0.6.0" in pins


def test_committed_notebooks_are_executed_without_errors():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
        assert all(c.get("execution_count") is not None for c in code), f"{path.name}: unexecuted cells"
        errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{path.name}: {[e.get('ename') for e in errors]}"


def test_no_data_or_weights_are_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert tracked, "not a git checkout?"
    bad = [f for f in tracked if "aclImdb" in f or f.endswith((".tar.gz", ".pt", ".pth", ".npz", ".pkl"))]
    assert not bad, bad
