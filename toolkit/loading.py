"""``pbcfg.load()``: a validated config as typed models (the generated ones).

Loading validates first, with the same checks as ``pbcfg validate``; an
invalid config raises one :class:`InvalidConfigError` carrying every
diagnostic, so a program never runs on a config the CLI would reject.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.errors import InvalidConfigError

__all__ = ["LoadedConfig", "load"]


class LoadedConfig(NamedTuple):
    credentials: object  # pbcfg.generated.Credentials, or None when the file is absent
    llm_config: object  # pbcfg.generated.LlmConfig, or None when the file is absent
    raw: dict  # kind -> the parsed JSON, as written


def load(config_dir: str | os.PathLike | None = None, *, files: list[str | os.PathLike] | None = None) -> LoadedConfig:
    """Validate and load the config directory (when None: ``--config-dir``'s defaults, $PONYBUNNY_CONFIG_DIR,
    $XDG_CONFIG_HOME/ponybunny, ~/.config/ponybunny), or explicit ``files``. A config file still in
    ``~/.ponybunny`` that PonyBunny would move in is an error (``migrate.location``): run ``pbcfg migrate``."""
    from pbcfg.check.pipeline import check_paths
    from pbcfg.generated import Credentials, LlmConfig
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    if not files:
        from pbcfg.check.loader_findings import legacy_findings

        moving = [
            d for d in legacy_findings(directory, os.path.expanduser("~"), config_dir) if d.rule == "migrate.location"
        ]
        if moving:  # PonyBunny would run on the file in ~/.ponybunny, not on what this directory holds
            raise InvalidConfigError(moving)
    result = check_paths([os.fspath(f) for f in files or []], config_dir=directory)
    if result.failed:
        raise InvalidConfigError(result.diagnostics)
    raw = {document.kind: document.data for document in result.documents}
    return LoadedConfig(
        Credentials.model_validate(raw["credentials"]) if "credentials" in raw else None,
        LlmConfig.model_validate(raw["llm-config"]) if "llm-config" in raw else None,
        raw,
    )
