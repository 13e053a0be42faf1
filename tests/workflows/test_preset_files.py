"""`pbcfg render` as a library call: the files as PonyBunny reads them, the same masked for showing, and written."""

from __future__ import annotations

import pytest

from pbcfg.errors import UsageError
from pbcfg.presets.render import Parameters
from pbcfg.workflows.preset_files import render_files

KEY = "sk-preset-files-0123456789"


def test_the_files_hold_the_key_and_what_is_shown_masks_it(run):
    rendered = render_files("openai", Parameters(api_key=KEY))
    assert list(rendered.files) == ["credentials.json", "llm-config.json"]
    assert f'"apiKey": "{KEY}"' in rendered.files["credentials.json"]
    assert '"apiKey": "sk-***********************"' in rendered.shown()["credentials.json"]
    assert KEY not in rendered.text()
    assert rendered.text() == run("render", "openai", "--api-key", KEY).out
    assert (rendered.directory, rendered.written) == (None, [])


def test_into_a_directory_the_files_and_the_schemas_are_written_and_nothing_is_shown(tmp_path):
    rendered = render_files("ollama", Parameters(), source="yaml", directory=str(tmp_path / "src"))
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == [
        "credentials.schema.json",
        "credentials.yaml",
        "llm-config.schema.json",
        "llm-config.yaml",
    ]
    assert (tmp_path / "src" / "llm-config.yaml").read_text() == rendered.files["llm-config.yaml"]
    assert rendered.text() == ""
    assert rendered.data() == {"files": {}, "written": rendered.written, "notes": rendered.notes}
    assert len(rendered.written) == 5  # the directory created, then four files


def test_force_without_a_directory_is_a_usage_error():
    with pytest.raises(UsageError, match="^--force overwrites files in --config-dir: give --config-dir too$"):
        render_files("ollama", Parameters(), force=True)
