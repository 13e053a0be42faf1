"""Every verdict and hint says what PonyBunny will really do.

PonyBunny's own verdicts, recorded by running its code on each config of
tests/fixtures/pb-oracle/, are the expected values here: node is not needed.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import FIXTURES, REPO
from pbcfg.check.pipeline import check_paths
from pbcfg.check.ponybunny_view import ponybunny_view
from pbcfg.ponybunny.path_b import PathB, path_b

ORACLE = FIXTURES / "pb-oracle"
CASES = sorted(p.name for p in ORACLE.iterdir() if p.is_dir() and not p.name.startswith("_"))
STATES = {"loaded": "loaded", "defaults": "defaults", "refused": "threw", "missing": "missing", "ignored": "ignored"}


def unguessable(text: str) -> str:
    """``text`` with the oracle's readable keys (``FILEKEY-openai``) replaced by random-looking ones.

    pbcfg masks every run of 6 characters of a key wherever it appears, so a key that spells ``openai`` would
    mask the endpoint's name in every message; real keys share no words with the output. PonyBunny's verdicts
    do not depend on a key's value, and the case's recorded calls get the same replacement."""
    import hashlib
    import re

    def replace(match: re.Match) -> str:
        digest = hashlib.sha256(match.group().encode()).hexdigest()[:20]
        return "sk-" + digest.translate(str.maketrans("0123456789abcdef", "GHJKLMNPQRSTUVWX"))

    return re.sub(r"(?:FILE|ENV)KEY-[A-Za-z0-9_-]+", replace, text)


def materialise(name: str, tmp_path):
    """The case's config directory, as PonyBunny saw it, in a fresh directory."""
    case = json.loads(unguessable((ORACLE / name / "case.json").read_text(encoding="utf-8")))
    directory = tmp_path / name
    directory.mkdir(parents=True)
    for path in (ORACLE / name).iterdir():
        if path.name != "case.json":
            (directory / path.name).write_text(unguessable(path.read_text(encoding="utf-8")), encoding="utf-8")
    for schema_name in case["pbcfg_schemas_then"]:
        shutil.copyfile(ORACLE / "_pbcfg-schemas" / schema_name, directory / schema_name)
    return directory, case


def steps(result: PathB) -> list:
    """Path B's call as PonyBunny logs it: each attempt, or 'no available endpoint' for a model with none."""
    found, attempts = [], list(result.attempts)
    for model in result.chain:
        if result.error and model == result.error_at and not attempts:
            break
        mine = []
        while attempts and attempts[0].model == model:
            mine.append(attempts.pop(0))
        if not mine:
            found.append([model, None, "no available endpoint", None])
        found.extend(
            [
                a.model,
                a.endpoint,
                "sent" if a.fails is None else a.fails.replace(" (unknown scheme)", ""),
                a.url if a.fails is None and "key=" not in a.url else None,
            ]
            for a in mine
        )
    return found


@pytest.mark.parametrize("name", CASES)
def test_path_b_makes_exactly_the_calls_ponybunny_made(name, tmp_path):
    directory, case = materialise(name, tmp_path)
    view = ponybunny_view(str(directory))
    assert (STATES[view.llm_config.state], STATES[view.credentials_outcome.state]) == (
        case["llm_config"],
        case["credentials"],
    )
    for target, verdict in case["path_b"].items():
        kind, value = target.split(" ", 1)
        result = view.path_b(case["env"], **{kind: value})
        assert (steps(result), result.error) == (verdict["steps"], verdict["error"]), target
        if verdict["chain"] is not None:
            assert result.chain == verdict["chain"], target


# what `pbcfg validate` must say about a file, given how PonyBunny's loader took it
EXPECTED_RULE = {
    ("llm-config", "threw"): "ponybunny.config-refused",
    ("llm-config", "defaults"): "ponybunny.file-ignored",
    ("credentials", "threw"): "ponybunny.credentials-refused",
    ("credentials", "ignored"): "ponybunny.file-ignored",
}


@pytest.mark.parametrize(
    "name", [n for n in CASES if any((ORACLE / n / f).exists() for f in ("llm-config.json", "credentials.json"))]
)
def test_validate_says_how_ponybunny_takes_each_file(name, tmp_path):
    directory, case = materialise(name, tmp_path)
    result = check_paths([str(directory)], config_dir=str(directory))
    for kind in ("llm-config", "credentials"):
        if not (directory / f"{kind}.json").exists():
            continue
        rules = {d.rule for d in result.errors if os.path.basename(d.file) == f"{kind}.json"}
        said = rules & {"ponybunny.config-refused", "ponybunny.file-ignored", "ponybunny.credentials-refused"}
        state = case[kind.replace("-", "_")]
        has_schema_file = (directory / f"{kind}.schema.json").exists() or f"{kind}.schema.json" in case[
            "pbcfg_schemas_then"
        ]
        if state == "loaded":
            assert said == set(), kind  # pbcfg may be stricter, but never claims PonyBunny refuses or ignores it
        elif (kind, state) == ("llm-config", "threw") and not has_schema_file:
            assert rules, kind  # PonyBunny's built-in schema: pbcfg's own schema error says it
        elif (kind, state) in (("llm-config", "defaults"), ("credentials", "ignored")) and not has_schema_file:
            assert rules & {"json.comment", "json.syntax"}, kind
        else:
            assert said == {EXPECTED_RULE[kind, state]}, kind


def test_pbcfg_defaults_are_ponybunnys_and_pass_pbcfgs_schema():
    from pbcfg.check.schema_errors import check_schema
    from pbcfg.ponybunny.builtins import defaults
    from pbcfg.ponybunny.deep_merge import merged_llm_config
    from pbcfg.source.document import Document
    from pbcfg.source.reading import Source

    measured = json.loads((ORACLE / "i-empty" / "merged-defaults.json").read_text(encoding="utf-8"))
    assert list(defaults().items()) == list(measured.items())  # values and key order
    merged = merged_llm_config({})
    document = Document(Source("llm-config.json", "llm-config.json", "llm-config", json.dumps(merged)), merged, None)
    assert check_schema(document) == []


