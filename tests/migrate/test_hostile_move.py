"""A hostile user against the one-step move out of ~/.ponybunny: links and FIFOs planted where it reads and
writes, a full disk, a second writer, a world-readable key, huge and broken files. Each ends in one line
(exit 1 or 2) with nothing half moved and no key shown."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

OLD_LLM = '{"tiers": {"medium": {"primary": "gpt-4o", "fallback": "claude-haiku-4-5"}}}\n'
KEY = "sk-abcdefgh12345678"
OLD_CREDENTIALS = '{"endpoints": {"openai-direct": {"api_key": "%s"}}}\n' % KEY
RENAME = ("--rename-model", "gpt-4o=gpt-5.2")


@pytest.fixture
def legacy(tmp_path, monkeypatch):
    """A home whose config is only in ~/.ponybunny (credentials 0600)."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name in ("PONYBUNNY_CONFIG_DIR", "XDG_CONFIG_HOME", "GITHUB_ACTIONS", "PBCFG_ALLOW_SYMLINKS"):
        monkeypatch.delenv(name, raising=False)
    directory = home / ".ponybunny"
    directory.mkdir(parents=True)
    (directory / "llm-config.json").write_text(OLD_LLM)
    (directory / "credentials.json").write_text(OLD_CREDENTIALS)
    (directory / "credentials.json").chmod(0o600)
    return directory


def target_of(legacy):
    return legacy.parent / ".config" / "ponybunny"


def untouched(legacy):
    """Nothing moved: the legacy files as they were, and no config file in the target."""
    target = target_of(legacy)
    assert (legacy / "llm-config.json").read_text() == OLD_LLM
    assert not any((target / name).exists() for name in ("credentials.json", "llm-config.json"))


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_world_readable_legacy_key_lands_0600_and_so_does_its_kept_original(run, legacy):
    (legacy / "credentials.json").chmod(0o644)
    result = run("migrate", *RENAME)
    assert result.code == 0, result.err
    target = target_of(legacy)
    backup = legacy / "credentials.json.bak"
    assert (mode(target / "credentials.json"), mode(backup)) == (0o600, 0o600)
    assert backup.read_text() == OLD_CREDENTIALS
    assert KEY[6:] not in result.out + result.err


def test_a_fifo_under_a_legacy_name_is_named_and_stops_the_move(run, legacy):
    """PonyBunny moves whatever is under the name; pbcfg says so, and refuses to read a FIFO without waiting."""
    (legacy / "credentials.json").unlink()
    os.mkfifo(legacy / "credentials.json")
    checked = run("validate", "--format", "json")
    assert [(d["rule"], d["file"]) for d in checked.json["diagnostics"]] == [
        ("migrate.location", str(legacy / "credentials.json")),
        ("migrate.location", str(legacy / "llm-config.json")),
    ]
    for command in (("migrate", "--diff"), ("migrate", *RENAME)):
        result = run(*command)
        assert (result.code, result.out, result.err) == (
            2,
            "",
            f"pbcfg: error: {legacy / 'credentials.json'}: is a named pipe (FIFO), not a regular file; pbcfg reads "
            "only regular files\n",
        )
    untouched(legacy)


def test_a_directory_under_a_legacy_name_stops_the_move_in_one_line(run, legacy):
    (legacy / "credentials.json").unlink()
    (legacy / "credentials.json").mkdir()
    result = run("migrate", *RENAME)
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith(f"pbcfg: error: {legacy / 'credentials.json'}: ")
    untouched(legacy)


def test_a_legacy_file_linked_outside_its_directory_is_not_written_through(run, legacy, tmp_path):
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(OLD_CREDENTIALS)
    (legacy / "credentials.json").unlink()
    (legacy / "credentials.json").symlink_to(elsewhere)
    result = run("migrate", *RENAME)
    assert result.code == 2
    assert result.err.splitlines()[-1] == (
        f"pbcfg: error: {legacy / 'credentials.json'} is a symbolic link to {elsewhere}, outside its directory; "
        "pbcfg will not write through it (set PBCFG_ALLOW_SYMLINKS=1 if you mean it)"
    )
    assert elsewhere.read_text() == OLD_CREDENTIALS and (legacy / "credentials.json").is_symlink()
    untouched(legacy)


