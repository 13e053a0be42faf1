"""What every lint rule looks at: one directory's files, PonyBunny's merged view, the environment."""

from __future__ import annotations

import os

from pbcfg.lint.registry import Finding
from pbcfg.ponybunny.effective import EffectiveEndpoint, effective_endpoints
from pbcfg.ponybunny.merge import merged_llm_config
from pbcfg.rules import diagnostic
from pbcfg.source.document import Document

__all__ = ["LintContext"]


class LintContext:
    def __init__(self, directory: str, documents: dict[str, Document], env: dict, home: str, *,
                 valid: bool = False) -> None:
        self.directory = directory
        self.valid = valid  # every file of the directory passed validate: its shape is the schema's
        self.credentials = documents.get("credentials")
        self.llm_config = documents.get("llm-config")
        self.env = env
        self.home = home
        data = self.llm_config.data if self.llm_config else None
        self.user = data if isinstance(data, dict) else {}
        self.merged = merged_llm_config(self.user)
        self.endpoints: dict[str, EffectiveEndpoint] = effective_endpoints(
            self.merged, self.user, self.credentials.data if self.credentials else {}, env,
            os.path.basename(self.credentials.name) if self.credentials else "credentials.json",
            os.path.basename(self.llm_config.name) if self.llm_config else "llm-config.json")
        self._usable: frozenset[str] | None = None

    def path_of(self, name: str) -> str:
        return os.path.join(self.directory, name)

    def _finding(self, document: Document | None, file_name: str, tokens: list, rule_id: str, message: str,
                 hint: str | None, fix, key: bool) -> Finding:
        if document is None:
            from pbcfg.util.pointer import join

            return Finding(diagnostic(rule_id, self.path_of(file_name), message, hint, pointer=join(tokens)), fix)
        return Finding(document.diagnostic(tokens, rule_id, message, hint, key=key), fix)

    def in_llm_config(self, tokens: list, rule_id: str, message: str, hint: str | None = None, *,
                      fix=None, key: bool = False) -> Finding:
        """A finding in llm-config.json, at ``tokens`` or as near as the user's file gets."""
        return self._finding(self.llm_config, "llm-config.json", tokens, rule_id, message, hint, fix, key)

    def in_credentials(self, tokens: list, rule_id: str, message: str, hint: str | None = None, *,
                       fix=None, key: bool = False) -> Finding:
        return self._finding(self.credentials, "credentials.json", tokens, rule_id, message, hint, fix, key)

    def at_file(self, path: str, rule_id: str, message: str, hint: str | None = None, *, fix=None) -> Finding:
        return Finding(diagnostic(rule_id, path, message, hint), fix)

    def user_section(self, section: str) -> dict:
        entries = self.user.get(section)
        return entries if isinstance(entries, dict) else {}

    def user_entry(self, section: str, name: str) -> dict:
        entry = self.user_section(section).get(name)
        return entry if isinstance(entry, dict) else {}

    def credentials_entry(self, endpoint_id: str) -> dict:
        data = self.credentials.data if self.credentials else {}
        entries = data.get("endpoints") if isinstance(data, dict) else None
        entry = entries.get(endpoint_id) if isinstance(entries, dict) else None
        return entry if isinstance(entry, dict) else {}

    def chain(self, section: str, name: str) -> list[str]:
        """A tier's or agent's model chain as PonyBunny resolves it (SPEC §5), repeats dropped."""
        from pbcfg.ponybunny.chains import model_chain

        return model_chain(self.merged, **{"tier" if section == "tiers" else "agent": name})

    def model_usable(self, model_id: str) -> bool:
        model = self.merged.get("models", {}).get(model_id)
        if not isinstance(model, dict):
            return False
        if self._usable is None:  # asked once per model of the config: judge each endpoint once
            self._usable = frozenset(e for e, endpoint in self.endpoints.items() if endpoint.usable)
        endpoints = model.get("endpoints") or []
        try:  # a list of ids, as in any valid file: one C-level test
            return not self._usable.isdisjoint(endpoints)
        except TypeError:  # something unhashable in the list
            return not self._usable.isdisjoint(e for e in endpoints if isinstance(e, str))
