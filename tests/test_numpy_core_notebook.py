"""The core NumPy notebook stands alone and its answer table says what it printed.

* Opened alone (in Colab), it trains on a copy of data/rnn_history.txt kept in a cell: that copy must be the file.
* Its first cell is the answer table; each row's answer must be what the committed notebook printed on its
  `Quiz Question` line.
* No notebook calls an API that NumPy or matplotlib removed (the template's np.row_stack and 'seaborn-white').
"""
import base64
import json
import pathlib
import re
import zlib

import tables
from notebook_outputs import stream_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORE = ROOT / "notebooks" / "2_lstm_from_scratch_numpy.ipynb"
NUMPY_NOTEBOOKS = [CORE] + sorted((ROOT / "notebooks").glob("[456]_numpy_*.ipynb"))
ANSWER_LINE = re.compile(r"^Quiz Question (.+?): (.+)$", re.M)


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_embedded_text_is_data_rnn_history():
    code = "\n".join("".join(c["source"]) for c in cells(CORE) if c["cell_type"] == "code")
    embedded = re.search(r'^EMBEDDED = "([A-Za-z0-9+/=]+)"$', code, re.M)
    assert embedded, "no EMBEDDED copy of the text in the core notebook"
    text = zlib.decompress(base64.b64decode(embedded.group(1))).decode("utf-8")
    assert text == (ROOT / "data" / "rnn_history.txt").read_text(encoding="utf-8")


def test_the_answer_table_is_the_first_cell_and_matches_the_printed_answers():
    # the notebook as committed: after `make run` on another machine, the printed loss answer may differ on disk
    nb = json.loads(tables.committed_text(CORE.relative_to(ROOT).as_posix()))["cells"]
    assert nb[0]["cell_type"] == "markdown"
    table = {}
    for line in "".join(nb[0]["source"]).splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(parts) >= 3 and re.fullmatch(r"\d+b?", parts[0]):
            table[parts[0]] = parts[2]
    printed = {}
    for c in nb:
        if c["cell_type"] == "code":
            for label, items in ANSWER_LINE.findall(stream_text(c, "stdout")):
                printed[label.split()[0]] = items
    assert set(table) == set(printed) == {"1", "2", "3", "4", "4b", "5", "6", "7"}, (table, printed)
    for label, items in printed.items():
        for item in items.split("; "):
            assert item.replace("`", "") in table[label].replace("`", ""), (label, item, table[label])


def test_no_notebook_calls_a_removed_api():
    removed = re.compile(r"np\.row_stack\s*\(|style\.use\(\s*['\"]seaborn-white['\"]")
    for path in NUMPY_NOTEBOOKS:
        for c in cells(path):
            if c["cell_type"] == "code":
                code = re.sub(r"#.*", "", "".join(c["source"]))   # a comment may name the template's call
                assert not removed.search(code), f"{path.name}: {code[:200]}"
