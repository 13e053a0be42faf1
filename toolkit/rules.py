"""The catalog: every rule id any pbcfg command can print, as data.

One entry per id: default severity, whether a safe fix exists, a one-line
summary and the explanation ``pbcfg lint --explain`` prints. SARIF's rule
table, ``--list-rules`` (and so the README's table), ``--explain``, lint's
severities and the migration list all read it; a test fails when a command
prints an id that is not here. Code that finds a problem names the id; the
severity it is reported at comes from here (or from the user's settings).
"""

from typing import NamedTuple

from pbcfg.diagnostics import Diagnostic, Severity, Span

__all__ = ["GROUPS", "RULES", "Rule", "diagnostic"]

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


class Rule(NamedTuple):
    id: str
    severity: Severity
    fixable: bool
    summary: str
    explanation: str

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]


GROUPS = {
    "json": "JSON syntax, as PonyBunny's JSON.parse reads it",
    "yaml": "YAML sources",
    "limits": "what pbcfg reads at most, so that no input costs more than linear time and bounded memory",
    "schema": "the JSON Schemas",
    "ref": "references between entries and files",
    "secrets": "keys where they should not be, placeholders, file modes",
    "env": "credentials file against the environment",
    "url": "base URLs",
    "routing": "whether requests can reach a model",
    "merge": "surprises of PonyBunny's merge over its defaults",
    "files": "files and locations",
    "config": "pbcfg's own lint settings",
    "migrate": "pending migrations (`pbcfg migrate --check`)",
    "add": "`pbcfg add`",
    "build": "`pbcfg build --check`",
    "resolve": "`pbcfg resolve`: the plan",
    "status": "`pbcfg status`: what each server answered",
}


def _rule(rule_id: str, severity: Severity, summary: str, explanation: str, fixable: bool = False) -> Rule:
    return Rule(rule_id, severity, fixable, summary, explanation)


