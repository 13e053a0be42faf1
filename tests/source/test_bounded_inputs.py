"""Bounded: one index per document, stated limits with their own rule ids, text that is not Unicode,
only regular files. Nothing here measures time: costs are counted (passes over a file, keys listed), and a
subprocess's timeout is only a safety stop."""

from __future__ import annotations

import collections
import json
import os
import re
import socket
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import REPO
from pbcfg.check.pipeline import check_paths, check_sources
from pbcfg.source import jsonindex
from pbcfg.source.jsonparse import parse_json
from pbcfg.source.limits import MAX_DEPTH, MAX_STRING, MAX_VALUES, MAX_YAML_BYTES
from pbcfg.source.reading import Source
from pbcfg.source.yamlparse import parse_yaml
from strategies import huge_numbers, json_strings_with_surrogates, nested

PROPERTY = settings(
    max_examples=int(os.environ.get("PBCFG_FUZZ_EXAMPLES", "40")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PBCFG = [sys.executable, "-m", "pbcfg"]


def source(text: str, name: str = "llm-config.json", kind: str = "llm-config") -> Source:
    return Source(name, name, kind, text)


def located(diagnostics) -> list[tuple]:
    return [(d.rule, d.pointer, d.line, d.column) for d in diagnostics]


def pbcfg(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """The real console entry in a child process; the timeout is a safety stop, never the assertion."""
    return subprocess.run(
        PBCFG + [str(a) for a in args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


class Counted:
    """Counts the calls of ``owner.name`` (a function or a method) for the length of a test."""

    def __init__(self, monkeypatch, owner, name: str) -> None:
        self.calls = 0
        original = getattr(owner, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


# --- one pass, one index ---------------------------------------------------------------------------------------


def test_a_thousand_errors_come_from_one_pass_and_each_key_read_once(monkeypatch):
    """A diagnostic decodes no sibling before it again: 1,000 errors are one pass over the brackets."""
    passes = Counted(monkeypatch, jsonindex._Brackets, "__init__")
    keys = Counted(monkeypatch, jsonindex, "_scanstring")
    text = json.dumps({"models": {f"k{i}": i for i in range(1000)}}, indent=2)
    result = check_sources([source(text)])
    assert located(result.diagnostics) == [
        ("schema.type", f"/models/k{i}", i + 3, 4 + len(f'"k{i}": ') + 1) for i in range(1000)
    ]
    assert result.diagnostics[999].snippet == '    "k999": 999\n            ^'
    assert keys.calls == 1 + 1000  # "models", then each of its keys: once
    assert passes.calls == 1  # to step over "models" once


def test_stepping_over_a_large_sibling_is_one_pass_for_the_whole_file(monkeypatch):
    passes = Counted(monkeypatch, jsonindex._Brackets, "__init__")
    models = {
        f"m{i}": {
            "displayName": "[x]" if i % 2 else "x",
            "endpoints": ["nowhere"],
            "costPer1kTokens": {"input": 0, "output": 0},
        }
        for i in range(500)
    }
    text = json.dumps({"models": models, "tiers": {"simple": {"primary": "gone"}}}, indent=2)
    result = check_sources([source(text)])
    lines = text.splitlines()
    nowhere = [(number + 1, line.index('"nowhere"') + 1) for number, line in enumerate(lines) if '"nowhere"' in line]
    gone = next((number + 1, line.index('"gone"') + 1) for number, line in enumerate(lines) if '"gone"' in line)
    assert located(result.diagnostics) == [
        ("ref.unknown-endpoint", f"/models/m{i}/endpoints/0", *nowhere[i]) for i in range(500)
    ] + [("ref.unknown-model", "/tiers/simple/primary", *gone)]
    assert passes.calls == 1


def test_the_clean_path_builds_no_index(write):
    path = write("llm-config.json", {"defaults": {"timeout": 120000}})
    result = check_paths([path], config_dir=".")
    assert result.diagnostics == [] and result.documents[0]._index is None and result.documents[0]._lines is None


def test_lint_fixes_a_thousand_repeats_from_the_same_index(run, write, monkeypatch):
    passes = Counted(monkeypatch, jsonindex._Brackets, "__init__")
    path = write(
        "llm-config.json",
        json.dumps({"tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gemini-2.0-flash"] * 1000}}}, indent=2),
    )
    result = run("lint", path, "--fix", "--format", "json")
    assert json.loads(path.read_text()) == {
        "tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gemini-2.0-flash"]}}
    }
    assert "ref.fallback-repeat" not in {d["rule"] for d in result.json["diagnostics"]}
    assert passes.calls == 2  # once per check of the whole file (before the fixes and after them), not per fix


def test_lint_judges_each_endpoint_once_however_many_models_list_it(run, write, monkeypatch):
    from pbcfg.lint import reach

    judged = Counted(monkeypatch, reach, "_cause_of")
    scans = Counted(monkeypatch, reach, "_all_references")

    def lint(count: int) -> tuple:
        before = (judged.calls, scans.calls)
        models = {
            f"m{i}": {
                "displayName": f"M{i}",
                "endpoints": ["my-vllm", "openai-direct"],
                "costPer1kTokens": {"input": 0, "output": 0},
            }
            for i in range(count)
        }
        endpoints = {
            "my-vllm": {"enabled": True, "protocol": "openai", "priority": 2},
            "aws-bedrock": {"enabled": False},
            "codex": {"enabled": False},
        }  # pinned: no changed defaults
        result = run(
            "lint", write("llm-config.json", json.dumps({"endpoints": endpoints, "models": models})), "--format", "json"
        )
        return result.code, result.json["diagnostics"], judged.calls - before[0], scans.calls - before[1]

    few, many = lint(2), lint(2000)
    assert few[:2] == many[:2] == (0, [])
    assert few[2:] == many[2:] == (8, 2)  # per endpoint and context (the files alone, this shell), not per model
    cause = reach.Cause(
        "e", "e is disabled", "enable it", (("llm-config", ("models", "m", "endpoints", 0), False),), False
    )
    assert cause == cause._replace(places=()) and hash(cause) == hash(cause._replace(places=()))


@pytest.mark.slow
def test_a_long_fallback_on_one_endpoint_is_one_short_finding_per_model(run, write, monkeypatch):
    """A skipped model is one short finding, never a scan of the whole chain naming every model before it."""
    from pbcfg.lint.rules import ponybunny

    chains = Counted(monkeypatch, ponybunny, "path_b")
    places = Counted(monkeypatch, ponybunny, "_fallback_positions")

    def lint(count: int) -> tuple:
        before = (chains.calls, places.calls)
        models = {
            f"m{i}": {"displayName": f"M{i}", "endpoints": ["box"], "costPer1kTokens": {"input": 0, "output": 0}}
            for i in range(count)
        }
        endpoints = {
            "box": {"enabled": True, "protocol": "openai", "priority": 2},
            "aws-bedrock": {"enabled": False},
            "codex": {"enabled": False},
        }
        tiers = {
            tier: {"primary": "m0", "fallback": [f"m{i}" for i in range(1, count)] + ["m1"]}
            for tier in ("simple", "medium", "complex")
        }
        write("credentials.json", {"endpoints": {"box": {"apiKey": "not-needed", "baseUrl": "http://box:8000/v1"}}})
        path = write("llm-config.json", {"endpoints": endpoints, "models": models, "tiers": tiers})
        result = run(
            "lint",
            path.parent,
            "--select",
            "ponybunny.skipped-after-failure",
            "--format",
            "json",
            "--max-diagnostics",
            "0",
        )
        return (
            [(d["pointer"], d["message"]) for d in result.json["diagnostics"]],
            chains.calls - before[0],
            places.calls - before[1],
        )

    for count in (1000, 2000):
        found, chained, placed = lint(count)
        assert found == [
            (
                f"/tiers/{tier}/fallback/{i - 1}",
                f"'m{i}' is only on box, which m0 uses first: after a failure there, PonyBunny's Path B "
                f"skips it for 30 s and never tries 'm{i}'; pbcfg's runtime does",
            )
            for tier in ("simple", "medium", "complex")
            for i in range(1, count)
        ]
        assert (chained, placed) == (3, 3)  # once per tier, whatever the length of its fallback


