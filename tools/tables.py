"""The results tables of the README and of the core sentiment notebook's first cell, generated from the tables the
notebooks print, so that no figure can drift from the run it comes from.

    python tools/tables.py          # exit 1 and show the differences if a block is out of date
    python tools/tables.py --write  # rewrite the blocks (what `make tables` does)

A block sits between `<!-- name -->` and `<!-- /name -->`. The printed tables are read from the notebooks as last
committed (`git show HEAD:...`), so that `make run`, which re-executes the notebooks in place on another machine, does
not change what the README is checked against; outside a git checkout the files on disk are read.
"""
import json
import re
import sys

from notebook_text import ROOT, committed_text, printed_lines

CORE = "notebooks/1_sentiment_rnn_to_lstm.ipynb"
COMPANION = "notebooks/3_sentiment_stronger_models.ipynb"
SEEDS = "notebooks/7_sentiment_rnn_vs_lstm_seeds.ipynb"
RATES = "notebooks/8_sentiment_learning_rates.ipynb"
CHANGES = {   # what each of the core's models changes from the class's code (words, not figures)
    "RNN + SGD (class)": "none (the data departures apply to every row)",
    "LSTM + SGD (drop-in)": "`nn.LSTM`",
    "RNN + Adam, clipped": "Adam at its own rate; clipping; early stopping; last real token",
    "LSTM + Adam, clipped": "`nn.LSTM`; Adam at its own rate; clipping; early stopping; last real token",
}
SHORT = {"RNN + Adam, last real token": "RNN", "LSTM + Adam, last real token": "LSTM",   # in the paired differences
         "LSTM + Adam, last padded state": "LSTM reading its last padded state"}
ROW = re.compile(r"^(?P<name>\w[^%]*?)\s{2,}(?P<params>[\d,]+)\s+(?P<valid>[\d.]+%)\s+(?P<loss>[\d.]+)\s+"
                 r"(?P<test>[\d.]+%) ± (?P<se>[\d.]+)(?:\s+(?P<diff>[+-][\d.]+) ± (?P<dse>[\d.]+)\s+(?P<detectable>yes|no))?\s*$")
DURATIONS = (re.compile(r"^this run took (?P<minutes>[\d.]+) minutes \(full mode"),   # the companions' last line
             re.compile(r"^full run on \w+ \(\d+ CPU cores\), (?P<minutes>[\d.]+) minutes so far"))   # the core's table
CORES = re.compile(r"(?P<cores>\d+) CPU cores")
SEED_SUMMARY = re.compile(r"^(?P<name>.+?)\s+test acc: median (?P<median>[\d.]+%), range (?P<lo>[\d.]+%) to "
                          r"(?P<hi>[\d.]+%) \((?P<n>\d+) seeds?\)$")
PAIR = re.compile(r"^(?P<a>.+?)  -  (?P<b>.+?), test acc\., points:$")
PAIR_SEED = re.compile(r"^\s+seed\s+(?P<seed>\d+):\s+(?P<diff>[+-][\d.]+) ± (?P<se>[\d.]+)\s+\((?P<verdict>[\w ]+)\)$")


def results_rows(lines):
    """{model name: row} from a printed results table; a model printed twice is an error."""
    rows = {}
    for line in lines:
        m = ROW.match(line)
        if m:
            assert m["name"] not in rows, f"two rows for {m['name']}"
            rows[m["name"]] = m.groupdict()
    return rows


def full_run(lines):
    """(minutes, CPU cores) of the notebook's full run, from the last line that prints it."""
    found = [(l, m["minutes"]) for l in lines for m in (d.match(l) for d in DURATIONS) if m]
    assert found, "no full-run duration printed: the notebook was not committed from a full run"
    line, minutes = found[-1]
    cores = CORES.search(line)
    return minutes, cores["cores"] if cores else None


def by_number(rows, number):
    (row,) = [r for name, r in rows.items() if name.startswith(number)]
    return row


