"""The NumPy LSTM notebooks' code: the core's text and answers, question 7's two loss figures from one run, the seeds
companion's figures, the module's copies of the notebooks' cells, the fast trainer against the course loop, and the
core notebook on other texts."""
import base64
import copy
import json
import re
import shutil
import zlib

import nbformat
import numpy as np
import pytest
from conftest import CORPORA, FAST_TRAINER, NOTEBOOKS, NUMPY_CORE, ROOT, code_source, committed_text, definitions
from conftest import QUIZ_LABELS, loss_run, notebook_namespace, printed_answers, quiz_output_lines, stream_text
from conftest import table_answers
from nbclient import NotebookClient

import lstm_numpy as L

MODULE = NOTEBOOKS / "lstm_numpy.py"
SEEDS_COMPANION = NOTEBOOKS / "9_numpy_lstm_seeds.ipynb"
COURSE = ["sigmoid", "dsigmoid", "tanh", "dtanh", "Param", "Parameters", "forward", "backward", "clear_gradients",
          "clip_gradients", "forward_backward", "update_paramters", "windows"]
PREAMBLE = "import numpy as np\nfrom tqdm import tqdm\nlearning_rate, weight_sd, parameters = 1e-1, 0.1, None"


def committed_cells(path):
    return json.loads(committed_text(path.relative_to(ROOT).as_posix()))["cells"]


def core(names):
    """The core notebook's own definitions of `names` (and of the course's functions they call)."""
    return notebook_namespace(NUMPY_CORE, COURSE + [n for n in names if n not in COURSE], PREAMBLE)


# ---- the core notebook: its text and its answer table ---------------------------------------------------------------
def test_the_embedded_text_is_data_rnn_history():
    embedded = re.search(r'^EMBEDDED = "([A-Za-z0-9+/=]+)"$', code_source(NUMPY_CORE), re.M)
    assert embedded, "no EMBEDDED copy of the text in the core notebook"
    text = zlib.decompress(base64.b64decode(embedded.group(1))).decode("utf-8")
    assert text == (ROOT / "data" / "rnn_history.txt").read_text(encoding="utf-8")


def test_the_answer_table_is_the_first_cell_and_matches_the_printed_answers():
    # the notebook as committed: after `make run` on another machine, the printed loss answer may differ on disk
    cells = json.loads(committed_text(NUMPY_CORE.relative_to(ROOT).as_posix()))["cells"]
    assert cells[0]["cell_type"] == "markdown"
    printed = printed_answers(cells)
    assert list(printed) == list(QUIZ_LABELS), list(printed)
    table = table_answers("".join(cells[0]["source"]))
    assert table == printed, {k: (table.get(k), v) for k, v in printed.items() if table.get(k) != v}
    quoted = re.findall(r"`(iter \d+, loss [\d.]+)`", "".join(cells[0]["source"]))   # lines quoted from the outputs
    lines = quiz_output_lines()
    assert quoted and all(q in lines for q in quoted), quoted


def test_the_table_check_fails_on_a_wrong_row():
    cells = json.loads(committed_text(NUMPY_CORE.relative_to(ROOT).as_posix()))["cells"]
    source = "".join(cells[0]["source"])
    for right, wrong in (("**0.24491**", "**0.24492**"), ("**size_b = z_size**", "**size_b = X_size**")):
        assert right in source
        assert table_answers(source.replace(right, wrong)) != printed_answers(cells)


# ---- the module's copies --------------------------------------------------------------------------------------------
def differences(notebook, module):
    return sorted(name for name in set(notebook) & set(module) if notebook[name] != module[name])


def test_module_copies_the_notebooks_cells():
    module = definitions(MODULE.read_text(encoding="utf-8"))
    for path, shared in ((NUMPY_CORE, COURSE), (FAST_TRAINER, ["FastLSTM"])):
        notebook = definitions(code_source(path))
        missing = [n for n in shared if n not in notebook or n not in module]
        assert not missing, f"not defined in both {path.name} and the module: {missing}"
        assert not differences(notebook, module), f"{path.name} and the module differ: {differences(notebook, module)}"
    assert "lstm_numpy" not in code_source(NUMPY_CORE), "the core notebook must run alone"


