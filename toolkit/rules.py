"""The catalog of diagnostic rules: id -> severity, one-line summary, help.

SARIF's ``tool.driver.rules`` and the README's rule table come from here.
``schema.<keyword>`` ids share one entry per keyword family.
"""

from __future__ import annotations

__all__ = ["RULES", "describe"]

RULES: dict[str, tuple[str, str, str]] = {
    "json.syntax": ("error", "The file is not valid JSON.",
                    "PonyBunny reads the file with JSON.parse; anything it rejects makes PonyBunny ignore the file."),
    "json.comment": ("error", "JSON does not allow comments.",
                     "PonyBunny's loader silently ignores a whole llm-config.json with a comment and runs on its "
                     "built-in defaults. Delete the comment, or run `pbcfg migrate`."),
    "json.trailing-comma": ("error", "A comma before a closing bracket.",
                            "JSON.parse rejects trailing commas, so PonyBunny would ignore the file."),
    "json.duplicate-key": ("error", "A key appears twice in one object.",
                           "JSON.parse keeps only the last value, so the earlier one is silently lost."),
    "json.bom": ("error", "The file starts with a UTF-8 byte order mark.",
                 "JSON.parse rejects a BOM; save the file as UTF-8 without BOM."),
    "json.depth": ("error", "Nesting is deeper than pbcfg reads.",
                   "No PonyBunny config nests beyond a few levels; the file is probably corrupted."),
    "schema": ("error", "The file violates its JSON Schema.",
               "The schemas in pbcfg's schemas/ folder describe every field PonyBunny reads; the message names "
               "the field, the constraint and, for typos, the closest allowed spelling."),
    "ref.unknown-endpoint": ("error", "A model names an endpoint that does not exist.",
                             "Every id in a model's endpoints must be a built-in endpoint or be defined under "
                             "endpoints; otherwise PonyBunny cannot route the model there."),
    "ref.unknown-model": ("error", "A tier or agent names a model that does not exist.",
                          "primary and fallback must name a built-in model or one defined under models. PonyBunny "
                          "never checks this and fails only when the chain reaches the missing model."),
    "ref.fallback-repeat": ("warning", "A fallback repeats the primary or an earlier fallback.",
                            "A model is tried once per chain; the repeated entry does nothing."),
    "ref.undefined-endpoint": ("error", "Credentials for an endpoint id llm-config.json does not define.",
                               "PonyBunny uses credentials under a custom id only when llm-config.json defines an "
                               "endpoint with that id; these are never used. Often a typo in the id."),
}


def describe(rule: str) -> tuple[str, str, str]:
    """(default severity, summary, help) for a rule id, family entries included."""
    if rule in RULES:
        return RULES[rule]
    family = rule.split(".", 1)[0]
    severity, summary, help_text = RULES.get(family, ("error", rule, rule))
    keyword = rule.split(".", 1)[1] if "." in rule else rule
    return severity, f"Schema violation: {keyword}.", help_text
