"""The committed notebooks are what students read on GitHub: their outputs must not drown in progress-bar lines."""
import json
import pathlib

from notebook_outputs import is_progress_widget, stream_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_PER_NOTEBOOK, MAX_PER_CELL = 20, 3


def stderr_lines(cell):
    """Non-empty stderr lines of a cell, each carriage return read as a new line (as a static renderer shows them)."""
    text = stream_text(cell, "stderr")
    return [line for line in text.replace("\r", "\n").split("\n") if line.strip()]


def test_stderr_lines_are_counted_like_a_renderer_shows_them():
    refreshes = {"outputs": [{"output_type": "stream", "name": "stderr",
                              "text": ["\r  0%|          | 0/274\r 40%|####      | 110/274\r100%|##########| 274/274\n"]},
                             {"output_type": "stream", "name": "stdout", "text": ["Epoch: 01\n"]}]}
    assert len(stderr_lines(refreshes)) == 3
    assert stderr_lines({"outputs": []}) == []


def test_committed_notebooks_hold_no_progress_bar_refreshes():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        per_cell = {i: len(stderr_lines(c)) for i, c in enumerate(cells)}
        noisy = {i: n for i, n in per_cell.items() if n > MAX_PER_CELL}
        assert not noisy, f"{path.name}: code cells with more than {MAX_PER_CELL} stderr lines: {noisy}"
        assert sum(per_cell.values()) <= MAX_PER_NOTEBOOK, f"{path.name}: {sum(per_cell.values())} stderr lines"


def test_committed_notebooks_hold_no_progress_bar_widgets():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        widgets = sum(is_progress_widget(o) for c in cells for o in c["outputs"])
        assert not widgets, f"{path.name}: {widgets} progress-bar widgets (make run drops them)"


def test_the_widget_check_sees_a_tqdm_widget():
    bar = {"output_type": "display_data", "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x"},
                                                   "text/plain": ["  0%|          | 0/274 [00:00<?, ?it/s]"]}}
    assert is_progress_widget(bar)
    assert not is_progress_widget({"output_type": "display_data", "data": {"text/plain": ["<Figure>"]}})
