"""Typed models of PonyBunny's two files, generated from schemas/ by `pbcfg codegen`. Do not edit."""

from .credentials import Credentials
from .llm_config import LlmConfig

__all__ = ["Credentials", "LlmConfig"]