def test_a_fifo_at_the_target_name_is_refused_without_waiting(run, legacy):
    target = target_of(legacy)
    target.mkdir(parents=True)
    os.mkfifo(target / "credentials.json")
    result = run("migrate", *RENAME)
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {target / 'credentials.json'}: is a named pipe (FIFO), not a regular file; pbcfg reads "
        "only regular files\n",
    )
    assert sorted(os.listdir(legacy)) == ["credentials.json", "llm-config.json"]


def test_a_target_directory_that_is_a_dangling_link_is_one_line(run, legacy, tmp_path):
    target = target_of(legacy)
    target.parent.mkdir(parents=True)
    target.symlink_to(tmp_path / "nowhere")
    result = run("migrate", *RENAME)
    assert (result.code, result.err.splitlines()[-1]) == (
        2,
        f"pbcfg: error: {target}: exists and is not a directory",
    )
    assert sorted(os.listdir(legacy)) == ["credentials.json", "llm-config.json"]


def pbcfg(*args, env, limit_bytes=None) -> subprocess.CompletedProcess:
    """The real command in a process of its own; ``limit_bytes`` caps the size of any file it writes, as a
    full disk does (the write fails with EFBIG)."""

    def cap():
        if limit_bytes is not None:
            import resource
            import signal

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "pbcfg", *args], env=env, capture_output=True, text=True, preexec_fn=cap, timeout=120
    )


def test_a_full_disk_moves_nothing(legacy):
    result = pbcfg("migrate", *RENAME, env=dict(os.environ), limit_bytes=40)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"pbcfg: error: {target_of(legacy) / 'credentials.json'}: cannot write: File too large; nothing was changed"
    )
    assert (legacy / "credentials.json").read_text() == OLD_CREDENTIALS
    untouched(legacy)
    assert sorted(os.listdir(legacy)) == ["credentials.json", "llm-config.json"]