def seed_summary(lines):
    """{model: median and range} and {(a, b): [(seed, diff, se, verdict)]} from the seeds notebook's printout."""
    summary, pairs, current = {}, {}, None
    for line in lines:
        if m := SEED_SUMMARY.match(line):
            summary[m["name"]] = m.groupdict()
        elif m := PAIR.match(line):
            current = pairs.setdefault((m["a"], m["b"]), [])
        elif (m := PAIR_SEED.match(line)) and current is not None:
            current.append(m.groupdict())
    return summary, pairs


def core_table(core):
    out = ["| model | change from the class code | parameters | validation acc. | test acc. ± s.e. |",
           "|---|---|---:|---:|---:|"]
    for name, r in core.items():
        out.append(f"| {name} | {CHANGES[name]} | {r['params']} | {r['valid']} | {r['test']} ± {r['se']} |")
    return out


def seeds_table(summary, pairs):
    out = ["| model | seeds | test acc., median | range |", "|---|---:|---:|---:|"]
    out += [f"| {name} | {s['n']} | {s['median']} | {s['lo'] + ' to ' + s['hi'] if int(s['n']) > 1 else 'one run'} |"
            for name, s in summary.items()]
    for (a, b), rows in pairs.items():
        assert rows, f"no paired difference printed for {a} - {b}"
        diffs = ", ".join(f"{r['diff']} ± {r['se']} ({r['verdict']})" for r in rows)
        seeds = f"seed{'s' if len(rows) > 1 else ''} {', '.join(r['seed'] for r in rows)}"
        out += ["", f"{SHORT.get(a, a)} − {SHORT.get(b, b)}, paired by {seeds}, test acc. in points: {diffs}."]
    return out


def rates_sentence(lines):
    """The rate search's choice, in one sentence."""
    (chosen,) = [l[len("chosen rates: "):] for l in lines if l.startswith("chosen rates: ")]
    return [f"Learning rates chosen on validation in `8_sentiment_learning_rates.ipynb`: {chosen}."]


def blocks():
    core_lines, companion_lines, seed_lines, rate_lines = (printed_lines(committed_text(p))
                                                           for p in (CORE, COMPANION, SEEDS, RATES))
    core, companion = results_rows(core_lines), results_rows(companion_lines)
    assert list(core) == list(CHANGES), list(core)
    m4, m5 = (by_number(companion, n) for n in ("4.", "5."))
    best_name, best = max(((n, r) for n, r in companion.items() if r["diff"] is not None), key=lambda nr: float(nr[1]["valid"][:-1]))
    pointer = (f"Beyond the assignment, in `3_sentiment_stronger_models.ipynb`: n-grams {m5['test']}, a bidirectional "
               f"LSTM {m4['test']}, the best on validation (\"{best_name}\") {best['test']}, {best['diff']} ± "
               f"{best['dse']} points against the n-grams ({'' if best['detectable'] == 'yes' else 'not '}detectable).")
    seeds_summary = seed_summary(seed_lines)
    (core_minutes, core_cores), (companion_minutes, _), (seed_minutes, seed_cores), (rate_minutes, _) = (
        full_run(lines) for lines in (core_lines, companion_lines, seed_lines, rate_lines))
    return {
        "results:core": core_table(core) + ["", pointer],
        "minutes:core": [f"*Run all* took {core_minutes} minutes on a {core_cores}-core CPU, up to the results table, "
                         f"in this notebook's last full run."],
        "results:seeds": seeds_table(*seeds_summary),
        "results:rates": rates_sentence(rate_lines),
        "minutes:sentiment": [f"Full runs on a {core_cores}-core CPU: {core_minutes} minutes for the core notebook (up to "
                              f"its results table), {rate_minutes} for the learning rates, {seed_minutes} for the seeds "
                              f"and {companion_minutes} for the stronger models."],
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
