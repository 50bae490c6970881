"""The module notebooks/lstm_numpy.py, which the companion notebooks import, holds the core notebook's own code.

The core notebook (2_lstm_from_scratch_numpy.ipynb) must run alone, so it defines the course's functions in its cells;
the module repeats them. Every function or class defined in both must have the same syntax tree (comments and
formatting aside), and the course's functions and the many-seed trainer must be in both.
"""
import pathlib

from notebook_outputs import code_source, definitions

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORE = ROOT / "notebooks" / "2_lstm_from_scratch_numpy.ipynb"
MODULE = ROOT / "notebooks" / "lstm_numpy.py"
SHARED = {"sigmoid", "dsigmoid", "tanh", "dtanh", "truncate", "Param", "Parameters", "forward", "backward",
          "clear_gradients", "clip_gradients", "forward_backward", "sample", "update_paramters",
          "windows", "train_course", "ManySeeds", "train_many"}


def core_source():
    return code_source(CORE)


def differences(core, module):
    return sorted(name for name in set(core) & set(module) if core[name] != module[name])


def test_module_copies_the_core_notebooks_functions():
    core, module = definitions(core_source()), definitions(MODULE.read_text(encoding="utf-8"))
    missing = {"core notebook": SHARED - set(core), "module": SHARED - set(module)}
    assert not any(missing.values()), f"not defined in: {missing}"
    assert not differences(core, module), f"defined differently in the core notebook and the module: {differences(core, module)}"


def test_a_changed_line_is_caught():
    module = MODULE.read_text(encoding="utf-8")
    changed = module.replace("dC_prev = f * dC", "dC_prev = dC", 1)
    assert changed != module
    assert "backward" in differences(definitions(core_source()), definitions(changed))


def test_the_core_notebook_does_not_import_the_module():
    assert "lstm_numpy" not in core_source()
