"""The NumPy LSTM notebooks' code: the core's text and answers, the module's copies of the notebooks' cells, the
question-7 summary, the many-seed and fast trainers against the course loop, and the core notebook on other texts."""
import base64
import copy
import json
import re
import shutil
import zlib

import nbformat
import numpy as np
from conftest import CORPORA, FAST_TRAINER, NOTEBOOKS, NUMPY_CORE, ROOT, code_source, committed_text, definitions
from conftest import QUIZ_LABELS, notebook_namespace, printed_answers, quiz_output_lines, stream_text, table_answers
from nbclient import NotebookClient

import lstm_numpy as L

MODULE = NOTEBOOKS / "lstm_numpy.py"
COURSE = ["sigmoid", "dsigmoid", "tanh", "dtanh", "Param", "Parameters", "forward", "backward", "clear_gradients",
          "clip_gradients", "forward_backward", "update_paramters", "windows"]
PREAMBLE = "import numpy as np\nfrom tqdm import tqdm\nlearning_rate, weight_sd, parameters = 1e-1, 0.1, None"


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


# ---- question 7 -----------------------------------------------------------------------------------------------------
def test_the_question_7_summary_keeps_slow_starters():
    summarize = core(["summarize"])["summarize"]
    curves = {1234: np.linspace(170, 5.0, 100), 1: np.r_[np.full(60, 150.0), np.linspace(150, 9.0, 40)],
              2: np.linspace(170, 4.0, 100), 3: np.linspace(170, 6.0, 100), 4: np.r_[np.full(50, 120.0), np.full(50, 20.0)]}
    finals, median, slow = summarize(curves, bigram_loss=95.0, slow_at=50)
    assert finals == {1234: 5.0, 1: 9.0, 2: 4.0, 3: 6.0, 4: 20.0}   # every run, the slow ones included
    assert median == 6.0
    assert slow == [1, 4]
    assert summarize({k: c[:40] for k, c in curves.items()}, 95.0, 50)[2] == []   # too short to call anyone slow


def quiz_model(ns, seed, X, H=20):
    np.random.seed(seed)
    return ns["Parameters"](H, H + X, X, 0.1)


def test_many_seeds_computes_each_seeds_course_loop():
    ns = core(["train_course", "ManySeeds", "train_many"])
    data, chars, char_to_idx, _ = L.load_text()
    seeds, n = [1234, 1, 2], 60
    models = [quiz_model(ns, s, len(chars)) for s in seeds]
    many_losses, many_smooth = ns["train_many"](copy.deepcopy(models), data, char_to_idx, 40, n, 100.0)
    for k, model in enumerate(models):
        losses, smooth = ns["train_course"](model, data, char_to_idx, 40, n, 100.0)
        assert np.allclose(many_losses[k], losses, rtol=1e-9) and np.allclose(many_smooth[k], smooth, rtol=1e-9), seeds[k]
    assert not np.allclose(many_losses[0], many_losses[1])   # the seeds are different runs


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
    assert "100 windows of the course loop's run, each step from its weights, memory and state" in out
    assert re.search(r"^Quiz Question 7 \(loss\): this run \d+\.\d{6}; seeds 1234, 1, 2, 3, 4: (\d+\.\d\d, ){4}\d+\.\d\d; "
                     r"median \d+\.\d\d; slow start: not measured \(shorter than SLOW_AT\)$", out, re.M)
    assert re.search(r"^iter 100, loss [\d.]+$", out, re.M)


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
