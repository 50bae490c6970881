"""What the sentiment notebooks share: the class notebook's data pipeline, its training functions and models, and the
helpers the companion notebooks' models and analyses use.

The functions and classes that the core notebook (1_sentiment_rnn_to_lstm.ipynb) also defines are copies of its cells,
name for name, comments included; tests/test_sentiment.py fails if the two drift apart.
"""
import copy
import hashlib
import itertools
import math
import os
import random
import time

import numpy as np
import spacy
import torch
import torch.nn as nn
from torchtext import data, datasets
from tqdm.auto import tqdm

QUICK = os.environ.get("QUICK", "").strip().lower() not in ("", "0", "false", "no")   # changed: short runs for the tests
SEED = 1234
BATCH_SIZE = 64
MAX_VOCAB_SIZE = 25_000
QUICK_BATCHES = 8   # per pass over a split, in quick mode only

torch.backends.cudnn.deterministic = True
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
IN_REPO = os.path.isdir(os.path.join("..", "data"))
DATA_ROOT = os.environ.get("IMDB_ROOT", os.path.join("..", "data", ".data") if IN_REPO else ".data")
CHECKPOINTS = os.path.join("..", "data", "checkpoints") if IN_REPO else "checkpoints"

nlp = spacy.blank("en")   # changed: the class loads en_core_web_sm; its tokenizer rules are the same


# ---- copies of the core notebook's cells ------------------------------------------------------------------------
def tokenize(text):
    return [token.text for token in nlp.tokenizer(text)]


class IMDBNotFound(RuntimeError):
    pass


def load_imdb(text_field, label_field, root=DATA_ROOT):
    """torchtext's IMDB loader, with a clear error when the data is neither on disk nor downloadable."""
    folder = os.path.join(root, datasets.IMDB.name, datasets.IMDB.dirname)
    fix = (f"Fix: download {datasets.IMDB.urls[0]} and extract it so that {folder}/train/pos/ exists, "
           f"or set IMDB_ROOT to a folder that holds imdb/aclImdb/.")
    try:
        splits = datasets.IMDB.splits(text_field, label_field, root=root)
    except Exception as err:
        raise IMDBNotFound(f"IMDB is not in {folder} and the download failed ({type(err).__name__}: {err}).\n{fix}") from None
    if min(len(s) for s in splits) == 0:
        raise IMDBNotFound(f"{folder} holds no reviews.\n{fix}")
    return splits


def reproducible_order(dataset):
    """Sort the examples by a hash of their text: the same order on every machine, unrelated to the label."""
    dataset.examples.sort(key=lambda ex: (hashlib.sha1(" ".join(ex.text).encode()).hexdigest(), ex.label))


def batches(iterator):
    n = min(QUICK_BATCHES, len(iterator)) if QUICK else len(iterator)
    return tqdm(itertools.islice(iterator, n), total=n, leave=False, mininterval=5)


def predict(model, batch):
    #batch.text = [sent len, batch size], or (text, text_lengths) with include_lengths=True
    inputs = batch.text if isinstance(batch.text, tuple) else (batch.text,)
    return model(*inputs).squeeze(1)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def binary_accuracy(preds, y):
    """Returns accuracy per batch, i.e. if you get 8/10 right, this returns 0.8, NOT 8"""
    rounded_preds = torch.round(torch.sigmoid(preds))
    correct = (rounded_preds == y).float()
    acc = correct.sum() / len(correct)
    return acc


def train(model, iterator, optimizer, criterion, clip=None):
    epoch_loss, epoch_acc, n_examples = 0.0, 0.0, 0
    model.train()
    for batch in batches(iterator):                  # changed: progress bar, quick mode
        optimizer.zero_grad()
        predictions = predict(model, batch)          # changed: the class calls model(batch.text).squeeze(1)
        loss = criterion(predictions, batch.label)
        acc = binary_accuracy(predictions, batch.label)
        loss.backward()
        if clip:                                     # changed: gradient-norm clipping, if asked for
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        epoch_loss += loss.item() * len(batch)       # changed: averaged over reviews, not batches
        epoch_acc += acc.item() * len(batch)
        n_examples += len(batch)
    return epoch_loss / n_examples, epoch_acc / n_examples


def evaluate(model, iterator, criterion):
    epoch_loss, epoch_acc, n_examples = 0.0, 0.0, 0
    model.eval()
    with torch.no_grad():
        for batch in batches(iterator):
            predictions = predict(model, batch)
            loss = criterion(predictions, batch.label)
            acc = binary_accuracy(predictions, batch.label)
            epoch_loss += loss.item() * len(batch)
            epoch_acc += acc.item() * len(batch)
            n_examples += len(batch)
    return epoch_loss / n_examples, epoch_acc / n_examples


