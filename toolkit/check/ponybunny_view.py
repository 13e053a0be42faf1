"""The config as PonyBunny's loaders leave it: what its code paths then run on.

For one config directory: the llm-config PonyBunny runs on (your file merged
over its defaults, or the defaults alone when it ignores your file), the
credentials it uses (none when the file is missing or ignored), and the error
its loader throws on every call when it refuses a file.
"""

from __future__ import annotations

import os
from typing import NamedTuple

from pbcfg.check.loader_findings import load_outcome
from pbcfg.check.pipeline import parse_source
from pbcfg.ponybunny.deep_merge import merged_llm_config
from pbcfg.ponybunny.loader_model import LoadOutcome, read_as_ponybunny
from pbcfg.ponybunny.path_b import PathB, path_b
from pbcfg.util.pointer import join

__all__ = ["PonyBunnyView", "ponybunny_view"]

_NOT_JSON = {"json.syntax", "json.comment", "json.trailing-comma", "json.bom"}


class PonyBunnyView(NamedTuple):
    merged: dict  # the llm-config PonyBunny runs on
    user: object  # your llm-config.json as parsed, when PonyBunny uses it
    credentials: object  # the credentials.json PonyBunny uses, or None
    llm_config: LoadOutcome
    credentials_outcome: LoadOutcome

    @property
    def config_error(self) -> str | None:
        """What every Path B call rejects with when PonyBunny refuses llm-config.json."""
        return _thrown("ConfigValidationError: Invalid LLM configuration", self.llm_config)

    @property
    def credentials_error(self) -> str | None:
        return _thrown("CredentialsValidationError: Invalid credentials", self.credentials_outcome)

    def path_b(self, env: dict, **target: str) -> PathB:
        """What Path B does for ``target`` (one of tier, agent, model) in ``env``: every call rejected when
        PonyBunny refuses llm-config.json, else its chain and calls on this config."""
        if self.config_error:
            return PathB([], [], [], self.config_error)
        return path_b(
            self.merged, self.credentials, env, user=self.user, credentials_refused=self.credentials_error, **target
        )


def _thrown(prefix: str, outcome: LoadOutcome) -> str | None:
    if outcome.state != "refused":
        return None
    return f"{prefix}: " + "; ".join(f"{join(p.tokens) or '/'}: {p.message}" for p in outcome.problems)


def _read(directory: str, kind: str):
    path = os.path.join(directory, f"{kind}.json")
    if not os.path.isfile(path):
        return None, LoadOutcome("defaults" if kind == "llm-config" else "missing", f"no {kind}.json")
    document, diagnostics = parse_source(read_as_ponybunny(path, kind))
    # JSON.parse keeps the last of duplicate keys and has no depth limit: only these make it throw
    if document is None or any(d.rule in _NOT_JSON for d in diagnostics):
        return None, LoadOutcome("defaults" if kind == "llm-config" else "ignored", "it is not strict JSON")
    return document, load_outcome(document)


def ponybunny_view(directory: str) -> PonyBunnyView:
    llm_document, llm_outcome = _read(directory, "llm-config")
    credentials_document, credentials_outcome = _read(directory, "credentials")
    user = llm_document.data if llm_document is not None and llm_outcome.state != "defaults" else None
    if user is None and llm_outcome.state == "loaded":
        llm_outcome = LoadOutcome("defaults", "llm-config.json is null")  # its merge throws, its loader falls back
    credentials = credentials_document.data if credentials_outcome.state in ("loaded", "refused") else None
    return PonyBunnyView(merged_llm_config(user), user, credentials, llm_outcome, credentials_outcome)
