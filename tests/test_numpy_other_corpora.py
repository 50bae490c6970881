"""The NumPy notebook runs to the end on texts other than the repository's article.

Each text in tests/corpora/ differs from data/rnn_history.txt in length and alphabet (one has 29 distinct
characters, one 82 with non-ASCII letters). The notebook is executed in quick mode with an even shorter training
run (QUIZ_ITERATIONS, the same cells and code path), and must finish without an error: it says which text it trains
on, the quiz's shapes follow the text's alphabet size, the many-seed trainer computes the course loop's steps on the
text, and the loss question is answered there too (a median and a range over the seeds).
"""
import os
import pathlib
import re

import nbformat
import pytest
from nbclient import NotebookClient

from notebook_outputs import stream_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "2_lstm_from_scratch_numpy.ipynb"
CORPORA = sorted((ROOT / "tests" / "corpora").glob("*.txt"))


def stdout_of(notebook):
    return "".join(stream_text(c, "stdout") for c in notebook.cells if c.cell_type == "code")


@pytest.mark.parametrize("corpus", CORPORA, ids=[p.stem for p in CORPORA])
def test_notebook_runs_on_another_text(corpus, monkeypatch):
    text = corpus.read_text(encoding="utf-8")
    X_size = len(set(text))
    monkeypatch.setenv("CORPUS", str(corpus))
    monkeypatch.setenv("QUICK", "1")
    monkeypatch.setenv("QUIZ_ITERATIONS", "100")
    monkeypatch.setenv("TQDM_DISABLE", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()   # raises on any error
    out = stdout_of(notebook)
    assert f"training on {corpus}" in out
    assert f"data has {len(text)} characters, {X_size} unique" in out
    assert "W_f (10, %d)\nb_f (10, 1)\nW_v (%d, 10)\nb_v (%d, 1)\n" % (10 + X_size, X_size, X_size) in out
    assert f"Quiz Question 6 (key 7): ({10 + X_size}, 1); 0.0; 5.0" in out
    assert "100 windows of the course loop's run, each step from its weights, memory and state" in out
    assert re.search(r"^Quiz Question 7: median \d+\.\d\d; range \d+\.\d\d to \d+\.\d\d; (\d) of \1 runs; failed: none$", out, re.M)
