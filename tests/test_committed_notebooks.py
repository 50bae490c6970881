"""The notebooks as students read them on GitHub, and what the repository must (never) hold: every notebook executed
without errors, no progress-bar noise, no removed API called, no data or weights tracked, exact pins."""
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ALL_NOTEBOOKS, ROOT, cells_of, stream_text
from notebook_outputs import is_progress_widget

MAX_PER_NOTEBOOK, MAX_PER_CELL = 20, 3


def code_cells(path):
    return [c for c in cells_of(path) if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def stderr_lines(cell):
    """Non-empty stderr lines of a cell, each carriage return read as a new line (as a static renderer shows them)."""
    text = stream_text(cell, "stderr")
    return [line for line in text.replace("\r", "\n").split("\n") if line.strip()]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_executed_without_errors(path):
    code = code_cells(path)
    assert all(c.get("execution_count") is not None for c in code), f"{path.name}: unexecuted cells"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {[e.get('ename') for e in errors]}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_no_progress_bar_refreshes_or_widgets(path):
    per_cell = {i: len(stderr_lines(c)) for i, c in enumerate(code_cells(path))}
    noisy = {i: n for i, n in per_cell.items() if n > MAX_PER_CELL}
    assert not noisy, f"{path.name}: code cells with more than {MAX_PER_CELL} stderr lines: {noisy}"
    assert sum(per_cell.values()) <= MAX_PER_NOTEBOOK, f"{path.name}: {sum(per_cell.values())} stderr lines"
    widgets = sum(is_progress_widget(o) for c in code_cells(path) for o in c["outputs"])
    assert not widgets, f"{path.name}: {widgets} progress-bar widgets (make run drops them)"


def test_the_progress_checks_see_a_progress_bar():
    refreshes = {"outputs": [{"output_type": "stream", "name": "stderr",
                              "text": ["\r  0%|          | 0/274\r 40%|####      | 110/274\r100%|##########| 274/274\n"]},
                             {"output_type": "stream", "name": "stdout", "text": ["Epoch: 01\n"]}]}
    assert len(stderr_lines(refreshes)) == 3
    bar = {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                                                   "text/plain": ["  0%|          | 0/274 [00:00<?, ?it/s]"]}}
    assert is_progress_widget(bar)
    assert not is_progress_widget({"output_type": "display_data", "data": {"text/plain": ["<Figure>"]}})


REMOVED_API = re.compile(r"np\.row_stack\s*\(|style\.use\(\s*['\"]seaborn-white['\"]")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_calls_a_removed_api(path):
    """The template's np.row_stack (removed in NumPy 2.5) and 'seaborn-white' (removed from matplotlib)."""
    for c in code_cells(path):
        code = re.sub(r"#.*", "", "".join(c["source"]))   # a comment may name the template's call
        assert not REMOVED_API.search(code), f"{path.name}: {code[:200]}"
    assert REMOVED_API.search("z = np.row_stack((h_prev, x))")


def tracked_files():
    """The files git tracks here, or None outside a git checkout of this repository (an unpacked ZIP download)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True)
    except FileNotFoundError:   # no git installed
        return None
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != ROOT:
        return None
    return subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()


def test_no_data_or_weights_are_tracked():
    tracked = tracked_files()
    if tracked is None:
        pytest.skip("not a git checkout (an unpacked ZIP download?): there are no tracked files to check")
    assert tracked, "a git checkout that tracks nothing"
    bad = [f for f in tracked if "aclImdb" in f or f.endswith((".tar.gz", ".pt", ".pth", ".npz", ".pkl"))]
    assert not bad, bad


def test_requirements_are_exact_pins():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    pins = [l for l in lines if l and not l.startswith("#")]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.+]*", p) for p in pins), pins
    assert "torch==2.13.0" in pins and "torchtext==0.6.0" in pins


def test_the_article_has_the_course_alphabet_size():
    text = (ROOT / "data" / "rnn_history.txt").read_text(encoding="utf-8")
    # 75 distinct characters, like the course's text: the quiz's shapes (z is 85 x 1, ...) depend on it.
    assert len(set(text)) == 75
    assert 9_000 <= len(text) <= 11_000
