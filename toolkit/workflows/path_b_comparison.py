"""pbcfg's plan beside what PonyBunny's Path B will really try: ``pbcfg resolve --as ponybunny``.

pbcfg's runtime follows PonyBunny's docs; PonyBunny's conversation agent runs
its Path B, which does not (:mod:`pbcfg.ponybunny.path_b`). For one tier,
agent or model this prints both, per environment scenario (yours, and one
without any credential variable, as a service started elsewhere sees it),
with a ``!`` line wherever they differ. This is the command to run when "the
agent doesn't use my local model".

    from pbcfg.workflows.path_b_comparison import compare_with_path_b

    compared = compare_with_path_b("./pb", {"agent": "conversation"}, dict(os.environ))
    compared.scenarios[0]["differences"]      # one sentence per way Path B differs, in your environment
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

from pbcfg.check.ponybunny_view import PonyBunnyView, ponybunny_view
from pbcfg.ponybunny.path_b import ENV, REGION_ENV, PathB
from pbcfg.ponybunny.wire import divergence
from pbcfg.secrets.masking import is_secret_field, mask

if TYPE_CHECKING:
    from pbcfg.ponybunny.effective import EffectiveEndpoint

__all__ = ["CREDENTIAL_VARIABLES", "Comparison", "compare_with_path_b", "differences"]

CREDENTIAL_VARIABLES = sorted(
    {name for names in ENV.values() for name in names.values()}
    | set(REGION_ENV)
    | {"OPENAI_COMPATIBLE_API_KEY", "OPENAI_COMPATIBLE_BASE_URL"}
)
_NOTES = [
    "Path B is what the conversation agent and agent_a_market_listener run; `pb work` uses it only to pick its "
    "model, and work items and planning run PonyBunny's Path A.",
    "Attempts are listed as if each one fails (a 500): the first that answers serves the call. A 429 ends Path B's "
    "whole chain at once.",
]
_TIER_NOTE = (
    "No PonyBunny code runs a tier through Path B by itself: agents reach it through their tier, and the "
    "conversation helpers (Path A) call tier 'simple' with $PONY_MODEL_SIMPLE or claude-haiku-4-5-20251001, "
    "whatever llm-config.json says."
)


class _RegionDerived(Protocol):
    """A runtime protocol that derives the base URL from the region (Bedrock, Vertex): a plan keeps an endpoint
    without a base URL only on one of these."""

    def derived_base_url(self, endpoint: EffectiveEndpoint) -> str: ...


def _shown(field: str, value: object) -> str:
    raw = value.reveal() if hasattr(value, "reveal") else value
    return mask(raw) if is_secret_field(field) else str(raw)


def _pbcfg_side(config_dir: str, target: dict, env: dict) -> dict:
    """pbcfg's plan as data, or why its runtime refuses the config."""
    from pbcfg.errors import InputError, InvalidConfigError
    from pbcfg.runtime import load_runtime

    try:
        plan = load_runtime(config_dir, env=env).plan(**target)
    except (InvalidConfigError, InputError) as error:
        from pbcfg.source.commands import pbcfg_on

        return {"error": f"refuses this config ({error}); see `{pbcfg_on(config_dir, 'validate')}`"}
    return {
        "chain": plan.chain,
        "attempts": [
            {
                "model": c.model,
                "endpoint": c.endpoint.id,
                "priority": c.endpoint.priority,
                "baseUrl": {"value": str(c.endpoint.base_url.value), "source": c.endpoint.base_url.source}
                if c.endpoint.base_url
                else {
                    "value": cast("_RegionDerived", c.protocol).derived_base_url(c.endpoint),
                    "source": "derived from the region",
                },
                "credentials": {
                    f: {"value": _shown(f, v.value), "source": v.source}
                    for f, v in c.endpoint.fields.items()
                    if f != "baseUrl"
                },
            }
            for c in plan.attempts
        ],
        "dropped": [{"model": d.model, "endpoint": d.endpoint or None, "reason": d.reason} for d in plan.dropped],
    }


def _path_b_side(result: PathB) -> dict:
    return {
        "chain": result.chain,
        "attempts": [
            {
                "model": a.model,
                "endpoint": a.endpoint,
                "priority": a.priority,
                "url": a.url,
                "auth": a.auth,
                "baseUrl": {"value": a.base_url.value, "source": a.base_url.source} if a.base_url else None,
                "credentials": {
                    f: {"value": _shown(f, v.value), "source": v.source}
                    for f, v in a.credentials.items()
                    if f != "baseUrl"
                },
                "fails": a.fails,
            }
            for a in result.attempts
        ],
        "skipped": [{"model": s.model, "endpoint": s.endpoint or None, "reason": s.reason} for s in result.skipped],
        "error": result.error,
    }


