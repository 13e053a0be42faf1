"""What every lint rule looks at: one directory's files, PonyBunny's merged view, the environment.

How much of the machine lint judges is the ``environment`` setting of ``[tool.pbcfg.lint]``:

    check    this process's environment is PonyBunny's (a CI job that holds the keys, the machine
             itself): a missing key is a diagnostic, and so are file modes
    summary  the default outside a git work tree: file modes count; what depends on which keys this
             process happens to hold is one line of the summary, never a diagnostic
    ignore   the default inside a git work tree: neither the environment nor file modes are read

Routing verdicts outside ``check`` judge the files alone: a credential the environment could
supply counts as supplied.
"""

from __future__ import annotations

import os

from pbcfg.catalog import diagnostic
from pbcfg.lint.gitwork import in_git_work_tree
from pbcfg.lint.registry import Finding
from pbcfg.ponybunny.deep_merge import merged_llm_config
from pbcfg.ponybunny.effective import EffectiveEndpoint, effective_endpoints
from pbcfg.source.document import Document

__all__ = ["LintContext"]


class LintContext:
    def __init__(
        self,
        directory: str,
        documents: dict[str, Document],
        env: dict,
        home: str,
        *,
        invalid: frozenset = frozenset(),
        environment: str | None = None,
    ) -> None:
        self.directory = directory
        self.credentials = documents.get("credentials")
        self.llm_config = documents.get("llm-config")
        self.invalid = invalid  # kinds of file with validation errors: only rules that do not read them run
        self.in_git = in_git_work_tree(directory)
        self.environment = environment or ("ignore" if self.in_git else "summary")
        self.env = {} if self.environment == "ignore" else env
        self.home = home
        data = self.llm_config.data if self.llm_config and "llm-config" not in invalid else None
        self.user = data if isinstance(data, dict) else {}
        self.merged = merged_llm_config(self.user)
        credentials = self.credentials.data if self.credentials and "credentials" not in invalid else {}
        names = (
            os.path.basename(self.credentials.name) if self.credentials else "credentials.json",
            os.path.basename(self.llm_config.name) if self.llm_config else "llm-config.json",
        )
        self.endpoints: dict[str, EffectiveEndpoint] = effective_endpoints(
            self.merged, self.user, credentials, self.env, *names
        )
        # the files alone, for verdicts that must not depend on the keys this process holds
        self.file_endpoints = (
            effective_endpoints(self.merged, self.user, credentials, {}, *names) if self.env else self.endpoints
        )
        self._memo: dict = {}

    @property
    def judges_environment(self) -> bool:
        """True when a key missing from this process's environment is a finding, not a note."""
        return self.environment == "check"

    @property
    def judges_machine(self) -> bool:
        """True when file modes and this process's environment are read at all."""
        return self.environment != "ignore"

    def judging_environment(self) -> LintContext:
        """This context as ``environment = "check"`` would see it: for what a note says about this shell."""
        import copy

        strict = copy.copy(self)
        strict.environment, strict.env, strict._memo = "check", self.env, {}
        return strict

    def memo(self, key, compute):
        """``compute(self)`` once per context: several rules share one analysis."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    def path_of(self, name: str) -> str:
        """``name`` in this directory, written the way the user named the files checked beside it."""
        shown = next(document.name for document in (self.credentials, self.llm_config) if document is not None)
        return os.path.join(os.path.dirname(shown), name)

    def document(self, kind: str) -> Document | None:
        return self.credentials if kind == "credentials" else self.llm_config

    def has(self, kind: str, tokens: list) -> bool:
        """True when the file of ``kind`` exists and holds a value at ``tokens``."""
        document = self.document(kind)
        value = document.data if document is not None else None
        for token in tokens:
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, list) and isinstance(token, int) and 0 <= token < len(value):
                value = value[token]
            else:
                return False
        return document is not None

    def at(
        self,
        kind: str,
        tokens: list,
        rule_id: str,
        message: str,
        hint: str | None = None,
        *,
        fix=None,
        key: bool = False,
    ) -> Finding | None:
        """A finding in the file of ``kind`` at ``tokens`` (or as near as the file gets); None when the
        file does not exist, because a diagnostic never points into a file that is not there."""
        document = self.document(kind)
        if document is None:
            return None
        return Finding(document.diagnostic(tokens, rule_id, message, hint, key=key), fix)

    def at_first(
        self,
        places: list[tuple[str, list]],
        rule_id: str,
        message: str,
        hint: str | None = None,
        *,
        fix=None,
        key: bool = False,
    ) -> Finding | None:
        """A finding at the first of ``places`` (``(kind, tokens)``, best first) whose file exists."""
        for kind, tokens in places:
            if self.document(kind) is not None:
                return self.at(kind, tokens, rule_id, message, hint, fix=fix, key=key)
        return None

    def in_llm_config(
        self, tokens: list, rule_id: str, message: str, hint: str | None = None, *, fix=None, key: bool = False
    ) -> Finding | None:
        return self.at("llm-config", tokens, rule_id, message, hint, fix=fix, key=key)

    def in_credentials(
        self, tokens: list, rule_id: str, message: str, hint: str | None = None, *, fix=None, key: bool = False
    ) -> Finding | None:
        return self.at("credentials", tokens, rule_id, message, hint, fix=fix, key=key)

    def at_file(self, path: str, rule_id: str, message: str, hint: str | None = None, *, fix=None) -> Finding:
        return Finding(diagnostic(rule_id, path, message, hint), fix)

    def user_section(self, section: str) -> dict:
        entries = self.user.get(section)
        return entries if isinstance(entries, dict) else {}

    def user_entry(self, section: str, name: str) -> dict:
        entry = self.user_section(section).get(name)
        return entry if isinstance(entry, dict) else {}

    def credentials_entry(self, endpoint_id: str) -> dict:
        data = self.credentials.data if self.credentials and "credentials" not in self.invalid else {}
        entries = data.get("endpoints") if isinstance(data, dict) else None
        entry = entries.get(endpoint_id) if isinstance(entries, dict) else None
        return entry if isinstance(entry, dict) else {}

    def chain(self, section: str, name: str) -> list[str]:
        """A tier's or agent's model chain as PonyBunny resolves it, repeats dropped."""
        from pbcfg.ponybunny.chains import model_chain

        return model_chain(self.merged, **{"tier" if section == "tiers" else "agent": name})

    def unusable_fields(self, endpoint_id: str) -> list[tuple[str, str | None]]:
        """The required (field, env var) an endpoint lacks, as this context judges: outside ``check``,
        one the environment could supply does not count."""
        if self.judges_environment:
            return self.endpoints[endpoint_id].missing
        return [(field, name) for field, name in self.file_endpoints[endpoint_id].missing if name is None]

    def usable(self, endpoint_id: str) -> bool:
        endpoints = self.endpoints if self.judges_environment else self.file_endpoints
        endpoint = endpoints.get(endpoint_id)
        return endpoint is not None and endpoint._replace(missing=self.unusable_fields(endpoint_id)).usable

    def model_usable(self, model_id: str) -> bool:
        model = self.merged.get("models", {}).get(model_id)
        if not isinstance(model, dict):
            return False
        usable = self.memo("usable", lambda ctx: frozenset(e for e in ctx.endpoints if ctx.usable(e)))
        endpoints = model.get("endpoints") or []
        try:  # a list of ids, as in any valid file: one C-level test
            return not usable.isdisjoint(endpoints)
        except TypeError:  # something unhashable in the list
            return not usable.isdisjoint(e for e in endpoints if isinstance(e, str))
