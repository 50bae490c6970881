"""The sentiment notebooks' code: the IMDB loader's errors, the module's copies of the core's cells, the module's split,
`last_real_state` on padded batches, and `predict_sentiment`'s P(positive)."""
import importlib
import json
import random
import re
from collections import defaultdict
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from conftest import (NOTEBOOKS, ROOT, SENTIMENT_CORE, code_source, committed_text, definitions, notebook_namespace,
                      printed_lines)

MODULE = NOTEBOOKS / "sentiment.py"
SHARED = {"tokenize", "IMDBNotFound", "load_imdb", "reproducible_order", "batches", "predict", "count_parameters",
          "binary_accuracy", "train", "evaluate", "epoch_time", "seed_batch_order", "fit", "RNN", "LSTM",
          "last_real_state", "LengthRNN", "LengthLSTM", "gradient_reach", "LastK"}
RECIPE = re.compile(r"^MAX_EPOCHS, PATIENCE, CLIP = .*$", re.M)   # the working recipe's settings, one line
CLOSED_PORT_URL = "http://127.0.0.1:9/aclImdb_v1.tar.gz"   # port 9 (discard): connection refused at once


def core_code_cells():
    return ["".join(c["source"]) for c in json.loads(SENTIMENT_CORE.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]


def run_core_cells(until, skip=()):
    """Run the core notebook's code cells from its imports to the first cell that contains `until`."""
    namespace = {}
    cells = core_code_cells()
    first = next(k for k, src in enumerate(cells) if src.startswith("import os"))
    last = next(k for k, src in enumerate(cells) if until in src)
    for source in cells[first:last + 1]:
        if not any(s in source for s in skip):
            exec(compile(source, str(SENTIMENT_CORE), "exec"), namespace)
    return namespace


# ---- the module's copies --------------------------------------------------------------------------------------------
def drifted(core, module):
    return sorted(name for name in SHARED if core.get(name) != module.get(name))


def test_module_copies_match_the_core_notebook():
    core, module = definitions(code_source(SENTIMENT_CORE)), definitions(MODULE.read_text(encoding="utf-8"))
    missing = sorted(SHARED - set(core)) + sorted(SHARED - set(module))
    assert not missing, f"not defined in both: {missing}"
    assert not drifted(core, module), f"the module's copy differs from the notebook's cell: {drifted(core, module)}"


def test_the_module_has_the_core_notebooks_recipe():
    core, module = RECIPE.findall(code_source(SENTIMENT_CORE)), RECIPE.findall(MODULE.read_text(encoding="utf-8"))
    assert len(core) == 1 and core == module, (core, module)


def test_a_changed_line_or_comment_is_caught():
    core, source = definitions(code_source(SENTIMENT_CORE)), MODULE.read_text(encoding="utf-8")
    changed = source.replace("epoch_loss += loss.item() * len(batch)", "epoch_loss += loss.item()", 1)
    assert drifted(core, definitions(changed)) == ["train"]
    changed = source.replace("#hidden = [1, batch size, hid dim]", "#hidden = [batch size, hid dim]", 1)
    assert drifted(core, definitions(changed)) == ["RNN"]
    changed = source.replace("seed_batch_order(train_iterator, seed)   #", "#", 1)   # fit without the batch order
    assert drifted(core, definitions(changed)) == ["fit"]


# ---- the loader -----------------------------------------------------------------------------------------------------
@pytest.fixture
def loader(tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_ROOT", str(tmp_path))
    monkeypatch.setenv("QUICK", "1")
    monkeypatch.chdir(NOTEBOOKS)
    namespace = run_core_cells("def load_imdb")
    monkeypatch.setattr(namespace["datasets"].IMDB, "urls", [CLOSED_PORT_URL])
    return namespace


def test_download_failure_names_the_url_the_folder_and_the_fix(loader, tmp_path):
    with pytest.raises(loader["IMDBNotFound"]) as raised:
        loader["load_imdb"](loader["TEXT"], loader["LABEL"])
    message = str(raised.value)
    assert CLOSED_PORT_URL in message
    assert str(tmp_path / "imdb" / "aclImdb") in message
    assert "Fix:" in message and "IMDB_ROOT" in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__   # no chained traceback


def test_empty_cache_folder_is_reported_not_loaded_as_zero_reviews(loader, tmp_path):
    (tmp_path / "imdb" / "aclImdb" / "train" / "pos").mkdir(parents=True)   # an interrupted extraction
    (tmp_path / "imdb" / "aclImdb" / "test" / "pos").mkdir(parents=True)
    with pytest.raises(loader["IMDBNotFound"], match="holds no reviews"):
        loader["load_imdb"](loader["TEXT"], loader["LABEL"])


# ---- the module's split is the core's -------------------------------------------------------------------------------
def small_imdb(root, per_folder=30):
    """A made-up IMDB in the original layout: aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt."""
    rng = random.Random(0)
    words = "good bad film plot actor great awful story boring fine the a and of it was".split()
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            folder = root / "imdb" / "aclImdb" / split / label
            folder.mkdir(parents=True)
            for k in range(per_folder):
                text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 40)))
                (folder / f"{k}_{8 if label == 'pos' else 2}.txt").write_text(text + ".", encoding="utf-8")


