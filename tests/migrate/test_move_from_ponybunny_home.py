"""A config still in ~/.ponybunny: validate and lint say so, `migrate --diff` shows the move with every change
and what blocks it, and `migrate` makes the move and the migration together, or neither."""

from __future__ import annotations

import json
import os
import stat

import pytest

OLD_LLM = '{"tiers": {"medium": {"primary": "gpt-4o", "fallback": "claude-haiku-4-5"}}}\n'
OLD_CREDENTIALS = '{"endpoints": {"openai-direct": {"api_key": "sk-abcdefgh12345678"}}}\n'


@pytest.fixture
def legacy(tmp_path, monkeypatch):
    """A home whose config is only in ~/.ponybunny, as an old PonyBunny left it (credentials 0600)."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name in ("PONYBUNNY_CONFIG_DIR", "XDG_CONFIG_HOME", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    directory = home / ".ponybunny"
    directory.mkdir(parents=True)
    (directory / "llm-config.json").write_text(OLD_LLM)
    (directory / "llm-config.json").chmod(0o640)
    (directory / "credentials.json").write_text(OLD_CREDENTIALS)
    (directory / "credentials.json").chmod(0o600)
    return directory


def target_of(legacy):
    return legacy.parent / ".config" / "ponybunny"


def test_validate_and_lint_say_where_the_config_is_and_what_to_paste(run, legacy):
    target = target_of(legacy)
    for command in ("validate", "lint"):
        result = run(command)
        assert result.code == 1
        assert result.out.splitlines() == [
            f"{legacy / 'credentials.json'}: error migrate.location in the legacy location: the config directory "
            f"{target} (from the default, ~/.config/ponybunny) has no credentials.json; PonyBunny moves it there, as "
            "it is, on its next start",
            "  hint: `pbcfg migrate --diff` shows the move and every change; `pbcfg migrate` makes them in one step",
            f"{legacy / 'llm-config.json'}: error migrate.location in the legacy location: the config directory "
            f"{target} (from the default, ~/.config/ponybunny) has no llm-config.json; PonyBunny moves it there, as "
            "it is, on its next start",
            "  hint: `pbcfg migrate --diff` shows the move and every change; `pbcfg migrate` makes them in one step",
            "2 files checked: 2 errors, 0 warnings, 0 infos",
        ]
    assert not target.exists()


def test_a_config_dir_given_on_the_command_line_is_in_the_hint(run, legacy, tmp_path):
    elsewhere = tmp_path / "my config"
    result = run("validate", "--config-dir", elsewhere, "--format", "json")
    hints = {d["hint"] for d in result.json["diagnostics"]}
    assert hints == {
        f"`pbcfg migrate --diff --config-dir '{elsewhere}'` shows the move and every change; "
        f"`pbcfg migrate --config-dir '{elsewhere}'` makes them in one step"
    }
    assert {d["message"].rsplit("; ", 1)[1] for d in result.json["diagnostics"]} == {
        "PonyBunny moves it on its next start only when that is the directory it chooses itself (without "
        "$PONYBUNNY_CONFIG_DIR)"
    }


def test_ponybunny_config_dir_means_the_legacy_files_are_never_read(run, legacy, tmp_path, monkeypatch):
    monkeypatch.setenv("PONYBUNNY_CONFIG_DIR", str(tmp_path / "pb"))
    result = run("validate", "--format", "json")
    assert result.code == 1
    assert [d["message"].rsplit("; ", 1)[1] for d in result.json["diagnostics"]] == [
        "PonyBunny reads only $PONYBUNNY_CONFIG_DIR, so it never reads this file"
    ] * 2


def test_validate_warns_of_a_legacy_copy_ponybunny_ignores(run, legacy):
    target = target_of(legacy)
    target.mkdir(parents=True)
    (target / "llm-config.json").write_text("{}\n")
    (target / "credentials.json").write_text("{}\n")
    result = run("validate", "--format", "json")
    assert result.code == 0
    assert [(d["rule"], d["file"], d["severity"]) for d in result.json["diagnostics"]] == [
        ("files.legacy-copy", str(legacy / "credentials.json"), "warning"),
        ("files.legacy-copy", str(legacy / "llm-config.json"), "warning"),
    ]
    assert result.json["diagnostics"][0]["message"] == (
        f"ignored: {target / 'credentials.json'} exists, and PonyBunny reads only that one"
    )


def test_validate_names_a_file_ponybunny_will_move_beside_one_already_there(run, legacy):
    target = target_of(legacy)
    target.mkdir(parents=True)
    (target / "credentials.json").write_text("{}\n")
    result = run("validate", "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["file"]) for d in result.json["diagnostics"]] == [
        ("files.legacy-copy", str(legacy / "credentials.json")),
        ("migrate.location", str(legacy / "llm-config.json")),
    ]


def test_diff_shows_the_move_every_change_and_what_blocks_it(run, legacy):
    target = target_of(legacy)
    result = run("migrate", "--diff")
    assert result.code == 1
    assert result.out.split("\n/")[0] == (
        f"--- {legacy / 'credentials.json'} (before)\n"
        f"+++ {target / 'credentials.json'} (after)\n"
        "@@ -1 +1 @@\n"
        '-{"endpoints": {"openai-direct": {"api_key": "sk-****************"}}}\n'
        '+{"endpoints": {"openai-direct": {"apiKey": "sk-****************"}}}\n'
        f"--- {legacy / 'llm-config.json'} (before)\n"
        f"+++ {target / 'llm-config.json'} (after)\n"
        "@@ -1 +1 @@\n"
        '-{"tiers": {"medium": {"primary": "gpt-4o", "fallback": "claude-haiku-4-5"}}}\n'
        '+{"tiers": {"medium": {"primary": "gpt-4o", "fallback": ["claude-haiku-4-5-20251001"]}}}'
    )
    assert (
        f"{legacy / 'llm-config.json'}: error ref.unknown-model after migrating, still: 'gpt-4o' is not a "
        "model: neither built in nor defined under models"
    ) in result.out
    assert f"(`pbcfg migrate {legacy} --rename-model gpt-4o=gpt-5.2` does)" in result.out
    assert result.err.splitlines() == [
        f"would move {legacy / 'credentials.json'} -> {target / 'credentials.json'}",
        f"would move {legacy / 'llm-config.json'} -> {target / 'llm-config.json'}",
        "5 migration steps pending; a run would write nothing until what is reported above is fixed",
    ]
    assert "abcdefgh1234" not in result.out + result.err
    assert not target.exists() and sorted(os.listdir(legacy)) == ["credentials.json", "llm-config.json"]


def test_a_run_that_cannot_migrate_the_content_moves_nothing_and_says_how_to_finish(run, legacy):
    target = target_of(legacy)
    result = run("migrate")
    assert result.code == 1
    assert result.err == (
        "pbcfg: error: 1 file cannot be migrated as written (above), so nothing was moved or "
        "written. Fix what is reported (or pass the options its hints name), then run `pbcfg "
        "migrate` again\n"
    )
    assert "hint: PonyBunny's defaults dropped 'gpt-4o' on 2026-02-07 for 'gpt-5.2'" in result.out
    assert not target.exists()
    assert (legacy / "llm-config.json").read_text() == OLD_LLM
    assert (legacy / "credentials.json").read_text() == OLD_CREDENTIALS


def test_the_run_with_the_hinted_option_moves_and_migrates_in_one_step(run, legacy):
    target = target_of(legacy)
    result = run("migrate", "--rename-model", "gpt-4o=gpt-5.2")
    assert result.code == 0, result.err
    assert result.err.splitlines()[-2:] == [
        f"moved {legacy / 'credentials.json'} -> {target / 'credentials.json'} (migrated; the original kept as "
        f"{legacy / 'credentials.json.bak'})",
        f"moved {legacy / 'llm-config.json'} -> {target / 'llm-config.json'} (migrated; the original kept as "
        f"{legacy / 'llm-config.json.bak'})",
    ]
    assert json.loads((target / "llm-config.json").read_text())["tiers"]["medium"] == {
        "primary": "gpt-5.2",
        "fallback": ["claude-haiku-4-5-20251001"],
    }
    assert json.loads((target / "credentials.json").read_text()) == {
        "endpoints": {"openai-direct": {"apiKey": "sk-abcdefgh12345678"}}
    }
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(target / "credentials.json").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(target / "llm-config.json").st_mode) == 0o640  # the legacy file's mode, kept
    assert sorted(os.listdir(legacy)) == ["credentials.json.bak", "llm-config.json.bak"]
    assert (legacy / "llm-config.json.bak").read_text() == OLD_LLM
    assert "abcdefgh1234" not in result.out + result.err
    assert run("validate").code == 0
    again = run("migrate", "--diff")
    assert (again.code, again.out, again.err) == (0, "", "already up to date\n")


def test_an_unchanged_file_moves_byte_for_byte_with_no_backup(run, legacy):
    target = target_of(legacy)
    (legacy / "credentials.json").unlink()
    text = '{\n  "$schema": "./llm-config.schema.json",   \n  "defaults": {"timeout": 5000}\n}\n'
    (legacy / "llm-config.json").write_text(text)
    from pbcfg.schema_store import schema_text

    (legacy / "llm-config.schema.json").write_text(schema_text("llm-config"))
    diff = run("migrate", "--diff")
    assert (diff.code, diff.out.splitlines()[:2]) == (
        1,
        [
            f"{legacy / 'llm-config.json'}: error migrate.location → {target / 'llm-config.json'}, where PonyBunny "
            "reads it",
            "  hint: `pbcfg migrate` moves it and migrates its content in one step (never overwriting)",
        ],
    )
    result = run("migrate")
    assert result.code == 0, result.err
    assert (target / "llm-config.json").read_text() == text
    assert (target / "llm-config.schema.json").read_text() == schema_text("llm-config")
    assert os.listdir(legacy) == []


def test_a_file_that_appeared_in_the_target_meanwhile_is_never_overwritten(run, legacy, monkeypatch):
    """The plan saw no target file; one created before the write stops the whole step, and nothing moves."""
    import pbcfg.migrate.migration_plan as plan

    target = target_of(legacy)
    planned = plan.plan_migration

    def racing(*args, **kwargs):
        made = planned(*args, **kwargs)
        target.mkdir(parents=True, exist_ok=True)
        (target / "llm-config.json").write_text('{"mine": true}\n')
        return made

    monkeypatch.setattr(plan, "plan_migration", racing)
    result = run("migrate", "--rename-model", "gpt-4o=gpt-5.2")
    assert result.code == 2
    assert result.err.splitlines()[-1] == (
        f"pbcfg: error: {target / 'llm-config.json'}: exists already; pbcfg does not overwrite it. Nothing was written"
    )
    assert (target / "llm-config.json").read_text() == '{"mine": true}\n'
    assert not (target / "credentials.json").exists()
    assert sorted(os.listdir(legacy)) == ["credentials.json", "llm-config.json"]


def test_load_refuses_a_config_ponybunny_would_take_from_the_legacy_location(legacy):
    import pbcfg
    from pbcfg.errors import InvalidConfigError

    with pytest.raises(InvalidConfigError) as raised:
        pbcfg.load()
    assert [(d.rule, d.file) for d in raised.value.diagnostics] == [
        ("migrate.location", str(legacy / "credentials.json")),
        ("migrate.location", str(legacy / "llm-config.json")),
    ]
    assert str(raised.value).startswith(
        f"invalid config: 2 errors; first: {legacy / 'credentials.json'}:?:?: in the legacy location"
    )


def test_lint_settings_apply_to_the_legacy_location_finding(run, legacy):
    quiet = run("lint", "--ignore", "migrate.location", "--format", "json")
    assert (quiet.code, quiet.json["diagnostics"]) == (0, [])
    selected = run("lint", "--select", "migrate", "--format", "json")
    assert [d["rule"] for d in selected.json["diagnostics"]] == ["migrate.location", "migrate.location"]


def test_diff_in_a_machine_format_is_one_document(run, legacy):
    result = run("migrate", "--diff", "--format", "json")
    assert result.code == 1
    assert [(d["rule"], d["file"]) for d in result.json["diagnostics"]] == [
        ("migrate.location", str(legacy / "credentials.json")),
        ("migrate.location", str(legacy / "llm-config.json")),
        ("ref.unknown-model", str(legacy / "llm-config.json")),
    ]


def test_only_the_file_the_config_directory_lacks_moves_as_ponybunny_moves_it(run, legacy):
    target = target_of(legacy)
    target.mkdir(parents=True)
    (target / "credentials.json").write_text('{"endpoints": {}}\n')
    (target / "credentials.json").chmod(0o600)
    (legacy / "llm-config.json").write_text('{"defaults": {"timeout": 5000}}\n')
    result = run("migrate")
    assert result.code == 0, result.err
    assert result.err.splitlines()[-1] == f"moved {legacy / 'llm-config.json'} -> {target / 'llm-config.json'}"
    assert (
        f"{legacy / 'credentials.json'}: warning files.legacy-copy {target / 'credentials.json'} exists too, so "
        "this one does not move; PonyBunny reads only that one"
    ) in result.out
    assert (target / "credentials.json").read_text() == '{"endpoints": {}}\n'
    assert (target / "llm-config.json").read_text() == '{"defaults": {"timeout": 5000}}\n'
    assert sorted(os.listdir(legacy)) == ["credentials.json"]