def found(result) -> list:
    return [
        (os.path.basename(d["file"]), d["rule"], d["pointer"], d["line"], d["column"])
        for d in result.json["diagnostics"]
    ]


# -- 1. the schema file beside the config ------------------------------------------------------------

LLM = '{\n  "$schema": "./llm-config.schema.json",\n  "tiers": {"simple": {"primary": "gpt-5.2", "fallback": []}}\n}\n'


@pytest.mark.parametrize(
    "schema_file, reason",
    [
        (
            '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}',
            'no schema with key or ref "http://json-schema.org/draft-07/schema#"',
        ),
        (
            '{"$schema": "https://json-schema.org/draft/2019-09/schema"}',
            'no schema with key or ref "https://json-schema.org/draft/2019-09/schema"',
        ),
        (
            '{"$schema": "http://json-schema.org/draft/2020-12/schema"}',  # http, not https
            'no schema with key or ref "http://json-schema.org/draft/2020-12/schema"',
        ),
        ('{"$schema": 7}', "$schema must be a string"),
        ("null", "Cannot read properties of null (reading '$id')"),
        ("[]", "schema is invalid: data must be object,boolean"),
    ],
)
def test_a_schema_file_ajv_cannot_compile_makes_ponybunny_run_on_its_defaults(
    run, write, tmp_path, schema_file, reason
):
    write("llm-config.json", LLM)
    write("llm-config.schema.json", schema_file)
    result = run("validate", tmp_path, "--format", "json")
    assert result.code == 1
    assert found(result) == [("llm-config.json", "ponybunny.file-ignored", "/$schema", 2, 3)]
    assert result.json["diagnostics"][0]["message"] == (
        f"PonyBunny will ignore llm-config.json and run on its built-in defaults: its schema file "
        f"llm-config.schema.json cannot be compiled: {reason}"
    )


def test_an_invalid_schema_is_reported_at_the_top_of_a_file_without_schema_key(run, write, tmp_path):
    write("credentials.json", '{"endpoints": {}}')
    write("credentials.schema.json", '{"type": 12}')
    result = run("validate", tmp_path, "--format", "json")
    assert (result.code, found(result)) == (1, [("credentials.json", "ponybunny.file-ignored", "", 1, 1)])
    message = result.json["diagnostics"][0]["message"]
    assert message.startswith(
        "PonyBunny will ignore credentials.json and use none of its keys (only environment "
        "variables count): its schema file credentials.schema.json cannot be compiled: schema "
        "is invalid: "
    )


def test_jsonschema_rs_alone_would_compile_what_ajv_refuses():
    """The differences that decide whether PonyBunny loads a file: pbcfg follows Ajv, not jsonschema-rs."""
    import jsonschema_rs

    from pbcfg.ponybunny.ajv_view import compile_schema

    unknown_uri = {"$schema": "https://example.com/my-meta-schema#", "type": "object"}
    jsonschema_rs.Draft202012Validator(unknown_uri)  # jsonschema-rs as a 2020-12 compiler takes it; Ajv 2020 does not
    assert compile_schema(unknown_uri).error == 'no schema with key or ref "https://example.com/my-meta-schema#"'
    for known in (
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2020-12/schema#",
        "http://json-schema.org/schema#",
        "",
    ):
        assert compile_schema({"$schema": known}).error is None
    assert compile_schema({"type": 12}).error.startswith("schema is invalid: ")
    assert compile_schema({"$ref": "https://example.com/elsewhere.json"}).error.startswith("schema is invalid: ")


@pytest.mark.parametrize(
    "schema_file",
    [
        '{"type": "object", "properties": {"$schema": {"type": "string", "format": "foo"}}}',  # unknown format: ignored
        '{"type": "object", "x-pbcfg": {"note": 1}, "unknownKeyword": true}',  # unknown keywords: ignored
        "true",
        '{"$schema": "https://json-schema.org/draft/2020-12/schema#", "required": ["models", "defaults"]}',  # merged
    ],
)
def test_a_schema_file_ponybunny_loads_the_config_with_gives_no_finding(run, write, tmp_path, schema_file):
    write("llm-config.json", LLM)
    write("llm-config.schema.json", schema_file)
    assert run("validate", tmp_path).code == 0


def test_formats_are_ajv_formats_url_rejects_a_local_server(run, write, tmp_path):
    import jsonschema_rs

    schema = {
        "type": "object",
        "properties": {
            "endpoints": {"additionalProperties": {"properties": {"baseUrl": {"type": "string", "format": "url"}}}}
        },
    }
    assert jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(
        {"endpoints": {"x": {"baseUrl": "http://localhost:8000/v1"}}}
    )  # jsonschema-rs knows no "url" format
    write("credentials.json", '{\n  "endpoints": {"openai-compatible": {"baseUrl": "http://localhost:8000/v1"}}\n}\n')
    write("credentials.schema.json", json.dumps(schema))
    result = run("validate", tmp_path, "--format", "json")
    assert (result.code, found(result)) == (
        1,
        [("credentials.json", "ponybunny.credentials-refused", "/endpoints/openai-compatible/baseUrl", 2, 50)],
    )
    assert result.json["diagnostics"][0]["message"] == (
        "PonyBunny will refuse credentials.json, so none of its keys are used: /endpoints/openai-compatible/baseUrl: "
        'must match format "url" (its schema file credentials.schema.json says so)'
    )


def test_the_merged_config_is_validated_and_defaults_only_failures_point_at_the_top(run, write, tmp_path):
    write("llm-config.json", LLM)
    write(
        "llm-config.schema.json",
        json.dumps(
            {
                "properties": {
                    "defaults": {"properties": {"timeout": {"maximum": 60000}}},
                    "tiers": {"required": ["no-such-tier"]},
                }
            }
        ),
    )
    result = run("validate", tmp_path, "--format", "json")
    assert result.code == 1
    assert found(result) == [
        ("llm-config.json", "ponybunny.config-refused", "/defaults/timeout", 1, 1),
        ("llm-config.json", "ponybunny.config-refused", "/tiers", 3, 3),
    ]
    assert [d["message"] for d in result.json["diagnostics"]] == [
        "PonyBunny will refuse llm-config.json, so every LLM call fails with ConfigValidationError: "
        "/defaults/timeout: must be <= 60000 (its schema file llm-config.schema.json says so)",
        "another reason PonyBunny refuses llm-config.json: /tiers: must have required property 'no-such-tier' "
        "(its schema file llm-config.schema.json says so)",
    ]


