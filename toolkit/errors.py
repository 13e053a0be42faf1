"""pbcfg's exceptions. Every one carries a one-line, actionable message.

PbcfgError                 base; never shown with a traceback
├── UsageError             the command line is wrong (exit 2)
├── InputError             a file cannot be read: missing, unreadable, not UTF-8, too large (exit 2)
├── WriteError             a file cannot be written: no space, permission denied, read-only, a link in
│                          the way, another pbcfg writing there; nothing was changed (exit 2)
├── MissingDependency      an optional extra is not installed; names the pip command (exit 2)
├── Refused                pbcfg would overwrite or lose something; nothing was changed (exit 1)
└── InvalidConfigError     the config has errors; ``.diagnostics`` lists them (exit 1)
"""

from __future__ import annotations

__all__ = ["InputError", "InvalidConfigError", "MissingDependency", "PbcfgError", "Refused", "UsageError", "WriteError"]


class PbcfgError(Exception):
    exit_code = 2


class UsageError(PbcfgError):
    pass


class InputError(PbcfgError):
    pass


class WriteError(PbcfgError):
    pass


class MissingDependency(PbcfgError):
    def __init__(self, module: str, extra: str) -> None:
        super().__init__(f"this needs {module}, which is not installed: pip install 'pbcfg[{extra}]'")


class Refused(PbcfgError):
    exit_code = 1


class InvalidConfigError(PbcfgError):
    exit_code = 1

    def __init__(self, diagnostics: list) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity.label == "error"]
        first = errors[0] if errors else None
        where = f"{first.file}:{first.line or '?'}:{first.column or '?'}: {first.message}" if first else ""
        super().__init__(f"invalid config: {len(errors)} error{'' if len(errors) == 1 else 's'}; first: {where}")
