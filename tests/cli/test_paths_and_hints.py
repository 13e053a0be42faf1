"""The runtime commands name what they read and refuse what does not exist; hints run when pasted.

``resolve``, ``status``, ``chat`` and ``doctor`` take the config directory as ``[DIR]`` (like ``validate`` and
``lint``), start their text output with the directory and what chose it, and never read a directory nobody
named instead of the files in the working directory. A tier, agent or model the config lacks is a usage error
with the names it has. Every command a hint names is run here as printed.
"""

from __future__ import annotations

import json
import re
import shlex
import socket

import pytest

from helpers import Clock, Scripted, closed_port, configure
from pbcfg.lint.linter import lint_paths
from pbcfg.lint.settings import Settings
from pbcfg.runtime import AllAttemptsFailed, StreamInterrupted, load_runtime
from servers import Loopback, sse_forever


@pytest.fixture(autouse=True)
def no_config_from_the_environment(monkeypatch, tmp_path):
    """HOME is a fresh directory: the default config directory is empty unless a test writes it."""
    for name in (
        "PONYBUNNY_CONFIG_DIR",
        "XDG_CONFIG_HOME",
        "OPENAI_COMPATIBLE_BASE_URL",
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GEMINI_API_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def local(directory, port=None):
    """A config whose tier simple runs llama3.1:8b on openai-compatible (a closed port unless given)."""
    directory.mkdir(parents=True, exist_ok=True)
    return configure(
        directory,
        {"openai-compatible": f"http://127.0.0.1:{port or closed_port()}/v1"},
        {"llama3.1:8b": ["openai-compatible"]},
    )


# -- [DIR], and the line that names it ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["resolve", "--tier", "simple"], ["status", "--timeout", "1"], ["doctor"]])
def test_each_runtime_command_takes_the_directory_as_an_argument_and_names_it_first(run, tmp_path, command):
    local(tmp_path / "conf")
    result = run(command[0], tmp_path / "conf", *command[1:])
    assert result.out.splitlines()[0] == f"config: {tmp_path / 'conf'} (argument)"
    again = run(command[0], "--config-dir", tmp_path / "conf", *command[1:])
    assert again.out.splitlines()[0] == f"config: {tmp_path / 'conf'} (--config-dir)"


def test_chat_takes_the_directory_before_the_prompt_and_names_it_on_stderr(run, tmp_path):
    local(tmp_path / "conf")
    chat = run("chat", tmp_path / "conf", "--tier", "simple", "hi")
    assert chat.code == 1 and chat.out == ""
    assert chat.err.splitlines()[0] == f"config: {tmp_path / 'conf'} (argument)"
    assert run("chat", "--tier", "simple", "a", "b", "c").code == 2


def test_the_environment_that_chose_the_directory_is_named(run, tmp_path, monkeypatch):
    local(tmp_path / "pb")
    monkeypatch.setenv("PONYBUNNY_CONFIG_DIR", str(tmp_path / "pb"))
    assert (
        run("resolve", "--tier", "simple").out.splitlines()[0] == f"config: {tmp_path / 'pb'} ($PONYBUNNY_CONFIG_DIR)"
    )
    monkeypatch.delenv("PONYBUNNY_CONFIG_DIR")
    local(tmp_path / "xdg" / "ponybunny")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert (
        run("status", "--timeout", "1").out.splitlines()[0]
        == f"config: {tmp_path / 'xdg' / 'ponybunny'} ($XDG_CONFIG_HOME)"
    )


def test_in_a_directory_of_config_files_an_empty_default_is_never_read_instead(run, tmp_path, monkeypatch):
    local(tmp_path / "conf")
    monkeypatch.chdir(tmp_path / "conf")
    default = tmp_path / "home" / ".config" / "ponybunny"
    result = run("resolve", "--tier", "simple")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"pbcfg: error: {default}: no credentials.json or llm-config.json in the config directory "
        "(from the default); to use the credentials.json and llm-config.json here, run "
        "`pbcfg resolve . --tier simple`\n"
    )
    pasted = run(*shlex.split(re.search(r"`pbcfg (.*)`", result.err).group(1)))
    assert pasted.code == 0 and pasted.out.splitlines()[0] == "config: . (argument)"
    assert "llama3.1:8b @ openai-compatible" in pasted.out


def test_files_here_beside_a_default_config_are_named_in_a_note(run, tmp_path, monkeypatch):
    local(tmp_path / "home" / ".config" / "ponybunny")
    local(tmp_path / "conf")
    monkeypatch.chdir(tmp_path / "conf")
    lines = run("status", "--timeout", "1").out.splitlines()
    assert lines[:2] == [
        f"config: {tmp_path / 'home' / '.config' / 'ponybunny'} (default)",
        "note: the credentials.json and llm-config.json here are not read; `pbcfg status .` reads them",
    ]


