"""The NumPy notebook runs to the end on texts other than the repository's article.

Each text in tests/corpora/ differs from data/rnn_history.txt in length and alphabet (one has 29 distinct
characters, one 82 with non-ASCII letters). The notebook is executed in quick mode with an even shorter training
run (QUIZ_ITERATIONS, the same cells and code path), and must finish without an error, with the quiz's shapes
following the text's alphabet size and both step-by-step checks of the fast trainer (1,000 windows each, from the
initial weights and from the trained model) passing on the text.
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
    for threads in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(threads, "1")   # the benchmark's multi-threaded runs crawl when other jobs share the CPU
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()   # raises on any error
    out = stdout_of(notebook)
    assert f"data has {len(text)} characters, {X_size} unique" in out
    assert "W_f (10, %d)\nb_f (10, 1)\nW_v (%d, 10)\nb_v (%d, 1)\n" % (10 + X_size, X_size, X_size) in out
    assert f"Quiz Question 6 (key 7): ({10 + X_size}, 1); 0.0; 5.0" in out
    assert "largest relative difference over 1,000 windows" in out
    assert "every step agrees to a relative 1e-10 or better" in out
    assert re.search(r"^Quiz Question 7: \d+\.\d{6}$", out, re.M)