def epoch_time(start_time, end_time):
    elapsed_time = end_time - start_time
    elapsed_mins = int(elapsed_time / 60)
    elapsed_secs = int(elapsed_time - (elapsed_mins * 60))
    return elapsed_mins, elapsed_secs


def seed_batch_order(iterator, seed):
    """Start the iterator's shuffling from `seed`: every model trained from the same seed sees the same batches in the
    same order, whatever was trained before it."""
    iterator.random_shuffler.random_state = random.Random(seed).getstate()


N_EPOCHS = 5 if not QUICK else 2
criterion = nn.BCEWithLogitsLoss().to(device)
results = {}


def fit(name, model, optimizer, iterators, n_epochs=N_EPOCHS, seed=SEED, clip=None, patience=None):
    """The class's epoch loop, for every model (changed). It keeps the weights of the epoch with the lowest validation
    loss, stops once `patience` epochs in a row have not lowered it (if given), and evaluates the kept weights on the
    test set once, if `iterators` holds a test iterator."""
    train_iterator, valid_iterator = iterators[:2]
    seed_batch_order(train_iterator, seed)   # changed: the same batch order for every model
    best_valid_loss, best_epoch, history, valid_history, valid_losses = float('inf'), 0, [], [], []
    print(f'The model has {count_parameters(model):,} trainable parameters')
    for epoch in range(n_epochs):
        start_time = time.time()
        train_loss, train_acc = train(model, train_iterator, optimizer, criterion, clip)
        valid_loss, valid_acc = evaluate(model, valid_iterator, criterion)
        end_time = time.time()
        epoch_mins, epoch_secs = epoch_time(start_time, end_time)
        history.append(train_loss)
        valid_history.append(valid_acc)
        valid_losses.append(valid_loss)
        if valid_loss < best_valid_loss:
            best_valid_loss, best_valid_acc, best_epoch = valid_loss, valid_acc, epoch + 1
            best_weights = copy.deepcopy(model.state_dict())   # changed: kept in memory (the class saves a file)
        print(f'Epoch: {epoch+1:02} | Epoch Time: {epoch_mins}m {epoch_secs}s')
        print(f'\tTrain Loss: {train_loss:.3f} | Train Acc: {train_acc*100:.2f}%')
        print(f'\t Val. Loss: {valid_loss:.3f} |  Val. Acc: {valid_acc*100:.2f}%')
        if patience and epoch + 1 - best_epoch >= patience:   # changed: early stopping, if asked for
            print(f'Stopped: no lower validation loss in the {patience} epochs after epoch {best_epoch}')
            break
    model.load_state_dict(best_weights)
    results[name] = dict(params=count_parameters(model), lr=optimizer.param_groups[0]['lr'], train_loss=history,
                         valid_accs=valid_history, valid_losses=valid_losses, best_epoch=best_epoch,
                         valid_loss=best_valid_loss, valid_acc=best_valid_acc)
    if len(iterators) > 2:
        test_loss, test_acc = evaluate(model, iterators[2], criterion)
        print(f'Test Loss: {test_loss:.3f} | Test Acc: {test_acc*100:.2f}%')
        results[name].update(test_loss=test_loss, test_acc=test_acc)


# The working recipe of the core's section 3, the same for the RNN and the LSTM: Adam, the gradient's norm clipped to
# CLIP, up to MAX_EPOCHS epochs, stopping after PATIENCE epochs without a lower validation loss.
MAX_EPOCHS, PATIENCE, CLIP = (10, 2, 1.0) if not QUICK else (2, 1, 1.0)
LEARNING_RATES = {"RNN": 0.001, "LSTM": 0.003}   # chosen on validation in 8_sentiment_learning_rates.ipynb


class RNN(nn.Module):
    def __init__(self, input_dim, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, text):
        #text = [sent len, batch size]
        embedded = self.embedding(text)
        #embedded = [sent len, batch size, emb dim]
        output, hidden = self.rnn(embedded)
        #output = [sent len, batch size, hid dim]
        #hidden = [1, batch size, hid dim]
        assert torch.equal(output[-1,:,:], hidden.squeeze(0))
        return self.fc(hidden.squeeze(0))


class LSTM(nn.Module):
    def __init__(self, input_dim, embedding_dim, hidden_dim, output_dim):
        super().__init__()
        self.embedding = nn.Embedding(input_dim, embedding_dim)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim)                # was: nn.RNN(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, text):
        #text = [sent len, batch size]
        embedded = self.embedding(text)
        #embedded = [sent len, batch size, emb dim]
        output, (hidden, cell) = self.rnn(embedded)                  # was: output, hidden = self.rnn(embedded)
        #output = [sent len, batch size, hid dim]
        #hidden, cell = [1, batch size, hid dim] each
        assert torch.equal(output[-1,:,:], hidden.squeeze(0))
        return self.fc(hidden.squeeze(0))


