"""The credentials file against the environment (SPEC §3)."""

from __future__ import annotations

from pbcfg.diagnostics import Severity
from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.util.masking import is_secret_field, mask


def _show(field: str, value: str) -> str:
    return mask(value) if is_secret_field(field) else repr(value)


@check("env.disabled-silences-env")
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


@check("env.conflict")
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


@check("env.missing-credential")
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