def test_an_old_pb_init_schema_keeps_working_because_ponybunny_adds_codex(run, write, tmp_path):
    write("llm-config.json", LLM)
    enum = ["anthropic", "openai", "gemini"]
    write(
        "llm-config.schema.json",
        json.dumps(
            {
                "properties": {
                    "endpoints": {
                        "additionalProperties": {"properties": {"protocol": {"type": "string", "enum": enum}}}
                    }
                }
            }
        ),
    )
    assert run("validate", tmp_path).code == 0  # the built-in codex endpoint passes: PonyBunny patched the enum


@pytest.mark.parametrize("make", ["not json", "directory", "fifo"])
def test_a_schema_file_ponybunny_cannot_read_is_a_warning(run, write, tmp_path, make):
    write("llm-config.json", LLM)
    target = tmp_path / "llm-config.schema.json"
    if make == "not json":
        target.write_text("{ nope")
    elif make == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)  # reading it would block: pbcfg must not
    result = run("validate", tmp_path, "--format", "json")
    assert (result.code, found(result)) == (
        0,
        [("llm-config.json", "ponybunny.schema-file-unreadable", "/$schema", 2, 3)],
    )
    message = result.json["diagnostics"][0]["message"]
    assert message.startswith("PonyBunny cannot use llm-config.schema.json: ")
    assert (
        message.endswith("it is a FIFO, which PonyBunny's loader would block on, reading it")
        if make == "fifo"
        else message.endswith(", so it validates llm-config.json with its built-in schema instead")
    )


def test_schema_files_are_compiled_only_when_present_and_not_pbcfgs(monkeypatch, write, tmp_path):
    import pbcfg.ponybunny.ajv_view as compiler  # load_outcome imports it when it needs it

    def refuse(schema):
        raise AssertionError("compiled")

    monkeypatch.setattr(compiler, "compile_schema", refuse)
    write("credentials.json", '{"endpoints": {}}')
    write("llm-config.json", LLM)
    assert check_paths([str(tmp_path)], config_dir=str(tmp_path)).diagnostics == []  # none beside
    shutil.copyfile(REPO / "schemas" / "llm-config.schema.json", tmp_path / "llm-config.schema.json")
    shutil.copyfile(REPO / "schemas" / "credentials.schema.json", tmp_path / "credentials.schema.json")
    assert check_paths([str(tmp_path)], config_dir=str(tmp_path)).diagnostics == []  # pbcfg's own
    write("credentials.schema.json", "true")
    with pytest.raises(AssertionError, match="compiled"):
        check_paths([str(tmp_path)], config_dir=str(tmp_path))


@pytest.mark.slow
def test_ten_thousand_failures_from_a_schema_file_are_each_reported(run, write, tmp_path):
    write("credentials.json", json.dumps({"endpoints": {f"e{i}": {"apiKey": "x"} for i in range(10_000)}}))
    write("llm-config.json", "{}")
    write(
        "credentials.schema.json",
        json.dumps(
            {"properties": {"endpoints": {"additionalProperties": {"properties": {"apiKey": {"type": "integer"}}}}}}
        ),
    )
    result = run("validate", tmp_path / "credentials.json", "--format", "json", "--max-diagnostics", "0")
    refused = [d for d in result.json["diagnostics"] if d["rule"] == "ponybunny.credentials-refused"]
    assert (result.code, len(refused)) == (1, 10_000)
    assert refused[0]["message"].startswith("PonyBunny will refuse credentials.json")
    assert all(d["message"].startswith("another reason") for d in refused[1:])


# -- 2. ids PonyBunny's JavaScript misreads ---------------------------------------------------------------

MERGE_THROWS = (
    "PonyBunny's merge makes '__proto__' the prototype of {0} instead of {1}: its schema check then reads "
    "that object's fields as {2} ids and throws ConfigValidationError, so every LLM call fails"
)


@pytest.mark.parametrize(
    "name, pointer, column, message",
    [
        ("e-model-__proto__", "/models/__proto__", 13, MERGE_THROWS.format("models", "a model", "model")),
        ("e-agent-__proto__", "/agents/__proto__", 13, MERGE_THROWS.format("agents", "an agent", "agent")),
        (
            "e-endpoint-__proto__",
            "/endpoints/__proto__",
            16,
            MERGE_THROWS.format("endpoints", "an endpoint", "endpoint"),
        ),
        (
            "e-tier-__proto__",
            "/tiers/__proto__",
            12,
            "PonyBunny's merge makes '__proto__' the prototype of tiers instead "
            "of a tier, so PonyBunny never has a tier of that name",
        ),
        (
            "e-endpoint-constructor",
            "/endpoints/constructor",
            16,
            "PonyBunny's Path B looks endpoint ids up in a plain object and finds the inherited 'constructor', so every call "
            "that reaches a model on this endpoint fails with a TypeError (requiredFields.every is not a function); Path A "
            "never uses a custom endpoint id",
        ),
    ],
)
def test_ids_ponybunny_reads_as_object_internals_are_errors_with_the_reason(run, name, pointer, column, message):
    result = run("validate", ORACLE / name / "llm-config.json", "--format", "json")
    assert (result.code, found(result)) == (1, [("llm-config.json", "ids.prototype-name", pointer, 1, column)])
    assert result.json["diagnostics"][0]["message"] == message


@pytest.mark.parametrize(
    "name",
    [
        "e-model-constructor",
        "e-model-prototype",
        "e-agent-constructor",
        "e-agent-prototype",
        "e-tier-constructor",
        "e-tier-prototype",
        "e-endpoint-prototype",
    ],
)
def test_ids_that_work_in_ponybunny_are_not_reported(run, name):
    result = run("validate", ORACLE / name / "llm-config.json", "--format", "json")
    assert (result.code, found(result)) == (0, [])


