"""The credentials file against the environment, on each of PonyBunny's code paths.

The docs, and pbcfg's runtime, say a non-empty env var beats the file. PonyBunny's
code agrees for the six cloud endpoints, and not for openai-compatible: its
Path B (the conversation agent) never reads ``OPENAI_COMPATIBLE_*``, and its
Path A lets a file ``baseUrl`` beat ``OPENAI_COMPATIBLE_BASE_URL``. Path B also
takes an endpoint's required fields all from the file or all from the env.
"""

from __future__ import annotations

from pbcfg.lint.reach import blocked, cause_of, configured, english_list, report_at
from pbcfg.lint.registry import check
from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.ponybunny.path_b import ENV, REGION_ENV
from pbcfg.secrets.masking import is_secret_field, mask

COMPAT = "openai-compatible"
COMPAT_ENV = {"apiKey": "OPENAI_COMPATIBLE_API_KEY", "baseUrl": "OPENAI_COMPATIBLE_BASE_URL"}


def _show(field: str, value: str) -> str:
    return mask(value) if is_secret_field(field) else repr(value)


def _set(ctx, name: str) -> bool:
    return bool(ctx.env.get(name, "").strip())


@check("env.disabled-silences-env", reads=("credentials",))
def disabled_silences_env(ctx):
    found = []
    for endpoint_id, builtin in builtin_endpoints().items():
        if ctx.credentials_entry(endpoint_id).get("enabled") is not False:
            continue
        names = [name for name in builtin.env.values() if _set(ctx, name)]
        if names:
            found.append(
                ctx.in_credentials(
                    ["endpoints", endpoint_id, "enabled"],
                    "env.disabled-silences-env",
                    f"{endpoint_id} is disabled here, so ${', $'.join(names)} set in the environment is ignored",
                    "set enabled to true, or remove this entry to use the environment",
                )
            )
    return found


@check("env.conflict")
def conflict(ctx):
    found = []
    for endpoint_id, builtin in builtin_endpoints().items():
        if endpoint_id == COMPAT:  # PonyBunny's paths disagree there: env.ignored-on-path-b, env.file-base-url-wins
            continue
        entry = ctx.credentials_entry(endpoint_id)
        for field, name in builtin.env.items():
            file_value, env_value = entry.get(field), ctx.env.get(name, "")
            if not (isinstance(file_value, str) and file_value and env_value.strip()) or file_value == env_value:
                continue
            found.append(
                ctx.in_credentials(
                    ["endpoints", endpoint_id, field],
                    "env.conflict",
                    f"{field} here ({_show(field, file_value)}) differs from ${name} ({_show(field, env_value)}): the docs, "
                    "pbcfg and both of PonyBunny's code paths use the env var, so this value is dead",
                    f"keep one: remove {field} from the file, or unset ${name}",
                )
            )
    return found


def _compat_in_use(ctx) -> bool:
    endpoint = ctx.endpoints.get(COMPAT)
    return endpoint is not None and endpoint.enabled


@check("env.ignored-on-path-b")
def ignored_on_path_b(ctx):
    if not _compat_in_use(ctx):
        return []
    entry = ctx.credentials_entry(COMPAT)
    found = []
    for field, name in COMPAT_ENV.items():
        file_value = entry.get(field)
        if not _set(ctx, name) or (isinstance(file_value, str) and file_value):
            continue  # a file value: both PonyBunny paths agree on baseUrl (env.file-base-url-wins); apiKey below
        found.append(
            ctx.at_first(  # with no credentials.json, at the endpoint llm-config.json enables
                [("credentials", ["endpoints", COMPAT]), ("llm-config", ["endpoints", COMPAT])],
                "env.ignored-on-path-b",
                f"${name} is set, but PonyBunny's Path B (the conversation agent) never reads it: there "
                f"{_path_b_without(ctx, field, entry)}; pbcfg's runtime and Path A (work items, planning) use it",
                f"write {field} into credentials.json under {COMPAT} so every path agrees",
                key=True,
            )
        )
    key = entry.get("apiKey")
    if isinstance(key, str) and key and _set(ctx, COMPAT_ENV["apiKey"]) and key != ctx.env[COMPAT_ENV["apiKey"]]:
        found.append(
            ctx.in_credentials(
                ["endpoints", COMPAT, "apiKey"],
                "env.ignored-on-path-b",
                f"apiKey here ({mask(key)}) differs from $OPENAI_COMPATIBLE_API_KEY ({mask(ctx.env['OPENAI_COMPATIBLE_API_KEY'])}): "
                "PonyBunny's Path B (the conversation agent) sends this one, Path A and pbcfg's runtime the env var",
                "keep one: remove apiKey from the file, or unset $OPENAI_COMPATIBLE_API_KEY",
            )
        )
    return found


