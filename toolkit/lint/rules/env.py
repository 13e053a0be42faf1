"""The credentials file against the environment (SPEC §3)."""

from __future__ import annotations

from pbcfg.lint.reach import blocked, cause_of, configured, english_list, report_at
from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.util.masking import is_secret_field, mask


def _show(field: str, value: str) -> str:
    return mask(value) if is_secret_field(field) else repr(value)


@check("env.disabled-silences-env", reads=("credentials",))
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
    """Only where this process's environment is PonyBunny's (``environment = "check"``), and only for
    endpoints the files enable; the rest is a line of the summary (:func:`pbcfg.lint.reach.skipped_note`)."""
    if not ctx.judges_environment:
        return []
    broken, unreachable = blocked(ctx)
    mentioned = {cause.endpoint for group in broken for cause in group.causes}
    found = []
    for endpoint in ctx.endpoints.values():
        if not endpoint.enabled or not endpoint.missing or endpoint.id in mentioned or not configured(ctx, endpoint.id):
            continue
        cause = cause_of(ctx, endpoint.id)
        models = [m for group in unreachable if cause in group.causes for m in group.models]
        consequence = f"model{'s' if len(models) > 1 else ''} {english_list([repr(m) for m in models])} " \
                      f"{'have' if len(models) > 1 else 'has'} no usable endpoint" if models else "it is skipped"
        found.append(report_at(ctx, cause, "env.missing-credential", f"{cause.text}, so {consequence}", cause.hint))
    return found