def test_an_undefined_reference_to_an_inherited_name_says_path_b_crashes(run):
    result = run("validate", ORACLE / "e-undefined-model-refs" / "llm-config.json", "--format", "json")
    assert found(result) == [
        ("llm-config.json", "ref.unknown-model", "/tiers/simple/primary", 4, 18),
        ("llm-config.json", "ref.unknown-model", "/tiers/simple/fallback/0", 6, 9),
    ]
    assert result.json["diagnostics"][0]["hint"] == (
        "PonyBunny's Path B finds the inherited 'constructor' and crashes on it (TypeError: modelConfig.endpoints is "
        "not iterable), so the whole chain fails, not only this model; define it under models, or name another"
    )


# -- 3, 4, 5. what PonyBunny accepts, pbcfg accepts -----------------------------------------------------


def lint(directory, env=None, *, rule=None):
    from pbcfg.lint.linter import lint_paths
    from pbcfg.lint.settings import Settings

    result = lint_paths(
        [str(directory)],
        config_dir=str(directory),
        kind=None,
        settings=Settings(),
        env=env or {},
        home=str(directory / "no-home"),
    )
    return [
        (os.path.basename(d.file), d.rule, d.pointer, d.line, d.severity.label, d.message)
        for d in result.diagnostics
        if rule is None or d.rule == rule
    ]


def private(directory):
    directory.chmod(0o700)
    for name in ("credentials.json",):
        if (directory / name).exists():
            (directory / name).chmod(0o600)
    return directory


def test_endpoint_ids_ponybunny_accepts_validate_and_lint_only_warns(run, tmp_path):
    directory, _ = materialise("b-ids", tmp_path)
    assert run("validate", directory).code == 0
    long_id = "e" * 80
    assert [f[:5] for f in lint(private(directory), rule="ids.awkward-endpoint-id")] == [
        ("llm-config.json", "ids.awkward-endpoint-id", "/endpoints/My Server", 3, "warning"),
        ("llm-config.json", "ids.awkward-endpoint-id", "/endpoints/_gpu", 9, "warning"),
        ("llm-config.json", "ids.awkward-endpoint-id", f"/endpoints/{long_id}", 15, "warning"),
    ]
    assert [f[5] for f in lint(directory, rule="ids.awkward-endpoint-id")] == [
        "endpoint id 'My Server' has whitespace: PonyBunny accepts it, but it must be quoted in every shell command "
        "and is easy to get wrong",
        "endpoint id '_gpu' starts with '_': PonyBunny accepts it, but it must be quoted in every shell command and is "
        "easy to get wrong",
        f"endpoint id {long_id!r} is 80 characters long: PonyBunny accepts it, but it must be quoted in every shell "
        "command and is easy to get wrong",
    ]


def test_add_takes_an_endpoint_id_ponybunny_accepts_with_a_note():
    from pbcfg.presets.render import Parameters, render
    from pbcfg.presets.service_presets import get_preset

    rendered = render(get_preset("vllm"), Parameters(endpoint_id="My GPU", base_url="http://gpu:8000/v1"))
    assert list(rendered.data["llm-config.json"]["endpoints"]) == ["My GPU", "aws-bedrock", "codex"]  # + init's pins
    assert rendered.notes[-2:] == [
        "PonyBunny's conversation agent (Path B) uses the custom endpoint 'My GPU'; its Path A (work items, planning) "
        "knows only its eight built-in endpoint ids, so there a model listed on 'My GPU' first fails with 'No protocol "
        "found'.",
        "The endpoint id 'My GPU' has whitespace: PonyBunny accepts it, but it must be quoted in every shell command "
        "(`pbcfg lint` warns: ids.awkward-endpoint-id).",
    ]


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"models": ("__proto__",)},
            "--model: PonyBunny's merge makes '__proto__' the prototype of models, not an entry of "
            "it (`pbcfg lint --explain ids.prototype-name`); pick another name",
        ),
        (
            {"tier": "__proto__"},
            "--tier: PonyBunny's merge makes '__proto__' the prototype of tiers, not an entry of it "
            "(`pbcfg lint --explain ids.prototype-name`); pick another name",
        ),
    ],
)
def test_presets_refuse_names_ponybunny_misreads(params, message):
    from pbcfg.errors import UsageError
    from pbcfg.presets.render import Parameters, render
    from pbcfg.presets.service_presets import get_preset

    with pytest.raises(UsageError) as raised:
        render(get_preset("anthropic"), Parameters(**params))
    assert str(raised.value) == message
    assert render(get_preset("ollama"), Parameters(models=("constructor",))).data  # works in PonyBunny: accepted


@pytest.mark.parametrize(
    "url",
    [
        "HTTP://LOCALHOST:8000/v1",
        "http://bücher.example/v1",
        "http://[::1]:8000/v1",
        "https://user@proxy.example.com:8443/openai/v1",
    ],
)
def test_urls_fetch_takes_are_valid(run, write, url):
    path = write("credentials.json", {"endpoints": {"openai-compatible": {"apiKey": "not-needed", "baseUrl": url}}})
    assert run("validate", path).code == 0


@pytest.mark.parametrize(
    "url, why",
    [
        ("localhost:8000/v1", "fetch reads 'localhost:' as its scheme and fails ('fetch failed', unknown scheme)"),
        ("ftp://x/v1", "fetch speaks only http and https, so 'ftp:' fails ('fetch failed', unknown scheme)"),
        ("http://a b/v1", "fetch fails on its whitespace ('Failed to parse URL')"),
        (
            "http://h\\x/v1",
            "URL parsing reads its backslash as '/', so requests go to another host or path than written",
        ),
        ("http://host:99999/v1", "its port '99999' is not a number up to 65535: fetch fails ('Failed to parse URL')"),
        ("/v1", "without a scheme, fetch fails ('Failed to parse URL')"),
    ],
)
def test_urls_that_break_a_request_are_errors_that_say_how(run, write, url, why):
    path = write("credentials.json", {"endpoints": {"openai-compatible": {"apiKey": "not-needed", "baseUrl": url}}})
    result = run("validate", path, "--format", "json")
    assert (result.code, [d["rule"] for d in result.json["diagnostics"]]) == (1, ["schema.format"])
    message = result.json["diagnostics"][0]["message"]
    assert message == f"{json.dumps(url, ensure_ascii=False)} is not an http:// or https:// URL" + (
        f": {why}" if why else ""
    )


