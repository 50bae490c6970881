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
    """The stdout lines, as committed, of the NumPy core and of the fast trainer (which prints the key's second loss)."""
    return [l for path in (NUMPY_CORE, FAST_TRAINER) for l in printed_lines(committed_text(path.relative_to(ROOT).as_posix()))]