def test_a_changed_line_or_comment_is_caught():
    source, notebook = MODULE.read_text(encoding="utf-8"), definitions(code_source(NUMPY_CORE))
    for old, new in (("dC_prev = f * dC", "dC_prev = dC"), ("# Calculate sum of gradients", "# Sum of gradients")):
        changed = source.replace(old, new, 1)
        assert changed != source
        assert differences(notebook, definitions(changed)), (old, new)


# ---- question 7 (loss): one run, two figures --------------------------------------------------------------------------
def loss_row_is_one_run(cells, table):
    """True if the question-7 (loss) row of the markdown `table` gives, in order, the losses that the one cell running
    the course loop printed after N and after 2N iterations (its `iter` lines and its answer line)."""
    lines, answers = loss_run(cells)
    assert len(lines) == 2 and lines[1][0] == 2 * lines[0][0], lines   # the quiz's N iterations, then N more
    figures = [x for _, x in lines]
    return answers.get("7 (loss)") == figures and table_answers(table).get("7 (loss)") == figures


def test_the_loss_row_gives_one_runs_two_figures():
    cells = committed_cells(NUMPY_CORE)
    assert loss_row_is_one_run(cells, "".join(cells[0]["source"]))


def test_the_one_run_check_fails_on_an_edited_or_swapped_figure():
    cells = committed_cells(NUMPY_CORE)
    table = "".join(cells[0]["source"])
    a, b = table_answers(table)["7 (loss)"]
    for right in (a, b):
        wrong = right[:-1] + str((int(right[-1]) + 1) % 10)
        assert not loss_row_is_one_run(cells, table.replace(f"**{right}**", f"**{wrong}**", 1)), right
    swapped = table.replace(f"**{a}**", "\0", 1).replace(f"**{b}**", f"**{a}**", 1).replace("\0", f"**{b}**", 1)
    assert not loss_row_is_one_run(cells, swapped)
    other = copy.deepcopy(cells)   # a second cell printing `iter` lines: a second run
    other.append(dict(cell_type="code", source="", outputs=[dict(output_type="stream", name="stdout",
                                                                 text=f"iter 50000, loss {a}\n")]))
    with pytest.raises(AssertionError, match="not by one run"):
        loss_run(other)


# ---- the seeds companion ------------------------------------------------------------------------------------------
def seeds_figures(cells):
    """The seeds the companion names in its code, and {seed: (iterations, loss)} of the lines it printed."""
    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    seeds = [int(s) for s in re.search(r"^SEEDS = \[([\d, ]+)\]", code, re.M).group(1).split(",")]
    stdout = "".join(stream_text(c, "stdout") for c in cells if c["cell_type"] == "code")
    lines = re.findall(r"^seed +(\d+): iter (\d+), loss (\d+\.\d+)$", stdout, re.M)
    summary = re.search(r"^after ([\d,]+) iterations, over (\d+) seeds: median (\d+\.\d\d), from (\d+\.\d\d) to "
                        r"(\d+\.\d\d)", stdout, re.M)
    return seeds, {int(s): (int(n), float(x)) for s, n, x in lines}, summary


def every_seed_is_reported(cells):
    seeds, figures, summary = seeds_figures(cells)
    if len(seeds) < 5 or list(figures) != seeds or {n for n, _ in figures.values()} != {50_000} or not summary:
        return False
    finals = np.array([x for _, x in figures.values()])
    return summary.groups() == ("50,000", str(len(seeds)), f"{np.median(finals):.2f}", f"{finals.min():.2f}",
                                f"{finals.max():.2f}")


def test_the_seeds_companion_prints_every_seeds_figure_after_50000_iterations():
    assert every_seed_is_reported(committed_cells(SEEDS_COMPANION))