def last_real_state(output, text_lengths):
    #output = [sent len, batch size, hid dim] -> [batch size, hid dim]: the output at each review's last token
    return output[text_lengths.to(output.device) - 1, torch.arange(output.shape[1], device=output.device)]


class LengthRNN(RNN):
    """The class's RNN, reading the output at each review's last real token."""
    reads_lengths = True

    def forward(self, text, text_lengths):
        #text = [sent len, batch size], text_lengths = [batch size]
        output, hidden = self.rnn(self.embedding(text))
        return self.fc(last_real_state(output, text_lengths))


class LengthLSTM(LSTM):
    """The drop-in LSTM, reading the output at each review's last real token."""
    reads_lengths = True

    def forward(self, text, text_lengths):
        #text = [sent len, batch size], text_lengths = [batch size]
        output, (hidden, cell) = self.rnn(self.embedding(text))
        return self.fc(last_real_state(output, text_lengths))


def gradient_reach(model, text, text_lengths, labels, max_distance):
    """How far back the gradient reaches: the size (L2 norm) of the gradient of the loss with respect to each
    position's input, its token's embedding, averaged over the batch's reviews, by the position's distance from the
    review's last real token (0: the last real token). Returns max_distance + 1 values, nan where no review reaches."""
    inputs = []
    hook = model.embedding.register_forward_hook(lambda module, args, output: inputs.append(output))
    was_training = model.training
    model.train()   # cuDNN computes an RNN's gradients in training mode only
    predictions = model(text, text_lengths).squeeze(1)
    hook.remove()
    model.train(was_training)
    loss = nn.functional.binary_cross_entropy_with_logits(predictions, labels, reduction='sum')
    grads, = torch.autograd.grad(loss, inputs[0])
    #grads = [sent len, batch size, emb dim]: each review's own gradient, since the loss is summed over the reviews
    norms = grads.norm(dim=2)
    positions = torch.arange(len(norms), device=norms.device).unsqueeze(1)
    distance = text_lengths.to(norms.device).unsqueeze(0) - 1 - positions   #[sent len, batch size]
    return torch.stack([norms[distance == d].mean() for d in range(max_distance + 1)]).cpu()


class LastK(nn.Module):
    """A trained model that reads only the last k real tokens of each review: they are moved to the start, with
    padding after them, and the lengths are cut to k."""
    reads_lengths = True

    def __init__(self, model, k, pad_idx):
        super().__init__()
        self.model, self.k, self.pad_idx = model, k, pad_idx

    def forward(self, text, text_lengths):
        #text = [sent len, batch size], text_lengths = [batch size]
        text_lengths = text_lengths.to(text.device)
        lengths = text_lengths.clamp(max=self.k)
        positions = (text_lengths - lengths).unsqueeze(0) + torch.arange(int(lengths.max()), device=text.device).unsqueeze(1)
        #positions = [k, batch size]: where each kept token sits in the review
        kept = text.gather(0, positions.clamp(max=len(text) - 1))
        kept[positions >= text_lengths.unsqueeze(0)] = self.pad_idx
        return self.model(kept, lengths)


# ---- the data, as the core notebook prepares it -----------------------------------------------------------------
def imdb_splits():
    """The core notebook's pipeline: TEXT and LABEL fields, IMDB in a reproducible order, the class's seeded 70/30
    split, the 25,000-token vocabulary. Returns (TEXT, LABEL, train_data, valid_data, test_data)."""
    import random
    random.seed(SEED)
    torch.manual_seed(SEED)
    TEXT = data.Field(tokenize=tokenize)
    LABEL = data.LabelField(dtype=torch.float)
    train_data, test_data = load_imdb(TEXT, LABEL)
    for dataset in (train_data, test_data):
        reproducible_order(dataset)
    train_data, valid_data = train_data.split(random_state=random.seed(SEED))
    TEXT.build_vocab(train_data, max_size=MAX_VOCAB_SIZE)
    LABEL.build_vocab(train_data)
    for dataset in (train_data, valid_data, test_data):   # each example's position in its split, for the analyses
        for k, ex in enumerate(dataset.examples):
            ex.idx = k
    return TEXT, LABEL, train_data, valid_data, test_data


def length_iterators(datasets_, TEXT, LABEL):
    """BucketIterators over (train, valid, test) whose batches carry (text, text_lengths), the label and `idx`."""
    LENGTH_TEXT = data.Field(tokenize=tokenize, include_lengths=True)
    LENGTH_TEXT.vocab = TEXT.vocab
    IDX = data.Field(sequential=False, use_vocab=False)
    fields = [('text', LENGTH_TEXT), ('label', LABEL), ('idx', IDX)]
    return data.BucketIterator.splits(
        tuple(data.Dataset(d.examples, fields) for d in datasets_),
        batch_size=BATCH_SIZE, sort_key=lambda ex: len(ex.text), sort_within_batch=True, device=device)