def differences(pbcfg: dict, ponybunny: dict) -> list[str]:
    """Every way Path B's attempts differ from pbcfg's plan, one sentence each."""
    if "error" in pbcfg and "attempts" not in pbcfg:
        return []
    found = []
    if ponybunny["error"]:
        found.append(f"every call rejects on Path B: {ponybunny['error']}")
    if [m for m in ponybunny["chain"]] != pbcfg["chain"] and not ponybunny["error"]:
        found.append(
            f"the chain differs: Path B runs {' → '.join(map(str, ponybunny['chain']))}, pbcfg's runtime "
            f"{' → '.join(pbcfg['chain'])} (PonyBunny keeps repeats)"
        )
    remaining = list(pbcfg["attempts"])
    for attempt in ponybunny["attempts"]:
        pair = f"{attempt['model']} @ {attempt['endpoint']}"
        twin = next(
            (a for a in remaining if (a["model"], a["endpoint"]) == (attempt["model"], attempt["endpoint"])), None
        )
        if attempt["fails"]:
            found.append(f"{pair}: Path B fails before sending ({attempt['fails']})")
        if twin is None:
            why = next(
                (
                    d["reason"]
                    for d in pbcfg["dropped"]
                    if (d["model"], d["endpoint"]) == (attempt["model"], attempt["endpoint"])
                ),
                None,
            )
            found.append(f"{pair}: Path B tries it, pbcfg's runtime does not" + (f" ({why})" if why else ""))
            continue
        remaining.remove(twin)
        found.extend(f"{pair}: {text}" for text in _compare(twin, attempt))
    for attempt in remaining:
        key = (attempt["model"], attempt["endpoint"])
        why = next((s["reason"] for s in ponybunny["skipped"] if (s["model"], s["endpoint"]) == key), None) or next(
            (s["reason"] for s in ponybunny["skipped"] if s["model"] == key[0] and s["endpoint"] is None), None
        )
        found.append(f"{key[0]} @ {key[1]}: pbcfg's runtime tries it, Path B does not" + (f" ({why})" if why else ""))
    return found


def _compare(mine: dict, theirs: dict) -> list[str]:
    found = []
    if theirs["baseUrl"] is None or theirs["baseUrl"]["value"] != mine["baseUrl"]["value"]:
        where = f"{theirs['baseUrl']['value']} ({theirs['baseUrl']['source']})" if theirs["baseUrl"] else "no base URL"
        found.append(f"Path B uses {where}, pbcfg's runtime {mine['baseUrl']['value']} ({mine['baseUrl']['source']})")
    mine_key, their_key = mine["credentials"].get("apiKey"), theirs["credentials"].get("apiKey")
    if (mine_key or {}).get("source") != (their_key or {}).get("source"):
        found.append(
            f"Path B sends {'the key from ' + their_key['source'] if their_key else 'no key'}, pbcfg's runtime "
            f"{'the key from ' + mine_key['source'] if mine_key else 'none'}"
        )
    return found


def _unreachable(merged: dict, ponybunny: dict) -> list[str]:
    """Path B's attempts that cannot succeed whatever the server (Bedrock unsigned, Vertex without a token, Gemini
    without a model or key), and what pbcfg's runtime sends instead."""
    found = []
    for attempt in ponybunny["attempts"]:
        protocol = ((merged.get("endpoints") or {}).get(attempt["endpoint"]) or {}).get("protocol")
        said = divergence(attempt["endpoint"], protocol, attempt["baseUrl"]["value"] if attempt["baseUrl"] else None)
        if said:
            found.append(f"{attempt['model']} @ {attempt['endpoint']}: {said.message} ({said.rule})")
    return found


def _scenarios(env: dict) -> list[tuple[str, dict]]:
    """Your environment, and (when you set any) one without the credential variables."""
    bare = {name: value for name, value in env.items() if name not in CREDENTIAL_VARIABLES}
    return [("your environment", env)] + ([("no credential variables", bare)] if len(bare) < len(env) else [])


