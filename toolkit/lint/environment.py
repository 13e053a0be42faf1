"""The credentials file against the environment (SPEC §3)."""

from __future__ import annotations

from ..diagnostics import Severity
from ..masking import is_secret_field, mask
from ..ponybunny import builtin_endpoints
from .catalog import rule


def _show(field: str, value: str) -> str:
    return mask(value) if is_secret_field(field) else repr(value)


@rule("env.disabled-silences-env", Severity.WARNING, "enabled: false in credentials.json silences a set env var.",
      """"enabled": false in credentials.json turns the endpoint off even when its environment variables are
      set. PonyBunny's own init writes enabled: false for every built-in endpoint, so keys exported in the
      shell are silently ignored. Remove the entry or set enabled to true.""")
def disabled_silences_env(ctx):
    found = []
    for endpoint_id, builtin in builtin_endpoints().items():
        if ctx.credentials_entry(endpoint_id).get("enabled") is not False:
            continue
        names = [name for name in builtin.env.values() if ctx.env.get(name, "").strip()]
        if names:
            found.append(ctx.in_credentials(
                ["endpoints", endpoint_id, "enabled"], "env.disabled-silences-env",
                f"{endpoint_id} is disabled here, so ${', $'.join(names)} set in the environment is ignored",
                "set enabled to true, or remove this entry to use the environment"))
    return found


@rule("env.conflict", Severity.WARNING, "A file value and a set env var differ.",
      """The docs say a non-empty environment variable wins over credentials.json, and pbcfg follows them.
      PonyBunny's code does not always: at run time a non-empty baseUrl in the file beats
      OPENAI_COMPATIBLE_BASE_URL, and the conversation agent's code path prefers the file and ignores the
      OPENAI_COMPATIBLE_* variables. When both are set and differ, which one is used depends on the path.""")
def conflict(ctx):
    found = []
    for endpoint_id, builtin in builtin_endpoints().items():
        entry = ctx.credentials_entry(endpoint_id)
        for field, name in builtin.env.items():
            file_value, env_value = entry.get(field), ctx.env.get(name, "")
            if not (isinstance(file_value, str) and file_value and env_value.strip()) or file_value == env_value:
                continue
            paths = "the docs and pbcfg use the env var"
            if endpoint_id == "openai-compatible":
                paths += ("; PonyBunny's run time uses the file for baseUrl" if field == "baseUrl" else "")
                paths += "; its conversation agent uses the file"
            found.append(ctx.in_credentials(
                ["endpoints", endpoint_id, field], "env.conflict",
                f"{field} here ({_show(field, file_value)}) differs from ${name} ({_show(field, env_value)}): {paths}",
                f"keep one: remove {field} from the file, or unset ${name}"))
    return found


@rule("env.missing-credential", Severity.ERROR, "An enabled endpoint lacks a required credential.",
      """An endpoint that is enabled but has no value for a required credential, in the file or in its
      environment variable, cannot serve a request: PonyBunny skips it at run time. Reported as an error
      when your files enable the endpoint, and as info when only PonyBunny's defaults do.""")
def missing_credential(ctx):
    found = []
    for endpoint in ctx.endpoints.values():
        if not endpoint.enabled or not endpoint.missing:
            continue
        explicit = (ctx.user_entry("endpoints", endpoint.id).get("enabled") is True
                    or ctx.credentials_entry(endpoint.id).get("enabled") is True)
        needs = ", ".join(f"{field} (${env})" if env else field for field, env in endpoint.missing)
        finding = ctx.in_credentials(["endpoints", endpoint.id], "env.missing-credential",
                                     f"{endpoint.id} is enabled but has no {needs}, so it is unreachable",
                                     "set it in credentials.json or the environment, or disable the endpoint",
                                     key=True)
        if not explicit:
            finding = finding._replace(diagnostic=finding.diagnostic._replace(
                severity=Severity.INFO, message=finding.diagnostic.message + " (enabled by PonyBunny's defaults)"))
        found.append(finding)
    return found
