"""Why requests cannot reach a model: the cause, once, with what follows from it.

One disabled endpoint can leave models without an endpoint and tiers and
agents without a model. Reported one by one, the cause drowns in its
consequences; so each unusable endpoint is a :class:`Cause`, and the rules
report causes, each at the place to fix it, with the models, tiers and agents
it takes down folded into the message.

Only the chains PonyBunny's code looks up count (research notes, item f):
the tiers ``simple``, ``medium`` and ``complex`` (``ModelTier``; the model
selector of work items and planning, and the tier of every agent) and the
agents ``conversation``, ``agent_a_market_listener`` and ``execution``.

No ``from __future__ import annotations`` here: typing would compile each NamedTuple field's string
annotation at import.
"""

from typing import NamedTuple

__all__ = [
    "READ_AGENTS",
    "READ_TIERS",
    "Blocked",
    "Cause",
    "blocked",
    "cause_of",
    "chains_text",
    "configured",
    "english_list",
    "is_missing_key",
    "report_at",
    "skipped_note",
]

READ_TIERS = ("simple", "medium", "complex")
READ_AGENTS = ("conversation", "agent_a_market_listener", "execution")


class Cause(NamedTuple):
    endpoint: str
    text: str  # "openai-compatible is disabled in llm-config.json"
    hint: str
    places: tuple  # ((kind, tokens, key), ...): where to report it, best first
    from_env: bool  # only this process's environment lacks something

    # One cause per endpoint and context: its places (one per model that lists the endpoint, 10,000 in a large
    # config) follow from the endpoint, so they take no part in comparing and hashing causes, which the
    # grouping of models does for every model.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cause) and (self.endpoint, self.text, self.from_env) == (
            other.endpoint,
            other.text,
            other.from_env,
        )

    def __hash__(self) -> int:
        return hash((self.endpoint, self.text, self.from_env))


class Blocked(NamedTuple):
    causes: tuple[Cause, ...]
    models: tuple[str, ...]  # models of the user's file that the causes leave without an endpoint
    chains: tuple[tuple[str, str], ...]  # (section, name) of read chains left without a model
    skipping: tuple[tuple[str, str], ...]  # read chains that still work but skip the models


def english_list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _all_references(ctx) -> dict[str, tuple]:
    """Endpoint id -> every place a model of the user's file lists it, found in one pass over the models."""
    found: dict[str, list] = {}
    for model_id, model in ctx.user_section("models").items():
        if isinstance(model, dict):
            for index, name in enumerate(model.get("endpoints") or []):
                if isinstance(name, str):
                    found.setdefault(name, []).append(("llm-config", ("models", model_id, "endpoints", index), False))
    return {name: tuple(places) for name, places in found.items()}


def cause_of(ctx, endpoint_id: str) -> Cause | None:
    """Why ``endpoint_id`` cannot serve a request, as ``ctx`` judges it; None when it can. Judged once per
    endpoint and context: every model that lists the endpoint shares the answer (10,000 models ask it 10,000
    times)."""
    return ctx.memo(("cause", endpoint_id), lambda context: _cause_of(context, endpoint_id))