class Comparison(NamedTuple):
    """``files``: how PonyBunny's loaders take each file; ``scenarios``: per environment, pbcfg's plan, Path B's
    attempts and their differences; ``notes``: what the comparison cannot show."""

    directory: str
    files: dict
    scenarios: list[dict]
    notes: list[str]

    @property
    def config_files(self) -> list[str]:
        return [os.path.join(self.directory, name) for name in self.files]

    def extra(self) -> dict:
        """The keys ``--format json`` adds beside "diagnostics" and "summary"."""
        return {"files": self.files, "scenarios": self.scenarios, "notes": self.notes}

    def text(self) -> str:
        """Both sides per scenario, a ``!`` line per difference, then the notes."""
        from pbcfg.secrets.boundary import redact

        return redact("\n".join(_text_lines(self)) + "\n")


def compare_with_path_b(config_dir: str, target: dict, env: dict, view: PonyBunnyView | None = None) -> Comparison:
    """pbcfg's plan and Path B's attempts for ``target`` (``{"tier": "simple"}``), per environment scenario, with
    their differences; ``view``: PonyBunny's view of ``config_dir`` when the caller has read it already."""
    view = view or ponybunny_view(config_dir)
    scenarios = []
    for name, scenario_env in _scenarios(env):
        pbcfg = _pbcfg_side(config_dir, target, scenario_env)
        ponybunny = _path_b_side(view.path_b(scenario_env, **target))
        scenarios.append(
            {
                "env": name,
                "pbcfg": pbcfg,
                "ponybunny": ponybunny,
                "differences": differences(pbcfg, ponybunny) + _unreachable(view.merged, ponybunny),
            }
        )
    files = {
        f"{kind}.json": {"state": outcome.state, "reason": outcome.reason}
        for kind, outcome in (("llm-config", view.llm_config), ("credentials", view.credentials_outcome))
    }
    notes = _NOTES + ([_TIER_NOTE] if "tier" in target else [])
    return Comparison(config_dir, files, scenarios, notes)


def _text_lines(compared: Comparison) -> list[str]:
    lines = ["as PonyBunny's loaders take the files:"]
    for name, state in compared.files.items():
        lines.append(f"  {name}: {state['state']}" + (f" ({state['reason']})" if state["reason"] else ""))
    first = compared.scenarios[0]
    for index, scenario in enumerate(compared.scenarios):
        pbcfg, ponybunny = scenario["pbcfg"], scenario["ponybunny"]
        if index and (pbcfg, ponybunny) == (first["pbcfg"], first["ponybunny"]):
            lines.append(f"with {scenario['env']}: the same")
            continue
        lines.append(f"with {scenario['env']}:")
        if "error" in pbcfg:
            lines.append(f"  pbcfg's runtime: {pbcfg['error']}")
        else:
            lines.append(f"  pbcfg's runtime (the docs): {' → '.join(pbcfg['chain']) or '(empty)'}")
            if not pbcfg["attempts"]:
                lines.append("    nothing is usable")
            for number, attempt in enumerate(pbcfg["attempts"], 1):
                key = attempt["credentials"].get("apiKey")
                lines.append(
                    f"    {number}. {attempt['model']} @ {attempt['endpoint']}  {attempt['baseUrl']['value']}"
                    + (f"  key ← {key['source']}" if key else "")
                )
        lines.append(f"  PonyBunny's Path B: {' → '.join(map(str, ponybunny['chain'])) or '(none)'}")
        for number, attempt in enumerate(ponybunny["attempts"], 1):
            source = f"  ← {attempt['baseUrl']['source']}" if attempt["baseUrl"] else ""
            key = attempt["credentials"].get("apiKey")
            lines.append(
                f"    {number}. {attempt['model']} @ {attempt['endpoint']}  POST {attempt['url'] or '(no URL)'}"
                f"  auth: {attempt['auth']}" + (f" ← {key['source']}" if key else "") + source
            )
        for skipped in ponybunny["skipped"]:
            lines.append(f"    - {skipped['model']} @ {skipped['endpoint'] or '-'}: {skipped['reason']}")
        if ponybunny["error"]:
            lines.append(f"    every call rejects: {ponybunny['error']}")
        lines.extend(f"  ! {difference}" for difference in scenario["differences"])
        if not scenario["differences"] and "attempts" in pbcfg:
            lines.append("  = PonyBunny's Path B does what pbcfg's runtime does")
    lines.append("notes:")
    lines.extend(f"  - {note}" for note in compared.notes)
    return lines
