"""The sentiment notebook's IMDB loader must fail with a clear message, never hang or silently load nothing.

These tests run the notebook's own cells (up to the loader) outside Jupyter, with IMDB_ROOT pointing at an
empty temporary folder and the download URL pointing at a closed local port, so nothing touches the network.
"""
import json
import pathlib

import pytest

NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "1_sentiment_rnn_to_lstm.ipynb"
CLOSED_PORT_URL = "http://127.0.0.1:9/aclImdb_v1.tar.gz"   # port 9 (discard): connection refused at once


def cells_up_to_loader():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    end = next(k for k, src in enumerate(code) if "def load_imdb" in src)
    return code[:end + 1]


@pytest.fixture
def notebook_namespace(tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_ROOT", str(tmp_path))
    monkeypatch.setenv("QUICK", "1")
    monkeypatch.chdir(NOTEBOOK.parent)
    namespace = {}
    for source in cells_up_to_loader():
        exec(compile(source, str(NOTEBOOK), "exec"), namespace)
    monkeypatch.setattr(namespace["datasets"].IMDB, "urls", [CLOSED_PORT_URL])
    namespace["IMDB_URL"] = CLOSED_PORT_URL
    return namespace


def test_download_failure_names_the_url_the_folder_and_the_fix(notebook_namespace, tmp_path):
    ns = notebook_namespace
    with pytest.raises(ns["IMDBNotFound"]) as raised:
        ns["load_imdb"](ns["TEXT"], ns["LABEL"])
    message = str(raised.value)
    assert CLOSED_PORT_URL in message
    assert str(tmp_path / "imdb" / "aclImdb") in message
    assert "Fix:" in message and "IMDB_ROOT" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__   # no chained traceback


def test_empty_cache_folder_is_reported_not_loaded_as_zero_reviews(notebook_namespace, tmp_path):
    ns = notebook_namespace
    (tmp_path / "imdb" / "aclImdb" / "train" / "pos").mkdir(parents=True)   # an interrupted extraction
    (tmp_path / "imdb" / "aclImdb" / "test" / "pos").mkdir(parents=True)
    with pytest.raises(ns["IMDBNotFound"], match="holds no reviews"):
        ns["load_imdb"](ns["TEXT"], ns["LABEL"])
