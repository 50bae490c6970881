"""notebooks/sentiment.py holds copies of the core sentiment notebook's functions and classes for the companion
notebook to import. Each copy must be the notebook's cell, name for name (compared as syntax trees, so a changed
line fails and a reformatted one does not)."""
import pathlib

from notebook_outputs import code_source, definitions

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORE = ROOT / "notebooks" / "1_sentiment_rnn_to_lstm.ipynb"
MODULE = ROOT / "notebooks" / "sentiment.py"
SHARED = {"tokenize", "IMDBNotFound", "load_imdb", "reproducible_order", "batches", "predict", "count_parameters",
          "binary_accuracy", "train", "evaluate", "epoch_time", "LSTM", "last_real_state", "LengthLSTM"}


def core_source():
    return code_source(CORE)


def drifted(core, module):
    return sorted(name for name in SHARED if core.get(name) != module.get(name))


def test_module_copies_match_the_core_notebook():
    core, module = definitions(core_source()), definitions(MODULE.read_text(encoding="utf-8"))
    missing = sorted(SHARED - set(core)) + sorted(SHARED - set(module))
    assert not missing, f"not defined in both: {missing}"
    assert not drifted(core, module), f"the module's copy differs from the notebook's cell: {drifted(core, module)}"


def test_a_changed_line_is_caught():
    core = definitions(core_source())
    source = MODULE.read_text(encoding="utf-8").replace("epoch_loss += loss.item() * len(batch)",
                                                        "epoch_loss += loss.item()", 1)
    assert drifted(core, definitions(source)) == ["train"]
