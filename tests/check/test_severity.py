"""``Severity`` is an int with three instances, kept as they are across copies, pickles and ``Severity(n)``:
the pipeline tells errors by identity (``severity is Severity.ERROR``)."""

from __future__ import annotations

import copy
import json
import pickle

import pytest

from pbcfg.check.pipeline import check_paths
from pbcfg.diagnostics import Severity


def test_copies_pickles_and_calls_give_the_one_instance():
    error = Severity.ERROR
    pickled = [pickle.loads(pickle.dumps(error, protocol=protocol)) for protocol in range(pickle.HIGHEST_PROTOCOL + 1)]
    assert all(severity is error for severity in [Severity(3), copy.copy(error), copy.deepcopy(error), *pickled])


@pytest.mark.parametrize("value", [0, 4, -1, "3", None])
def test_any_other_value_is_refused(value):
    with pytest.raises(ValueError, match="is not a valid Severity"):
        Severity(value)


def test_it_reads_and_prints_as_the_int_enum_did():
    assert (Severity["WARNING"], list(Severity), Severity.parse("info")) == (
        Severity.WARNING,
        [Severity.INFO, Severity.WARNING, Severity.ERROR],
        Severity.INFO,
    )
    assert (str(Severity.ERROR), repr(Severity.ERROR), json.dumps([Severity.ERROR])) == (
        "3",
        "<Severity.ERROR: 3>",
        "[3]",
    )
    assert (Severity.ERROR.name, Severity.ERROR.value, Severity.ERROR.label) == ("ERROR", 3, "error")
    assert (
        Severity.INFO < Severity.WARNING < Severity.ERROR
        and sorted([Severity.ERROR, Severity.INFO])[0] is Severity.INFO
    )


def test_a_failed_check_still_fails_once_pickled(tmp_path):
    """What a worker process sends back (a pickled result) says what the result said."""
    (tmp_path / "llm-config.json").write_text('{"endpoints": 5}')
    result = check_paths([str(tmp_path / "llm-config.json")], config_dir=str(tmp_path))
    again = pickle.loads(pickle.dumps(result))
    assert (result.failed, len(result.errors)) == (again.failed, len(again.errors)) == (True, 1)