def test_fetch_problem_matches_what_node_fetch_did():
    from pbcfg.ponybunny.urls import fetch_problem

    assert fetch_problem("HTTP://LOCALHOST:8000/v1/chat/completions") is None
    assert fetch_problem("http://bücher.example/v1/chat/completions") is None
    assert fetch_problem("http://localhost:8000/v1//chat/completions") is None  # sent with the double slash
    assert fetch_problem("localhost:8000/v1/chat/completions") == "fetch failed (unknown scheme)"
    assert fetch_problem("ftp://x/v1/chat/completions") == "fetch failed (unknown scheme)"
    assert fetch_problem("http://a b/v1/chat/completions") == "Failed to parse URL from http://a b/v1/chat/completions"
    assert fetch_problem("/chat/completions") == "Failed to parse URL from /chat/completions"
    assert fetch_problem("") == "Failed to parse URL from "


def test_a_repeated_endpoint_is_a_lint_warning_with_a_fix(run, tmp_path):
    directory, _ = materialise("d-repeat-endpoint", tmp_path)
    private(directory)
    assert run("validate", directory).code == 0
    assert lint(directory, rule="routing.repeated-endpoint") == [
        (
            "llm-config.json",
            "routing.repeated-endpoint",
            "/models/m1/endpoints/1",
            13,
            "warning",
            "model 'm1' lists 'openai-compatible' again: PonyBunny calls it a second time right after it failed, and never "
            "anything new",
        )
    ]
    result = run("lint", directory, "--fix", "--no-backup")
    assert json.loads((directory / "llm-config.json").read_text())["models"]["m1"]["endpoints"] == ["openai-compatible"]
    assert lint(directory, rule="routing.repeated-endpoint") == []
    assert result.code == 0


# -- 6. OPENAI_COMPATIBLE_* and the other places PonyBunny's paths part ways ----------------------------


def lint_case(name, tmp_path, rule):
    directory, case = materialise(name, tmp_path)
    return lint(private(directory), case["env"], rule=rule)


def test_an_openai_compatible_variable_path_b_ignores_is_reported_with_what_path_b_does(tmp_path):
    assert lint_case("f-compat-env-key-file-baseurl", tmp_path, "env.ignored-on-path-b") == [
        (
            "credentials.json",
            "env.ignored-on-path-b",
            "/endpoints/openai-compatible",
            3,
            "warning",
            "$OPENAI_COMPATIBLE_API_KEY is set, but PonyBunny's Path B (the conversation agent) never reads it: there it "
            "calls the server with no Authorization header; pbcfg's runtime and Path A (work items, planning) use it",
        )
    ]
    assert [f[5] for f in lint_case("f-compat-env-only", tmp_path / "2", "env.ignored-on-path-b")] == [
        "$OPENAI_COMPATIBLE_API_KEY is set, but PonyBunny's Path B (the conversation agent) never reads it: there it "
        "fails with 'Missing credentials for endpoint: openai-compatible' and skips the endpoint for 30 s; pbcfg's "
        "runtime and Path A (work items, planning) use it",
        "$OPENAI_COMPATIBLE_BASE_URL is set, but PonyBunny's Path B (the conversation agent) never reads it: there "
        "requests go to llm-config.json's 'http://llmcfg-host:1/v1'; pbcfg's runtime and Path A (work items, "
        "planning) use it",
    ]


def test_a_file_base_url_beats_the_variable_in_ponybunny_and_keys_differ_per_path(tmp_path):
    found_ = lint_case("f-compat-file-and-env", tmp_path, None)
    assert [f[:5] for f in found_ if f[1].startswith("env.") and f[4] == "warning"] == [
        ("credentials.json", "env.ignored-on-path-b", "/endpoints/openai-compatible/apiKey", 4, "warning"),
        ("credentials.json", "env.file-base-url-wins", "/endpoints/openai-compatible/baseUrl", 5, "warning"),
    ]
    assert [f[5] for f in found_ if f[1] == "env.file-base-url-wins"] == [
        "baseUrl here ('http://file-host:2/v1') beats $OPENAI_COMPATIBLE_BASE_URL ('http://env-host:3/v1') in "
        "PonyBunny: Path A prefers the file and Path B never reads the variable; only the docs and pbcfg's runtime "
        "use the variable"
    ]
    assert "env.conflict" not in {f[1] for f in found_}  # that rule is for the endpoints where every path agrees


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "f-compat-keyless-file-baseurl",
            [
                (
                    "credentials.json",
                    "ponybunny.keyless-endpoint",
                    "/endpoints/openai-compatible",
                    3,
                    "warning",
                    "credentials.json has no apiKey for openai-compatible: "
                    "PonyBunny's Path B (the conversation agent) calls it with no Authorization "
                    "header, while pbcfg's runtime drops it",
                )
            ],
        ),
        (
            "f-custom-keyless-baseurl-in-cred",
            [
                (
                    "credentials.json",
                    "ponybunny.keyless-endpoint",
                    "/endpoints/local",
                    3,
                    "warning",
                    "credentials.json has no apiKey for local: PonyBunny's Path B "
                    "(the conversation agent) calls it with no Authorization header, while "
                    "pbcfg's runtime drops it",
                )
            ],
        ),
        ("f-compat-keyless-nothing", []),  # Path B fails on it too ('Missing credentials'): no divergence
        ("f-compat-keyless-enabled-true", []),
        ("f-compat-env-key-file-baseurl", []),  # the key is in the environment: env.ignored-on-path-b says it
    ],
)
def test_a_keyless_endpoint_path_b_calls_anyway(tmp_path, name, expected):
    assert lint_case(name, tmp_path, "ponybunny.keyless-endpoint") == expected