def test_the_module_gives_the_core_notebooks_split(tmp_path, monkeypatch):
    small_imdb(tmp_path)
    monkeypatch.setenv("IMDB_ROOT", str(tmp_path))
    monkeypatch.setenv("QUICK", "1")
    monkeypatch.chdir(NOTEBOOKS)
    core = run_core_cells("LABEL.build_vocab", skip=("share of positive",))   # that check needs the real IMDB
    import sentiment
    module = importlib.reload(sentiment)   # DATA_ROOT is read from IMDB_ROOT at import
    TEXT, LABEL, train_data, valid_data, test_data = module.imdb_splits()
    for name, split in (("train_data", train_data), ("valid_data", valid_data), ("test_data", test_data)):
        ours = [(ex.text, ex.label) for ex in split.examples]
        assert ours == [(ex.text, ex.label) for ex in core[name].examples], f"{name} differs from the core's"
    assert (len(train_data), len(valid_data), len(test_data)) == (42, 18, 60)
    assert TEXT.vocab.itos == core["TEXT"].vocab.itos and LABEL.vocab.stoi == core["LABEL"].vocab.stoi


# ---- last_real_state ------------------------------------------------------------------------------------------------
def test_last_real_state_is_what_packing_gives_on_a_mostly_padded_batch():
    from sentiment import last_real_state
    torch.manual_seed(0)
    lstm = nn.LSTM(5, 7)
    lengths = torch.tensor([2, 40, 1, 13, 40, 6])
    x = torch.randn(int(lengths.max()), len(lengths), 5)
    assert 1 - lengths.sum().item() / x.shape[:2].numel() > 0.5   # most of the batch is padding
    with torch.no_grad():
        output, (after_padding, _) = lstm(x)
        _, (packed, _) = lstm(nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False))
        ours = last_real_state(output, lengths)
    assert torch.allclose(ours, packed.squeeze(0), atol=1e-6)
    assert not torch.allclose(after_padding.squeeze(0), packed.squeeze(0), atol=1e-3)   # the padding matters here


# ---- predict_sentiment ----------------------------------------------------------------------------------------------
class WordModel(nn.Module):
    """A fake classifier of P(label 1): logit +2 for a review with "great" in it if label 1 is pos, -2 if it is neg."""
    def __init__(self, label_1_is_pos, reads_lengths):
        super().__init__()
        self.sign, self.reads_lengths = (1 if label_1_is_pos else -1), reads_lengths

    def forward(self, text, *lengths):
        assert len(lengths) == (1 if self.reads_lengths else 0), "called with the wrong inputs"
        return self.sign * torch.where((text == 2).any(dim=0), 2.0, -2.0).unsqueeze(1)


@pytest.mark.parametrize("label_1", ["pos", "neg"])
@pytest.mark.parametrize("reads_lengths", [False, True])
def test_predict_sentiment_gives_p_positive_whichever_label_is_1(label_1, reads_lengths):
    stoi = defaultdict(int, {"<unk>": 0, "<pad>": 1, "great": 2, "film": 3, "dull": 4})
    ns = notebook_namespace(SENTIMENT_CORE, ["predict_sentiment"], "import torch")
    ns.update(tokenize=str.split, device=torch.device("cpu"),
              TEXT=SimpleNamespace(vocab=SimpleNamespace(stoi=stoi), unk_token="<unk>"),
              LABEL=SimpleNamespace(vocab=SimpleNamespace(stoi={label_1: 1, {"pos": "neg", "neg": "pos"}[label_1]: 0})))
    model = WordModel(label_1 == "pos", reads_lengths)
    p_great, p_dull = (ns["predict_sentiment"](model, s) for s in ("a great film", "a dull film"))
    assert p_great == pytest.approx(torch.sigmoid(torch.tensor(2.0)).item())
    assert p_dull == pytest.approx(torch.sigmoid(torch.tensor(-2.0)).item())