def test_a_directory_and_a_different_config_dir_are_a_usage_error(run, tmp_path):
    local(tmp_path / "a")
    local(tmp_path / "b")
    result = run("resolve", tmp_path / "a", "--config-dir", tmp_path / "b", "--tier", "simple")
    assert result.code == 2
    assert result.err == (
        f"pbcfg: error: the directory '{tmp_path / 'a'}' and --config-dir '{tmp_path / 'b'}' differ: give one of them\n"
    )


# -- names the config lacks -----------------------------------------------------------------------------------


def test_an_unknown_tier_is_a_usage_error_with_the_known_ones(run, tmp_path):
    local(tmp_path)
    message = "pbcfg: error: no tier 'simpel'; did you mean 'simple'? Known tiers: simple, medium, complex\n"
    resolve = run("resolve", tmp_path, "--tier", "simpel")
    assert (resolve.code, resolve.out, resolve.err) == (2, "", message)
    chat = run("chat", tmp_path, "--tier", "simpel", "hi")
    assert (chat.code, chat.err) == (2, f"config: {tmp_path} (argument)\n" + message)
    as_ponybunny = run("resolve", tmp_path, "--tier", "simpel", "--as", "ponybunny")
    assert (as_ponybunny.code, as_ponybunny.err) == (2, message)


def test_an_unknown_agent_is_a_usage_error_that_says_what_ponybunny_would_run(run, tmp_path):
    local(tmp_path)
    result = run("resolve", tmp_path, "--agent", "nope")
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "pbcfg: error: no agent 'nope'; known agents: input-analysis, planning, execution, verification, "
        "response-generation, conversation, agent_a_market_listener. PonyBunny itself runs an agent it does not "
        f"know on tier 'medium': `pbcfg resolve {tmp_path} --tier medium` shows that chain\n"
    )
    assert run("resolve", tmp_path, "--agent", "planing").err.startswith(
        "pbcfg: error: no agent 'planing'; did you mean 'planning'? Known agents: input-analysis, "
    )


def test_an_unknown_model_is_a_usage_error(run, tmp_path):
    local(tmp_path)
    result = run("chat", tmp_path, "--model", "llama3.1:7b", "hi")
    assert result.code == 2
    assert result.err.splitlines()[1] == (
        "pbcfg: error: no model 'llama3.1:7b'; did you mean 'llama3.1:8b'? Known "
        "models: claude-haiku-4-5-20251001, claude-sonnet-4-5-20250929, "
        "claude-opus-4-5-20251101, gpt-5.2, gpt-5.2-codex, gemini-2.0-flash, "
        "gemini-2.0-pro, llama3.1:8b"
    )


# -- timeouts and deadlines -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_a_timeout_must_be_a_positive_number_of_seconds(run, tmp_path, value):
    local(tmp_path)
    for command in (["status", tmp_path], ["doctor", tmp_path], ["chat", tmp_path, "--tier", "simple", "hi"]):
        result = run(*command, "--timeout", value)
        assert result.code == 2 and "invalid value for '--timeout'" in result.err, (command, result.err)
    assert run("chat", tmp_path, "--tier", "simple", "hi", "--deadline", value).code == 2


def test_chat_help_documents_the_attempt_timeout_and_the_whole_call_deadline(run):
    shown = " ".join(run("chat", "--help").out.split())
    assert "--timeout SECONDS Seconds for each attempt, all of it" in shown
    assert (
        "--deadline SECONDS Seconds for the whole call: every attempt, retry, wait and the stream end by it." in shown
    )


@pytest.mark.slow
def test_the_whole_call_deadline_bounds_retries_and_their_backoff(tmp_path):
    clock = Clock()
    with Scripted({("POST", "/chat/completions"): (500, {"error": {"message": "boom"}}, {})}) as server:
        configure(tmp_path, {"box": server.url}, {"m": ["box"]}, retries=5)
        config = json.loads((tmp_path / "llm-config.json").read_text())
        config["defaults"]["retryDelayMs"] = 1000
        (tmp_path / "llm-config.json").write_text(json.dumps(config))
        with (
            load_runtime(tmp_path, env={}, clock=clock, sleep=clock.sleep) as runtime,
            pytest.raises(AllAttemptsFailed) as raised,
        ):
            runtime.complete([{"role": "user", "content": "hi"}], model="m", deadline=1.5)
    assert [(a.outcome, a.status) for a in raised.value.attempts] == [("retry", 500), ("retry", 500)]
    assert len(server.bodies) == 2  # the third attempt would start at the deadline: it is never sent
    assert clock.now == pytest.approx(1001.5) and len(clock.slept) == 2
    assert str(raised.value).startswith("the call ran past its deadline; attempts: m@box: retry (")