class _ScannedList(list):
    """A chain that counts the times it is searched item by item."""

    scans = 0

    def __contains__(self, item) -> bool:
        _ScannedList.scans += 1
        return super().__contains__(item)


def test_a_chain_of_unusable_models_is_never_searched_model_by_model(run, write, monkeypatch):
    """Whether a chain holds a model is never found by scanning the chain's list, model by model."""
    from pbcfg.lint.context import LintContext

    chain = LintContext.chain
    monkeypatch.setattr(LintContext, "chain", lambda self, section, name: _ScannedList(chain(self, section, name)))

    def lint(count: int) -> tuple:
        _ScannedList.scans = 0
        endpoints = {f"box{i}": {"enabled": True, "protocol": "openai", "priority": 2} for i in range(count)}
        models = {
            f"m{i}": {"displayName": f"M{i}", "endpoints": [f"box{i}"], "costPer1kTokens": {"input": 0, "output": 0}}
            for i in range(count)
        }
        tiers = {
            tier: {"primary": "m0", "fallback": [f"m{i}" for i in range(1, count)]}
            for tier in ("simple", "medium", "complex")
        }
        endpoints.update({"aws-bedrock": {"enabled": False}, "codex": {"enabled": False}})
        path = write("llm-config.json", {"endpoints": endpoints, "models": models, "tiers": tiers})
        result = run("lint", path, "--select", "routing.chain-unusable", "--format", "json")
        return [(d["pointer"], d["message"]) for d in result.json["diagnostics"]], _ScannedList.scans

    for count in (300, 600):
        models = ", ".join(f"'m{i}'" for i in range(count - 1)) + f" and 'm{count - 1}'"
        assert lint(count) == (
            [
                (
                    "/endpoints/box0",
                    "; ".join(f"box{i} has no apiKey in credentials.json" for i in range(count))
                    + f", so models {models} have no usable endpoint and tiers simple, medium and complex "
                    "and agents conversation and agent_a_market_listener have no usable model",
                )
            ],
            0,
        )


def _models_text(count: int, endpoints: list) -> list[str]:
    models = {
        f"m{i}": {"displayName": f"M{i}", "endpoints": endpoints, "costPer1kTokens": {"input": 0, "output": 0}}
        for i in range(count)
    }
    return json.dumps({"models": models}, indent=2).splitlines(keepends=True)


def test_a_diff_of_a_change_to_every_model_finds_each_change_by_its_own_lines(monkeypatch):
    """`lint --diff` hands difflib each change's own lines, never every line against every line like it."""
    import difflib

    from pbcfg.util.textdiff import unified_diff

    handed = []  # lines before times lines after, of each run given to difflib's own matcher
    set_seqs = difflib.SequenceMatcher.set_seqs

    def recorded(self, a, b):
        if type(self) is difflib.SequenceMatcher:
            handed.append(len(a) * len(b))
        return set_seqs(self, a, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seqs", recorded)
    for count in (1000, 2000):
        old, new = _models_text(count, ["e", "e"]), _models_text(count, ["e"])
        hunks = "".join(
            f'@@ -{3 + 11 * i},7 +{3 + 10 * i},6 @@\n     "m{i}": {{\n       "displayName": "M{i}",\n'
            f'       "endpoints": [\n-        "e",\n         "e"\n       ],\n       "costPer1kTokens": {{\n'
            for i in range(count)
        )
        assert "".join(unified_diff(old, new, "a", "b")) == "--- a\n+++ b\n" + hunks
        assert handed == []  # every line found by the lines found once in each version, none left to difflib
    old, new = _models_text(1000, ["e"]), _models_text(1000, ["f"])  # no line of a change is found once
    assert "".join(unified_diff(old, new, "a", "b")).count('\n-        "e"\n+        "f"\n') == 1000
    assert handed == [1] * 1000  # difflib sees each change's own line, never the file


@pytest.mark.slow
def test_lint_diff_says_each_refused_fix_once_in_order(run, write):
    """Each refused fix is said once, in order, without comparing it with every line said before it."""
    endpoints = {f"box{i}": {"enabled": True, "protocol": "openai", "priority": 2} for i in range(1000)}
    write(
        "llm-config.json", {"endpoints": {**endpoints, "aws-bedrock": {"enabled": False}, "codex": {"enabled": False}}}
    )
    path = write(
        "credentials.json",
        {"endpoints": {f"box{i}": {"apiKey": "not-needed", "baseUrl": f"http://b{i}:8000/"} for i in range(1000)}},
    )
    path.chmod(0o600)
    path.parent.chmod(0o700)
    result = run("lint", path.parent, "--diff", "--select", "url", "--format", "json")
    assert result.err.splitlines() == [f"would edit {path} (1000 fixes)"] + [
        f'{path}:{5 + 4 * i}: url.missing-v1: not fixed: an unsafe fix would write "http://b{i}:8000/v1"; pass '
        "--unsafe-fixes to apply it"
        for i in range(1000)
    ]
    assert "".join(result.json["diffs"]).count('\n-      "baseUrl": "http://b') == 1000


def _patched(old: list[str], diff: list[str]) -> list[str]:
    """``old`` with a unified diff applied, read by its hunk headers."""
    result, at = [], 0
    for line in diff[2:]:
        if line.startswith("@@"):
            start, _, length = line.split()[1][1:].partition(",")
            first = int(start) - (1 if length != "0" else 0)
            result += old[at:first]
            at = first
        elif line[0] in " -":
            result += [line[1:]] if line[0] == " " else []
            at += 1
        else:
            result.append(line[1:])
    return result + old[at:]


@PROPERTY
@given(old=st.lists(st.sampled_from(["a\n", "b\n", "c\n", "{\n", "}\n"]), max_size=40), data=st.data())
def test_a_diff_turns_the_old_lines_into_the_new(old, data):
    from pbcfg.util.textdiff import unified_diff

    new = (
        data.draw(st.lists(st.sampled_from(["a\n", "b\n", "x\n", "{\n", "}\n"]), max_size=40))
        if data.draw(st.booleans())
        else [line for line in old if data.draw(st.booleans())]
    )
    diff = list(unified_diff(old, new, "a", "b"))
    assert _patched(old, diff) == new
    assert (diff == []) == (old == new)


def test_probing_many_endpoints_loads_the_certificates_once(run, tmp_path, monkeypatch):
    """Every endpoint's client shares one TLS context: the certificates load once, however many endpoints."""
    import ssl

    loads = Counted(monkeypatch, ssl.SSLContext, "load_verify_locations")
    closed = socket.socket()  # bound, never listening: every connection is refused at once
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    try:
        for count in (20, 40):
            before = loads.calls
            directory = tmp_path / str(count)
            directory.mkdir(mode=0o700)
            endpoints = {f"box{i}": {"enabled": True, "protocol": "openai", "priority": 2} for i in range(count)}
            (directory / "llm-config.json").write_text(json.dumps({"endpoints": endpoints}))
            credentials = directory / "credentials.json"
            credentials.write_text(
                json.dumps(
                    {
                        "endpoints": {
                            f"box{i}": {"apiKey": "not-needed", "baseUrl": f"http://127.0.0.1:{port}/v1"}
                            for i in range(count)
                        }
                    }
                )
            )
            credentials.chmod(0o600)
            result = run("status", "--config-dir", directory, "--timeout", "5", "--format", "json")
            assert [
                (e["endpoint"], e["state"]) for e in result.json["endpoints"] if e["endpoint"].startswith("box")
            ] == [(f"box{i}", "unreachable") for i in range(count)]
            assert loads.calls - before == 1
    finally:
        closed.close()


def test_migrate_renames_thousands_of_keys_from_one_index(run, tmp_path, monkeypatch):
    passes = Counted(monkeypatch, jsonindex._Brackets, "__init__")
    endpoints = {
        f"e{i}": {"enabled": True, "api_key": f"key-{i:06d}-secret", "base_url": "http://h:1/v1"} for i in range(2000)
    }
    before = json.dumps({"endpoints": endpoints}, indent=2)
    path = tmp_path / "credentials.json"
    path.write_text(before)
    path.chmod(0o600)
    assert run("migrate", path, "--no-backup").code == 0
    assert path.read_text() == before.replace('"api_key"', '"apiKey"').replace('"base_url"', '"baseUrl"')
    # one index for the place of each change in the file as it was, one for the 4,000 renames: not one per rename
    assert passes.calls == 2


@pytest.mark.slow
def test_migrate_logs_thousands_of_steps_reading_the_notes_once(run, tmp_path, monkeypatch):
    """The migration notes are read once, however many steps the log names."""
    from pbcfg.migrate.migration_plan import MigrationPlan

    reads = []
    notes = MigrationPlan.notes
    monkeypatch.setattr(MigrationPlan, "notes", property(lambda plan: reads.append(1) or notes.fget(plan)))
    for count in (1000, 2000):
        reads.clear()
        path = tmp_path / f"{count}" / "credentials.json"
        path.parent.mkdir()
        path.write_text(
            json.dumps({"endpoints": {f"e{i}": {"api_key": f"key-{i:06d}-secret"} for i in range(count)}}, indent=2)
        )
        path.chmod(0o600)
        result = run("migrate", path, "--no-backup")
        assert (result.code, len(reads)) == (0, 1)
        assert result.err.splitlines() == [
            f"{path}:{4 + 3 * i}:7: [credential-keys] 'api_key' → 'apiKey'" for i in range(count)
        ] + [f"wrote {path}"]


@PROPERTY
@given(data=st.data())
def test_removing_any_members_at_once_keeps_the_rest_and_valid_json(data):
    from pbcfg.source.json_edit import apply_edits, remove_member

    Edit = collections.namedtuple("Edit", "op tokens value")

    keys = data.draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=6, unique=True))
    value = {key: data.draw(st.sampled_from([1, "s", [1, 2], {"x": [3]}])) for key in keys}
    text = json.dumps({"o": value}, indent=data.draw(st.sampled_from([None, 2])))
    gone = data.draw(st.lists(st.sampled_from(keys), unique=True))
    together = apply_edits(text, [Edit("remove-member", ["o", key], None) for key in gone])
    one_by_one = text
    for key in gone:
        one_by_one = remove_member(one_by_one, ["o", key])
    expected = {"o": {k: v for k, v in value.items() if k not in gone}}
    assert json.loads(together) == json.loads(one_by_one) == expected


