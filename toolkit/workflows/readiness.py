"""Whether each tier and agent can run: its plan, read against what each endpoint's probe found.

One :class:`Readiness` per tier and agent of the merged config: the first
(model, endpoint) pair that would answer, and when that is not the first pair
of the plan (or none would), the first thing to fix.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from pbcfg.runtime.protocols import unsupported
from pbcfg.runtime.status import EndpointStatus, State

__all__ = ["Ready", "Readiness", "readiness"]

_BUILTIN_TIERS = ("simple", "medium", "complex")


class Ready(StrEnum):
    OK = "ok"  # the chain's first model answers, on the first endpoint the plan tries
    FALLS_BACK = "falls-back"  # a later pair answers: an earlier one would fail, or an earlier model has no pair
    UNTESTED = "untested"  # the first pair that may answer has no free probe (Azure)
    CANNOT_RUN = "cannot-run"  # no pair answers


class Readiness(NamedTuple):
    section: str  # "tiers" or "agents"
    name: str
    chain: list[str]
    state: Ready
    model: str | None  # the pair that answers (or may), if any
    endpoint: str | None
    fix: str | None  # the first thing to fix, when the first pair does not answer
    configured: bool  # the user's llm-config.json names this tier or agent

    @property
    def label(self) -> str:
        return self.name if self.section == "tiers" else f"agent {self.name}"


def _problem(model: str, endpoint: str, status: EndpointStatus | None) -> str:
    if status is None:
        return f"{model} @ {endpoint}: not probed"
    said = f"{model} @ {endpoint}: {status.state}: {status.detail}"
    hint = status.hint
    if hint and "; did you mean " in hint and hint.rsplit("; ", 1)[1] in f"{status.detail}?)":
        hint = hint.rsplit("; ", 1)[0]  # the detail names the closest id already
    return said + (f" ({hint})" if hint else "")


def _dropped(dropped) -> str:
    return (
        f"{dropped.model} @ {dropped.endpoint}: {dropped.reason}"
        if dropped.endpoint
        else f"{dropped.model}: {dropped.reason}"
    )


def _one(runtime, section: str, name: str, statuses: dict[str, EndpointStatus], configured: bool) -> Readiness:
    plan = runtime.plan(**{"tier" if section == "tiers" else "agent": name})
    first_problem = None
    for candidate in plan.attempts:
        status = statuses.get(candidate.endpoint.id)
        if status is not None and status.serves(candidate.model):
            earlier = plan.chain[: plan.chain.index(candidate.model)]
            dropped = next((d for d in plan.dropped if d.model in earlier), None)
            first_problem = first_problem or (dropped and _dropped(dropped))
            state = Ready.OK if first_problem is None else Ready.FALLS_BACK
            return Readiness(
                section, name, plan.chain, state, candidate.model, candidate.endpoint.id, first_problem, configured
            )
        if status is not None and status.state is State.SKIPPED:
            # nothing to fix in an endpoint pbcfg cannot probe for free (status says why)
            return Readiness(
                section,
                name,
                plan.chain,
                Ready.UNTESTED,
                candidate.model,
                candidate.endpoint.id,
                first_problem,
                configured,
            )
        first_problem = first_problem or _problem(candidate.model, candidate.endpoint.id, status)
    elsewhere = next(
        (
            d
            for d in plan.dropped
            if d.endpoint in runtime.endpoints and d.reason == unsupported(runtime.endpoints[d.endpoint])
        ),
        None,
    )
    if elsewhere is not None:  # an endpoint only PonyBunny can call (codex): nothing for the user to fix
        return Readiness(
            section, name, plan.chain, Ready.UNTESTED, elsewhere.model, elsewhere.endpoint, first_problem, configured
        )
    if first_problem is None and plan.dropped:
        first_problem = _dropped(plan.dropped[0])
    return Readiness(
        section, name, plan.chain, Ready.CANNOT_RUN, None, None, first_problem or "the chain names no model", configured
    )


def readiness(runtime, statuses: list[EndpointStatus], user: dict) -> list[Readiness]:
    """Every tier (PonyBunny's three first) and every agent of the merged config; ``user`` is the user's
    llm-config.json, which says which of them the user configured."""
    by_endpoint = {status.endpoint: status for status in statuses}
    found = []
    for section in ("tiers", "agents"):
        names = list(runtime.config.get(section) or {})
        if section == "tiers":
            names = [n for n in _BUILTIN_TIERS if n in names] + [n for n in names if n not in _BUILTIN_TIERS]
        mine = user.get(section)
        if not isinstance(mine, dict):
            mine = {}
        found += [_one(runtime, section, name, by_endpoint, name in mine) for name in names]
    return found