def test_the_keyless_endpoint_hint_is_a_whole_sentence(tmp_path):
    from pbcfg.lint.linter import lint_paths
    from pbcfg.lint.settings import Settings

    directory, case = materialise("f-compat-keyless-file-baseurl", tmp_path)
    result = lint_paths(
        [str(private(directory))],
        config_dir=str(directory),
        kind=None,
        settings=Settings(),
        env=case["env"],
        home=str(directory / "no-home"),
    )
    assert [d.hint for d in result.diagnostics if d.rule == "ponybunny.keyless-endpoint"] == [
        'write its key as apiKey here; for a server without auth, a no-key value such as "not-needed"'
    ]


def test_a_later_model_path_b_skips_for_30_s_after_a_failure(tmp_path):
    assert lint_case("f-skip-30s", tmp_path, "ponybunny.skipped-after-failure") == [
        (
            "llm-config.json",
            "ponybunny.skipped-after-failure",
            "/tiers/simple/fallback/1",
            52,
            "warning",
            "'m3' is only on openai-compatible, which m1 uses first: after a failure there, PonyBunny's Path B skips "
            "it for 30 s and never tries 'm3'; pbcfg's runtime does",
        )
    ]


@pytest.mark.parametrize(
    "name, endpoint, message",
    [
        (
            "f-bedrock-mixed",
            "aws-bedrock",
            "aws-bedrock takes accessKeyId from this file and $AWS_SECRET_ACCESS_KEY from the environment: "
            "pbcfg's runtime and PonyBunny's Path A accept that, but Path B (the conversation agent) wants "
            "all from one place, so it never uses this endpoint",
        ),
        (
            "f-azure-mixed",
            "azure-openai",
            "azure-openai takes apiKey from this file and $AZURE_OPENAI_ENDPOINT from the environment: "
            "pbcfg's runtime and PonyBunny's Path A accept that, but Path B (the conversation agent) wants "
            "all from one place, so it never uses this endpoint",
        ),
    ],
)
def test_required_fields_split_between_file_and_env_are_unusable_on_path_b(tmp_path, name, endpoint, message):
    assert lint_case(name, tmp_path, "env.split-credentials") == [
        ("credentials.json", "env.split-credentials", f"/endpoints/{endpoint}", 3, "warning", message)
    ]


@pytest.mark.slow
def test_no_preset_note_or_hint_advises_an_env_var_a_path_ignores_without_saying_so():
    from pbcfg.errors import UsageError
    from pbcfg.presets.render import Parameters, render
    from pbcfg.presets.service_presets import get_preset, presets

    ignored = ("OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL", "AZURE_OPENAI_ENDPOINT")
    advice = []
    for name in presets():
        preset = get_preset(name)
        advice.extend(preset.notes)
        for params in (
            Parameters(base_url="https://p.example.com/v1"),
            Parameters(base_url="https://p.example.com/v1", api_key_env="OPENAI_COMPATIBLE_API_KEY"),
        ):
            try:
                advice.extend(render(preset, params).notes)
            except UsageError as error:
                if "needs a key" in str(error):  # the one error that suggests where a key may come from
                    advice.append(str(error))
    advised = [text for text in advice if any(name in text for name in ignored)]
    assert len(advised) >= 3  # the scan sees the notes that name them
    assert [text for text in advised if "Path B" not in text] == []


def test_the_docs_never_advise_an_env_var_path_b_ignores_without_saying_so():
    pages = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
    # the docs' words; their console samples are the commands' own output, which the test above holds
    readme = re.sub(
        r"```console\n.*?```", "", "\n\n".join(page.read_text(encoding="utf-8") for page in pages), flags=re.S
    )
    paragraphs = [p for p in readme.split("\n\n") if "OPENAI_COMPATIBLE" in p and "|" not in p]
    assert paragraphs
    assert [p for p in paragraphs if "Path B" not in p] == []
    assert "PonyBunny reads only\nthe endpoint's own variable" not in readme


# -- 7. resolve --as ponybunny -----------------------------------------------------------------------------

LOCAL = {
    "endpoints": {"openai-compatible": {"enabled": True, "baseUrl": "http://llmcfg:1/v1"}},
    "models": {
        m: {"displayName": m, "endpoints": ["openai-compatible"], "costPer1kTokens": {"input": 0, "output": 0}}
        for m in ("m1", "m2")
    },
    "tiers": {"simple": {"primary": "m1", "fallback": ["m2"]}},
    "agents": {"conversation": {"tier": "simple"}},
}


@pytest.fixture
def clean_env(monkeypatch):
    from pbcfg.workflows.path_b_comparison import CREDENTIAL_VARIABLES

    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_resolve_as_ponybunny_shows_path_b_beside_the_plan_per_env_scenario(run, write, tmp_path, clean_env):
    write("llm-config.json", LOCAL)
    write("credentials.json", {"endpoints": {"openai-compatible": {"baseUrl": "http://file-host:2/v1"}}})
    clean_env.setenv("OPENAI_COMPATIBLE_API_KEY", "sk-env-0123456789abcdef")
    clean_env.setenv("OPENAI_COMPATIBLE_BASE_URL", "http://env-host:3/v1")
    result = run(
        "resolve", "--as", "ponybunny", "--agent", "conversation", "--config-dir", tmp_path, "--format", "json"
    )
    assert result.code == 0
    report = result.json
    assert report["files"] == {
        "llm-config.json": {"state": "loaded", "reason": None},
        "credentials.json": {"state": "loaded", "reason": None},
    }
    yours, bare = report["scenarios"]
    assert (yours["env"], bare["env"]) == ("your environment", "no credential variables")
    assert [
        (a["model"], a["baseUrl"]["value"], a["credentials"]["apiKey"]["source"]) for a in yours["pbcfg"]["attempts"]
    ] == [
        ("m1", "http://env-host:3/v1", "env OPENAI_COMPATIBLE_API_KEY"),
        ("m2", "http://env-host:3/v1", "env OPENAI_COMPATIBLE_API_KEY"),
    ]
    assert [(a["model"], a["url"], a["auth"], a["credentials"]) for a in yours["ponybunny"]["attempts"]] == [
        ("m1", "http://file-host:2/v1/chat/completions", "none", {})
    ]
    assert yours["ponybunny"]["skipped"] == [
        {
            "model": "m2",
            "endpoint": "openai-compatible",
            "reason": "failed earlier in this call, so Path B skips it for 30 s",
        }
    ]
    assert yours["differences"] == [
        "m1 @ openai-compatible: Path B uses http://file-host:2/v1 (credentials.json /endpoints/openai-compatible/"
        "baseUrl), pbcfg's runtime http://env-host:3/v1 (env OPENAI_COMPATIBLE_BASE_URL)",
        "m1 @ openai-compatible: Path B sends no key, pbcfg's runtime the key from env OPENAI_COMPATIBLE_API_KEY",
        "m2 @ openai-compatible: pbcfg's runtime tries it, Path B does not (failed earlier in this call, so Path B "
        "skips it for 30 s)",
    ]
    assert bare["pbcfg"]["attempts"] == []  # no key anywhere: pbcfg's runtime drops the endpoint
    assert bare["differences"][0].startswith("m1 @ openai-compatible: Path B tries it, pbcfg's runtime does not (")
    assert "0123456789abcdef" not in result.out


