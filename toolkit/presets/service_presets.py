"""The service presets: metadata in ``templates/NAME/preset.toml``, Jinja2 templates beside it."""

from __future__ import annotations

import os
import tomllib
from functools import cache
from typing import NamedTuple

from pbcfg.errors import UsageError
from pbcfg.ponybunny.builtins import builtin_endpoints
from pbcfg.util.resources import resource_dir

__all__ = ["NUMBERS", "Preset", "get_preset", "presets", "settable"]

NUMBERS = ("priority", "requestsPerMinute", "maxContextTokens")


class Preset(NamedTuple):
    name: str
    description: str
    template: str
    endpoint_id: str
    models: tuple[str, ...]
    maxContextTokens: int
    notes: tuple[str, ...]
    port: int | None = None
    base_path: str = ""
    no_key_value: str | None = None
    key_required: bool = False
    base_url_required: bool = False
    model_required: bool = False  # the model id is the user's own (an Azure deployment's name): no default
    default_model: str | None = None

    @property
    def local(self) -> bool:
        return self.endpoint_id == "openai-compatible"

    @property
    def default_base_url(self) -> str | None:
        return f"http://localhost:{self.port}{self.base_path}" if self.port else None

    @property
    def key_field(self) -> str | None:
        required = builtin_endpoints()[self.endpoint_id].required
        return (
            "apiKey"
            if "apiKey" in required or self.local
            else ("secretAccessKey" if "secretAccessKey" in required else None)
        )


@cache
def presets() -> dict[str, Preset]:
    found = {}
    root = resource_dir("templates")
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name, "preset.toml")
        if not name.startswith("_") and os.path.isfile(path):
            with open(path, "rb") as handle:
                meta = tomllib.load(handle)
            meta["models"] = tuple(meta.get("models", ()))
            meta["notes"] = tuple(meta.get("notes", ()))
            found[name] = Preset(name=name, **meta)
    return found


def get_preset(name: str) -> Preset:
    known = presets()
    if name not in known:
        from pbcfg.util.suggest import did_you_mean

        guess = did_you_mean(name, known)
        raise UsageError(
            f"no preset {name!r}" + (f"; did you mean {guess!r}?" if guess else "") + f" (presets: {', '.join(known)})"
        )
    return known[name]


def settable(preset: Preset, endpoint_id: str) -> tuple[str, ...]:
    builtin = builtin_endpoints().get(endpoint_id)
    fields = builtin.allowed if builtin else ("apiKey", "baseUrl")
    return NUMBERS + tuple(f for f in fields if f not in ("enabled", "baseUrl", "apiKey"))
