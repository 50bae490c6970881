"""The README's quiz table says what the committed NumPy notebook printed, answer by answer.

The notebook prints every quiz answer on one line, `Quiz Question <label>: <item>; <item>...`, where <label> is the
course's numbering (e.g. `4, second (key 5)`). The README's table has one row per answer: its first cell is
`Quiz Question <label>`, and the bold parts of its answer cell (backticks removed) are the items, in order.
"""
import json
import pathlib
import re

import pytest

from notebook_outputs import stream_text

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "2_lstm_from_scratch_numpy.ipynb"
README = ROOT / "README.md"
SECTION = "## Assignment 2: the quiz, answered"
ANSWER_LINE = re.compile(r"^Quiz Question (.+?): (.+)$")


def notebook_answers(notebook):
    """{label: [items]} from the stdout of the notebook's recorded outputs."""
    answers = {}
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in stream_text(cell, "stdout").splitlines():
            match = ANSWER_LINE.match(line)
            if match:
                label, items = match.group(1), match.group(2).split("; ")
                assert label not in answers, f"the notebook prints two answers for Quiz Question {label}"
                answers[label] = items
    return answers


def readme_answers(readme_text):
    """{label: [items]} from the quiz table in the README's quiz section."""
    assert SECTION in readme_text, f"README has no section {SECTION!r}"
    section = readme_text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    answers = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells[0].startswith("Quiz Question "):
            label = cells[0][len("Quiz Question "):]
            answer_cell = cells[2] if len(cells) > 2 else ""
            items = [b.replace("`", "").strip() for b in re.findall(r"\*\*(.+?)\*\*", answer_cell)]
            assert label not in answers, f"README: two rows for Quiz Question {label}"
            answers[label] = items
    return answers


def mismatches(printed, table):
    problems = []
    for label in sorted(set(printed) | set(table)):
        if label not in table:
            problems.append(f"Quiz Question {label}: printed {printed[label]}, but the README has no row for it")
        elif label not in printed:
            problems.append(f"Quiz Question {label}: README says {table[label]}, but the notebook prints no such answer")
        elif printed[label] != table[label]:
            problems.append(f"Quiz Question {label}: README says {table[label]}, the notebook printed {printed[label]}")
    return problems


@pytest.fixture(scope="module")
def printed():
    answers = notebook_answers(json.loads(NOTEBOOK.read_text(encoding="utf-8")))
    # The course's questions: 1-4, the sizes (asked as 4 a second time), 5, 6, and the loss (7, and its continuation).
    for label in ("1", "2", "3", "4", "4, second (key 5)", "5 (key 6)", "6 (key 7)", "7"):
        assert label in answers, f"the committed notebook prints no answer to Quiz Question {label}"
    return answers


def test_readme_quiz_table_matches_the_notebook(printed):
    problems = mismatches(printed, readme_answers(README.read_text(encoding="utf-8")))
    assert not problems, "\n".join(problems)


def test_the_sizes_answer_is_the_parameters_class(printed):
    # The template asks for size_a, size_b, size_c of the Parameters class (course README, item 9).
    (sizes,) = printed["4, second (key 5)"]
    assert re.fullmatch(r"size_a = Hidden_Layer_size = \d+, size_b = z_size = \d+, size_c = X_size = \d+", sizes), sizes


def test_the_check_fails_on_a_wrong_table(printed):
    """The comparison is not vacuous: the old, wrong sizes row and a changed digit are both caught."""
    good = README.read_text(encoding="utf-8")
    table = readme_answers(good)
    wrong_sizes = dict(table)
    wrong_sizes["4, second (key 5)"] = ["Hidden_Layer_size + X_size", "X_size", "X_size"]
    assert mismatches(printed, wrong_sizes)
    wrong_digit = dict(table)
    wrong_digit["3"] = ["0.24492"]
    assert mismatches(printed, wrong_digit)
    missing_row = {k: v for k, v in table.items() if k != "6 (key 7)"}
    assert mismatches(printed, missing_row)
