"""Generated from schemas/ by `pbcfg codegen`. Do not edit.

``Credentials`` and ``LlmConfig``, the typed (pydantic) models of PonyBunny's two files, are imported on
first use: ``validators``, the stdlib-only check of validate's clean path, must load without pydantic.
"""

__all__ = ["Credentials", "LlmConfig"]


def __getattr__(name):
    if name == "Credentials":
        from .credentials import Credentials

        return Credentials
    if name == "LlmConfig":
        from .llm_config import LlmConfig

        return LlmConfig
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
