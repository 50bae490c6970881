"""The one clean-up `make run` applies to an executed notebook.

    python tools/notebook_outputs.py --drop-progress-widgets NOTEBOOK...

tqdm's Jupyter progress bars (tqdm.auto) are widgets: a person running a notebook sees them live, but saved into the
file they show as frozen "0%|" lines on GitHub, and TQDM_DISABLE does not stop them. `make run` drops these outputs
(and nothing else) from the notebooks it executes.
"""
import json
import sys

WIDGET = "application/vnd.jupyter.widget-view+json"


def is_progress_widget(output):
    """A tqdm widget: display data that holds a widget view and, as text, a progress bar."""
    data = output.get("data", {})
    return output.get("output_type") == "display_data" and WIDGET in data and "|" in "".join(data.get("text/plain", ""))


def drop_progress_widgets(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    dropped = 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            kept = [o for o in cell["outputs"] if not is_progress_widget(o)]
            dropped += len(cell["outputs"]) - len(kept)
            cell["outputs"] = kept
    nb.get("metadata", {}).pop("widgets", None)   # the widgets' saved state goes with them
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return dropped


if __name__ == "__main__":
    assert sys.argv[1] == "--drop-progress-widgets", sys.argv
    for path in sys.argv[2:]:
        print(f"{path}: {drop_progress_widgets(path)} progress-bar widgets dropped")