def test_yaml_positions_come_from_one_line_table(write, monkeypatch):
    from pbcfg.source import positions

    tables = Counted(monkeypatch, positions.Lines, "__init__")
    text = "models:\n" + "".join(f"  k{i}: {i}\n" for i in range(2000))
    result = check_sources([source(text, "llm-config.yaml")], max_diagnostics=None)
    assert located(result.diagnostics) == [
        ("schema.type", f"/models/k{i}", i + 2, 6 + len(str(i))) for i in range(2000)
    ]
    assert tables.calls == 1


@pytest.mark.slow
def test_a_snippet_of_a_line_of_three_megabytes_is_a_window():
    text = '{"models": {' + ", ".join(f'"k{i}": {{}}' for i in range(200_000)) + "}}"
    from pbcfg.source.document import Document

    document = Document(source(text), None, text)
    found = document.diagnostic(["models", "k199999"], "schema.required", "missing")
    assert found.span == (1, text.rindex("{}") + 1)
    caret = text.rindex("{}") - (len(text) - 160) + 1  # the last 160 characters shown, after "…"
    assert found.snippet == "…" + text[-160:] + "\n" + " " * caret + "^"


def test_masking_runs_in_bounded_memory():
    """Masking a 20 MB string and a long list, as JSON and as YAML, fits in 1 GiB of address space: neither pattern
    backtracks through them."""
    probe = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from pbcfg.secrets.masking import mask_text\n"
        "text = '\"' + 'x' * 20_000_000 + '\": [' + '{},' * 100_000 + ']'\n"
        "print(len(mask_text(text, 'credentials')), len(mask_text(text, 'credentials', yaml=True)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout) == (0, "20300006 20300006\n"), done.stderr[-500:]


OLD_STRING_MEMBER = re.compile(r'"((?:[^"\\\n]|\\.)*)"(\s*:\s*)"((?:[^"\\\n]|\\.)*)')
OLD_YAML_MEMBER = re.compile(
    r"""^([ \t]*(?:-[ \t]+)?)(["']?)([^"':#\n]+)\2([ \t]*:[ \t]*)(["']?)([^\n#]*?)\5([ \t]*(?:#.*)?)$""", re.M
)