def _cause_of(ctx, endpoint_id: str) -> Cause | None:
    if ctx.usable(endpoint_id):
        return None
    references = ctx.memo("references", _all_references).get(endpoint_id, ())
    endpoint = (ctx.endpoints if ctx.judges_environment else ctx.file_endpoints).get(endpoint_id)
    if endpoint is None:
        return Cause(
            endpoint_id,
            f"endpoint {endpoint_id!r} is not defined",
            "define it under endpoints in llm-config.json",
            references,
            False,
        )
    if ctx.credentials_entry(endpoint_id).get("enabled") is False:
        return Cause(
            endpoint_id,
            f'{endpoint_id} has "enabled": false in credentials.json',
            "remove that line, or set it to true",
            (("credentials", ("endpoints", endpoint_id, "enabled"), False),) + references,
            False,
        )
    if not endpoint.enabled:
        if ctx.user_entry("endpoints", endpoint_id).get("enabled") is False:
            return Cause(
                endpoint_id,
                f"{endpoint_id} is disabled in llm-config.json",
                'set "enabled": true',
                (("llm-config", ("endpoints", endpoint_id, "enabled"), False),) + references,
                False,
            )
        return Cause(
            endpoint_id,
            f"{endpoint_id} is not enabled in llm-config.json, and PonyBunny's defaults leave it off",
            f'add "enabled": true to endpoints.{endpoint_id} in llm-config.json',
            (("llm-config", ("endpoints", endpoint_id), True),) + references + (("llm-config", ("endpoints",), True),),
            False,
        )
    places = (
        (("credentials", ("endpoints", endpoint_id), True), ("llm-config", ("endpoints", endpoint_id), True))
        + references
        + (("credentials", ("endpoints",), True),)
    )
    missing = ctx.unusable_fields(endpoint_id)
    if missing:
        fields = english_list([field for field, _ in missing])
        names = [f"${name}" for _, name in missing if name]
        if names and endpoint_id == "openai-compatible":  # Path B reads no OPENAI_COMPATIBLE_* variable
            return Cause(
                endpoint_id,
                f"{endpoint_id} has no {fields} (not in credentials.json, and "
                f"{english_list(names)} {'is' if len(names) == 1 else 'are'} not set)",
                f"put {fields} in credentials.json (a server without auth takes any string, such as "
                f'"not-needed"); {english_list(names)} would reach only PonyBunny\'s Path A, never its '
                "conversation agent (Path B)",
                places,
                True,
            )
        if names:
            return Cause(
                endpoint_id,
                f"{endpoint_id} has no {fields} (not in credentials.json, and "
                f"{english_list(names)} {'is' if len(names) == 1 else 'are'} not set)",
                f"set {english_list(names)} for PonyBunny, or put {fields} in credentials.json",
                places,
                True,
            )
        return Cause(
            endpoint_id,
            f"{endpoint_id} has no {fields} in credentials.json",
            f"add {fields} to its entry in credentials.json (servers that need no key take any "
            'string, such as "not-needed")',
            places,
            False,
        )
    return Cause(
        endpoint_id,
        f"{endpoint_id} has no baseUrl in credentials.json or llm-config.json",
        f"add its baseUrl (for example http://localhost:11434/v1) to endpoints.{endpoint_id} in credentials.json",
        places,
        False,
    )


def _causes_of_model(ctx, model_id: str) -> tuple[Cause, ...]:
    model = ctx.merged.get("models", {}).get(model_id)
    if not isinstance(model, dict) or ctx.model_usable(model_id):
        return ()
    endpoints = dict.fromkeys(e for e in model.get("endpoints") or [] if isinstance(e, str))
    return tuple(cause for cause in (cause_of(ctx, e) for e in endpoints) if cause is not None)


def _relevance(ctx, cause: Cause) -> int:
    """Causes in the order to read them: on an endpoint the user's files set up (the one meant to work),
    then at something else they wrote (an endpoint they turned off), then PonyBunny's defaults."""
    if configured(ctx, cause.endpoint):
        return 0
    return 1 if any(len(tokens) > 1 and ctx.has(kind, list(tokens)) for kind, tokens, _ in cause.places) else 2


def _read_chains(ctx):
    for section, names in (("tiers", READ_TIERS), ("agents", READ_AGENTS)):
        for name in names:
            chain = ctx.chain(section, name)
            if chain:
                yield (section, name), chain


def _analyse(ctx) -> tuple[list[Blocked], list[Blocked]]:
    """(read chains without a usable model, grouped by their causes;
    user's models without a usable endpoint that no such chain covers, grouped likewise)."""
    model_causes = {model_id: _causes_of_model(ctx, model_id) for model_id in ctx.merged.get("models", {})}
    user_models = [m for m in ctx.user_section("models") if model_causes.get(m)]
    chains = dict(_read_chains(ctx))
    groups: dict[Cause, tuple[dict, list]] = {}  # by the first cause to read: its causes, its chains
    for chain_id, chain in chains.items():
        if any(ctx.model_usable(m) for m in chain if m in model_causes):
            continue
        causes = sorted(
            dict.fromkeys(c for m in chain for c in model_causes.get(m, ())), key=lambda cause: _relevance(ctx, cause)
        )
        if causes:
            group = groups.setdefault(causes[0], ({}, []))
            group[0].update(dict.fromkeys(causes))
            group[1].append(chain_id)
    members = {chain_id: set(chain) for chain_id, chain in chains.items()}  # a chain of 10,000 models is asked
    broken = [
        Blocked(
            tuple(causes), _covered_models(user_models, model_causes, causes, [members[c] for c in ids]), tuple(ids), ()
        )
        for causes, ids in groups.values()
    ]  # whether it holds each of them
    covered = {m for group in broken for m in group.models} | {
        m for group in broken for chain_id in group.chains for m in chains[chain_id]
    }
    by_cause: dict[tuple, list] = {}
    for model_id in user_models:
        if model_id not in covered:
            by_cause.setdefault(model_causes[model_id], []).append(model_id)
    unreachable = [
        Blocked(causes, tuple(models), (), tuple(c for c, held in members.items() if not held.isdisjoint(models)))
        for causes, models in by_cause.items()
    ]
    return broken, unreachable


