"""A link planted in the config directory never makes pbcfg write (or chmod) anything outside it.

For every writing command: a backup name that is a link to a file outside
(the key would be copied there), a dangling backup link (a new file would be
created outside), and the config file itself as a link leaving the
directory. Each is refused with one line and exit 2, nothing written, the
outside untouched.
"""

from __future__ import annotations

import os

import pytest

from writing_commands import STAMP, WRITING_COMMANDS, prepare, snapshot


@pytest.fixture(autouse=True)
def pinned_stamp(monkeypatch):
    """init and render --config-dir name backups by the second; pin it so a planted link can sit on the name."""
    import time

    real = time.strftime
    monkeypatch.setattr(time, "strftime", lambda fmt, *args: STAMP if fmt == "%Y%m%d-%H%M%S" else real(fmt, *args))


def _failure(result) -> tuple[int, str]:
    """The exit code and the error line (migrate logs its planned steps first); nothing says it wrote."""
    assert "wrote " not in result.err and "kept " not in result.err
    return result.code, result.err.splitlines()[-1] + "\n"


def _unchanged(case, before, outside):
    assert snapshot(case.directory) == before
    assert sorted(os.listdir(outside)) == ["victim"]
    assert (outside / "victim").read_text() == "victim's own file\n"
    assert os.stat(outside / "victim").st_mode & 0o777 == 0o644


@pytest.fixture
def outside(tmp_path):
    directory = tmp_path / "outside"
    directory.mkdir()
    (directory / "victim").write_text("victim's own file\n")
    (directory / "victim").chmod(0o644)
    return directory


@pytest.mark.parametrize("command", [c for c in WRITING_COMMANDS if c != "--output"])
@pytest.mark.parametrize("dangling", [False, True], ids=["link-to-a-file", "dangling-link"])
def test_a_backup_name_that_is_a_link_is_refused(run, tmp_path, outside, command, dangling):
    case = prepare(command, tmp_path)
    planted = case.directory / case.backups[0]
    planted.symlink_to(outside / ("nothing-here" if dangling else "victim"))
    before = snapshot(case.directory)
    result = run(*case.args)
    assert _failure(result) == (
        2,
        f"pbcfg: error: {planted}: is a symbolic link where pbcfg keeps a "
        "backup; pbcfg will not write through it. Remove it and run the command "
        "again; nothing was written\n",
    )
    _unchanged(case, before, outside)


@pytest.mark.parametrize("command", WRITING_COMMANDS)
def test_a_config_file_that_links_out_of_the_directory_is_refused(run, tmp_path, outside, command):
    case = prepare(command, tmp_path)
    name = case.replaces[-1]
    real = outside / name
    os.replace(case.directory / name, real)
    (case.directory / name).symlink_to(real)
    before, kept = snapshot(case.directory), real.read_bytes()
    code, error = _failure(run(*case.args))
    assert code == 2
    if command in ("init --force", "render --config-dir"):  # these refuse any link before they begin
        assert error == (
            f"pbcfg: error: {case.directory / name} is a symbolic link; pbcfg does not write "
            "through links. Remove it first; nothing was written\n"
        )
    else:
        assert error == (
            f"pbcfg: error: {case.directory / name} is a symbolic link to {real}, outside its "
            "directory; pbcfg will not write through it (set PBCFG_ALLOW_SYMLINKS=1 if you mean "
            "it)\n"
        )
    assert snapshot(case.directory) == before and real.read_bytes() == kept
    assert sorted(os.listdir(outside)) == sorted(["victim", name])


def test_lint_fix_does_not_chmod_a_credentials_file_outside_the_directory(run, tmp_path, outside):
    case = prepare("lint --fix", tmp_path)
    real = outside / "credentials.json"
    os.replace(case.directory / "credentials.json", real)
    real.chmod(0o644)
    (case.directory / "credentials.json").symlink_to(real)
    before = snapshot(case.directory)
    diff = run("lint", case.directory, "--diff")
    assert f"would chmod 600 {case.directory / 'credentials.json'}\n" in diff.err
    result = run(*case.args)
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {case.directory / 'credentials.json'} is a symbolic "
        f"link to {real}, outside its directory; pbcfg will not change a mode "
        "through it (set PBCFG_ALLOW_SYMLINKS=1 if you mean it)\n",
    )
    assert os.stat(real).st_mode & 0o777 == 0o644 and snapshot(case.directory) == before


def test_a_link_within_the_directory_is_followed_and_stays_a_link(run, tmp_path):
    case = prepare("add", tmp_path)
    os.replace(case.directory / "llm-config.json", case.directory / "llm-config.real.json")
    (case.directory / "llm-config.json").symlink_to("llm-config.real.json")
    result = run(*case.args)
    assert result.code == 0, result.err
    assert (case.directory / "llm-config.json").is_symlink()
    assert '"box"' in (case.directory / "llm-config.real.json").read_text()
    assert (case.directory / "llm-config.real.json.bak").is_file()


def test_a_lock_file_planted_as_a_link_is_refused(run, tmp_path, outside):
    case = prepare("add", tmp_path)
    (case.directory / ".pbcfg.lock").symlink_to(outside / "victim")
    before = snapshot(case.directory)
    result = run(*case.args)
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {case.directory}: cannot write in this directory: a "
        "symbolic link is in the way, and pbcfg does not write through links; "
        "remove it; nothing was changed\n",
    )
    _unchanged(case, before, outside)


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_backup_name_held_by_a_fifo_or_a_directory_is_refused(run, tmp_path, kind):
    case = prepare("add", tmp_path)
    planted = case.directory / "credentials.json.bak"
    if kind == "fifo":
        os.mkfifo(planted)
    else:
        planted.mkdir()
    before = snapshot(case.directory)
    result = run(*case.args)
    what = "a FIFO" if kind == "fifo" else "a directory"
    assert (result.code, result.err) == (
        2,
        f"pbcfg: error: {planted}: is {what} where pbcfg keeps a backup; pbcfg "
        "will not write through it. Remove it and run the command again; "
        "nothing was written\n",
    )
    assert snapshot(case.directory) == before
