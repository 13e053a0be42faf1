"""Tier, agent and model names typed on the command line, checked against the config before anything runs."""

from __future__ import annotations

__all__ = ["checked_target"]

# PonyBunny's Path B runs an agent its config does not name on tier medium (AgentModelResolver)
_UNKNOWN_AGENT = "PonyBunny itself runs an agent it does not know on tier 'medium': `{command}` shows that chain"


def checked_target(merged: dict, target: dict, directory: str) -> None:
    """A tier, agent or model the config does not have is a usage error (exit 2) with the names it has and the
    closest one: never a silent empty or default chain."""
    from pbcfg.errors import UsageError
    from pbcfg.source.commands import pbcfg_on
    from pbcfg.util.suggest import unknown_name

    ((what, name),) = target.items()
    section = merged.get({"tier": "tiers", "agent": "agents", "model": "models"}[what])
    known = list(section) if isinstance(section, dict) else []
    if name in known:
        return
    message = unknown_name(what, name, known)
    if what == "agent":
        message += ". " + _UNKNOWN_AGENT.format(command=pbcfg_on(directory, "resolve", "--tier", "medium"))
    raise UsageError(message)