def _covered_models(user_models: list, model_causes: dict, causes: dict, chains: list[set]) -> tuple[str, ...]:
    """The user's models that ``causes`` alone take down and one of ``chains`` holds."""
    taken = set(causes)
    return tuple(m for m in user_models if taken.issuperset(model_causes[m]) and any(m in held for held in chains))


def blocked(ctx) -> tuple[list[Blocked], list[Blocked]]:
    """:func:`_analyse`, once per context."""
    return ctx.memo("reach", _analyse)


def report_at(ctx, cause: Cause, rule_id: str, message: str, hint: str):
    """A finding of ``rule_id`` at the first place of ``cause`` that exists in a file that exists."""
    existing = [place for place in cause.places if ctx.document(place[0]) is not None]
    if existing:  # a place the file holds, else the nearest the file gets to one
        kind, tokens, key = min(existing, key=lambda place: not ctx.has(place[0], list(place[1])))
        return ctx.at(kind, list(tokens), rule_id, message, hint, key=key)
    for kind in ("credentials", "llm-config"):
        if ctx.document(kind) is not None:
            return ctx.at(kind, [], rule_id, message, hint)
    return None


def is_missing_key(ctx, cause: Cause) -> bool:
    """True for a credential this process's environment lacks, on an endpoint the files enable: with
    ``environment = "check"``, an ``env.missing-credential`` of its own."""
    return ctx.judges_environment and cause.from_env and configured(ctx, cause.endpoint)


def configured(ctx, endpoint_id: str) -> bool:
    """True when the user's files enable or configure the endpoint, not only PonyBunny's defaults."""
    return ctx.user_entry("endpoints", endpoint_id).get("enabled") is True or bool(ctx.credentials_entry(endpoint_id))


def skipped_note(ctx) -> list[str]:
    """The summary's line for enabled endpoints that lack a credential this process's environment could
    supply, and does not: a fact about this shell, not the files, unless ``environment = "check"``
    (then those the files enable are diagnostics, and only PonyBunny's defaults are left for this line)."""
    import os

    from pbcfg.source.commands import pbcfg_on

    reported = set()
    if ctx.judges_environment:
        reported = {cause.endpoint for group in blocked(ctx)[0] for cause in group.causes}
        reported |= {endpoint_id for endpoint_id in ctx.endpoints if configured(ctx, endpoint_id)}
    skipped = [
        endpoint.id
        for endpoint in ctx.endpoints.values()
        if endpoint.enabled and endpoint.id not in reported and any(name for _, name in endpoint.missing)
    ]
    if not skipped:
        return []
    many = len(skipped) > 1
    note = (
        f"{len(skipped)} enabled endpoint{'s' if many else ''} {'lack' if many else 'lacks'} credentials in "
        f"this environment and {'are' if many else 'is'} skipped: {english_list(skipped)} "
        f"(`{pbcfg_on(os.path.dirname(ctx.path_of('llm-config.json')), 'status')}` shows each)"
    )
    if not ctx.judges_environment:  # what that leaves in this environment, which the files alone do not say
        here = [chain for group in blocked(ctx.judging_environment())[0] for chain in group.chains]
        broken = {chain for group in blocked(ctx)[0] for chain in group.chains}
        here = [chain for chain in here if chain not in broken]
        if here:
            note += f"; here, {chains_text(here)} {'have' if len(here) > 1 else 'has'} no usable model"
    return [note]


def chains_text(chains) -> str:
    """ "tiers simple and medium and agent execution"."""
    parts = []
    for section, word in (("tiers", "tier"), ("agents", "agent")):
        names = [name for kind, name in chains if kind == section]
        if names:
            parts.append(f"{word}{'s' if len(names) > 1 else ''} {english_list(names)}")
    return " and ".join(parts)