def test_resolve_as_ponybunny_text_marks_each_difference(run, write, tmp_path, clean_env):
    write("llm-config.json", LOCAL)
    write(
        "credentials.json",
        {"endpoints": {"openai-compatible": {"apiKey": "not-needed", "baseUrl": "http://file-host:2/v1"}}},
    )
    result = run("resolve", "--as", "ponybunny", "--tier", "simple", "--config-dir", tmp_path)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == f"config: {tmp_path} (--config-dir)"
    lines = lines[1:]
    assert lines[:9] == [
        "as PonyBunny's loaders take the files:",
        "  llm-config.json: loaded",
        "  credentials.json: loaded",
        "with your environment:",
        "  pbcfg's runtime (the docs): m1 → m2",
        "    1. m1 @ openai-compatible  http://file-host:2/v1  key ← credentials.json /endpoints/openai-compatible/apiKey",
        "    2. m2 @ openai-compatible  http://file-host:2/v1  key ← credentials.json /endpoints/openai-compatible/apiKey",
        "  PonyBunny's Path B: m1 → m2",
        "    1. m1 @ openai-compatible  POST http://file-host:2/v1/chat/completions  auth: Authorization: Bearer ← "
        "credentials.json /endpoints/openai-compatible/apiKey  ← credentials.json /endpoints/openai-compatible/baseUrl",
    ]
    assert [line for line in lines if line.startswith("  !")] == [
        "  ! m2 @ openai-compatible: pbcfg's runtime tries it, Path B does not (failed earlier in this call, so Path B "
        "skips it for 30 s)"
    ]
    assert "with no credential variables" not in result.out  # none is set
    assert lines[-1].startswith("  - No PonyBunny code runs a tier through Path B by itself")


def test_resolve_as_ponybunny_says_when_ponybunny_refuses_a_file(run, tmp_path, clean_env):
    directory, _ = materialise("g-cred-baseURL", tmp_path)
    result = run("resolve", "--as", "ponybunny", "--tier", "simple", "--config-dir", directory)
    assert result.code == 0
    assert "  credentials.json: refused (its loader's built-in schema rejects it)" in result.out.splitlines()
    assert (
        "    every call rejects: CredentialsValidationError: Invalid credentials: /endpoints/openai-compatible: "
        "must NOT have additional properties"
    ) in result.out.splitlines()
    assert "  pbcfg's runtime: refuses this config (invalid config: 1 error; first: " in result.out


def test_resolve_without_as_is_unchanged(run, write, tmp_path, clean_env):
    write("llm-config.json", LOCAL)
    write(
        "credentials.json",
        {"endpoints": {"openai-compatible": {"apiKey": "not-needed", "baseUrl": "http://file-host:2/v1"}}},
    )
    result = run("resolve", "--tier", "simple", "--config-dir", tmp_path, "--format", "json")
    assert (result.code, sorted(result.json)) == (0, ["diagnostics", "plan", "summary"])
    assert sorted(result.json["plan"]) == ["attempts", "chain", "dropped"]


# -- 8. credentials.json that PonyBunny refuses ------------------------------------------------------------


def test_a_credentials_typo_is_the_root_cause_reported_first(run, write):
    path = write(
        "credentials.json",
        '{\n  "endpoints": {\n    "openai-direct": {"baseUrl": "localhost:1/v1"},\n'
        '    "openai-compatible": {"apiKey": "not-needed", "baseURL": "http://h/v1"}\n  }\n}\n',
    )
    result = run("validate", path, "--format", "json")
    assert result.code == 1
    assert found(result) == [
        ("credentials.json", "ponybunny.credentials-refused", "/endpoints/openai-compatible/baseURL", 4, 51),
        ("credentials.json", "schema.format", "/endpoints/openai-direct/baseUrl", 3, 34),  # PonyBunny loads that
    ]
    first = result.json["diagnostics"][0]
    assert first["message"] == (
        "PonyBunny will refuse credentials.json, so none of its keys are used: unknown key "
        "'baseURL' in endpoints/openai-compatible"
    )
    assert first["hint"] == f"did you mean 'baseUrl'? (`pbcfg migrate {path.parent}` renames it)"


def test_what_ponybunny_refuses_depends_on_the_schema_beside_the_file(run, write, tmp_path):
    path = write("credentials.json", {"endpoints": {"openai-compatible": {"apiKey": "x", "region": "eu"}}})
    result = run("validate", path, "--format", "json")  # PonyBunny's built-in schema allows region anywhere
    assert [d["rule"] for d in result.json["diagnostics"]] == ["schema.additionalProperties"]
    shutil.copyfile(REPO / "schemas" / "credentials.schema.json", tmp_path / "credentials.schema.json")
    result = run("validate", path, "--format", "json")  # pbcfg's schema beside it: PonyBunny applies it
    assert [d["rule"] for d in result.json["diagnostics"]] == ["ponybunny.credentials-refused"]


