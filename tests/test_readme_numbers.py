"""Every percentage, time and ratio the README quotes must be printed by a committed notebook (or be listed below
with the command or source that printed it), so the README cannot drift from the notebooks again."""
import json
import pathlib
import re

from notebook_outputs import stream_text

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Figures the README quotes that no notebook prints, each with where it comes from. Each must still be in the README.
NOT_FROM_A_NOTEBOOK = {
    "47.98%": "the class notebook's own printed test accuracy (../shared/course/README.md)",
    "91.86%": "Johnson & Zhang (2016), a published result",
    "86.5%": "Dai & Le (2015), a published result",
    "92%": "the goal set for the sentiment notebook's best model (issue 12), not a measurement",
}
# README lines that hold measured command times (make test, .ci/run, make run), not notebook outputs.
COMMAND_TIMES = re.compile(r"^\| `(make test|make run|\.ci/run)`")

NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)(\s?(?:%|×|x\b|ms\b|s\b|m\d+s\b|min\b|minutes\b|seconds\b))")


def notebook_text():
    chunks = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            chunks += [stream_text(cell, "stdout"), stream_text(cell, "stderr")]
            chunks += ["".join(out["data"]["text/plain"]) for out in cell.get("outputs", []) if "text/plain" in out.get("data", {})]
    return "\n".join(chunks).replace("×", "x")


def readme_figures(text):
    """(figure, line) for every number with a unit the README quotes, outside command-time rows and code blocks."""
    figures, in_code = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if in_code or COMMAND_TIMES.match(line):
            continue
        for number, unit in NUMBER.findall(line):
            figures.append((number + unit.strip().replace("×", "x"), line))
    return figures


def printed(figure, outputs):
    number = re.match(r"[\d,.]+", figure).group(0)
    unit = figure[len(number):].strip()
    if unit in ("%", "x"):
        return re.search(rf"(?<![\d.]){re.escape(number)}\s?{re.escape(unit)}", outputs) is not None
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", outputs) is not None


def test_the_checker_catches_a_number_no_output_prints():
    outputs = "Test Acc: 88.25%  ...  fast NumPy 5.2x the course loop's speed"
    assert printed("88.25%", outputs) and printed("5.2x", outputs)
    assert not printed("88.26%", outputs) and not printed("8.25%", outputs) and not printed("5.3x", outputs)


def test_every_readme_figure_is_printed_by_a_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    outputs = notebook_text()
    for figure in NOT_FROM_A_NOTEBOOK:
        assert figure in readme, f"{figure} is listed as quoted but the README no longer quotes it"
    missing = [(figure, line.strip()[:120]) for figure, line in readme_figures(readme)
               if figure not in NOT_FROM_A_NOTEBOOK and not printed(figure, outputs)]
    assert not missing, "README figures that no committed notebook output prints:\n" + "\n".join(map(str, missing))
