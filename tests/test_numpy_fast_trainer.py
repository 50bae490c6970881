"""`train_fast` (the template's loop run by FastLSTM, which companions 4 and 6 use for their models) ends where the
course's own loop ends, and leaves the model it starts from as it was."""
import copy
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
import lstm_numpy as L  # noqa: E402

ITERATIONS = 30


def test_train_fast_matches_the_course_loop():
    data, chars, char_to_idx, _ = L.load_text()
    np.random.seed(1234)
    start = L.Parameters(100, 100 + len(chars), len(chars), L.weight_sd)
    before = copy.deepcopy(start)
    snapshots = L.train_fast(start, data, char_to_idx, 40, ITERATIONS, (10, ITERATIONS))
    assert sorted(snapshots) == [10, ITERATIONS]
    for q, q0 in zip(start.all(), before.all()):
        assert np.array_equal(q.v, q0.v) and np.array_equal(q.m, q0.m), f"train_fast changed the start's {q.name}"
    course = copy.deepcopy(start)
    L.train_course(course, data, char_to_idx, 40, ITERATIONS, smooth_loss=0.0)
    moved = max(np.max(np.abs(q.v - q0.v)) for q, q0 in zip(course.all(), before.all()))
    assert moved > 1e-3, "the course loop did not train: the comparison would be empty"
    for q, fq in zip(course.all(), snapshots[ITERATIONS].all()):
        for k in "vm":
            a, b = getattr(fq, k), getattr(q, k)
            assert np.max(np.abs(a - b)) <= 1e-9 * np.max(np.abs(b)), f"{q.name}.{k} differs from the course loop's"