# ---- how far back a network reaches: gradient_reach and LastK -------------------------------------------------------
class LinearRNN(nn.Module):
    """h_t = a h_(t-1) + x_t, read at the last real token: the gradient with respect to x_t is a^(L-1-t) times the one
    with respect to the last input, exactly."""
    def __init__(self, a, vocab=11, dim=3):
        super().__init__()
        self.a, self.embedding, self.fc = a, nn.Embedding(vocab, dim), nn.Linear(dim, 1)

    def forward(self, text, text_lengths):
        from sentiment import last_real_state
        h, states = torch.zeros(text.shape[1], self.embedding.embedding_dim, dtype=torch.float64), []
        for x in self.embedding(text).double():
            h = self.a * h + x
            states.append(h)
        return self.fc.double()(last_real_state(torch.stack(states), text_lengths)).float()


@pytest.mark.parametrize("a", [0.5, 0.9])
def test_gradient_reach_shrinks_by_a_per_step_in_a_linear_rnn(a):
    from sentiment import gradient_reach
    torch.manual_seed(0)
    model = LinearRNN(a)
    lengths = torch.tensor([30, 12, 25, 30])
    text = torch.randint(2, 11, (30, 4))
    labels = torch.tensor([1.0, 0.0, 1.0, 0.0])
    reach = gradient_reach(model, text, lengths, labels, 40).double()
    # at the last real token: |sigmoid(logit) - label| * ||w||, averaged over the reviews
    with torch.no_grad():
        p = torch.sigmoid(model(text, lengths).squeeze(1)).double()
    expected_0 = ((p - labels.double()).abs() * model.fc.weight.double().norm()).mean()
    assert reach[0].item() == pytest.approx(expected_0.item(), rel=1e-5)
    # distances 0..11 are reached by all four reviews: the gradient shrinks by exactly a per step
    assert torch.allclose(reach[1:12] / reach[:11], torch.full((11,), a, dtype=torch.float64), rtol=1e-4)
    assert torch.isnan(reach[30:]).all()   # no review is longer than 30 tokens


class Recorder(nn.Module):
    """Records the text and lengths it is given."""
    def forward(self, text, text_lengths):
        self.seen = (text.clone(), text_lengths.clone())
        return torch.zeros(text.shape[1], 1)


def test_last_k_keeps_the_last_k_real_tokens_not_the_padding():
    from sentiment import LastK
    pad = 1
    reviews = [[10, 11, 12, 13, 14, 15, 16], [20, 21, 22], [30, 31, 32, 33, 34]]
    lengths = torch.tensor([len(r) for r in reviews])
    text = torch.full((7, 3), pad)
    for b, r in enumerate(reviews):
        text[:len(r), b] = torch.tensor(r)
    inner = Recorder()
    LastK(inner, 4, pad)(text, lengths)
    kept, kept_lengths = inner.seen
    assert kept_lengths.tolist() == [4, 3, 4]
    assert kept.T.tolist() == [[13, 14, 15, 16], [20, 21, 22, pad], [31, 32, 33, 34]]
    LastK(inner, 100, pad)(text, lengths)   # k beyond every review: the whole text, unchanged
    assert torch.equal(inner.seen[0], text) and torch.equal(inner.seen[1], lengths)


# ---- the core's learning rates are the ones the rate search chose ---------------------------------------------------
RATE_SEARCH = NOTEBOOKS / "8_sentiment_learning_rates.ipynb"


def chosen_rates(lines):
    """{network: rate} from the rate search's printed `chosen rates: RNN 0.001, LSTM 0.003` line."""
    (line,) = [l for l in lines if l.startswith("chosen rates: ")]
    return {network: float(rate) for network, rate in (item.split() for item in line[len("chosen rates: "):].split(", "))}


def core_rates(source):
    (line,) = re.findall(r"^LEARNING_RATES = (\{.*?\})", source, re.M)
    return eval(line)


def test_the_core_and_the_module_train_at_the_rates_chosen_on_validation():
    printed = chosen_rates(printed_lines(committed_text(RATE_SEARCH.relative_to(ROOT).as_posix())))
    assert core_rates(code_source(SENTIMENT_CORE)) == printed
    assert core_rates(MODULE.read_text(encoding="utf-8")) == printed
    edited = code_source(SENTIMENT_CORE).replace('"LSTM": ', '"LSTM": 10 * ', 1)
    assert core_rates(edited) != printed
