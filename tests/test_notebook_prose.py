"""Every run-dependent figure in a notebook's prose is one that a notebook printed, or is cited to a named source.

A figure is a decimal number (`0.63`, `55.61`) or a percentage (`4%`) in a markdown cell, outside code spans and
formulas. It passes if the notebook's own outputs print it (as a whole number: `0.5` is not found in `0.508`), or if
its paragraph names another notebook of the repository whose outputs print it. A sentence that cites the course's
answer key or the class notebook, and a version number after a package's name, are not run figures. The notebooks are
read as committed, like the README's checks, so that `make run` on another machine does not change what is checked.
"""
import json
import re

import pytest
from conftest import ALL_NOTEBOOKS, ROOT, committed_text, output_text

FIGURE = re.compile(r"(?<![\w.,])\d+(?:\.\d+)?%|(?<![\w.,])\d+\.\d+(?![\w]|\.\d)")
CODE = re.compile(r"`[^`]*`|\$[^$]*\$|<!--.*?-->", re.S)
CITED = re.compile(r"answer key|the key's|the key\b|class notebook|class's|course's", re.I)
VERSION = re.compile(r"(?i)\b(python|numpy|matplotlib|torch|torchtext|spacy|scikit-learn|scipy|nbval|tqdm)\s+$")
NAMED = re.compile(r"\b(\d_[a-z_]+?)(?:\.ipynb)?\b")


def committed_cells(path):
    return json.loads(committed_text(path.relative_to(ROOT).as_posix()))["cells"]


def outputs_of(cells):
    """The text of every output, plus each number printed in scientific notation written out (`1.9e-01`: `0.19`)."""
    text = "\n".join(output_text(c) for c in cells if c["cell_type"] == "code")
    written = [f"{float(m[0]):.{1 + len(m[1] or '')}g}" for m in re.finditer(r"\d(?:\.(\d+))?e[-+]\d+", text)]
    return text + "\n" + " ".join(written)


OUTPUTS = {path.stem: outputs_of(committed_cells(path)) for path in ALL_NOTEBOOKS}


def printed(figure, text):
    return re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", text) is not None


def figures(cells, stem):
    """(cell index, figure, sentence, status) of every figure in the markdown cells; status is 'printed' (by this
    notebook, or by a notebook its paragraph names), 'cited', 'version' or 'missing'."""
    for k, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for paragraph in re.split(r"\n\s*\n|\n(?=\s*(?:[*-]|\d+\.) )", "".join(cell["source"])):
            sources = [OUTPUTS[stem]] + [OUTPUTS[n] for n in NAMED.findall(paragraph) if n in OUTPUTS and n != stem]
            for sentence in re.split(r"(?<=[.;!?])\s+(?=[A-Z*(])|\n(?=\|)", CODE.sub(" ", paragraph)):   # table rows too
                for m in FIGURE.finditer(sentence):
                    figure = m.group(0).rstrip("%")
                    status = ("cited" if CITED.search(sentence) else "version" if VERSION.search(sentence[:m.start()])
                              else "printed" if any(printed(figure, text) for text in sources) else "missing")
                    yield k, m.group(0), sentence.strip()[:120], status


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_in_the_prose_is_printed_or_cited(path):
    missing = [(f, sentence) for _, f, sentence, status in figures(committed_cells(path), path.stem) if status == "missing"]
    assert not missing, f"{path.name}: figures that no output prints: {missing}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_an_edited_figure_is_caught(path):
    """Change the last digit of a figure the check accepts as printed: the check must then report it."""
    cells = committed_cells(path)
    for k, figure, _, status in figures(cells, path.stem):
        number = figure.rstrip("%")
        edited = number[:-1] + str((int(number[-1]) + 1) % 10)
        if status != "printed" or any(printed(edited, o) for o in OUTPUTS.values()):
            continue   # not a printed figure, or an edit that happens to be printed somewhere: try the next one
        source = "".join(cells[k]["source"])
        changed = [dict(c) for c in cells]
        changed[k] = dict(cells[k], source=re.sub(rf"(?<![\d.]){re.escape(number)}(?![\d])", edited, source, count=1))
        assert changed[k]["source"] != source
        assert any(f.rstrip("%") == edited and s == "missing" for _, f, _, s in figures(changed, path.stem)), (figure, edited)
        return
    pytest.skip(f"{path.name} states no printed figure in its prose")