def test_the_seeds_check_fails_on_a_left_out_seed():
    cells = committed_cells(SEEDS_COMPANION)
    k = next(k for k, c in enumerate(cells) if "seed 1234: iter" in stream_text(c, "stdout"))
    left_out = copy.deepcopy(cells)
    left_out[k]["outputs"] = [o for o in left_out[k]["outputs"] if "seed    4: iter" not in "".join(o.get("text", ""))]
    assert stream_text(left_out[k], "stdout") != stream_text(cells[k], "stdout")
    assert not every_seed_is_reported(left_out)


def test_train_fast_matches_the_course_loop():
    ns = core(["train_course"])
    data, chars, char_to_idx, _ = L.load_text()
    np.random.seed(1234)
    start = L.Parameters(100, 100 + len(chars), len(chars), L.weight_sd)
    before = copy.deepcopy(start)
    snapshots = L.train_fast(start, data, char_to_idx, 40, 30, (10, 30))
    assert sorted(snapshots) == [10, 30]
    for q, q0 in zip(start.all(), before.all()):
        assert np.array_equal(q.v, q0.v) and np.array_equal(q.m, q0.m), f"train_fast changed the start's {q.name}"
    course = copy.deepcopy(start)
    ns["train_course"](course, data, char_to_idx, 40, 30, smooth_loss=0.0)
    assert max(np.max(np.abs(q.v - q0.v)) for q, q0 in zip(course.all(), before.all())) > 1e-3, "nothing trained"
    for q, fq in zip(course.all(), snapshots[30].all()):
        for k in "vm":
            a, b = getattr(fq, k), getattr(q, k)
            assert np.max(np.abs(a - b)) <= 1e-9 * np.max(np.abs(b)), f"{q.name}.{k} differs from the course loop's"


# ---- the core notebook on other texts -------------------------------------------------------------------------------
def run_quick(path, monkeypatch, corpus=None):
    """Execute the notebook at `path` in quick mode with 100 training iterations; return its stdout."""
    if corpus:
        monkeypatch.setenv("CORPUS", str(corpus))
    else:
        monkeypatch.delenv("CORPUS", raising=False)
    for name, value in (("QUICK", "1"), ("QUIZ_ITERATIONS", "100"), ("TQDM_DISABLE", "1")):
        monkeypatch.setenv(name, value)
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()   # raises on any error
    return "".join(stream_text(c, "stdout") for c in notebook.cells if c.cell_type == "code")


def check_trained_on(out, text):
    X_size = len(set(text))
    assert f"data has {len(text)} characters, {X_size} unique" in out
    assert "W_f (10, %d)\nb_f (10, 1)\nW_v (%d, 10)\nb_v (%d, 1)\n" % (10 + X_size, X_size, X_size) in out
    assert f"Quiz Question 7 (shapes): ({10 + X_size}, 1); 0.0; 5.0" in out
    run = re.search(r"^iter 100, loss (\d+\.\d{6})\niter 200, loss (\d+\.\d{6})\n(?:.*\n)*?"
                    r"Quiz Question 7 \(loss\): \1; \2$", out, re.M)   # QUIZ_ITERATIONS=100, then 100 more
    assert run, out[-1500:]


def test_the_core_notebook_runs_on_a_text_named_by_corpus(monkeypatch):
    corpus = CORPORA[0]
    out = run_quick(NUMPY_CORE, monkeypatch, corpus)
    assert out.startswith(f"training on {corpus} (named by CORPUS)\n")
    check_trained_on(out, corpus.read_text(encoding="utf-8"))


def test_opened_alone_it_trains_on_text_txt_beside_it(tmp_path, monkeypatch):
    """As in Colab: the notebook alone in a folder, with the student's text.txt (the template's file) beside it."""
    alone = tmp_path / NUMPY_CORE.name
    shutil.copy(NUMPY_CORE, alone)
    shutil.copy(CORPORA[1], tmp_path / "text.txt")
    out = run_quick(alone, monkeypatch)
    assert out.startswith("training on text.txt (the template's file, found beside the notebook)\n")
    check_trained_on(out, CORPORA[1].read_text(encoding="utf-8"))
