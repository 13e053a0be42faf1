"""A preset's two config files, rendered to be shown or written into a directory: what ``pbcfg render`` does.

from pbcfg.presets.render import Parameters
from pbcfg.workflows.preset_files import render_files

rendered = render_files("vllm", Parameters(models=("Qwen/Qwen2.5-7B-Instruct",)))
rendered.files      # name -> text, as PonyBunny reads it (a key given is in it)
rendered.shown()    # the same with every secret masked: what `pbcfg render` prints
"""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = ["RenderedFiles", "as_source", "render_files"]


class RenderedFiles(NamedTuple):
    files: dict[str, str]  # file name -> text: JSON, or commented YAML sources
    directory: str | None  # where they were written, or None: shown only
    written: list[str]  # one line per file or directory written into ``directory``
    notes: list[str]  # the preset's notes: what to know about its server

    def shown(self) -> dict[str, str]:
        """The files as they may be shown: every secret masked."""
        from pbcfg.secrets.masking import mask_text

        return {
            name: mask_text(text, name.split(".")[0], yaml=name.endswith(".yaml")) for name, text in self.files.items()
        }

    def text(self) -> str:
        """What ``pbcfg render`` prints on stdout: each file under a ``==> name <==`` line; nothing once written."""
        if self.directory:
            return ""
        return "".join(f"==> {name} <==\n{text}" for name, text in self.shown().items())

    def data(self) -> dict:
        """The ``"render"`` key of ``--format json``: the files shown (none once written), written, notes."""
        return {"files": {} if self.directory else self.shown(), "written": self.written, "notes": self.notes}


def as_source(rendered, source: str) -> dict[str, str]:
    """The rendered files (:class:`pbcfg.presets.render.Rendered`) as JSON, or as commented YAML sources."""
    if source == "json":
        return rendered.files
    from pbcfg.presets.yamlemit import to_commented_yaml

    return {
        name.replace(".json", ".yaml"): to_commented_yaml(name.split(".")[0], data)
        for name, data in rendered.data.items()
    }


def render_files(
    preset_name: str, parameters, *, source: str = "json", directory: str | None = None, force: bool = False
) -> RenderedFiles:
    """Render ``preset_name`` with ``parameters`` (:class:`pbcfg.presets.render.Parameters`) as ``source`` (json or
    yaml); with ``directory``, write the files there, and the schema files their $schema and modelines name where
    the directory has none (``force``: overwrite existing files, keeping a backup of each)."""
    from pbcfg.errors import UsageError
    from pbcfg.presets.render import render
    from pbcfg.presets.service_presets import get_preset

    if force and not directory:
        raise UsageError("--force overwrites files in --config-dir: give --config-dir too")
    rendered = render(get_preset(preset_name), parameters)
    files = as_source(rendered, source)
    written = _write(directory, files, force=force) if directory else []
    return RenderedFiles(files, directory, written, list(rendered.notes))


def _write(directory: str, files: dict[str, str], *, force: bool) -> list[str]:
    from pbcfg.presets.scaffold import write_config
    from pbcfg.schema_store import SCHEMA_FILES, schema_text

    missing = {
        name: schema_text(kind)
        for kind, name in SCHEMA_FILES.items()
        if not os.path.lexists(os.path.join(directory, name))
    }
    return write_config(directory, {**files, **missing}, force=force, schemas=False)
