"""The README's and the core sentiment notebook's results tables are the ones the notebooks printed (tests/tables.py
generates them), and the README states no other figure that no test checks."""
import pathlib
import re

import pytest

import tables

README = pathlib.Path(tables.ROOT / "README.md")
# Numbers the README may state in its prose, outside the generated blocks and the quiz table: names and versions
# (question and notebook numbers, UTF-8, Python and torchtext versions), the class's learning rate, and the size of
# IMDB's test split.
ALLOWED = {"1", "2", "3", "4", "5", "6", "7", "8", "0.6.0", "3.11", "3.12", "1e-3", "25,000"}


def outside_checked_parts(text):
    """The README without its generated blocks and without its quiz table (test_readme_quiz.py checks that one)."""
    text = re.sub(r"<!-- ([\w:-]+) -->\n.*?<!-- /\1 -->", "", text, flags=re.S)
    return re.sub(r"^\| Quiz Question.*$", "", text, flags=re.M)


def test_results_tables_are_generated_from_the_committed_runs():
    problems = tables.stale()
    assert not problems, f"out of date (run `make tables`): {sorted(problems)}"


def unchecked_figures(text):
    prose = re.sub(r"\[`?[\w.]+`?\]\([^)]*\)|`[^`]*`", "", outside_checked_parts(text))   # file names and code
    return set(re.findall(r"(?<![\w.])\d(?:[\d,.]*\d)?%?(?![\w])", prose)) - ALLOWED


def test_readme_states_no_unchecked_figure():
    figures = unchecked_figures(README.read_text(encoding="utf-8"))
    assert not figures, f"figures in the README that no test checks: {sorted(figures)}"


@pytest.mark.parametrize("edit", [
    ("first test accuracy changed", lambda t: re.sub(r"(\| 1\. [^\n]*\| )(\d+\.\d\d)%", lambda m: m.group(1) + "61.23%", t, 1)),
    ("a standard error changed", lambda t: re.sub(r"± (\d)\.(\d\d) \|", r"± 9.\2 |", t, 1)),
    ("sign of a difference flipped", lambda t: re.sub(r"\| ([+-])(\d+\.\d\d) ±", lambda m: "| " + ("-" if m.group(1) == "+" else "+") + m.group(2) + " ±", t, 1)),
    ("detectable / not detectable swapped", lambda t: t.replace("(not detectable)", "(detectable)", 1) if "(not detectable)" in t else t.replace("(detectable)", "(not detectable)", 1)),
    ("two accuracies swapped", lambda t: swap_first_two(t, r"\d+\.\d\d%")),
    ("a parameter count changed", lambda t: re.sub(r"\| (\d),(\d{3}),(\d{3}) \|", r"| \1,\2,999 |", t, 1)),
    ("the full-run minutes changed", lambda t: re.sub(r"CPU: (\d+\.\d) minutes", "CPU: 2.0 minutes", t, 1)),
    ("a figure in the prose", lambda t: t.replace("## Assignment 2", "It reaches 84% on the test set.\n\n## Assignment 2", 1)),
])
def test_an_edited_figure_fails(edit):
    name, change = edit
    text = README.read_text(encoding="utf-8")
    edited = change(text)
    assert edited != text, f"the edit '{name}' found nothing to change"
    caught = tables.fill(edited, tables.blocks()) != edited or unchecked_figures(edited)
    assert caught, f"the edit '{name}' was not caught"


def swap_first_two(text, pattern):
    inside = re.search(r"<!-- results:core -->\n.*?<!-- /results:core -->", text, re.S)
    block = inside.group(0)
    a, b = re.findall(pattern, block)[:2]
    assert a != b
    swapped = block.replace(a, "\0", 1).replace(b, a, 1).replace("\0", b, 1)
    return text.replace(block, swapped)