def _path_b_without(ctx, field: str, entry: dict, endpoint_id: str = COMPAT) -> str:
    """What Path B does with an endpoint that has no env vars there when ``field`` is not in the file."""
    if field == "baseUrl":
        config_url = ctx.merged.get("endpoints", {}).get(endpoint_id, {}).get("baseUrl")
        return (
            f"requests go to llm-config.json's {config_url!r}"
            if config_url
            else "it has no base URL, so every request fails ('Failed to parse URL')"
        )
    return keyless_on_path_b(ctx, entry, endpoint_id)


def keyless_on_path_b(ctx, entry: dict, endpoint_id: str) -> str:
    """What Path B does with an openai-compatible or custom endpoint without an apiKey in the file."""
    others = [f for f, v in entry.items() if f != "enabled" and isinstance(v, str) and v]
    if others or any(_set(ctx, name) for name in REGION_ENV):
        return "it calls the server with no Authorization header"
    return f"it fails with 'Missing credentials for endpoint: {endpoint_id}' and skips the endpoint for 30 s"


@check("env.file-base-url-wins")
def file_base_url_wins(ctx):
    if not _compat_in_use(ctx):
        return []
    file_value, env_value = ctx.credentials_entry(COMPAT).get("baseUrl"), ctx.env.get(COMPAT_ENV["baseUrl"], "")
    if not (isinstance(file_value, str) and file_value and env_value.strip()) or file_value == env_value:
        return []
    return [
        ctx.in_credentials(
            ["endpoints", COMPAT, "baseUrl"],
            "env.file-base-url-wins",
            f"baseUrl here ({file_value!r}) beats $OPENAI_COMPATIBLE_BASE_URL ({env_value!r}) in PonyBunny: Path A "
            "prefers the file and Path B never reads the variable; only the docs and pbcfg's runtime use the variable",
            "keep one: remove baseUrl here, or unset $OPENAI_COMPATIBLE_BASE_URL",
        )
    ]


@check("env.split-credentials")
def split_credentials(ctx):
    found = []
    for endpoint_id, variables in ENV.items():
        if len(variables) < 2 or not ctx.endpoints.get(endpoint_id) or not ctx.endpoints[endpoint_id].usable:
            continue
        entry = ctx.credentials_entry(endpoint_id)
        in_file = [f for f in variables if isinstance(entry.get(f), str) and entry[f]]
        if in_file and len(in_file) < len(variables) and not all(_set(ctx, name) for name in variables.values()):
            from_env = [f"${variables[f]}" for f in variables if f not in in_file]
            found.append(
                ctx.in_credentials(
                    ["endpoints", endpoint_id],
                    "env.split-credentials",
                    f"{endpoint_id} takes {', '.join(in_file)} from this file and {', '.join(from_env)} from the "
                    "environment: pbcfg's runtime and PonyBunny's Path A accept that, but Path B (the conversation "
                    "agent) wants all from one place, so it never uses this endpoint",
                    "put every required field in the file, or every one in the environment",
                    key=True,
                )
            )
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
        consequence = (
            f"model{'s' if len(models) > 1 else ''} {english_list([repr(m) for m in models])} "
            f"{'have' if len(models) > 1 else 'has'} no usable endpoint"
            if models
            else "it is skipped"
        )
        found.append(report_at(ctx, cause, "env.missing-credential", f"{cause.text}, so {consequence}", cause.hint))
    return found