def test_lint_on_a_refused_credentials_file_still_puts_the_root_cause_first(run, write, tmp_path):
    write("credentials.json", '{"endpoints": {"openai-compatible": {"apiKey": 42}}}')
    write("llm-config.json", '{"defaults": {"timeout": 5}}')
    tmp_path.chmod(0o700)
    (tmp_path / "credentials.json").chmod(0o600)
    result = run("lint", tmp_path, "--format", "json")
    files_and_rules = [(os.path.basename(d["file"]), d["rule"]) for d in result.json["diagnostics"]]
    assert files_and_rules[0] == ("credentials.json", "ponybunny.credentials-refused")


# -- 9. pbcfg's schema files beside a working config keep it working --------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "b-ids",
        "c-url-upper",
        "c-url-idn",
        "c-url-trailing-slash",
        "d-repeat-endpoint",
        "a-pbcfg-schemas-thinking",
        "e-model-constructor",
        "f-priority-order",
    ],
)
def test_writing_pbcfgs_schema_files_never_turns_a_working_config_into_a_failing_one(tmp_path, name):
    directory, case = materialise(name, tmp_path)
    assert (case["llm_config"], case["credentials"]) in (("loaded", "loaded"), ("loaded", "missing"))
    for schema_name in ("credentials.schema.json", "llm-config.schema.json"):
        shutil.copyfile(REPO / "schemas" / schema_name, directory / schema_name)
    view = ponybunny_view(str(directory))
    assert (view.llm_config.state, view.credentials_outcome.state) == (case["llm_config"], case["credentials"])
    assert check_paths([str(directory)], config_dir=str(directory)).errors == []


def test_a_broken_schema_file_is_replaced_by_migrate_and_by_lint_fix(run, write, tmp_path):
    broken = '{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}'
    write("llm-config.json", '{"$schema": "./llm-config.schema.json", "tiers": {"simple": {"fallback": "gpt-5.2"}}}')
    write("llm-config.schema.json", broken)
    assert [d["rule"] for d in run("validate", tmp_path, "--format", "json").json["diagnostics"]] == [
        "ponybunny.file-ignored",
        "schema.type",
    ]
    assert run("migrate", "--config-dir", tmp_path, "--no-backup").code == 0  # it writes pbcfg's schema: not blocked
    assert (tmp_path / "llm-config.schema.json").read_text() == (
        REPO / "schemas" / "llm-config.schema.json"
    ).read_text()
    assert run("validate", tmp_path).code == 0
    write("llm-config.schema.json", broken)
    tmp_path.chmod(0o700)
    fixed = run("lint", tmp_path, "--fix", "--no-backup")  # files.stale-schema runs on a file with errors too
    assert f"fixed: write {tmp_path / 'llm-config.schema.json'}" in fixed.err
    assert run("validate", tmp_path).code == 0


def test_rendering_ignores_schema_files_in_the_working_directory(run, tmp_path, monkeypatch):
    (tmp_path / "credentials.schema.json").write_text('{"type": 12}')
    (tmp_path / "llm-config.schema.json").write_text('{"required": ["nothing-has-this"]}')
    monkeypatch.chdir(tmp_path)
    result = run("render", "ollama")
    assert (result.code, "internal" in result.err) == (0, False)


WORDS = [
    "endpoints",
    "models",
    "tiers",
    "agents",
    "m1",
    "e1",
    "openai-compatible",
    "simple",
    "medium",
    "primary",
    "fallback",
    "enabled",
    "protocol",
    "priority",
    "baseUrl",
    "apiKey",
    "tier",
    "conversation",
    "__proto__",
    "constructor",
    "openai",
    "http://h:1/v1",
    "",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from(WORDS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(WORDS), children, max_size=4),
    max_leaves=25,
)


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    user=JSON,
    credentials=JSON,
    env=st.dictionaries(st.sampled_from(["AWS_REGION", "OPENAI_API_KEY"]), st.sampled_from(["", "x"])),
    target=st.sampled_from(
        [{"tier": "simple"}, {"tier": "nope"}, {"agent": "conversation"}, {"agent": "constructor"}, {"model": "m1"}]
    ),
)
def test_path_b_takes_any_shape_without_a_traceback(user, credentials, env, target):
    from pbcfg.ponybunny.deep_merge import merged_llm_config

    result = path_b(merged_llm_config(user), credentials, env, user=user, **target)
    assert isinstance(result, PathB)
    assert result.error is None or result.error.startswith("TypeError: ")


def test_resolve_as_ponybunny_reads_a_file_that_is_not_utf8_as_ponybunny_does(run, tmp_path):
    """readFileSync(path, 'utf-8') turns a Latin-1 é into U+FFFD and PonyBunny runs the file; pbcfg refuses it."""
    (tmp_path / "llm-config.json").write_bytes(
        json.dumps(
            {
                "endpoints": {"openai-compatible": {"enabled": True}},
                "models": {
                    "m": {
                        "displayName": "Caf\u00e9",
                        "endpoints": ["openai-compatible"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
                "tiers": {"simple": {"primary": "m", "fallback": []}},
            },
            ensure_ascii=False,
        ).encode("latin-1")
    )
    (tmp_path / "credentials.json").write_text(
        json.dumps({"endpoints": {"openai-compatible": {"apiKey": "not-needed", "baseUrl": "http://box:8000/v1"}}})
    )
    result = run("resolve", tmp_path, "--as", "ponybunny", "--tier", "simple")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:4] == [
        f"config: {tmp_path} (argument)",
        "as PonyBunny's loaders take the files:",
        "  llm-config.json: loaded",
        "  credentials.json: loaded",
    ]
    assert (
        f"  pbcfg's runtime: refuses this config ({tmp_path / 'llm-config.json'}:1:93: not valid "
        f"UTF-8 (byte 0xe9); save the file as UTF-8); see `pbcfg validate {tmp_path}`" in lines
    )
    assert (
        "    1. m @ openai-compatible  POST http://box:8000/v1/chat/completions  auth: Authorization: Bearer ← "
        "credentials.json /endpoints/openai-compatible/apiKey  ← credentials.json /endpoints/openai-compatible/baseUrl"
        in lines
    )
