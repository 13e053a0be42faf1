"""Rendering a preset: parameters in, both files out.

Rendering checks every parameter first (a bad one is a :class:`UsageError`
naming it), serialises every value with ``tojson`` under ``StrictUndefined``,
and validates the result with the same checks as ``pbcfg validate``: a preset
can never produce a file pbcfg would reject.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from pbcfg.errors import PbcfgError, UsageError
from pbcfg.ponybunny.builtins import builtin_endpoints, builtin_models, defaults
from pbcfg.presets.catalog import NUMBERS, Preset, settable
from pbcfg.schema_store import schema
from pbcfg.util.resources import resource_dir
from pbcfg.util.shapes import items

__all__ = ["Parameters", "Rendered", "render"]

CONFIG_NAMES = ("credentials.json", "llm-config.json")


class Parameters(NamedTuple):
    base_url: str | None = None
    api_key: str | None = None
    api_key_env: str | None = None
    models: tuple[str, ...] = ()
    endpoint_id: str | None = None
    tier: str | None = None
    settings: tuple[tuple[str, str], ...] = ()  # --set KEY=VALUE, in order


class Rendered(NamedTuple):
    files: dict[str, str]  # file name -> text
    data: dict[str, dict]  # file name -> parsed JSON
    notes: list[str]
    endpoint_id: str  # the endpoint the preset configures
    models: list[str]  # the models named (--model, or the preset's own), built-in ones included


def _check_url(url: str, parameter: str, *, https: bool = False) -> str:
    parts = urlsplit(url)
    if parts.scheme not in (("https",) if https else ("http", "https")) or not parts.hostname:
        wanted = "an https:// URL" if https else "an http:// or https:// URL"
        raise UsageError(f"{parameter}: expected {wanted} such as "
                         f"{'https://api.example.com/v1' if https else 'http://localhost:11434/v1'}, got {url!r}")
    return url


def _endpoint_id(preset: Preset, requested: str | None) -> str:
    if requested is None or requested == preset.endpoint_id:
        return preset.endpoint_id
    if not preset.local:
        raise UsageError(f"--endpoint-id: preset {preset.name!r} configures the built-in {preset.endpoint_id!r}; "
                         "only OpenAI-compatible presets take another endpoint id")
    pattern = schema("llm-config")["$defs"]["endpointId"]["pattern"]
    if not re.fullmatch(pattern, requested):
        raise UsageError(f"--endpoint-id: {requested!r} has characters other than letters, digits, '.', '_' and '-' "
                         "(it must start with a letter or digit, at most 64 characters)")
    if requested in builtin_endpoints() and builtin_endpoints()[requested].protocol != "openai":
        raise UsageError(f"--endpoint-id: {requested!r} is a built-in {builtin_endpoints()[requested].protocol} "
                         "endpoint; pick a new id for another OpenAI-compatible server")
    return requested


def _settings(preset: Preset, endpoint_id: str, pairs) -> dict:
    allowed = settable(preset, endpoint_id)
    values: dict = {}
    for key, raw in pairs:
        if key not in allowed:
            from pbcfg.util.suggest import did_you_mean

            guess = did_you_mean(key, allowed)
            raise UsageError(f"--set {key}: not a parameter of preset {preset.name!r}"
                             + (f"; did you mean {guess!r}?" if guess else "") + f" (parameters: {', '.join(allowed)})")
        if key in NUMBERS:
            if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
                raise UsageError(f"--set {key}: expected a whole number of at least 1, got {raw!r}")
            values[key] = int(raw)
        elif key == "endpoint":
            values[key] = _check_url(raw, "--set endpoint")
        else:
            values[key] = raw
    return values


def _environment():
    import jinja2
    from markupsafe import Markup

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(resource_dir("templates")),
                                     undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    environment.filters["tojson"] = lambda value: Markup(json.dumps(value, ensure_ascii=False))
    return environment


def render(preset: Preset, params: Parameters, *, current_tier: dict | None = None,
           route_tiers: bool = True, standalone: bool = True) -> Rendered:
    """Both files for ``preset``.

    ``current_tier`` is the ``--tier`` tier as it is now (default: PonyBunny's): its primary, then its
    fallbacks, become the new primary's fallback, none lost.
    ``route_tiers`` lets a local preset without ``--tier`` take over every tier, as a fresh config wants.
    ``standalone`` files must validate on their own; ``pbcfg add`` validates the merged result instead.
    """
    endpoint_id = _endpoint_id(preset, params.endpoint_id)
    values = _settings(preset, endpoint_id, params.settings)
    notes = list(preset.notes)
    builtin = builtin_endpoints().get(endpoint_id)

    base_url = params.base_url or preset.default_base_url
    if params.base_url is None and preset.base_url_required:
        raise UsageError(f"--base-url: preset {preset.name!r} needs the server's URL, e.g. https://api.example.com/v1")
    if base_url is not None:
        _check_url(base_url, "--base-url", https=preset.base_url_required)

    key_field = preset.key_field
    credentials: dict = {}
    if params.api_key is not None and params.api_key_env is not None:
        raise UsageError("--api-key and --api-key-env: give one, not both")
    if params.api_key is not None:
        if key_field is None:
            raise UsageError(f"--api-key: {endpoint_id} takes no API key")
        credentials[key_field] = params.api_key
    else:
        env_name = builtin.env.get(key_field) if builtin and key_field else None
        if params.api_key_env is not None:
            if env_name is None:
                raise UsageError(f"--api-key-env: PonyBunny reads no environment variable for {endpoint_id!r}; "
                                 "use --api-key, or the built-in openai-compatible endpoint")
            if params.api_key_env != env_name:
                raise UsageError(f"--api-key-env: PonyBunny reads the key for {endpoint_id} only from ${env_name}, "
                                 f"not ${params.api_key_env}")
            notes.insert(0, f"The key stays in ${env_name}; nothing secret is written.")
        elif preset.no_key_value is not None:
            credentials[key_field] = preset.no_key_value
        elif preset.key_required:
            raise UsageError(f"--api-key: preset {preset.name!r} needs a key "
                             f"(or --api-key-env {env_name})" if env_name else f"--api-key: preset {preset.name!r} needs a key")
        elif env_name:
            notes.insert(0, f"No --api-key: the key stays in ${env_name}; nothing secret is written.")
    for field in settable(preset, endpoint_id):
        if field not in NUMBERS and field in values:
            credentials[field] = values[field]
    if base_url is not None:
        credentials["baseUrl"] = base_url

    models = list(params.models) or list(preset.models)
    for model in models:
        if not model.strip():
            raise UsageError("--model: a model id cannot be empty")
    primary = models[0] if models else preset.default_model
    if params.tier is not None and not params.tier.strip():
        raise UsageError("--tier: a tier name cannot be empty")
    # a local server is set up to be used: with no --tier, every built-in tier (and the execution agent,
    # which has a primary of its own) starts with it; the previous primary stays as a fallback
    takes_over = params.tier is None and preset.local and route_tiers
    names = [params.tier] if params.tier is not None else (list(defaults()["tiers"]) if takes_over else [])
    tiers = []
    for name in names:
        before = defaults()["tiers"].get(name, {})
        if params.tier is None:  # taking over every tier: PonyBunny's primary stays behind the new one
            chain = [before.get("primary")]
        else:
            before = before if current_tier is None else current_tier
            chain = [before.get("primary"), *items(before.get("fallback"))]
        tiers.append({"name": name, "primary": primary,
                      "fallback": list(dict.fromkeys(m for m in chain if m and m != primary))})
    agents = [{"name": "execution", "primary": primary}] if takes_over else []

    context = {
        "endpoint_id": endpoint_id,
        "api_key": credentials.get("apiKey"),
        "base_url": base_url,
        "credentials": credentials,
        "priority": values.get("priority", defaults()["endpoints"].get(endpoint_id, {}).get("priority", 3)),
        "requestsPerMinute": values.get("requestsPerMinute"),
        "maxContextTokens": values.get("maxContextTokens", preset.maxContextTokens),
        # a built-in model keeps PonyBunny's definition; only new ids are defined here
        "models": [{"id": m, "display_name": f"{m} ({preset.name})"} for m in models if m not in builtin_models()],
        "tiers": tiers,
        "agents": agents,
        "pin_defaults": standalone,  # a whole new config pins the defaults that flipped; `add` leaves them alone
    }
    environment = _environment()
    files = {name: environment.get_template(f"{preset.template}/{name}.j2").render(context) for name in CONFIG_NAMES}
    data = {name: json.loads(text) for name, text in files.items()}
    if standalone:
        _must_validate(files)
    return Rendered(files, data, notes, endpoint_id, models)


def _must_validate(files: dict[str, str]) -> None:
    """A preset that renders an invalid file is pbcfg's bug, never the user's."""
    from pbcfg.check.pipeline import check_sources
    from pbcfg.diagnostics import Severity
    from pbcfg.source.files import Source

    sources = [Source(name, name, name.split(".")[0], text) for name, text in files.items()]
    errors = [d for d in check_sources(sources).diagnostics if d.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise PbcfgError(f"internal: the preset rendered an invalid {first.file}: {first.rule} {first.message}")