@PROPERTY
@given(
    text=st.lists(
        st.sampled_from(
            [
                '"apiKey"',
                '"token"',
                '"x"',
                '"sk-abcdefghijklmnop1234"',
                ":",
                " : ",
                ",",
                "\n",
                "\n  ",
                "{",
                "}",
                "- ",
                "#",
                "'",
                "key",
                " ",
                "\t",
                '"a\\"b"',
                "12",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_masking_hides_at_least_what_the_backtracking_patterns_hid(text):
    from pbcfg.secrets.masking import _same_length, is_secret_field, mask_lines, mask_text

    def old(pattern, groups):
        def replace(match):
            parts = list(match.groups())
            key, value = parts[groups[0]], parts[groups[1]]
            if not value or not is_secret_field(key.strip()):
                return match.group(0)
            parts[groups[1]] = _same_length(value)
            if pattern is OLD_STRING_MEMBER:
                return f'"{parts[0]}"{parts[1]}"{parts[2]}'
            return f"{parts[0]}{parts[1]}{parts[2]}{parts[1]}{parts[3]}{parts[4]}{parts[5]}{parts[4]}{parts[6]}"

        return pattern.sub(replace, text)

    for was, now in (
        (old(OLD_STRING_MEMBER, (0, 2)), mask_text(text, "credentials")),
        (old(OLD_YAML_MEMBER, (2, 5)), mask_text(text, "credentials", yaml=True)),
    ):
        assert len(now) == len(text)
        assert [i for i, (w, n) in enumerate(zip(was, now)) if w == "*" != n] == []
    whole = mask_text(text, "credentials")
    for start in range(0, len(text) + 1, 3):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        first, shown = mask_lines(text, start, end, "credentials")
        assert (first, shown) == (text.rfind("\n", 0, start) + 1, whole[first : first + len(shown)])
        assert first + len(shown) >= end and shown[start - first : end - first] == whole[start:end]


def reference_snippet(text: str, offset: int, width: int = 160) -> str:
    """The windowing every snippet had before: the whole line read, then cut around the caret."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end != -1 else len(text)].rstrip("\r")
    caret_at = offset - start
    if len(line) > width:
        left = max(0, min(caret_at - width // 2, len(line) - width))
        shown = line[left : left + width]
        line = ("…" if left else "") + shown + ("…" if left + width < len(line) else "")
        caret_at = caret_at - left + (1 if left else 0)
    pad = "".join("\t" if ch == "\t" else " " for ch in line[:caret_at])
    return f"{line}\n{pad}^"


@PROPERTY
@given(text=st.text(st.sampled_from("ab\t\r\n"), max_size=400), width=st.integers(4, 40))
def test_lines_and_snippets_match_reading_the_whole_line(text, width):
    from pbcfg.source.positions import Lines

    lines = Lines(text)
    for offset in range(len(text) + 1):
        assert lines.span(offset) == (text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset))
        assert lines.snippet(offset, width) == reference_snippet(text, offset, width)


# --- stated limits ---------------------------------------------------------------------------------------------


def test_each_limit_in_json_with_its_rule_position_and_pointer():
    cases = [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, []),
        (
            '{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}",
            [("limits.depth", "/a" + "/0" * (MAX_DEPTH - 1), 1, 6 + MAX_DEPTH)],
        ),
        ('{"a": "' + "x" * MAX_STRING + '"}', []),
        ('{"a": "' + "x" * MAX_STRING + 'y"}', [("limits.string-length", "/a", 1, 7)]),
        ('{"' + "k" * (MAX_STRING + 1) + '": 1}', [("limits.string-length", "", 1, 2)]),
    ]
    for text, expected in cases:
        parsed = parse_json(text, "f.json", "llm-config")
        assert (located(parsed.diagnostics), parsed.readable) == (expected, not expected)
    messages = [parse_json(text, "f.json", "llm-config").diagnostics[0].message for text, _ in cases[1::2]]
    assert messages == [
        "more than 128 nested objects and arrays: pbcfg reads at most 128; no PonyBunny config nests more than a few levels",
        "a string of 1,048,577 characters: pbcfg reads at most 1,048,576 in one string; no PonyBunny setting comes near",
    ]


def test_a_million_values_are_read_and_one_more_is_not(monkeypatch):
    from pbcfg.source import jsonscan, limits

    exactly = '{"a": [' + ",".join(["0"] * (MAX_VALUES - 1)) + "]}"  # "a" and its items: 1,000,000 values
    fits = parse_json(exactly, "f.json", "llm-config")
    assert (fits.readable, fits.diagnostics, len(fits.data["a"])) == (True, [], MAX_VALUES - 1)
    assert limits.fits(exactly[:-2] + ",0]}") is False  # one more: not parsed at C speed, the scanner counts
    monkeypatch.setattr(limits, "MAX_VALUES", 10)  # the same count, where it is quick to see
    monkeypatch.setattr(jsonscan, "MAX_VALUES", 10)
    over = parse_json('{"a": [0, 0, 0], "b": {"c": [0, 0, 0, 0], "d": 0}}', "f.json", "llm-config")
    assert (located(over.diagnostics), over.readable) == ([("limits.values", "/b/d", 1, 48)], False)
    assert over.diagnostics[0].message.startswith("more than 10 keys and array items: pbcfg reads at most 1,000,000")


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 300])
def test_json_and_yaml_hold_the_same_depth(depth):
    """Counted the same way: the top-level object is one level, each object or array inside it one more."""
    inner = depth - 1
    as_json = parse_json('{"a": ' + "[" * inner + "]" * inner + "}", "f.json", "llm-config")
    block = "a:\n" + "".join("  " * (i + 1) + "-\n" for i in range(inner - 1)) + "  " * inner + "- 1\n"
    as_yaml = parse_yaml(block if inner else "a: 1\n", "f.yaml", "llm-config")
    as_flow = parse_yaml("a: " + "[" * inner + "]" * inner + "\n", "f.yaml", "llm-config")
    refused = depth > MAX_DEPTH
    assert (
        [d.rule for d in as_json.diagnostics]
        == [d.rule for d in as_flow.diagnostics]
        == [d.rule for d in as_yaml.diagnostics]
        == (["limits.depth"] if refused else [])
    )
    if refused:
        assert (as_json.diagnostics[0].column, as_flow.diagnostics[0].column) == (6 + MAX_DEPTH, 3 + MAX_DEPTH)
        assert (as_yaml.diagnostics[0].line, as_yaml.diagnostics[0].column) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


def test_yaml_counts_values_and_string_lengths_too(monkeypatch):
    from pbcfg.source import yamlparse

    monkeypatch.setattr(yamlparse, "MAX_VALUES", 10)
    over = parse_yaml("a: [1, 2, 3, 4, 5]\nb:\n  c: 1\n  d: [1, 2]\n  e: 1\n", "f.yaml", "llm-config")
    assert [(d.rule, d.line, d.column) for d in over.diagnostics] == [("limits.values", 4, 10)]  # d's second item
    long = parse_yaml("a: " + "x" * (MAX_STRING + 1) + "\n", "f.yaml", "llm-config")
    assert [(d.rule, d.line, d.column) for d in long.diagnostics] == [("limits.string-length", 1, 4)]


@pytest.mark.parametrize("depth", [256, 300, 600, 998])
@pytest.mark.parametrize("command", ["validate", "lint"])
def test_nesting_that_used_to_crash_is_a_finding(run, write, command, depth):
    path = write("llm-config.json", '{"defaults": {"x": ' + "[" * depth + "]" * depth + "}}")
    result = run(command, path, "--format", "json")
    assert result.code == 1 and "internal error" not in result.err
    assert [(d["rule"], d["line"], d["column"]) for d in result.json["diagnostics"]] == [
        ("limits.depth", 1, 20 + MAX_DEPTH - 2)
    ]


def test_resolve_on_deep_nesting_says_the_config_is_invalid(run, tmp_path):
    (tmp_path / "llm-config.json").write_text('{"defaults": {"x": ' + "[" * 500 + "]" * 500 + "}}")
    result = run("resolve", "--config-dir", tmp_path, "--tier", "simple")
    assert result.code == 1
    assert result.err.startswith(
        f"pbcfg: error: invalid config: 1 error; first: {tmp_path / 'llm-config.json'}:1:146: "
        "more than 128 nested objects and arrays"
    )


def test_files_over_the_size_limits_are_not_read(run, tmp_path):
    big = tmp_path / "llm-config.yaml"
    big.write_text("a: 1\n" + "#" * MAX_YAML_BYTES)
    result = run("validate", big)
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {big}: larger than 1 MiB (limits.file-size); no PonyBunny "
        "config is this big, so pbcfg does not read it\n",
    )


def test_a_timeout_no_client_can_hold_is_a_schema_error_with_its_unit(run, write):
    path = write("llm-config.json", '{"defaults": {"timeout": 1e31, "maxRetries": 11}}')
    result = run("validate", path, "--format", "json")
    assert [(d["rule"], d["pointer"], d["message"], d["hint"]) for d in result.json["diagnostics"]] == [
        (
            "schema.maximum",
            "/defaults/timeout",
            "must be ≤ 86,400,000, found 1e+31",
            "Request timeout in milliseconds (120000 is two minutes). At most 86,400,000, one day, the longest "
            "pbcfg's runtime waits: a number far beyond (1e31) overflows the clients that read it.",
        ),
        (
            "schema.maximum",
            "/defaults/maxRetries",
            "must be ≤ 10, found 11",
            "Retries on the same endpoint before moving on, in pbcfg's runtime: PonyBunny itself reads neither this nor "
            "retryDelayMs. At most 10: each retry doubles the wait (to a minute at most), so ten already wait about five "
            "minutes at the default delay.",
        ),
    ]
    resolved = run("resolve", "--config-dir", path.parent, "--tier", "simple")  # chat died here with OverflowError
    assert (resolved.code, resolved.err) == (
        1,
        f"pbcfg: error: invalid config: 2 errors; first: {path}:1:26: must be ≤ 86,400,000, found 1e+31\n",
    )


def test_a_number_past_the_largest_float_is_past_the_maximum_and_a_literal_infinity_only_a_syntax_error(run, write):
    path = write("llm-config.json", '{"defaults": {"timeout": 1e400, "retryDelayMs": -1e400, "temperature": Infinity}}')
    result = run("validate", path, "--format", "json")
    assert [(d["rule"], d["pointer"], d["message"]) for d in result.json["diagnostics"]] == [
        (
            "schema.maximum",
            "/defaults/timeout",
            "must be ≤ 86,400,000, found Infinity (a number past the largest a float holds reads as Infinity)",
        ),
        (
            "schema.minimum",
            "/defaults/retryDelayMs",
            "must be ≥ 0, found -Infinity (a number past the largest a float holds reads as Infinity)",
        ),
        (
            "json.syntax",
            None,
            "Infinity is not a JSON number: PonyBunny's loader would silently ignore this whole file "
            "and run on its built-in defaults",
        ),
    ]
    yaml = write("llm-config.yaml", "defaults:\n  temperature: .nan\n")
    assert [
        (d["rule"], d["line"], d["message"]) for d in run("validate", yaml, "--format", "json").json["diagnostics"]
    ] == [("schema.type", 2, "expected a finite number, found NaN")]
    key = write("credentials.yaml", "endpoints:\n  openai-direct:\n    apiKey: .inf\n")  # a string goes there
    assert [
        (d["rule"], d["line"], d["message"]) for d in run("validate", key, "--format", "json").json["diagnostics"]
    ] == [("schema.type", 3, "expected a string, found a number")]


def test_every_number_in_the_schema_has_a_finite_maximum_said_in_its_description():
    from pbcfg.ponybunny.builtins import defaults
    from pbcfg.schema_store import schema, validator

    numbers = []

    def walk(node, path):
        if isinstance(node, dict):
            if node.get("type") in ("integer", "number"):
                numbers.append((path, node))
            for key, value in node.items():
                walk(value, path + [key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, path + [index])

    walk(schema("llm-config"), [])
    assert len(numbers) == 12
    for path, node in numbers:
        assert isinstance(node.get("maximum"), (int, float)), path
        shown = f"{node['maximum']:,}" if isinstance(node["maximum"], int) else str(node["maximum"])
        assert shown in node["description"] or path[-1] == "temperature", (path, node["description"])
    assert list(validator("llm-config").iter_errors(defaults())) == []


@PROPERTY
@given(
    number=huge_numbers(),
    field=st.sampled_from(
        [
            ["defaults", "timeout"],
            ["defaults", "maxTokens"],
            ["defaults", "retryDelayMs"],
            ["models", "m", "maxContextTokens"],
            ["models", "m", "costPer1kTokens", "input"],
        ]
    ),
)
def test_numbers_no_field_can_mean_are_findings_never_crashes(run, write, number, field):
    text = "{" + "".join(f'"{token}": {{' for token in field[:-1]) + f'"{field[-1]}": {number}' + "}" * len(field)
    result = run("validate", write("llm-config.json", text), "--format", "json")
    assert result.code == 1 and "internal error" not in result.err
    rules = {d["rule"] for d in result.json["diagnostics"]}
    assert rules & {"schema.maximum", "schema.minimum", "schema.type", "json.syntax"}, rules


@PROPERTY
@given(case=nested())
def test_any_nesting_is_read_or_refused_at_the_limit(case):
    depth, text = case
    parsed = parse_json(text, "f.json", "llm-config")
    if depth <= MAX_DEPTH:
        assert parsed.readable and parsed.diagnostics == []
    else:
        assert [(d.rule, d.line) for d in parsed.diagnostics] == [("limits.depth", 1)]
        assert (
            text[parsed.diagnostics[0].column - 1] in "[{"
            and text[: parsed.diagnostics[0].column - 1].count("[")
            + text[: parsed.diagnostics[0].column - 1].count("{")
            == MAX_DEPTH
        )


# --- text that is not Unicode ----------------------------------------------------------------------------------


@PROPERTY
@given(literal=json_strings_with_surrogates(), where=st.sampled_from(["key", "value"]))
def test_half_a_surrogate_pair_anywhere_is_a_json_error_with_its_position(literal, where):
    text = '{"models": {' + (f"{literal}: {{}}" if where == "key" else f'"m": {{"displayName": {literal}}}') + "}}"
    decoded = json.loads(literal)
    parsed = parse_json(text, "f.json", "llm-config")
    try:
        decoded.encode("utf-8")
    except UnicodeEncodeError:
        [found] = parsed.diagnostics
        assert (found.rule, found.line, found.pointer) == (
            "json.lone-surrogate",
            1,
            "/models" if where == "key" else "/models/m/displayName",
        )
        assert text[found.column - 1 : found.column + 1] == "\\u" and found.message.isascii()
    else:
        assert parsed.readable and parsed.diagnostics == []


SURROGATE = '{"models": {"m\\ud800": {"displayName": "x\\udc00"}}}'


@pytest.mark.parametrize(
    "args, code, first",
    [
        (
            ["validate", "{path}"],
            1,
            "{path}:1:15: error json.lone-surrogate \\ud800 is half of a UTF-16 surrogate pair",
        ),
        (["lint", "{path}"], 1, "{path}:1:15: error json.lone-surrogate \\ud800 is half of a UTF-16 surrogate pair"),
        (
            ["migrate", "{path}", "--diff"],
            1,
            "{path}:1:15: error migrate.blocked \\ud800 is half of a UTF-16 surrogate pair",
        ),
    ],
)
def test_every_command_reports_a_lone_surrogate(args, code, first, tmp_path):
    path = tmp_path / "llm-config.json"
    path.write_text(SURROGATE)
    done = pbcfg(*[a.format(path=path) for a in args], env={"PYTHONIOENCODING": "utf-8:strict"})
    assert done.returncode == code and "internal error" not in done.stderr
    assert done.stdout.startswith(first.format(path=path))
    resolved = pbcfg("resolve", "--config-dir", tmp_path, "--tier", "simple", env={"PYTHONIOENCODING": "utf-8:strict"})
    assert resolved.returncode == 1
    assert resolved.stderr.startswith(f"pbcfg: error: invalid config: 1 error; first: {path}:1:15: \\ud800 is half")


def test_a_lone_surrogate_in_a_yaml_source_stops_validate_and_build(run, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "llm-config.yaml").write_text('models:\n  m:\n    displayName: "x\\ud800"\n')
    validated = run("validate", tmp_path / "src" / "llm-config.yaml", "--format", "json")
    assert [(d["rule"], d["line"], d["column"]) for d in validated.json["diagnostics"]] == [
        ("yaml.lone-surrogate", 3, 18)
    ]
    built = run("build", tmp_path / "src", "--config-dir", tmp_path / "out")
    assert built.code == 1 and not (tmp_path / "out").exists()


def test_render_of_a_parameter_that_is_not_text_ends_in_one_line():
    done = subprocess.run(
        PBCFG + ["render", "ollama", "--model", b"\xff\xfe".decode("utf-8", "surrogateescape")],
        capture_output=True,
        text=True,
        timeout=120,
        errors="surrogateescape",
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
    )
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "json.lone-surrogate \\udcff is half" in done.stderr


def test_reports_name_a_file_that_is_not_utf8_without_failing(tmp_path):
    name = os.fsdecode(b"llm-config-\xff.json")
    (tmp_path / name).write_text('{"x": 1}')
    strict = {"PYTHONIOENCODING": "utf-8:strict"}
    shown = pbcfg("validate", name, cwd=tmp_path, env=strict)
    assert (shown.returncode, shown.stdout.splitlines()[0]) == (
        1,
        "llm-config-\\udcff.json:1:2: error schema.additionalProperties unknown key 'x' at the top level",
    )
    written = pbcfg("validate", name, "--format", "json", "--output", "report.json", cwd=tmp_path, env=strict)
    assert written.returncode == 1
    assert json.loads((tmp_path / "report.json").read_text())["diagnostics"][0]["file"] == name


# --- only regular files ------------------------------------------------------------------------------------------


def fifo_dir(tmp_path, name="llm-config.json"):
    directory = tmp_path / "config"
    directory.mkdir()
    os.mkfifo(directory / name)
    return directory


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{dir}/llm-config.json"],
        ["validate", "{dir}"],
        ["lint", "{dir}"],
        ["lint", "{dir}/llm-config.json"],
        ["migrate", "{dir}/llm-config.json"],
        ["migrate", "--diff", "--config-dir", "{dir}"],
        ["validate", "--config-dir", "{dir}", "--format", "json"],
    ],
)
def test_a_named_pipe_is_refused_at_once(tmp_path, args):
    directory = fifo_dir(tmp_path)
    done = pbcfg(*[a.format(dir=directory) for a in args], env={"HOME": str(tmp_path)})
    refused(
        done, f"{directory}/llm-config.json: is a named pipe (FIFO), not a regular file; pbcfg reads only regular files"
    )


def refused(done, message: str) -> None:
    """Exit 2 and ``message`` as the one line on stderr; stdout empty, or with --format json the one document
    holding the failure."""
    assert (done.returncode, done.stderr) == (2, f"pbcfg: error: {message}\n")
    if "json" in done.args:
        assert json.loads(done.stdout)["error"] == {"message": message, "exitCode": 2}
    else:
        assert done.stdout == ""


@pytest.mark.parametrize(
    "plant, why",
    [
        (
            lambda path: path.symlink_to("/nonexistent/llm-config.json"),
            "is a symbolic link to /nonexistent/llm-config.json, which does not exist; fix or remove the link",
        ),
        (lambda path: path.symlink_to(path.name), "cannot read: Too many levels of symbolic links"),
        (lambda path: path.mkdir(), "is a directory, not a regular file; pbcfg reads only regular files"),
    ],
    ids=["dangling link", "link loop", "directory"],
)
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{dir}"],
        ["lint", "{dir}"],
        ["migrate", "--diff", "--config-dir", "{dir}"],
        ["validate", "--config-dir", "{dir}", "--format", "json"],
        ["rename", "model", "llama3.1:8b", "llama3", "--config-dir", "{dir}"],
        ["remove", "endpoint", "openai-compatible", "--config-dir", "{dir}"],
    ],
)
def test_what_is_not_a_file_under_a_config_name_is_refused_never_skipped(tmp_path, plant, why, args):
    directory = tmp_path / "config"
    directory.mkdir(mode=0o700)
    (directory / "credentials.json").write_text((REPO / "examples" / "credentials.json").read_text())
    (directory / "credentials.json").chmod(0o600)
    plant(directory / "llm-config.json")
    done = pbcfg(*[a.format(dir=directory) for a in args], env={"HOME": str(tmp_path)})
    refused(done, f"{directory}/llm-config.json: {why}")


def test_a_dangling_link_given_as_a_path_says_where_it_points(tmp_path):
    (tmp_path / "llm-config.json").symlink_to("gone.json")
    done = pbcfg("validate", tmp_path / "llm-config.json")
    assert (done.returncode, done.stderr) == (
        2,
        f"pbcfg: error: {tmp_path}/llm-config.json: is a symbolic link to "
        "gone.json, which does not exist; fix or remove the link\n",
    )


def test_devices_and_sockets_are_refused_at_once(tmp_path):
    assert pbcfg("validate", "/dev/zero", "--kind", "llm-config").stderr == (
        "pbcfg: error: /dev/zero: is a character device, not a regular file; pbcfg reads only regular files\n"
    )
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tmp_path / "credentials.json"))
    try:
        done = pbcfg("validate", tmp_path / "credentials.json")
    finally:
        listener.close()
    assert (done.returncode, done.stderr) == (
        2,
        f"pbcfg: error: {tmp_path}/credentials.json: is a socket, not a regular file; pbcfg reads only regular files\n",
    )


def test_a_pipe_beside_the_config_is_never_opened(tmp_path):
    directory = tmp_path / "config"
    directory.mkdir()
    for name in ("credentials.json", "llm-config.json", "credentials.schema.json"):
        (directory / name).write_text((REPO / "examples" / name).read_text())
    (directory / "credentials.json").chmod(0o600)
    directory.chmod(0o700)
    os.mkfifo(directory / "llm-config.schema.json")
    assert pbcfg("lint", directory, env={"HOME": str(tmp_path)}).returncode == 0
    assert pbcfg("migrate", "--check", "--config-dir", directory, env={"HOME": str(tmp_path)}).returncode == 0
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "llm-config.yaml").write_text("defaults:\n  timeout: 60000\n")
    out = fifo_dir(tmp_path / "src")
    done = pbcfg("build", tmp_path / "src", "--config-dir", out, "--check")
    assert (done.returncode, done.stderr) == (
        2,
        f"pbcfg: error: {out}/llm-config.json: is a named pipe (FIFO), not a "
        "regular file; pbcfg reads only regular files\n",
    )


# --- lint on a large valid config ---------------------------------------------------------------------------------


@PROPERTY
@given(
    name=st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            ["apiKey", "API-KEY", "token\n", "Password", "projectId", "secret_access_key", "tokensPerMinute", "keys"]
        ),
    )
)
def test_the_quick_look_for_credential_names_misses_none(name):
    from pbcfg.lint.rules import secrets

    if secrets._is_credential_name(name):
        assert not secrets._no_credential_names().is_valid({"models": {"m": {name: 1}}})
        assert not secrets._no_credential_names().is_valid([{"a": [{name: {}}]}])


def test_a_valid_config_is_searched_for_credential_names_only_where_ids_stand():
    from pbcfg.lint.rules import secrets

    assert secrets._id_sections() == ("endpoints", "models", "tiers", "agents")
    assert secrets._closed({"type": "object"}, set()) is False  # open: any key could stand there
    assert (
        secrets._closed({"type": "object", "additionalProperties": False, "properties": {"apiKey": {}}}, set()) is False
    )
    assert (
        secrets._closed(
            {
                "type": "array",
                "items": {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}},
            },
            set(),
        )
        is True
    )


@pytest.mark.slow
@PROPERTY
@given(data=st.data())
def test_looking_only_at_ids_finds_what_the_full_walk_finds_in_a_valid_config(data, tmp_path):
    from pbcfg.lint.context import LintContext
    from pbcfg.lint.linter import _register_rules
    from pbcfg.lint.registry import CHECKS
    from pbcfg.schema_store import validator
    from strategies import instances

    config = data.draw(instances("llm-config"))
    for section, name in data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(["models", "tiers", "agents"]),
                st.sampled_from(["token", "key", "apiKey", "Password", "m"]),
            )
        )
    ):
        config.setdefault(section, {})[name] = (
            {"primary": "gpt-5.2"}
            if section != "models"
            else {"displayName": "x", "endpoints": ["openai-direct"], "costPer1kTokens": {"input": 0, "output": 0}}
        )
    if list(validator("llm-config").iter_errors(config)):
        return
    text = json.dumps(config, indent=2)
    document = check_sources([source(text)]).documents[0]
    _register_rules()
    rule = CHECKS["secrets.credential-in-llm-config"].function
    fast = rule(LintContext(str(tmp_path), {"llm-config": document}, {}, str(tmp_path)))
    full = rule(
        LintContext(str(tmp_path), {"llm-config": document}, {}, str(tmp_path), invalid=frozenset({"llm-config"}))
    )
    assert sorted(f.diagnostic for f in fast) == sorted(f.diagnostic for f in full)


JSON_VALUES = st.recursive(
    st.one_of(
        st.integers(-5, 5), st.booleans(), st.none(), st.text(st.sampled_from('ab"\\[]{},:é\u2028'), max_size=12)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text('ab[{,"', max_size=3), inner, max_size=4)
    ),
    max_leaves=40,
)


def measure(value, depth=0) -> tuple[int, int, int]:
    """(nesting depth, keys and items, longest string or key) of parsed JSON, by walking it."""
    if isinstance(value, (dict, list)):
        children = list(value.items()) if isinstance(value, dict) else [(None, item) for item in value]
        parts = [measure(item, depth + 1) for _, item in children]
        keys = [len(key) for key, _ in children if key is not None]
        return (
            max([depth + 1] + [p[0] for p in parts]),
            len(children) + sum(p[1] for p in parts),
            max([0] + keys + [p[2] for p in parts]),
        )
    return depth, 0, len(value) if isinstance(value, str) else 0


@PROPERTY
@given(
    shape=st.recursive(st.just([]), lambda inner: st.lists(inner, max_size=4), max_leaves=60),
    chain=st.integers(0, 400),
    limit=st.integers(1, 500),
)
def test_the_quick_depth_count_agrees_with_a_plain_count(shape, chain, limit):
    from pbcfg.source import limits

    # a random shape, then a chain of nested pairs: long remainders take the array count, short ones the loop
    shaped = json.dumps(shape).replace(",", "").replace(" ", "")
    brackets = ("[" + shaped + "[" * chain + "]" * chain + "]").encode()
    level = deepest = 0
    for bracket in brackets:
        level += 1 if bracket == ord("[") else -1
        deepest = max(deepest, level)
    assert limits._depth_at_most(brackets, limit) == (deepest <= limit)


@PROPERTY
@given(value=JSON_VALUES, indent=st.sampled_from([None, 1]))
def test_the_quick_limit_check_never_lets_through_what_breaks_a_limit(monkeypatch, value, indent):
    from pbcfg.source import jsonscan, limits

    for module in (limits, jsonscan):
        monkeypatch.setattr(module, "MAX_DEPTH", 3)
        monkeypatch.setattr(module, "MAX_VALUES", 12)
        monkeypatch.setattr(module, "MAX_STRING", 8)
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    depth, values, longest = measure(value)
    within = depth <= 3 and values <= 12 and longest <= 8
    if limits.fits(text):
        assert within
    parsed = parse_json(text, "f.json", "llm-config")  # and the scanner decides exactly
    assert ([d.rule for d in parsed.diagnostics] == []) == within


# --- hostile whitespace, brackets and URLs ---------------------------------------------------------------------


class _RecordedPattern:
    """A compiled pattern whose ``finditer`` records the region it was asked to scan."""

    def __init__(self, pattern) -> None:
        self.pattern, self.regions = pattern, []

    def finditer(self, text, pos=0, endpos=None):
        self.regions.append((pos, len(text) if endpos is None else endpos))
        return self.pattern.finditer(text, pos, *(() if endpos is None else (endpos,)))


def test_the_bracket_scan_stops_at_the_last_bracket_however_many_spaces_follow(monkeypatch):
    """A bracket inside a string and 1 MiB of spaces after the last one: no space starts a match that reads to the
    end of the file."""
    recorded = _RecordedPattern(jsonindex._BRACKET)
    monkeypatch.setattr(jsonindex, "_BRACKET", recorded)
    body = json.dumps({"endpoints": {"openai-compatible": {"baseUrl": "http://[::1]:8000/v1", "apiKey": 1}}})
    result = check_sources([source(body + " " * (1 << 20), "credentials.json", "credentials")])
    assert located(result.diagnostics) == [
        ("ponybunny.credentials-refused", "/endpoints/openai-compatible/apiKey", 1, 83)
    ]
    assert recorded.regions == [(0, len(body))]


# --- YAML: the depth limit before the parse, anchors refused ---------------------------------------------------


def test_a_flow_collection_300_deep_in_a_model_is_refused_as_the_scanner_reaches_the_limit(monkeypatch):
    """The depth check refuses a deep flow collection before the scanner reads the whole of it ahead."""
    from ruamel.yaml import scanner

    brackets = Counted(monkeypatch, scanner.Scanner, "fetch_flow_collection_start")
    head = "models:\n  m:\n    displayName: M\n    extra: "
    parsed = parse_yaml(head + "[{" * 150 + "}]" * 150 + "\n", "llm-config.yaml", "llm-config")
    assert located(parsed.diagnostics) == [("limits.depth", None, 4, 12 + MAX_DEPTH - 3)]
    assert brackets.calls == MAX_DEPTH - 3 and not parsed.readable  # the three block levels, then no further
    json_style = parse_yaml('{"models": {"m": ' + '{"a": ' * 300 + "1" + "}" * 302, "llm-config.yaml", "llm-config")
    assert located(json_style.diagnostics) == [("limits.depth", None, 1, 18 + 6 * (MAX_DEPTH - 2))]
    assert brackets.calls == 2 * MAX_DEPTH - 3


@PROPERTY
@given(text=st.text(st.sampled_from("[]{}:,-?'\"# a\n"), max_size=40))
def test_the_scanner_refuses_nothing_the_composer_accepts(text):
    from pbcfg.source import yamlparse

    original = (yamlparse.MAX_DEPTH, yamlparse._bounded_scanner)
    yamlparse.MAX_DEPTH = 3
    try:
        scanned = parse_yaml(text, "llm-config.yaml", "llm-config")
        yamlparse._bounded_scanner = lambda base: base
        composed = parse_yaml(text, "llm-config.yaml", "llm-config")
    finally:
        yamlparse.MAX_DEPTH, yamlparse._bounded_scanner = original
    if [d.rule for d in scanned.diagnostics] == ["limits.depth"]:
        assert not composed.readable
    else:
        assert [(d.rule, d.line, d.column) for d in scanned.diagnostics] == [
            (d.rule, d.line, d.column) for d in composed.diagnostics
        ]


@pytest.mark.parametrize(
    "text, message, line, column",
    [
        ("endpoints:\n  openai-compatible:\n    enabled: &on true\n    priority: 3\n", "an anchor (&on)", 3, 14),
        ("a: &k 1\nendpoints:\n  openai-compatible:\n    priority: *k\n", "an anchor (&k)", 1, 4),
        ("defaults:\n  timeout: 5000\nendpoints: {openai-compatible: {priority: *p}}\n", "an alias (*p)", 3, 43),
        ("base: &b {enabled: true}\nendpoints:\n  x:\n    <<: *b\n", "an anchor (&b)", 1, 7),
    ],
)
def test_anchors_and_aliases_are_refused_alike_at_their_place(text, message, line, column):
    """Anchors and aliases, of a scalar such as `enabled: &on true` or of a mapping, are refused alike where they stand."""
    parsed = parse_yaml(text, "llm-config.yaml", "llm-config")
    assert [(d.rule, d.message, d.line, d.column) for d in parsed.diagnostics] == [
        (
            "yaml.unsupported",
            f"{message}: anchors and aliases are not supported in PonyBunny config sources",
            line,
            column,
        )
    ]
    assert parsed.diagnostics[0].hint == "write the value out in full, as JSON would"


# --- the cap on diagnostics per file ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_million_unknown_top_level_keys_build_a_thousand_diagnostics_and_count_the_rest(run, write, monkeypatch):
    """Past the cap of 1,000 shown, findings are counted, never each built with a hint, a position and a snippet."""
    from pbcfg.check import schema_errors

    hints = Counted(monkeypatch, schema_errors, "_unknown_key_hint")
    keys = Counted(monkeypatch, jsonindex, "_scanstring")
    path = write("llm-config.json", "{" + ",".join(f'"k{i}": 1' for i in range(1_000_000)) + "}")
    result = run("validate", path, "--format", "json")
    assert result.code == 1
    shown = result.json["diagnostics"]
    assert [(d["rule"], d["pointer"], d["column"]) for d in shown[:2]] == [
        ("schema.additionalProperties", "/k0", 2),
        ("schema.additionalProperties", "/k1", 10),
    ]
    assert len(shown) == 1000 and shown[-1]["pointer"] == "/k999"
    assert result.json["summary"] == {
        "files": 1,
        "errors": 1_000_000,
        "warnings": 0,
        "infos": 0,
        "notShown": {str(path): 999_000},
    }
    assert hints.calls == 1000  # past the cap a finding is counted, never explained
    assert keys.calls == 1000  # the keys are listed up to the last one shown, not to the end


def test_the_cap_says_how_many_more_and_max_diagnostics_shows_them(run, write):
    path = write("llm-config.json", json.dumps({f"k{i}": 1 for i in range(1500)}, indent=2))
    text = run("validate", path)
    assert text.code == 1
    assert text.out.splitlines()[-2:] == [
        f"… and 500 more in {path}; `pbcfg validate --max-diagnostics 0 {path}` shows them all",
        "1 file checked: 1500 errors, 0 warnings, 0 infos",
    ]
    assert text.out.count("error schema.additionalProperties") == 1000
    assert run("validate", path, "--max-diagnostics", "0").out.count("error schema.additionalProperties") == 1500
    few = run("validate", path, "--max-diagnostics", "3", "--format", "json")
    assert [d["pointer"] for d in few.json["diagnostics"]] == ["/k0", "/k1", "/k2"]
    assert few.json["summary"]["notShown"] == {str(path): 1497}
    assert run("validate", path, "--max-diagnostics", "-1").code == 2


def test_lint_caps_each_file_and_counts_what_it_left_out_at_the_severity_its_settings_give(run, write):
    path = write(
        "llm-config.json", json.dumps({"tiers": {"simple": {"primary": "gpt-5.2", "fallback": ["gpt-5.2"] * 1200}}})
    )
    result = run("lint", path, "--select", "ref", "--format", "json", "--max-diagnostics", "10")
    assert result.code == 0
    assert [d["pointer"] for d in result.json["diagnostics"]] == [f"/tiers/simple/fallback/{i}" for i in range(10)]
    assert result.json["summary"] == {
        "files": 1,
        "errors": 0,
        "warnings": 1200,
        "infos": 0,
        "fixable": 1200,
        "unsafeFixable": 0,
        "notShown": {str(path): 1190},
    }
    text = run("lint", path, "--select", "ref", "--max-diagnostics", "10")
    assert f"… and 1,190 more in {path}; `pbcfg lint --max-diagnostics 0 {path}` shows them all" in text.out
    (path.parent / ".pbcfg.toml").write_text('[lint]\nseverity = {"ref.fallback-repeat" = "error"}\n')
    strict = run("lint", path, "--select", "ref", "--format", "json", "--max-diagnostics", "10")
    assert strict.code == 1 and strict.json["summary"]["errors"] == 1200


@PROPERTY
@given(files=st.lists(st.sampled_from(["a.json", "b.json", "c.json"]), max_size=60), most=st.integers(0, 10))
def test_the_cap_keeps_the_first_of_each_file_in_order_and_counts_every_other_once(files, most):
    from pbcfg.catalog import diagnostic
    from pbcfg.check.pipeline import cap_per_file

    diagnostics = [diagnostic("schema.other" if i % 2 else "schema.type", name, str(i)) for i, name in enumerate(files)]
    kept, hidden = cap_per_file(diagnostics, most, {"a.json": {"schema.enum": 2}})
    expected = [
        d for d in diagnostics if not most or [x.file for x in diagnostics[: int(d.message) + 1]].count(d.file) <= most
    ]
    assert kept == expected
    assert sum(hidden["a.json"].values()) == 2 + len([d for d in diagnostics if d.file == "a.json"]) - len(
        [d for d in kept if d.file == "a.json"]
    )
    assert (
        sum(map(len, [kept])) + sum(count for rules in hidden.values() for count in rules.values())
        == len(diagnostics) + 2
    )