@pytest.mark.slow
def test_the_whole_call_deadline_ends_an_endless_stream(tmp_path):
    with Loopback(sse_forever) as server:
        directory = configure(tmp_path, {"box": server.url}, {"m": ["box"]})
        runtime = load_runtime(directory, env={})  # stream_deadline: 600 s
        received = []
        with pytest.raises(StreamInterrupted) as raised:
            received.extend(runtime.complete([{"role": "user", "content": "hi"}], model="m", stream=True, deadline=1.0))
        runtime.close()
    # what is left of the call's 1 s when the stream starts, however long the set-up took
    assert re.fullmatch(
        r"stream from box broke after its first chunk: timeout: the stream ran past its total deadline of 0\.\d+ s",
        str(raised.value),
    )
    assert len(received) >= 1


def test_chat_stops_at_its_deadline_and_says_which_option_gives_it_more_time(run, tmp_path):
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        configure(tmp_path, {"box": f"http://127.0.0.1:{silent.getsockname()[1]}/v1"}, {"m": ["box"]}, retries=3)
        chat = run("chat", tmp_path, "--model", "m", "hi", "--timeout", "30", "--deadline", "0.3")
    assert chat.code == 1
    assert chat.err.splitlines()[1].startswith("pbcfg: error: the call ran past its deadline; attempts: m@box: retry (")
    assert chat.err.splitlines()[1].endswith(
        "Hint: give the call more time with --deadline, or each attempt less with --timeout"
    )


# -- hints on runtime failures, and hints that run when pasted ------------------------------------------------


def test_chat_on_an_unreachable_server_has_a_hint_that_runs(run, tmp_path):
    local(tmp_path / "conf")
    chat = run("chat", tmp_path / "conf", "--tier", "simple", "hi")
    error = chat.err.splitlines()[1]
    assert chat.code == 1 and error.startswith("pbcfg: error: every attempt failed; first: llama3.1:8b@openai-compat")
    assert error.endswith(
        f"Hint: is the server behind openai-compatible running and reachable? `pbcfg status "
        f"{tmp_path / 'conf'}` probes every endpoint"
    )
    status = run(*shlex.split(re.search(r"`pbcfg (.*)`", error).group(1)))
    assert status.out.splitlines()[0] == f"config: {tmp_path / 'conf'} (argument)"
    assert "openai-compatible    unreachable" in status.out


def _lint(directory):
    result = lint_paths(
        [str(directory)],
        config_dir=str(directory),
        kind=None,
        settings=Settings(),
        env={},
        home=str(directory.parent / "home"),
    )
    return {d.rule: d.hint for d in result.diagnostics}


def test_lint_hints_name_the_directory_linted_and_run_when_pasted(run, tmp_path, monkeypatch):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "llm-config.json").write_text(
        json.dumps(
            {
                "$schema": "./llm-config.schema.json",
                "models": {
                    "m": {
                        "displayName": "M",
                        "endpoints": ["azure-openai", "azure-openai"],
                        "costPer1kTokens": {"input": 0, "output": 0},
                    }
                },
                "tiers": {"simple": {"primary": "m", "fallback": []}},
            }
        )
    )
    monkeypatch.chdir(tmp_path)
    hints = _lint(conf)
    commands = {
        rule: re.search(r"`(pbcfg [^`]*)`", hints[rule]).group(1)
        for rule in ("routing.chain-unusable", "routing.repeated-endpoint", "files.stale-schema")
    }
    assert commands == {
        "routing.chain-unusable": f"pbcfg resolve {conf} --tier simple",
        "routing.repeated-endpoint": f"pbcfg lint {conf} --fix",
        "files.stale-schema": f"pbcfg lint {conf} --fix",
    }
    resolved = run(*shlex.split(commands["routing.chain-unusable"])[1:])
    assert resolved.out.splitlines()[:2] == [f"config: {conf} (argument)", "chain: m"]
    run(*shlex.split(commands["files.stale-schema"])[1:])
    assert (conf / "llm-config.schema.json").is_file()
    assert json.loads((conf / "llm-config.json").read_text())["models"]["m"]["endpoints"] == ["azure-openai"]


def test_a_hint_leaves_out_the_directory_a_command_reads_untold(tmp_path, monkeypatch):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "llm-config.json").write_text('{"$schema": "./llm-config.schema.json"}')
    monkeypatch.setenv("PONYBUNNY_CONFIG_DIR", str(conf))
    assert _lint(conf)["files.stale-schema"] == "write the current schema (`pbcfg lint --fix` does)"


# -- llama.cpp servers answer any model id --------------------------------------------------------------------