def test_two_migrates_at_once_move_each_file_once(legacy):
    env = dict(os.environ)
    first, second = (
        subprocess.Popen(
            [sys.executable, "-m", "pbcfg", "migrate", *RENAME],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    )
    results = [(p.wait(timeout=120), p.stderr.read()) for p in (first, second)]
    assert sorted(code for code, _ in results)[0] == 0
    for code, err in results:
        assert code in (0, 2) and "Traceback" not in err and KEY[6:] not in err
        if code == 2:
            assert len([line for line in err.splitlines() if line.startswith("pbcfg: error:")]) == 1
    target = target_of(legacy)
    assert json.loads((target / "credentials.json").read_text()) == {"endpoints": {"openai-direct": {"apiKey": KEY}}}
    assert sorted(os.listdir(legacy)) == ["credentials.json.bak", "llm-config.json.bak"]


@pytest.mark.slow
def test_ten_thousand_keys_block_the_move_with_no_key_shown(run, legacy):
    endpoints = {f"e{i}": {"api_key": f"sk-{i:08d}abcdefghijklmnop"} for i in range(10_000)}
    (legacy / "credentials.json").write_text(json.dumps({"endpoints": endpoints}))
    result = run("migrate", "--diff", *RENAME)
    assert result.code == 1
    assert "abcdefghijklmnop" not in result.out + result.err
    assert result.err.splitlines()[-1] == (
        "10005 migration steps pending; a run would write nothing until what is reported above is fixed"
    )
    untouched(legacy)


def test_a_legacy_file_that_is_not_utf8_is_named_at_its_byte(run, legacy):
    (legacy / "llm-config.json").write_bytes(b'{"tiers": {"medium": {"primary": "\xff"}}}\n')
    for command in (("migrate", "--diff"), ("migrate", *RENAME)):
        result = run(*command)
        assert (result.code, result.err) == (
            2,
            f"pbcfg: error: {legacy / 'llm-config.json'}:1:35: not valid UTF-8 (byte 0xff); save the file as UTF-8\n",
        )
    assert sorted(os.listdir(legacy)) == ["credentials.json", "llm-config.json"]


@pytest.mark.parametrize(("folder", "held"), [("c*", "*"), ("a{b,c}", "{ }"), ("x[1]", "[ ]"), ("what?", "?")])
def test_vscode_refuses_a_folder_whose_name_vscode_reads_as_a_pattern(run, tmp_path, monkeypatch, folder, held):
    """`c*/credentials.json` would give pbcfg's schema to every c…/credentials.json of the workspace."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / folder).mkdir()
    result = run("schema", "--vscode", folder)
    assert (result.code, result.out, result.err) == (
        2,
        "",
        f"pbcfg: error: --vscode {folder}: its path holds {held}, which VS Code reads as a pattern, so the settings "
        "would claim other folders' files; rename the folder (or write its fileMatch by hand)\n",
    )


@pytest.mark.parametrize("folder", ["my conf", "./my conf/../my conf"])
def test_vscode_takes_a_folder_with_spaces_however_it_is_written(run, tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my conf").mkdir()
    for given in (folder, str(tmp_path / folder)):
        result = run("schema", "--vscode", given)
        assert result.code == 0, result.err
        assert json.loads(result.out)["json.schemas"][0] == {
            "fileMatch": ["/my conf/credentials.json"],
            "url": "./my conf/credentials.schema.json",
        }


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_dash_with_stdin_closed_is_a_usage_error(tmp_path, command):
    def close_stdin():
        os.close(0)

    result = subprocess.run(
        [sys.executable, "-m", "pbcfg", command, "-", "--kind", "llm-config"],
        capture_output=True,
        text=True,
        preexec_fn=close_stdin,
        cwd=tmp_path,
        timeout=120,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "pbcfg: error: - reads the config from stdin, which is closed: pipe the config in, or pass its path\n",
    )


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_dash_on_a_stdin_that_cannot_be_read_is_one_line(run, monkeypatch, command):
    """What reading a directory gives (the interpreter refuses one at start, before pbcfg runs)."""
    import errno
    import io

    class Unreadable(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            raise OSError(errno.EISDIR, os.strerror(errno.EISDIR))

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Unreadable())))
    result = run(command, "-", "--kind", "credentials")
    assert (result.code, result.out, result.err) == (
        2,
        "",
        "pbcfg: error: <stdin>: cannot read: Is a directory; pipe the config in, or pass its path\n",
    )


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_dash_on_more_than_the_size_limit_reads_no_further(run, monkeypatch, command):
    import io

    from pbcfg.source.limits import MAX_BYTES

    stream = io.BytesIO(b" " * (MAX_BYTES + 4096))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream))
    result = run(command, "-", "--kind", "llm-config")
    assert (result.code, result.err) == (
        2,
        "pbcfg: error: <stdin>: larger than 64 MiB (limits.file-size); no PonyBunny config is this big, so pbcfg "
        "does not read it\n",
    )
    assert stream.tell() <= MAX_BYTES + 1 + io.DEFAULT_BUFFER_SIZE


def test_nothing_to_migrate_anywhere_names_both_places(run, legacy):
    for name in ("credentials.json", "llm-config.json"):
        (legacy / name).unlink()
    target = target_of(legacy)
    for made in (False, True):  # no config directory, then an empty one
        if made:
            target.mkdir(parents=True)
        result = run("migrate", "--diff")
        assert (result.code, result.out, result.err) == (
            2,
            "",
            f"pbcfg: error: {target}: no credentials.json or llm-config.json in the config directory, nor in "
            f"{legacy}: nothing to migrate. Pass the files, or point --config-dir at your PonyBunny config directory\n",
        )


STRICT_SCHEMA = '{"type": "object", "additionalProperties": false, "properties": {"$schema": {}}}\n'


def test_a_legacy_schema_file_that_would_arrive_beside_a_config_is_named_and_migrated(run, legacy):
    """PonyBunny moves each name on its own: an old schema file in ~/.ponybunny moves in beside a config that is
    already there, and from then on refuses it. validate says so; migrate moves it with the current schema."""
    from pbcfg.schema_store import schema_text

    target = target_of(legacy)
    target.mkdir(parents=True, mode=0o700)
    (target / "credentials.json").write_text('{"endpoints": {"openai-direct": {"apiKey": "%s"}}}\n' % KEY)
    (target / "credentials.json").chmod(0o600)
    for name in ("credentials.json", "llm-config.json"):
        (legacy / name).unlink()
    (legacy / "credentials.schema.json").write_text(STRICT_SCHEMA)
    checked = run("validate", "--format", "json")
    assert checked.code == 1
    assert [(d["rule"], d["file"], d["message"]) for d in checked.json["diagnostics"]] == [
        (
            "migrate.location",
            str(legacy / "credentials.schema.json"),
            f"in the legacy location: the config directory {target} (from the default, ~/.config/ponybunny) has no "
            "credentials.schema.json; PonyBunny moves it there, as it is, on its next start, and from then on "
            "applies it to credentials.json",
        )
    ]
    diff = run("migrate", "--diff")
    assert (diff.code, diff.err.splitlines()[0]) == (
        1,
        f"would move {legacy / 'credentials.schema.json'} -> {target / 'credentials.schema.json'}",
    )
    made = run("migrate")
    assert made.code == 0, made.err
    assert made.err.splitlines()[-1] == (
        f"moved {legacy / 'credentials.schema.json'} -> {target / 'credentials.schema.json'} (migrated; the original "
        f"kept as {legacy / 'credentials.schema.json.bak'})"
    )
    assert (target / "credentials.schema.json").read_text() == schema_text("credentials")
    assert (legacy / "credentials.schema.json.bak").read_text() == STRICT_SCHEMA
    assert run("validate").code == 0
    assert KEY[6:] not in checked.out + diff.out + diff.err + made.out + made.err


def test_build_writes_the_report_output_names_when_it_succeeds(run, tmp_path, monkeypatch):
    """`--output` is the report (as on every command), never where the JSON goes: a build that succeeds still
    writes it, so the file the user named is there and says what happened."""
    monkeypatch.chdir(tmp_path)
    assert run("init", "ollama", "--config-dir", "src", "--source", "yaml").code == 0
    built = run("build", "src", "--config-dir", "out", "--output", "report.json", "--format", "json")
    assert built.code == 0, built.err
    assert sorted(os.listdir("out")) == [
        "credentials.json",
        "credentials.schema.json",
        "llm-config.json",
        "llm-config.schema.json",
    ]
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["diagnostics"], report["summary"]["files"], report["summary"]["errors"]) == ([], 2, 0)
    again = run("build", "src", "--config-dir", "out", "--format", "json")
    assert (again.code, json.loads(again.out)["summary"]["errors"]) == (0, 0)
    assert again.err == "out is up to date\n"


def racing_plan(monkeypatch, meanwhile):
    """Run ``meanwhile`` between the plan and the write, as a second program would."""
    import pbcfg.migrate.migration_plan as plan

    planned = plan.plan_migration

    def racing(*args, **kwargs):
        made = planned(*args, **kwargs)
        meanwhile()
        return made

    monkeypatch.setattr(plan, "plan_migration", racing)


def test_a_legacy_file_edited_after_the_plan_is_not_moved(run, legacy, monkeypatch):
    edited = OLD_LLM.replace("gpt-4o", "gpt-5.2")
    racing_plan(monkeypatch, lambda: (legacy / "llm-config.json").write_text(edited))
    result = run("migrate", *RENAME)
    assert (result.code, result.err.splitlines()[-1]) == (
        2,
        f"pbcfg: error: {legacy / 'llm-config.json'}: changed since pbcfg read it; nothing was moved or written. "
        "Run the command again",
    )
    assert (legacy / "llm-config.json").read_text() == edited
    assert sorted(os.listdir(legacy)) == ["credentials.json", "llm-config.json"]
    assert not target_of(legacy).joinpath("credentials.json").exists()


def test_a_legacy_file_swapped_for_a_fifo_after_the_plan_is_refused_without_waiting(run, legacy, monkeypatch):
    def swap():
        (legacy / "credentials.json").unlink()
        os.mkfifo(legacy / "credentials.json")

    racing_plan(monkeypatch, swap)
    result = run("migrate", *RENAME)
    assert (result.code, result.err.splitlines()[-1]) == (
        2,
        f"pbcfg: error: {legacy / 'credentials.json'}: is a named pipe (FIFO), not a regular file; pbcfg reads only "
        "regular files; nothing was moved",
    )
    untouched(legacy)


@pytest.fixture
def immutable():
    """``immutable(path)``: nobody, root included, may change the directory until the test ends (chattr +i)."""
    made = []

    def freeze(path):
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i needs CAP_LINUX_IMMUTABLE")
        made.append(path)

    yield freeze
    for path in made:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_target_moves_nothing(run, legacy, immutable):
    target = target_of(legacy)
    target.mkdir(parents=True)
    immutable(target)
    result = run("migrate", *RENAME)
    assert (result.code, result.err.splitlines()[-1]) == (
        2,
        f"pbcfg: error: {target}: cannot write in this directory: operation not permitted; check the owner and mode "
        "of the file and its directory; nothing was changed",
    )
    untouched(legacy)


def test_a_read_only_legacy_directory_keeps_the_copies_and_says_how_to_finish(run, legacy, immutable):
    immutable(legacy)
    kept = run("migrate", *RENAME)  # the original is kept as a backup in the legacy directory: nothing changes
    assert (kept.code, kept.err.splitlines()[-1]) == (
        2,
        f"pbcfg: error: {legacy}: cannot write in this directory: operation not permitted; check the owner and "
        "mode of the file and its directory; nothing was changed",
    )
    untouched(legacy)
    result = run("migrate", "--no-backup", *RENAME)
    target = target_of(legacy)
    assert (result.code, result.err.splitlines()[-1]) == (
        2,
        f"pbcfg: error: {legacy / 'credentials.json'}, {legacy / 'llm-config.json'}: written to {target}, but cannot "
        "remove the legacy copies: operation not permitted; check the owner and mode of the file and its directory; "
        "PonyBunny ignores them from now on: delete them by hand",
    )
    assert json.loads((target / "credentials.json").read_text()) == {"endpoints": {"openai-direct": {"apiKey": KEY}}}
    assert [d["rule"] for d in run("validate", "--format", "json").json["diagnostics"]] == ["files.legacy-copy"] * 2


@pytest.mark.parametrize(("source", "suffix"), [("json", "json"), ("yaml", "yaml")])
def test_render_into_a_directory_writes_the_schema_files_its_files_name(run, tmp_path, source, suffix):
    """Offline, an editor loads `$schema` (or the modeline) from the file beside it; one that is there already
    is the user's and stays."""
    from pbcfg.schema_store import schema_text

    (tmp_path / "llm-config.schema.json").write_text('{"custom": true}\n')
    result = run("render", "ollama", "--config-dir", tmp_path, "--source", source)
    assert result.code == 0, result.err
    assert [line for line in result.err.splitlines() if line.startswith("wrote")] == [
        f"wrote {tmp_path / f'credentials.{suffix}'} (mode 0600)",
        f"wrote {tmp_path / f'llm-config.{suffix}'}",
        f"wrote {tmp_path / 'credentials.schema.json'}",
    ]
    assert "$schema" in (tmp_path / f"credentials.{suffix}").read_text()
    assert (tmp_path / "credentials.schema.json").read_text() == schema_text("credentials")
    assert (tmp_path / "llm-config.schema.json").read_text() == '{"custom": true}\n'


def test_migrate_diff_checks_each_migrated_file_against_the_schema_once(run, legacy, monkeypatch):
    """10,000s of unknown keys cost one schema pass each time they are checked: the plan reads the migrated
    files for their schema files without a check of its own; what the run would leave is checked once."""
    import pbcfg.check.pipeline as pipeline

    checked = []
    findings = pipeline.schema_findings
    monkeypatch.setattr(
        pipeline, "schema_findings", lambda document: checked.append(document.name) or findings(document)
    )
    result = run("migrate", "--diff", *RENAME)
    assert result.code == 1
    assert sorted(checked) == [str(legacy / "credentials.json"), str(legacy / "llm-config.json")]


def backups_leave_work_trees() -> bool:
    import importlib.util

    return importlib.util.find_spec("pbcfg.util.backup_store") is not None


@pytest.mark.skipif(not backups_leave_work_trees(), reason="needs backups kept out of git work trees")
def test_a_home_inside_a_git_work_tree_stages_no_key_but_the_live_file(run, legacy):
    """The migrated original is a backup like any other: under the git directory, where `git add -A` never
    looks; the one file left holding the key is the config itself, which the key-in-git hook refuses."""
    home = legacy.parent
    git = ["git", "-C", str(home)]
    subprocess.run([*git, "init", "-q"], check=True)
    result = run("migrate", *RENAME)
    assert result.code == 0, result.err
    subprocess.run([*git, "add", "-A"], check=True)
    holding = subprocess.run([*git, "grep", "--cached", "-l", KEY[6:]], capture_output=True, text=True).stdout
    assert holding.splitlines() == [".config/ponybunny/credentials.json"]
    assert sorted(os.listdir(legacy)) == []


def test_a_config_linked_to_its_legacy_file_is_one_file_not_a_copy_to_delete(run, legacy):
    """~/.config/ponybunny/credentials.json -> ~/.ponybunny/credentials.json: PonyBunny reads the legacy file
    through the link, so a hint to delete it as an ignored copy would delete the config."""
    target = target_of(legacy)
    target.mkdir(parents=True, mode=0o700)
    (legacy / "credentials.json").write_text('{"endpoints": {"openai-direct": {"apiKey": "%s"}}}\n' % KEY)
    (target / "credentials.json").symlink_to(legacy / "credentials.json")
    (legacy / "llm-config.json").unlink()
    result = run("validate", "--format", "json")
    assert "files.legacy-copy" not in {d["rule"] for d in result.json["diagnostics"]}
    assert "migrate.location" not in {d["rule"] for d in result.json["diagnostics"]}
    diff = run("migrate", "--diff")
    assert (diff.code, diff.err) == (0, "already up to date\n")
    assert (legacy / "credentials.json").is_file()


def test_home_unset_means_the_home_of_the_account_as_for_ponybunny(tmp_path):
    """Node's os.homedir() and Python's expanduser both fall back to the password database."""
    import pwd

    home = pwd.getpwuid(os.getuid()).pw_dir
    if os.path.lexists(os.path.join(home, ".ponybunny")):
        pytest.skip("this account has a ~/.ponybunny of its own")
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "PONYBUNNY_CONFIG_DIR", "XDG_CONFIG_HOME")}
    result = pbcfg("migrate", "--diff", "--config-dir", tmp_path, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        f"pbcfg: error: {tmp_path}: no credentials.json or llm-config.json in the config directory, nor in "
        f"{os.path.join(home, '.ponybunny')}: nothing to migrate. Pass the files, or point --config-dir at your "
        "PonyBunny config directory\n",
    )


def test_a_link_planted_where_the_original_is_kept_stops_the_move(run, legacy, tmp_path):
    bait = tmp_path / "bait"
    bait.write_text("untouched\n")
    (legacy / "credentials.json.bak").symlink_to(bait)
    result = run("migrate", *RENAME)
    assert (result.code, result.err.splitlines()[-1]) == (
        2,
        f"pbcfg: error: {legacy / 'credentials.json.bak'}: is a symbolic link where pbcfg keeps a backup; pbcfg will "
        "not write through it. Remove it and run the command again; nothing was written",
    )
    assert bait.read_text() == "untouched\n"
    untouched(legacy)
    assert (legacy / "credentials.json").read_text() == OLD_CREDENTIALS