_ALL = (
    # json: strict JSON as JSON.parse reads it
    _rule("json.syntax", ERROR, "The file is not valid JSON.",
          "PonyBunny reads the file with JSON.parse; anything it rejects makes PonyBunny ignore the file "
          "(llm-config.json: it runs on its built-in defaults; credentials.json: none of its keys are used)."),
    _rule("json.comment", ERROR, "JSON does not allow comments.",
          "PonyBunny's loader silently ignores a whole llm-config.json with a comment and runs on its built-in "
          "defaults. Delete the comment, or run `pbcfg migrate`, which strips comments and lists each one."),
    _rule("json.trailing-comma", ERROR, "A comma before a closing bracket.",
          "JSON.parse rejects trailing commas, so PonyBunny would ignore the file."),
    _rule("json.duplicate-key", ERROR, "A key appears twice in one object.",
          "JSON.parse keeps only the last value, so the earlier one is silently lost."),
    _rule("json.bom", ERROR, "The file starts with a UTF-8 byte order mark.",
          "JSON.parse rejects a BOM; save the file as UTF-8 without BOM."),
    _rule("json.lone-surrogate", ERROR, "A \\uD800-\\uDFFF escape without the other half of its pair.",
          "JSON escapes characters beyond U+FFFF as two \\u escapes, a surrogate pair; one half alone is not "
          "Unicode text. JSON.parse keeps it, but it cannot be encoded as UTF-8: a request carrying it is garbled "
          "or refused, and no file can store it. Delete the escape or write the character it was meant to be."),
    # yaml: sources for `pbcfg build`
    _rule("yaml.syntax", ERROR, "The file is not valid YAML.",
          "A YAML source stands for one of PonyBunny's JSON files; one that does not parse builds nothing. "
          "The message names the line and column where the parser stopped."),
    _rule("yaml.duplicate-key", ERROR, "A key appears twice in one YAML mapping.",
          "YAML forbids duplicate keys, and the JSON built from the source could keep only one of them."),
    _rule("yaml.unsupported", ERROR, "YAML that JSON cannot hold: an alias, a tag, a date, a non-string key.",
          "A source stands for a JSON file: anchors and aliases (which can expand exponentially), custom tags, "
          "dates and non-string keys have no JSON equivalent, so pbcfg refuses them. Write the values out."),
    _rule("yaml.lone-surrogate", ERROR, "A \\uD800-\\uDFFF escape without the other half of its pair.",
          "A double-quoted YAML scalar can spell half a UTF-16 surrogate pair with \\u; alone it is not Unicode "
          "text, and the JSON built from the source could not be written as UTF-8. Write the character itself."),
    # limits: what pbcfg reads at most (pbcfg.source.limits); no PonyBunny config comes near any of them
    _rule("limits.file-size", ERROR, "A file larger than 64 MiB, or a YAML source larger than 1 MiB.",
          "pbcfg refuses it before reading a byte (exit 2): the biggest real PonyBunny configs are tens of kilobytes. "
          "Within it, reading takes time linear in the size and memory under 8 times the size, plus the "
          "interpreter's own. YAML is parsed in pure Python, at a few hundred kilobytes a second, hence its lower limit."),
    _rule("limits.depth", ERROR, "More than 128 nested objects and arrays.",
          "The same limit in JSON and YAML, checked before any code that walks the document runs. PonyBunny's "
          "configs nest five levels; a file this deep is corrupted or hostile."),
    _rule("limits.string-length", ERROR, "A string or key longer than 1,048,576 characters.",
          "No key, URL, id or name PonyBunny reads comes near it; usually a string left unclosed, or the wrong file."),
    _rule("limits.values", ERROR, "More than 1,000,000 keys and array items in one file.",
          "A config of 50,000 models holds about 650,000; the limit bounds the memory a file can make pbcfg use."),
    # schema: one id per JSON Schema keyword the schemas use
    _rule("schema.additionalProperties", ERROR, "An unknown key.",
          "The schemas list every key PonyBunny reads. An unknown key in llm-config.json is silently ignored "
          "by PonyBunny (usually a typo: the setting you meant is not applied); in credentials.json it makes "
          "PonyBunny refuse the whole file."),
    _rule("schema.propertyNames", ERROR, "An id that PonyBunny cannot use.",
          "Ids of endpoints, models, tiers and agents are object keys; the schema says which names work."),
    _rule("schema.required", ERROR, "A required key is missing.",
          "A custom endpoint needs enabled, protocol and priority; a new model needs displayName, endpoints and "
          "costPer1kTokens; a tier needs its primary."),
    _rule("schema.enum", ERROR, "A value outside the allowed set.",
          "The message lists every allowed value and the closest one to what was written."),
    _rule("schema.const", ERROR, "A value that must be exactly one thing.",
          "A built-in endpoint always speaks its own protocol; define a custom endpoint id for another one."),
    _rule("schema.type", ERROR, "A value of the wrong JSON type.",
          "PonyBunny's own schema rejects it, so PonyBunny ignores (llm-config.json) or refuses "
          "(credentials.json) the file. A quoted number or boolean is the usual cause."),
    _rule("schema.minimum", ERROR, "A number below its minimum.",
          "Priorities start at 1, timeouts at 1000 ms, costs and retries at 0."),
    _rule("schema.maximum", ERROR, "A number above its maximum.",
          "Temperatures go up to 2; other limits are stated in the schema's description of the field."),
    _rule("schema.minItems", ERROR, "A list that must not be empty.",
          "A model needs at least one endpoint: with none, PonyBunny has nowhere to send its requests."),
    _rule("schema.minLength", ERROR, "A string that must not be empty.",
          "Ids and names must have at least one character."),
    _rule("schema.uniqueItems", ERROR, "A list with a repeated entry.",
          "Each capability is listed once; a repeat says nothing more and usually hides a typo elsewhere."),
    _rule("schema.format", ERROR, "A URL that is not an absolute http:// or https:// URL.",
          "Requests go to {baseUrl}/chat/completions, so the base URL must be absolute, with its scheme."),
    _rule("schema.pattern", ERROR, "A string that does not have the required form.",
          "The message quotes the schema's description of the form."),
    _rule("schema.other", ERROR, "Any other schema violation.",
          "The message names the JSON Schema keyword that failed."),
    # ref: references between entries and files
    _rule("ref.unknown-endpoint", ERROR, "A model names an endpoint that does not exist.",
          "Every id in a model's endpoints must be a built-in endpoint or be defined under endpoints; otherwise "
          "PonyBunny cannot route the model there."),
    _rule("ref.unknown-model", ERROR, "A tier or agent names a model that does not exist.",
          "primary and fallback must name a built-in model or one defined under models. PonyBunny never checks "
          "this and fails only when the chain reaches the missing model."),
    _rule("ref.fallback-repeat", WARNING, "A fallback repeats the primary or an earlier fallback.",
          "A model is tried once per chain; the repeated entry does nothing.", fixable=True),
    _rule("ref.undefined-endpoint", ERROR, "Credentials for an endpoint id llm-config.json does not define.",
          "PonyBunny uses credentials under a custom id only when llm-config.json defines an endpoint with that "
          "id; these are never used. Often a typo in the id."),
    # secrets
    _rule("secrets.credential-in-llm-config", ERROR, "A credential field in llm-config.json.",
          "PonyBunny reads keys only from credentials.json and the environment, so a key in llm-config.json does "
          "nothing, and it sits in a file that is usually world-readable and committed. Move it to "
          "credentials.json (mode 0600) or to its environment variable, and rotate it if the file was shared."),
    _rule("secrets.placeholder-key", ERROR, "A placeholder key in an enabled endpoint.",
          "Keys such as sk-xxx or your-api-key-here come from examples and make every request fail "
          "authentication, which PonyBunny reports only at run time. The usual no-key values (not-needed, EMPTY, "
          "ollama, lm-studio, sk-no-key-required) are fine for a local server, not for a vendor's API."),
    _rule("secrets.file-permissions", ERROR, "credentials.json readable by others, or its directory not 0700.",
          "credentials.json holds keys: it should be mode 0600 in a directory of mode 0700, as PonyBunny's own "
          "init makes them. The fix sets exactly those modes.", fixable=True),
    # env
    _rule("env.disabled-silences-env", WARNING, "enabled: false in credentials.json silences a set env var.",
          "\"enabled\": false in credentials.json turns the endpoint off even when its environment variables are "
          "set. PonyBunny's own init writes enabled: false for every built-in endpoint, so keys exported in the "
          "shell are silently ignored. Remove the entry or set enabled to true."),
    _rule("env.conflict", WARNING, "A file value and a set env var differ.",
          "The docs say a non-empty environment variable wins over credentials.json, and pbcfg follows them. "
          "PonyBunny's code does not always: at run time a non-empty baseUrl in the file beats "
          "OPENAI_COMPATIBLE_BASE_URL, and the conversation agent's code path prefers the file and ignores the "
          "OPENAI_COMPATIBLE_* variables. When both are set and differ, which one is used depends on the path."),
    _rule("env.missing-credential", ERROR, "An enabled endpoint lacks a required credential.",
          "An endpoint that is enabled but has no value for a required credential, in the file or in its "
          "environment variable, cannot serve a request: PonyBunny skips it at run time. Reported as an error "
          "when your files enable the endpoint, and as info when only PonyBunny's defaults do."),
    # url
    _rule("url.trailing-slash", WARNING, "A base URL ends with '/'.",
          "PonyBunny appends paths such as /chat/completions to the base URL, so a trailing slash gives a double "
          "slash that some servers answer with 404. The fix removes the slash.", fixable=True),
    _rule("url.missing-v1", WARNING, "An OpenAI-compatible base URL without a /v1-style suffix.",
          "OpenAI-compatible servers serve the API under a versioned path: requests go to "
          "{baseUrl}/chat/completions, so http://localhost:11434 must be http://localhost:11434/v1. Without it "
          "the server answers 404 and PonyBunny reports the model as unavailable."),
    _rule("url.plain-http-with-key", WARNING, "A key sent over plain http to another host.",
          "An http:// URL to a host other than this machine sends the API key in clear text over the network. "
          "Use https://, or keep plain http for servers on localhost."),
    # routing
    _rule("routing.unused-endpoint", WARNING, "An enabled endpoint that no model uses.",
          "An endpoint serves requests only for the models that list it in their endpoints. An enabled endpoint "
          "no model names is configured for nothing; often a model's endpoints list was not updated."),
    _rule("routing.model-unreachable", WARNING, "A model with no usable endpoint.",
          "A model is usable when at least one of its endpoints is enabled in llm-config.json, not disabled in "
          "credentials.json, has every required credential (file or env) and a base URL. Checked for the models "
          "your llm-config.json defines or overrides."),
    _rule("routing.chain-unusable", ERROR, "A tier or agent whose chain never reaches a usable model.",
          "Every model in the chain (primary, then fallbacks, as PonyBunny merges them) lacks a usable endpoint, "
          "so every request for this tier or agent fails at run time. An error for the tiers and agents your file "
          "configures, a warning for those left to PonyBunny's defaults."),
    _rule("routing.fallback-weaker", WARNING, "A fallback with a smaller context or fewer capabilities.",
          "A fallback serves the requests its primary could not: if its maxContextTokens is smaller, long prompts "
          "fail again; if it lacks a capability (vision, function-calling, json-mode), requests that need it fail "
          "on the fallback. Checked for chains your file configures."),
    _rule("routing.priority-tie", INFO, "Two endpoints of one model have the same priority.",
          "Endpoints of a model are tried in ascending priority. With equal priorities, the order falls to the "
          "model's endpoints list, which is easy to change by accident. Give them distinct priorities."),
    # merge
    _rule("merge.partial-tier", INFO, "A tier override without fallback keeps the built-in fallbacks.",
          "PonyBunny deep-merges llm-config.json over its defaults and arrays replace only when given, so "
          "{\"primary\": \"my-model\"} for a built-in tier keeps the default fallback models behind it. Write a "
          "fallback array (even an empty one) to say what you mean."),
    _rule("merge.agent-default-primary", WARNING, "An agent's tier is overridden but the built-in primary wins.",
          "A built-in agent with its own primary (execution uses claude-sonnet-4-5-20250929) keeps that primary "
          "after the merge when your file sets only its tier, so the tier's primary is never used first. Set the "
          "agent's primary too."),
    _rule("merge.changed-default", INFO, "Relying on a default that changed.",
          "aws-bedrock became enabled by default on 2026-02-19 and codex is enabled by default; a file that does "
          "not say enabled for them runs differently on different PonyBunny versions. Pin enabled explicitly "
          "(`pbcfg migrate --pin-defaults`)."),
    _rule("merge.temperature-zero", WARNING, "defaults.temperature is 0.",
          "One of PonyBunny's code paths reads the temperature as `temperature || 0.7`, so an explicit 0 turns "
          "into 0.7 there. Use a small positive value such as 0.01 for near-deterministic output."),
    # files
    _rule("files.legacy-copy", WARNING, "A copy in ~/.ponybunny beside the new config directory.",
          "PonyBunny moved its directory from ~/.ponybunny to ~/.config/ponybunny on 2026-02-20. When both hold a "
          "file, the legacy copy is silently ignored, so edits made there do nothing. Merge what you need and "
          "delete the legacy copy."),
    _rule("files.stale-schema", WARNING, "A *.schema.json beside the files is missing or stale.",
          "The $schema key of each file points at a schema file beside it, which editors use for completion and "
          "checks. PonyBunny writes those only in `pb init`, so they go missing or stale (an old one lacks the "
          "codex protocol). The fix writes pbcfg's current schemas.", fixable=True),
    # config: pbcfg's own settings
    _rule("config.unknown", ERROR, "An unknown key or rule id in pbcfg's lint settings.",
          "[tool.pbcfg.lint] in pyproject.toml, or [lint] in .pbcfg.toml, takes select, ignore, severity, "
          "per-file-ignores and per-pointer-ignores, with rule ids or groups from `pbcfg lint --list-rules`. "
          "A misspelled one would silently do nothing, so it is an error, with the closest spelling."),
    # migrate: one id per migration, in the order they run
    _rule("migrate.location", ERROR, "Files in ~/.ponybunny and none in the new directory.",
          "Moved to the new directory: copy, verify, then remove; never overwriting; 0600 and 0700. When both "
          "places have a file, it is reported and nothing moves."),
    _rule("migrate.strict-json", ERROR, "JSON with comments or trailing commas.",
          "Becomes strict JSON; each removed comment is listed with its line."),
    _rule("migrate.credential-keys", ERROR, "Credential keys from before the strict schema.",
          "baseURL, base_url -> baseUrl; api_key, apikey, key -> apiKey; the same for the other fields; "
          "non-string values -> strings; \"true\" -> true."),
    _rule("migrate.fallback-array", ERROR, "A fallback written as a string.",
          "tiers.*.fallback and agents.*.fallback become a one-element array."),
    _rule("migrate.model-references", ERROR, "A reference to a model id the defaults renamed.",
          "An undated or dated Claude id that is not defined becomes the form that is; others only with "
          "--rename-model OLD=NEW."),
    _rule("migrate.pin-defaults", ERROR, "A file that relies on a default that flipped (opt-in).",
          "With --pin-defaults: enabled: false for aws-bedrock and codex where the file does not say."),
    _rule("migrate.schema-files", ERROR, "A stale or missing *.schema.json that the files point at.",
          "Replaced by pbcfg's current schema, which editors use for completion and checks."),
    _rule("migrate.unknown-key", WARNING, "A credential key with no known spelling, left in place.",
          "PonyBunny rejects it, and with it the whole credentials.json. Rename it by hand, or pass "
          "--drop-unknown to drop it."),
    _rule("migrate.conflict", ERROR, "Two spellings of one field with different values.",
          "pbcfg will not pick one: keep one by hand, then run pbcfg migrate again. Nothing was written."),
    _rule("migrate.blocked", ERROR, "A step that cannot run on this file.",
          "The file has a problem no migration fixes (a hard syntax error, a top level that is not an object); "
          "fix it by hand first. Nothing was written."),
    # add
    _rule("add.conflict", ERROR, "The preset's endpoint or model already exists.",
          "pbcfg add never overwrites an entry silently: pass --replace to overwrite it, or --endpoint-id for "
          "another server's own slot."),
    _rule("add.invalid-result", ERROR, "The config would not validate after the add.",
          "Nothing was written; the diagnostic says what the merged result would break."),
    # build
    _rule("build.out-of-date", ERROR, "A built JSON file differs from the one on disk.",
          "The JSON files PonyBunny reads are built from the YAML sources: run `pbcfg build` and commit the "
          "result."),
    # resolve
    _rule("resolve.no-route", ERROR, "No (model, endpoint) pair of the chain is usable.",
          "Every request for this tier, agent or model would fail before reaching a server. The dropped pairs "
          "say why each one is out."),
    _rule("resolve.dropped", INFO, "A (model, endpoint) pair the plan leaves out, and why.",
          "Disabled, a missing credential, no base URL, or a protocol pbcfg's runtime does not speak."),
    # status
    _rule("status.unreachable", ERROR, "The server did not answer.",
          "Connection refused, host not found, or no answer within the probe's timeout: is the server running, "
          "on the port the base URL names?"),
    _rule("status.tls-error", ERROR, "The TLS handshake failed.",
          "Check the certificate, or use http:// for a server on this machine."),
    _rule("status.auth-failed", ERROR, "The server refused the key.",
          "A 401 or 403 on GET {baseUrl}/models. A server without auth still needs some key string."),
    _rule("status.wrong-path", ERROR, "GET {baseUrl}/models answered 404.",
          "The base URL usually lacks its /v1 suffix."),
    _rule("status.model-absent", ERROR, "A configured model is not among those the server serves.",
          "The model id is sent verbatim: it must be the server's own name for the model."),
    _rule("status.error", ERROR, "Any other failed answer.",
          "The server's status and a short, masked excerpt of its answer say what went wrong."),
    _rule("status.skipped", INFO, "An enabled endpoint that cannot be probed.",
          "It lacks a credential or a base URL, or speaks a protocol with no free model list."),
)

RULES: dict[str, Rule] = {entry.id: entry for entry in _ALL}


def diagnostic(rule: str, file: str, message: str, hint: str | None = None, *, span: Span | None = None,
               pointer: str | None = None, snippet: str | None = None) -> Diagnostic:
    """A diagnostic of ``rule`` at the severity this catalog gives it; an id missing here raises KeyError."""
    return Diagnostic(file, span, pointer, rule, RULES[rule].severity, message, hint, snippet)