# llama-cpp-python's server cannot be installed here cheaply (it compiles llama.cpp and needs a GGUF model), so
# this server answers exactly as its own test suite says it does: GET /v1/models lists the one model it loaded,
# as {"id": …, "object": "model", "owned_by": "me", "permissions": []}, and a chat request naming any id is answered
LLAMA_CPP_PYTHON_MODELS = {
    "object": "list",
    "data": [
        {"id": "/models/qwen2.5-0.5b-instruct-q4_k_m.gguf", "object": "model", "owned_by": "me", "permissions": []}
    ],
}
ANSWER = {
    "id": "c",
    "object": "chat.completion",
    "model": "/models/qwen2.5-0.5b-instruct-q4_k_m.gguf",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


@pytest.mark.slow
def test_a_llama_cpp_python_server_serves_the_presets_model_so_status_is_ok(run, tmp_path):
    table = {("GET", "/models"): (200, LLAMA_CPP_PYTHON_MODELS, {}), ("POST", "/chat/completions"): (200, ANSWER, {})}
    with Scripted(table) as server:
        configure(tmp_path, {"openai-compatible": server.url}, {"local-model": ["openai-compatible"]})
        status = run("status", tmp_path, "--format", "json")
        chat = run("chat", tmp_path, "--model", "local-model", "hi")
    (entry,) = [e for e in status.json["endpoints"] if e["endpoint"] == "openai-compatible"]
    assert (entry["state"], entry["absent"]) == ("ok", [])
    assert entry["detail"].startswith("llama.cpp's server: it answers every request with the one model it loaded")
    assert (chat.code, chat.out) == (0, "hi\n")


@pytest.mark.slow
def test_a_server_listing_one_other_model_without_llama_cpp_marks_is_model_absent(run, tmp_path):
    other = {"object": "list", "data": [{"id": "gpt-4o", "object": "model", "owned_by": "openai"}]}
    with Scripted({("GET", "/models"): (200, other, {})}) as server:
        configure(tmp_path, {"openai-compatible": server.url}, {"local-model": ["openai-compatible"]})
        status = run("status", tmp_path, "--format", "json")
    (entry,) = [e for e in status.json["endpoints"] if e["endpoint"] == "openai-compatible"]
    assert (status.code, entry["state"], entry["absent"]) == (1, "model-absent", ["local-model"])


@pytest.mark.parametrize("preset, variable", [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")])
def test_a_note_about_the_key_follows_what_was_given(run, preset, variable):
    given = run("render", preset, "--api-key", "sk-test-0123456789abcdef0123")
    assert given.code == 0 and [line for line in given.err.splitlines() if "key" in line] == []
    untold = run("render", preset)
    assert [line for line in untold.err.splitlines() if "key" in line] == [
        f"note: No --api-key: the key stays in ${variable}; nothing secret is written."
    ]


def test_build_check_names_the_build_that_brings_the_output_up_to_date(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "llm-config.yaml").write_text("endpoints:\n  openai-compatible:\n    enabled: true\n")
    (tmp_path / "src" / "credentials.yaml").write_text(
        "endpoints:\n  openai-compatible:\n    apiKey: ollama\n    baseUrl: http://localhost:11434/v1\n"
    )
    (tmp_path / "src" / "credentials.yaml").chmod(0o600)
    check = run("build", "src", "--config-dir", "out", "--check", "--format", "json")
    assert check.code == 1
    assert {d["hint"] for d in check.json["diagnostics"]} == {
        "run `pbcfg build src --config-dir out` and commit the result"
    }
    text = run("build", "src", "--config-dir", "out", "--check")
    assert text.err == "out is out of date: run `pbcfg build src --config-dir out`\n"
    assert run(*shlex.split("pbcfg build src --config-dir out")[1:]).code == 0
    assert run("build", "src", "--config-dir", "out", "--check").err == "out is up to date\n"


@pytest.mark.slow
def test_a_probe_that_fails_without_a_hint_of_its_own_gets_one(run, tmp_path):
    with Scripted({("GET", "/models"): (500, {"error": {"message": "upstream down"}}, {})}) as server:
        configure(tmp_path, {"box": server.url}, {"m": ["box"]})
        text = run("status", tmp_path)
        found = run("status", tmp_path, "--format", "json")
    hint = "the server failed on GET /models: its own log says why"
    assert [line.split()[:2] for line in text.out.splitlines() if line.startswith("box ")] == [["box", "error"]]
    assert f"{'':<20} hint: {hint}" in text.out.splitlines()
    assert [(d["rule"], d["hint"]) for d in found.json["diagnostics"] if d["rule"] == "status.error"] == [
        ("status.error", hint)
    ]
