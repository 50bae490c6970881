"""The quiz answer tables (the README's, and the first cell of the NumPy core notebook) say what the committed
notebook printed, answer by answer.

The notebook prints every quiz answer on one line, `Quiz Question <label>: <item>; <item>...`, where <label> is the
course's numbering, with the answer key's where the two differ (e.g. `4b (key 5)`). In the README's table, the first
cell is `Quiz Question <label>`; in the notebook's, the first two cells are the course's and the key's numbers. The
bold parts of the answer cell (the third; backticks removed) are the items, in order.
"""
import json
import re

import pytest

from notebook_outputs import stream_text
from tables import ROOT, committed_text

NOTEBOOK = "notebooks/2_lstm_from_scratch_numpy.ipynb"
README = ROOT / "README.md"
SECTION = "## Assignment 2: the quiz, answered"
ANSWER_LINE = re.compile(r"^Quiz Question (.+?): (.+)$")
LABELS = ("1", "2", "3", "4", "4b (key 5)", "5 (key 6)", "6 (key 7)", "7")   # the course's questions, in order


def printed_stdout(notebook):
    return "".join(stream_text(c, "stdout") for c in notebook["cells"] if c["cell_type"] == "code")


def notebook_answers(notebook):
    """{label: [items]} from the stdout of the notebook's recorded outputs."""
    answers = {}
    for line in printed_stdout(notebook).splitlines():
        match = ANSWER_LINE.match(line)
        if match:
            label, items = match.group(1), match.group(2).split("; ")
            assert label not in answers, f"the notebook prints two answers for Quiz Question {label}"
            answers[label] = items
    return answers


def table_answers(text, label_of):
    """{label: [items]} from the markdown table rows of `text`; label_of(cells) gives a row's label, or None."""
    answers = {}
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        label = label_of(cells)
        if label is not None and len(cells) > 2:
            assert label not in answers, f"two rows for Quiz Question {label}"
            answers[label] = [b.replace("`", "").strip() for b in re.findall(r"\*\*(.+?)\*\*", cells[2])]
    return answers


def readme_label(cells):
    return cells[0][len("Quiz Question "):] if cells[0].startswith("Quiz Question ") else None


def notebook_label(cells):
    """| course's number | key's number | ... |: the printed label names the key's number where it differs."""
    if len(cells) < 2 or not re.fullmatch(r"\d+b?", cells[0]):
        return None
    return cells[0] if cells[1].split()[0] == cells[0] else f"{cells[0]} (key {cells[1]})"


def mismatches(printed, table):
    problems = []
    for label in sorted(set(printed) | set(table)):
        if label not in table:
            problems.append(f"Quiz Question {label}: printed {printed[label]}, but the table has no row for it")
        elif label not in printed:
            problems.append(f"Quiz Question {label}: the table says {table[label]}, but the notebook prints no such answer")
        elif printed[label] != table[label]:
            problems.append(f"Quiz Question {label}: the table says {table[label]}, the notebook printed {printed[label]}")
    return problems


@pytest.fixture(scope="module")
def notebook():
    return json.loads(committed_text(NOTEBOOK))


@pytest.fixture(scope="module")
def printed(notebook):
    answers = notebook_answers(notebook)
    assert list(answers) == list(LABELS), f"the committed notebook prints answers {list(answers)}"
    return answers


def readme_table():
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"README has no section {SECTION!r}"
    return table_answers(text.split(SECTION, 1)[1].split("\n## ", 1)[0], readme_label)


def test_readme_quiz_table_matches_the_notebook(printed):
    problems = mismatches(printed, readme_table())
    assert not problems, "\n".join(problems)


def test_notebook_answer_table_matches_its_printed_answers(printed):
    cell = json.loads((ROOT / NOTEBOOK).read_text(encoding="utf-8"))["cells"][0]
    problems = mismatches(printed, table_answers("".join(cell["source"]), notebook_label))
    assert not problems, "\n".join(problems)


def test_figures_quoted_from_the_output_were_printed(notebook):
    """A printed line the first cell quotes in backticks (e.g. `iter 50000, loss 4.716910`) is in the output."""
    first = "".join(json.loads((ROOT / NOTEBOOK).read_text(encoding="utf-8"))["cells"][0]["source"])
    quoted = re.findall(r"`(iter \d+, loss [\d.]+)`", first)
    printed_lines = printed_stdout(notebook).splitlines()
    assert all(q in printed_lines for q in quoted), [q for q in quoted if q not in printed_lines]


def test_the_sizes_answer_is_the_parameters_class(printed):
    # The template asks for size_a, size_b, size_c of the Parameters class (course README, item 9).
    assert printed["4b (key 5)"] == ["size_a = Hidden_Layer_size", "size_b = z_size", "size_c = X_size"]


def test_the_check_fails_on_a_wrong_table(printed):
    """The comparison is not vacuous: a wrong sizes row, a changed digit, a changed loss and a missing row are caught."""
    table = readme_table()
    for label, items in (("4b (key 5)", ["Hidden_Layer_size + X_size", "X_size", "X_size"]), ("3", ["0.24492"]),
                         ("7", [re.sub(r"\d", "9", item, count=1) for item in table["7"]])):
        assert mismatches(printed, dict(table, **{label: items})), label
    assert mismatches(printed, {k: v for k, v in table.items() if k != "6 (key 7)"})
