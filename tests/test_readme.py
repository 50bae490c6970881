"""The README says what the committed notebooks printed: its results tables are generated from them
(tools/tables.py), its quiz table matches the NumPy notebook's printed answers, it states no other figure that no test
checks, and it stays short."""
import json
import re

import pytest
import tables
from conftest import NUMPY_CORE, QUIZ_LABELS, ROOT, committed_text, printed_answers, quiz_output_lines, table_answers

README = ROOT / "README.md"
QUIZ_SECTION = "## Assignment 2: the quiz, answered"
# Numbers the README may state in its prose, outside the generated blocks and the quiz table: question and notebook
# numbers, Python and torchtext versions, the class's learning rate, the size of IMDB's test split, the course loop's
# seed, the quiz's number of iterations, and the answer key's two published losses (the course's, not a run of this
# repository).
ALLOWED = {"1", "2", "3", "4", "5", "6", "7", "0.6.0", "3.11", "3.12", "1e-3", "25,000", "1234", "50,000", "5.822303",
           "1.940444"}


def readme():
    return README.read_text(encoding="utf-8")


# ---- the results tables ---------------------------------------------------------------------------------------------
def test_results_tables_are_generated_from_the_committed_runs():
    problems = tables.stale()
    assert not problems, f"out of date (run `make tables`): {sorted(problems)}"


def outside_checked_parts(text):
    """The README without its generated blocks and without its quiz table (checked below)."""
    text = re.sub(r"<!-- ([\w:-]+) -->\n.*?<!-- /\1 -->", "", text, flags=re.S)
    return re.sub(r"^\| (?:" + "|".join(re.escape(l) for l in QUIZ_LABELS) + r") \|.*$", "", text, flags=re.M)


def unchecked_figures(text):
    prose = re.sub(r"\[`?[\w.]+`?\]\([^)]*\)|`[^`]*`", "", outside_checked_parts(text))   # file names and code
    return set(re.findall(r"(?<![\w.])\d(?:[\d,.]*\d)?%?(?![\w])", prose)) - ALLOWED


def test_readme_states_no_unchecked_figure():
    figures = unchecked_figures(readme())
    assert not figures, f"figures in the README that no test checks: {sorted(figures)}"


def swap_first_two(text, pattern):
    block = re.search(r"<!-- results:core -->\n.*?<!-- /results:core -->", text, re.S).group(0)
    a, b = re.findall(pattern, block)[:2]
    assert a != b
    return text.replace(block, block.replace(a, "\0", 1).replace(b, a, 1).replace("\0", b, 1))


@pytest.mark.parametrize("edit", [
    ("first test accuracy changed", lambda t: re.sub(r"(\| RNN \+ SGD [^\n]*\| )(\d+\.\d\d)%", lambda m: m.group(1) + "61.23%", t, 1)),
    ("a standard error changed", lambda t: re.sub(r"± (\d)\.(\d\d) \|", r"± 9.\2 |", t, 1)),
    ("sign of a difference flipped", lambda t: re.sub(r" ([+-])(\d+\.\d\d) ±", lambda m: " " + ("-" if m.group(1) == "+" else "+") + m.group(2) + " ±", t, 1)),
    ("detectable / not detectable swapped", lambda t: t.replace("(not detectable)", "(detectable)", 1) if "(not detectable)" in t else t.replace("(detectable)", "(not detectable)", 1)),
    ("two accuracies swapped", lambda t: swap_first_two(t, r"\d+\.\d\d%")),
    ("a parameter count changed", lambda t: re.sub(r"\| (\d),(\d{3}),(\d{3}) \|", r"| \1,\2,999 |", t, 1)),
    ("a seeded median changed", lambda t: re.sub(r"(<!-- results:seeds -->\n(?:[^\n]*\n){2}[^|]*\|[^|]*\|[^|]*\| )(\d)", lambda m: m.group(1) + str((int(m.group(2)) + 1) % 10), t, 1)),
    ("the full-run minutes changed", lambda t: re.sub(r"CPU: (\d+\.\d) minutes", "CPU: 2.0 minutes", t, 1)),
    ("a figure in the prose", lambda t: t.replace("## Assignment 2", "It reaches 84% on the test set.\n\n## Assignment 2", 1)),
])
def test_an_edited_figure_fails(edit):
    name, change = edit
    text = readme()
    edited = change(text)
    assert edited != text, f"the edit '{name}' found nothing to change"
    caught = tables.fill(edited, tables.blocks()) != edited or unchecked_figures(edited)
    assert caught, f"the edit '{name}' was not caught"


# ---- the quiz table -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def printed():
    answers = printed_answers(json.loads(committed_text(NUMPY_CORE.relative_to(ROOT).as_posix()))["cells"])
    assert list(answers) == list(QUIZ_LABELS), list(answers)
    return answers


def quiz_table(text):
    assert QUIZ_SECTION in text, f"README has no section {QUIZ_SECTION!r}"
    return table_answers(text.split(QUIZ_SECTION, 1)[1].split("\n## ", 1)[0])


def test_the_quiz_table_matches_the_notebooks_printed_answers(printed):
    table = quiz_table(readme())
    assert table == printed, {k: (table.get(k), v) for k, v in printed.items() if table.get(k) != v}


def test_the_quiz_check_fails_on_a_wrong_row(printed):
    text = readme()
    for right, wrong in (("**0.24491**", "**0.24492**"), ("**size_b = z_size**", "**size_b = X_size**"),
                         ("**9**", "**10**")):
        assert right in text, right
        assert quiz_table(text.replace(right, wrong, 1)) != printed, right


def test_the_readme_is_short():
    words = len(re.sub(r"<!--.*?-->", "", readme()).split())
    assert words <= 1000, f"{words} words"


def test_lines_quoted_from_the_notebook_were_printed():
    """A line the README quotes in backticks (`iter 50000, loss 4.716910`) is printed by the NumPy core."""
    quoted = re.findall(r"`(iter \d+, loss [\d.]+)`", readme())
    printed = quiz_output_lines()
    assert quoted and all(q in printed for q in quoted), [q for q in quoted if q not in printed]