# ---- training beyond the class's loop ---------------------------------------------------------------------------
class Clipped:
    """An optimizer that clips the gradients' norm to `max_norm` before each step (train() stays the class's)."""
    def __init__(self, optimizer, max_norm):
        self.optimizer, self.max_norm = optimizer, max_norm
        self.params = [p for group in optimizer.param_groups for p in group['params']]

    def zero_grad(self):
        self.optimizer.zero_grad()

    def step(self):
        nn.utils.clip_grad_norm_(self.params, self.max_norm)
        self.optimizer.step()


def fit_every_epoch(name, model, optimizer, iterators, n_epochs, select='loss', criterion=None):
    """The class's epoch loop, keeping every epoch's checkpoint in a file. select='loss' keeps the epoch with the best
    validation loss (the class's rule), select='acc' the best validation accuracy. The test set is not touched.
    Returns {'history': per-epoch losses and accuracies, 'best': the chosen epoch's checkpoint path,
    'epoch_paths': every epoch's checkpoint}."""
    criterion = criterion or nn.BCEWithLogitsLoss().to(device)
    os.makedirs(CHECKPOINTS, exist_ok=True)
    history = {'train_loss': [], 'train_acc': [], 'valid_loss': [], 'valid_acc': [], 'seconds': []}
    paths = [os.path.join(CHECKPOINTS, f"{name.split('.')[0]}-epoch{e + 1}.pt") for e in range(n_epochs)]
    print(f'{name}: {count_parameters(model):,} trainable parameters')
    for epoch in range(n_epochs):
        start_time = time.time()
        train_loss, train_acc = train(model, iterators[0], optimizer, criterion)
        valid_loss, valid_acc = evaluate(model, iterators[1], criterion)
        end_time = time.time()
        for key, value in zip(history, (train_loss, train_acc, valid_loss, valid_acc, end_time - start_time)):
            history[key].append(value)
        torch.save(model.state_dict(), paths[epoch])
        epoch_mins, epoch_secs = epoch_time(start_time, end_time)
        print(f'Epoch: {epoch+1:02} | Epoch Time: {epoch_mins}m {epoch_secs}s')
        print(f'\tTrain Loss: {train_loss:.3f} | Train Acc: {train_acc*100:.2f}%')
        print(f'\t Val. Loss: {valid_loss:.3f} |  Val. Acc: {valid_acc*100:.2f}%')
    key = history['valid_loss'] if select == 'loss' else [-a for a in history['valid_acc']]
    best = paths[int(np.argmin(key))]
    model.load_state_dict(torch.load(best))
    return {'history': history, 'best': best, 'epoch_paths': paths, 'params': count_parameters(model)}


def predictions_of(model, paths, iterator):
    """P(label 1) of `model` on every review of `iterator`, averaged over the checkpoints in `paths` (None: the model's
    weights as they are), with the label, the review's length and its position in the split (`idx`), as numpy arrays."""
    runs = []
    for path in paths or [None]:
        if path is not None:
            model.load_state_dict(torch.load(path))
        model.eval()
        records = []
        with torch.no_grad():
            for batch in batches(iterator):
                text, lengths = batch.text
                records.append(dict(prob=torch.sigmoid(predict(model, batch)).cpu(), label=batch.label.cpu(),
                                    length=lengths.cpu(), idx=batch.idx.cpu()))
        runs.append({k: torch.cat([r[k] for r in records]).numpy() for k in records[0]})
    out = runs[0]
    assert all((run['idx'] == out['idx']).all() for run in runs)   # the same reviews in the same order
    out['prob'] = np.mean([run['prob'] for run in runs], axis=0)
    return out


def accuracy(out):
    return float(np.mean((out['prob'] > 0.5) == out['label']))


def log_loss(out):
    p = np.clip(out['prob'], 1e-7, 1 - 1e-7)
    return float(-np.mean(out['label'] * np.log(p) + (1 - out['label']) * np.log(1 - p)))


def standard_error(p, n):
    return math.sqrt(p * (1 - p) / n)


def paired_difference(correct_a, correct_b):
    """Accuracy difference a - b on the same reviews, and its standard error."""
    d = np.asarray(correct_a, float) - np.asarray(correct_b, float)
    return d.mean(), d.std(ddof=1) / math.sqrt(len(d))


def copy_with(model, path):
    m = copy.deepcopy(model)
    m.load_state_dict(torch.load(path))
    return m.eval()
