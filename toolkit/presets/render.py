"""Rendering a preset: parameters in, both files out.

Rendering checks every parameter first (a bad one is a :class:`UsageError`
naming it), serialises every value with ``tojson`` under ``StrictUndefined``,
and validates the result with the same checks as ``pbcfg validate``: a preset
can never produce a file pbcfg would reject.
"""

from __future__ import annotations

import json
from typing import NamedTuple
from urllib.parse import urlsplit

from pbcfg.errors import PbcfgError, UsageError
from pbcfg.lint.rules.ids import awkward
from pbcfg.ponybunny.builtins import builtin_endpoints, builtin_models, defaults
from pbcfg.ponybunny.js_names import INHERITED
from pbcfg.ponybunny.path_b import ENV
from pbcfg.presets.service_presets import NUMBERS, Preset, settable
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


def _near(host: str) -> bool:
    """This machine or a private network: a loopback or private address, localhost, a one-label name (a container
    or LAN host), or a name under .local, .lan, .internal or .home.arpa."""
    import ipaddress

    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return (
            host == "localhost"
            or "." not in host
            or host.endswith((".localhost", ".local", ".lan", ".internal", ".home.arpa"))
        )
    return address.is_loopback or address.is_private or address.is_link_local


def _check_url(url: str, parameter: str, *, https: bool = False, notes: list | None = None) -> str:
    """``url`` if it is an absolute http(s) URL. With ``https`` (a preset whose key crosses a network), plain http
    is fine on this machine or a private network (a self-hosted LiteLLM on http://127.0.0.1:4000/v1), and draws a
    warning note elsewhere. The URL is never repeated with its userinfo, which may hold a key."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = url if "@" not in parts.netloc else url.replace(parts.netloc.rpartition("@")[0] + "@", "***@", 1)
        raise UsageError(
            f"{parameter}: expected an http:// or https:// URL such as "
            f"{'https://api.example.com/v1' if https else 'http://localhost:11434/v1'}, got {shown!r}"
        )
    if https and parts.scheme == "http" and not _near(parts.hostname) and notes is not None:
        notes.insert(
            0,
            f"Warning: {parameter} is plain http to {parts.hostname}, so the key crosses the network "
            "readable by anyone on the way: use https:// unless you trust every network in between.",
        )
    return url


def _register_secrets(params: Parameters) -> None:
    """The key and every secret credential field given, and any key in a URL, before any message can quote them."""
    from pbcfg.secrets.known import register_url_secrets, register_value
    from pbcfg.secrets.masking import is_secret_field

    register_value(params.api_key)
    for text in (params.base_url, *(value for _, value in params.settings)):
        register_url_secrets(text or "")
    for key, value in params.settings:
        if is_secret_field(key) and key not in NUMBERS:
            register_value(value)


def _endpoint_id(preset: Preset, requested: str | None) -> str:
    if requested is None or requested == preset.endpoint_id:
        return preset.endpoint_id
    if not preset.local:
        raise UsageError(
            f"--endpoint-id: preset {preset.name!r} configures the built-in {preset.endpoint_id!r}; "
            "only OpenAI-compatible presets take another endpoint id"
        )
    if not requested:
        raise UsageError("--endpoint-id: an endpoint id cannot be empty")
    if requested in INHERITED:
        raise UsageError(
            f"--endpoint-id: PonyBunny's JavaScript reads {requested!r} as an object internal, so the "
            "endpoint would break it (`pbcfg lint --explain ids.prototype-name`); pick another id"
        )
    if requested in builtin_endpoints() and builtin_endpoints()[requested].protocol != "openai":
        raise UsageError(
            f"--endpoint-id: {requested!r} is a built-in {builtin_endpoints()[requested].protocol} "
            "endpoint; pick a new id for another OpenAI-compatible server"
        )
    return requested


def _settings(preset: Preset, endpoint_id: str, pairs) -> dict:
    allowed = settable(preset, endpoint_id)
    values: dict = {}
    for key, raw in pairs:
        if key not in allowed:
            from pbcfg.util.suggest import did_you_mean

            guess = did_you_mean(key, allowed)
            raise UsageError(
                f"--set {key}: not a parameter of preset {preset.name!r}"
                + (f"; did you mean {guess!r}?" if guess else "")
                + f" (parameters: {', '.join(allowed)})"
            )
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

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("templates")),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    environment.filters["tojson"] = lambda value: Markup(json.dumps(value, ensure_ascii=False))
    return environment


def render(
    preset: Preset,
    params: Parameters,
    *,
    current_tier: dict | None = None,
    route_tiers: bool = True,
    standalone: bool = True,
) -> Rendered:
    """Both files for ``preset``.

    ``current_tier`` is the ``--tier`` tier as it is now (default: PonyBunny's): its primary, then its
    fallbacks, become the new primary's fallback, none lost.
    ``route_tiers`` lets a local preset without ``--tier`` take over every tier, as a fresh config wants.
    ``standalone`` files must validate on their own; ``pbcfg add`` validates the merged result instead.
    """
    _register_secrets(params)
    endpoint_id = _endpoint_id(preset, params.endpoint_id)
    values = _settings(preset, endpoint_id, params.settings)
    notes = list(preset.notes)
    if endpoint_id not in builtin_endpoints():
        notes.append(
            f"PonyBunny's conversation agent (Path B) uses the custom endpoint {endpoint_id!r}; its Path A "
            "(work items, planning) knows only its eight built-in endpoint ids, so there a model listed on "
            f"{endpoint_id!r} first fails with 'No protocol found'."
        )
    why = awkward(endpoint_id)
    if why:
        notes.append(
            f"The endpoint id {endpoint_id!r} {why}: PonyBunny accepts it, but it must be quoted in every "
            "shell command (`pbcfg lint` warns: ids.awkward-endpoint-id)."
        )
    builtin = builtin_endpoints().get(endpoint_id)

    base_url = params.base_url or preset.default_base_url
    if params.base_url is None and preset.base_url_required:
        raise UsageError(f"--base-url: preset {preset.name!r} needs the server's URL, e.g. https://api.example.com/v1")
    if base_url is not None:
        _check_url(base_url, "--base-url", https=preset.base_url_required, notes=notes)

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
        both_paths = env_name is not None and env_name in ENV.get(endpoint_id, {}).values()
        if params.api_key_env is not None:
            if env_name is None:
                raise UsageError(
                    f"--api-key-env: PonyBunny reads no environment variable for a custom endpoint "
                    f"id ({endpoint_id!r}) on either of its code paths; use --api-key"
                )
            if params.api_key_env != env_name:
                raise UsageError(
                    f"--api-key-env: PonyBunny reads the key for {endpoint_id} only from ${env_name}, "
                    f"not ${params.api_key_env}"
                )
            notes.insert(
                0,
                f"The key stays in ${env_name}; nothing secret is written."
                + (
                    ""
                    if both_paths
                    else f" Only PonyBunny's Path A (work items, planning) and pbcfg's runtime read "
                    f"${env_name}: PonyBunny's conversation agent (Path B) ignores it and calls the server without a "
                    "key. Pass --api-key instead if the server checks keys."
                ),
            )
        elif preset.no_key_value is not None:
            credentials[key_field] = preset.no_key_value
        elif preset.key_required:
            raise UsageError(
                f"--api-key: preset {preset.name!r} needs a key"
                + (
                    f" (or --api-key-env {env_name})"
                    if both_paths
                    else f", written to credentials.json (${env_name} would reach only PonyBunny's Path A: its "
                    "conversation agent, Path B, ignores it)"
                    if env_name
                    else ""
                )
            )
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
    if not models and preset.model_required:
        raise UsageError(
            f"--model: preset {preset.name!r} needs the model id, which is yours to name (on Azure, "
            "your deployment's name): without one no model would use the endpoint"
        )
    primary = models[0] if models else preset.default_model
    if params.tier is not None and not params.tier.strip():
        raise UsageError("--tier: a tier name cannot be empty")
    if "__proto__" in models or params.tier == "__proto__":
        option, section = ("--model", "models") if "__proto__" in models else ("--tier", "tiers")
        raise UsageError(
            f"{option}: PonyBunny's merge makes '__proto__' the prototype of {section}, not an entry "
            "of it (`pbcfg lint --explain ids.prototype-name`); pick another name"
        )
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
        tiers.append(
            {"name": name, "primary": primary, "fallback": list(dict.fromkeys(m for m in chain if m and m != primary))}
        )
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
    from pbcfg.source.reading import Source

    sources = [Source(name, name, name.split(".")[0], text) for name, text in files.items()]
    errors = check_sources(sources, schema_files=False).errors
    if errors:
        first = errors[0]
        raise PbcfgError(f"internal: the preset rendered an invalid {first.file}: {first.rule} {first.message}")
