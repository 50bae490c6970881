"""The results tables of the README and of the core sentiment notebook's first cell, generated from the tables the
notebooks print, so that no figure can drift from the run it comes from.

    python tests/tables.py          # exit 1 and show the differences if a block is out of date
    python tests/tables.py --write  # rewrite the blocks (what `make tables` does)

A block sits between `<!-- name -->` and `<!-- /name -->`. The printed tables are read from the notebooks as last
committed (`git show HEAD:...`), so that `make run`, which re-executes the notebooks in place on another machine, does
not change what the README is checked against; outside a git checkout the files on disk are read.
"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORE = "notebooks/1_sentiment_rnn_to_lstm.ipynb"
COMPANION = "notebooks/3_sentiment_stronger_models.ipynb"
CHANGES = {   # what each of the core's models changes from the class's code (words, not figures)
    "1.": "none in the model or its training (the data departures apply to every row)",
    "2.": "`nn.RNN` → `nn.LSTM`",
    "3.": "reads each review's last real token; Adam instead of SGD",
}
ROW = re.compile(r"^(?P<name>\d[^%]*?)\s{2,}(?P<params>[\d,]+)\s+(?P<valid>[\d.]+%)\s+(?P<loss>[\d.]+)\s+"
                 r"(?P<test>[\d.]+%) ± (?P<se>[\d.]+)(?:\s+(?P<diff>[+-][\d.]+) ± (?P<dse>[\d.]+)\s+(?P<detectable>yes|no))?\s*$")
DURATIONS = (re.compile(r"^this run took (?P<minutes>[\d.]+) minutes \(full mode"),   # the companion's last line
             re.compile(r"^full run on \w+, (?P<minutes>[\d.]+) minutes so far"))       # the core's results table


def committed_text(path):
    """The file as last committed, or as on disk outside a git checkout."""
    try:
        return subprocess.run(["git", "show", f"HEAD:{path}"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        return (ROOT / path).read_text(encoding="utf-8")


def printed_lines(notebook_text):
    lines = []
    for cell in json.loads(notebook_text)["cells"]:
        if cell["cell_type"] == "code":
            for o in cell.get("outputs", []):
                if o.get("output_type") == "stream" and o.get("name") == "stdout":
                    lines += "".join(o["text"]).splitlines()
    return lines


def results_rows(lines):
    """{model name: row} from a printed results table; a model printed twice is an error."""
    rows = {}
    for line in lines:
        m = ROW.match(line)
        if m:
            assert m["name"] not in rows, f"two rows for {m['name']}"
            rows[m["name"]] = m.groupdict()
    return rows


def full_run_minutes(lines):
    found = [m["minutes"] for l in lines for m in (d.match(l) for d in DURATIONS) if m]
    assert found, "no full-run duration printed: the notebook was not committed from a full run"
    return found[-1]


def by_number(rows, number):
    (row,) = [r for name, r in rows.items() if name.startswith(number)]
    return row


def core_table(core):
    out = ["| model | change from the class code | parameters | validation acc. | test acc. ± s.e. |",
           "|---|---|---:|---:|---:|"]
    for name, r in core.items():
        out.append(f"| {name} | {CHANGES[name[:2]]} | {r['params']} | {r['valid']} | {r['test']} ± {r['se']} |")
    return out


def blocks():
    core_lines, companion_lines = (printed_lines(committed_text(p)) for p in (CORE, COMPANION))
    core, companion = results_rows(core_lines), results_rows(companion_lines)
    assert [n[:2] for n in core] == ["1.", "2.", "3."], list(core)
    m4, m5 = (by_number(companion, n) for n in ("4.", "5."))
    best_name, best = max(((n, r) for n, r in companion.items() if r["diff"] is not None), key=lambda nr: float(nr[1]["valid"][:-1]))
    pointer = (f"Beyond the assignment, in `3_sentiment_stronger_models.ipynb`: a bag-of-n-grams logistic regression scores "
               f"{m5['test']}, a bidirectional LSTM with pooling {m4['test']}, and the best model on validation, "
               f"\"{best_name}\", {best['test']} ({best['diff']} ± {best['dse']} points against the n-grams: "
               f"{'a detectable' if best['detectable'] == 'yes' else 'no detectable'} difference).")
    companion_table = ["| model | parameters | validation acc. | test acc. ± s.e. | vs. the n-gram baseline ± s.e. |",
                       "|---|---:|---:|---:|---:|"]
    for name, r in companion.items():
        versus = "" if r["diff"] is None else (f"{r['diff']} ± {r['dse']} "
                                               f"({'detectable' if r['detectable'] == 'yes' else 'not detectable'})")
        companion_table.append(f"| {name} | {r['params']} | {r['valid']} | {r['test']} ± {r['se']} | {versus} |")
    return {
        "results:core": core_table(core) + ["", pointer],
        "results:companion": companion_table,
        "minutes:sentiment": [f"Full runs on the CPU: {full_run_minutes(core_lines)} minutes for the core notebook (up to "
                              f"its results table) and {full_run_minutes(companion_lines)} minutes for the companion."],
    }


def fill(text, generated):
    """text with every block it contains replaced by the generated one."""
    for name, lines in generated.items():
        pattern = re.compile(rf"(<!-- {re.escape(name)} -->\n).*?(<!-- /{re.escape(name)} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + "\n".join(lines) + "\n" + m.group(2), text)
    return text


def targets():
    """(path, text) of every file that holds blocks: the README and the core notebook's first cell."""
    core = json.loads((ROOT / CORE).read_text(encoding="utf-8"))
    return {"README.md": (ROOT / "README.md").read_text(encoding="utf-8"),
            CORE: "".join(core["cells"][0]["source"])}


def stale():
    """{path: (current, generated)} for every target whose blocks are out of date."""
    generated = blocks()
    out = {}
    for path, text in targets().items():
        assert "<!-- results:core -->" in text, f"{path} has no results:core block"
        if fill(text, generated) != text:
            out[path] = (text, fill(text, generated))
    return out


def write():
    generated = blocks()
    readme = ROOT / "README.md"
    readme.write_text(fill(readme.read_text(encoding="utf-8"), generated), encoding="utf-8")
    nb = json.loads((ROOT / CORE).read_text(encoding="utf-8"))
    source = fill("".join(nb["cells"][0]["source"]), generated)
    nb["cells"][0]["source"] = source.splitlines(keepends=True)
    (ROOT / CORE).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write()
    else:
        import difflib
        problems = stale()
        for path, (current, generated) in problems.items():
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), generated.splitlines(True), path, "generated"))
        sys.exit(1 if problems else 0)
