"""What every test reads: the repository's paths, the readers of notebooks (tools/notebook_text.py) and of the quiz's
answer tables."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path[:0] = [str(ROOT / "tools"), str(NOTEBOOKS)]   # the readers and tables; the notebooks' modules

from notebook_text import (cells_of, code_source, committed_text, definitions, output_text,  # noqa: E402,F401
                           printed_lines, stream_text)

SENTIMENT_CORE = NOTEBOOKS / "1_sentiment_rnn_to_lstm.ipynb"
NUMPY_CORE = NOTEBOOKS / "2_lstm_from_scratch_numpy.ipynb"
FAST_TRAINER = NOTEBOOKS / "5_numpy_lstm_fast_trainer.ipynb"
ALL_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))
CORPORA = sorted((ROOT / "tests" / "corpora").glob("*.txt"))


def notebook_namespace(path, names, preamble=""):
    """Run `preamble`, then the notebook's own definitions of `names` (functions and classes), in a fresh namespace."""
    found = definitions(code_source(path))
    missing = [n for n in names if n not in found]
    assert not missing, f"{path.name} defines no {missing}"
    namespace = {}
    exec(preamble, namespace)
    for name in names:
        exec(found[name], namespace)
    return namespace


# ---- the quiz's answers: printed on `Quiz Question <label>: <item>; <item>...` lines, and in markdown tables ---------
QUIZ_LABELS = ("1", "2", "3", "4", "5", "6", "7 (shapes)", "7 (loss)")   # the answer key's numbering, in order
ANSWER_LINE = re.compile(r"^Quiz Question (.+?): (.+)$", re.M)


def printed_answers(cells):
    answers = {}
    for c in cells:
        if c["cell_type"] == "code":
            for label, items in ANSWER_LINE.findall(stream_text(c, "stdout")):
                assert label not in answers, f"two answers printed for Quiz Question {label}"
                answers[label] = items.split("; ")
    return answers


def table_answers(text):
    """{label: [bold items]} of the rows of a markdown table whose first cell is a question's label."""
    answers = {}
    for line in text.splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(parts) >= 2 and parts[0] in QUIZ_LABELS:
            answers[parts[0]] = [b.replace("`", "") for b in re.findall(r"\*\*(.+?)\*\*", parts[1])]
    return answers


def quiz_output_lines():
    """The stdout lines of the NumPy core, as committed."""
    return printed_lines(committed_text(NUMPY_CORE.relative_to(ROOT).as_posix()))


# ---- question 7 (loss): the template's `iter N, loss X` status lines, and the run that printed them ------------------
STATUS_LINE = re.compile(r"^iter (\d+), loss (\d+\.\d+)$", re.M)


def loss_run(cells):
    """The one code cell that printed the template's `iter N, loss X` lines: ([(N, X), ...], its answers). Fails if
    such lines come from more than one cell, that is from more than one run."""
    runs = [(STATUS_LINE.findall(stream_text(c, "stdout")), printed_answers([c]))
            for c in cells if c["cell_type"] == "code" and STATUS_LINE.search(stream_text(c, "stdout"))]
    assert len(runs) == 1, f"`iter N, loss X` lines printed by {len(runs)} cells, not by one run"
    return [(int(n), x) for n, x in runs[0][0]], runs[0][1]
