"""The catalog: every rule id any pbcfg command can print, as data.

One entry per id: default severity, a one-line summary, the explanation
``pbcfg lint --explain`` prints, what its fix does (``fix``) and which other
findings at its place it makes redundant (``supersedes``). SARIF's rule
table, ``--list-rules`` (and so the README's table), ``--explain``, lint's
severities and the migration list all read it; a test fails when a command
prints an id that is not here. Code that finds a problem names the id; the
severity it is reported at comes from here (or from the user's settings).
"""

from typing import NamedTuple

from pbcfg.diagnostics import Diagnostic, Severity, Span

__all__ = ["EVERY_OTHER", "GROUPS", "RULES", "Rule", "diagnostic"]

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


# ``supersedes`` of a finding that is the whole story of its value: every other finding there goes (a root cause,
# which speaks of the whole file, stays, with this finding's hint)
EVERY_OTHER = ("*",)


class Rule(NamedTuple):
    id: str
    severity: Severity
    summary: str
    explanation: str
    # what the safe fix does, as an edit operation: remove-item, set-value (:class:`pbcfg.source.edits.Edit`),
    # set-mode or write-file; None: no fix. A finding of validate with remove-item or remove-member is fixed by
    # removing what its pointer names; lint's rules build their fixes themselves.
    fix: str | None = None
    supersedes: tuple[str, ...] = ()  # rules whose findings at the same place this one's makes redundant

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def fixable(self) -> bool:
        return self.fix is not None


GROUPS = {
    "json": "JSON syntax, as PonyBunny's JSON.parse reads it",
    "yaml": "YAML sources",
    "limits": "what pbcfg reads at most, so that no input costs more than linear time and bounded memory",
    "schema": "the JSON Schemas",
    "ref": "references between entries and files",
    "ids": "ids PonyBunny's JavaScript misreads, or that invite mistakes",
    "ponybunny": "what PonyBunny's own code does that its docs, and pbcfg's runtime, do not",
    "secrets": "keys where they should not be, placeholders, file modes",
    "env": "credentials file against the environment",
    "url": "base URLs",
    "routing": "whether requests can reach a model",
    "merge": "surprises of PonyBunny's merge over its defaults",
    "files": "files and locations",
    "config": "pbcfg's own lint settings",
    "migrate": "pending migrations (`pbcfg migrate --check`)",
    "add": "`pbcfg add`",
    "edit": "`pbcfg rename` and `pbcfg remove`",
    "build": "`pbcfg build --check`",
    "resolve": "`pbcfg resolve`: the plan",
    "status": "`pbcfg status`: what each server answered",
    "doctor": "`pbcfg doctor`: whether each tier and agent can run",
}


def _rule(
    rule_id: str,
    severity: Severity,
    summary: str,
    explanation: str,
    fix: str | None = None,
    supersedes: tuple[str, ...] = (),
) -> Rule:
    return Rule(rule_id, severity, summary, explanation, fix, supersedes)


_ALL = (
    # json: strict JSON as JSON.parse reads it
    _rule(
        "json.syntax",
        ERROR,
        "The file is not valid JSON.",
        "PonyBunny reads the file with JSON.parse; anything it rejects makes PonyBunny ignore the file "
        "(llm-config.json: it runs on its built-in defaults; credentials.json: none of its keys are used).",
    ),
    _rule(
        "json.comment",
        ERROR,
        "JSON does not allow comments.",
        "PonyBunny's loader silently ignores a whole llm-config.json with a comment and runs on its built-in "
        "defaults. Delete the comment, or run `pbcfg migrate`, which strips comments and lists each one.",
    ),
    _rule(
        "json.trailing-comma",
        ERROR,
        "A comma before a closing bracket.",
        "JSON.parse rejects trailing commas, so PonyBunny would ignore the file.",
    ),
    _rule(
        "json.duplicate-key",
        ERROR,
        "A key appears twice in one object.",
        "JSON.parse keeps only the last value, so the earlier one is silently lost.",
    ),
    _rule(
        "json.bom",
        ERROR,
        "The file starts with a UTF-8 byte order mark.",
        "JSON.parse rejects a BOM; save the file as UTF-8 without BOM.",
    ),
    _rule(
        "json.lone-surrogate",
        ERROR,
        "A \\uD800-\\uDFFF escape without the other half of its pair.",
        "JSON escapes characters beyond U+FFFF as two \\u escapes, a surrogate pair; one half alone is not "
        "Unicode text. JSON.parse keeps it, but it cannot be encoded as UTF-8: a request carrying it is garbled "
        "or refused, and no file can store it. Delete the escape or write the character it was meant to be.",
    ),
    # yaml: sources for `pbcfg build`
    _rule(
        "yaml.syntax",
        ERROR,
        "The file is not valid YAML.",
        "A YAML source stands for one of PonyBunny's JSON files; one that does not parse builds nothing. "
        "The message names the line and column where the parser stopped.",
    ),
    _rule(
        "yaml.duplicate-key",
        ERROR,
        "A key appears twice in one YAML mapping.",
        "YAML forbids duplicate keys, and the JSON built from the source could keep only one of them.",
    ),
    _rule(
        "yaml.unsupported",
        ERROR,
        "YAML that JSON cannot hold: an alias, a tag, a date, a non-string key.",
        "A source stands for a JSON file: anchors and aliases (which can expand exponentially), custom tags, "
        "dates and non-string keys have no JSON equivalent, so pbcfg refuses them. Write the values out.",
    ),
    _rule(
        "yaml.lone-surrogate",
        ERROR,
        "A \\uD800-\\uDFFF escape without the other half of its pair.",
        "A double-quoted YAML scalar can spell half a UTF-16 surrogate pair with \\u; alone it is not Unicode "
        "text, and the JSON built from the source could not be written as UTF-8. Write the character itself.",
    ),
    # limits: what pbcfg reads at most (pbcfg.source.limits); no PonyBunny config comes near any of them
    _rule(
        "limits.file-size",
        ERROR,
        "A file larger than 64 MiB, or a YAML source larger than 1 MiB.",
        "pbcfg refuses it before reading a byte (exit 2): the biggest real PonyBunny configs are tens of kilobytes. "
        "Within it, reading takes time linear in the size and memory under 8 times the size, plus the "
        "interpreter's own. YAML is parsed in pure Python, at a few hundred kilobytes a second, hence its lower limit.",
    ),
    _rule(
        "limits.depth",
        ERROR,
        "More than 128 nested objects and arrays.",
        "The same limit in JSON and YAML, checked before any code that walks the document runs. PonyBunny's "
        "configs nest five levels; a file this deep is corrupted or hostile.",
    ),
    _rule(
        "limits.string-length",
        ERROR,
        "A string or key longer than 1,048,576 characters.",
        "No key, URL, id or name PonyBunny reads comes near it; usually a string left unclosed, or the wrong file.",
    ),
    _rule(
        "limits.values",
        ERROR,
        "More than 1,000,000 keys and array items in one file.",
        "A config of 50,000 models holds about 650,000; the limit bounds the memory a file can make pbcfg use.",
    ),
    # schema: one id per JSON Schema keyword the schemas use
    _rule(
        "schema.additionalProperties",
        ERROR,
        "An unknown key.",
        "The schemas list every key PonyBunny reads. An unknown key in llm-config.json is silently ignored "
        "by PonyBunny (usually a typo: the setting you meant is not applied). In credentials.json a key that is "
        "none of the credential fields makes PonyBunny refuse the whole file (reported as "
        "ponybunny.credentials-refused); a credential field a built-in endpoint does not use is ignored.",
    ),
    _rule(
        "schema.propertyNames",
        ERROR,
        "An empty id.",
        "Ids of endpoints, models, tiers and agents are object keys and must have at least one character. "
        "PonyBunny accepts any other string (spaces, a leading '_', any length); `ids.awkward-endpoint-id` "
        "warns about endpoint ids that are hard to use.",
    ),
    _rule(
        "schema.required",
        ERROR,
        "A required key is missing.",
        "A custom endpoint needs enabled, protocol and priority; a new model needs displayName, endpoints and "
        "costPer1kTokens; a tier needs its primary.",
    ),
    _rule(
        "schema.enum",
        ERROR,
        "A value outside the allowed set.",
        "The message lists every allowed value and the closest one to what was written.",
    ),
    _rule(
        "schema.const",
        ERROR,
        "A value that must be exactly one thing.",
        "A built-in endpoint always speaks its own protocol; define a custom endpoint id for another one.",
    ),
    _rule(
        "schema.type",
        ERROR,
        "A value of the wrong JSON type.",
        "Where PonyBunny's own schema checks the value too, its loader throws: for llm-config.json every LLM "
        "call then fails with ConfigValidationError (PonyBunny does not fall back to its defaults), and "
        "credentials.json is refused as a whole. A quoted number or boolean is the usual cause.",
    ),
    _rule(
        "schema.minimum",
        ERROR,
        "A number below its minimum.",
        "Priorities start at 1, timeouts at 1000 ms, costs and retries at 0.",
    ),
    _rule(
        "schema.maximum",
        ERROR,
        "A number above its maximum.",
        "Temperatures go up to 2; other limits are stated in the schema's description of the field.",
    ),
    _rule(
        "schema.minItems",
        ERROR,
        "A list that must not be empty.",
        "A model needs at least one endpoint: with none, PonyBunny has nowhere to send its requests.",
    ),
    _rule(
        "schema.minLength", ERROR, "A string that must not be empty.", "Ids and names must have at least one character."
    ),
    _rule(
        "schema.uniqueItems",
        ERROR,
        "A list with a repeated entry.",
        "Each capability is listed once; a repeat says nothing more and usually hides a typo elsewhere.",
    ),
    _rule(
        "schema.format",
        ERROR,
        "A URL that is not an absolute http:// or https:// URL.",
        "PonyBunny sends requests to {baseUrl}/chat/completions with Node's fetch, which parses the URL the "
        "WHATWG way: an upper-case scheme or host and an international host name work; no scheme "
        "(localhost:8000/v1 reads as the scheme 'localhost:'), another scheme (ftp:), whitespace, a bad host "
        "or port fail, and a backslash is read as '/', so the request goes to another host or path.",
    ),
    _rule(
        "schema.pattern",
        ERROR,
        "A string that does not have the required form.",
        "The message quotes the schema's description of the form.",
    ),
    _rule(
        "schema.other", ERROR, "Any other schema violation.", "The message names the JSON Schema keyword that failed."
    ),
    # ref: references between entries and files
    _rule(
        "ref.unknown-endpoint",
        ERROR,
        "A model names an endpoint that does not exist.",
        "Every id in a model's endpoints must be a built-in endpoint or be defined under endpoints; otherwise "
        "PonyBunny cannot route the model there.",
    ),
    _rule(
        "ref.unknown-model",
        ERROR,
        "A tier or agent names a model that does not exist.",
        "primary and fallback must name a built-in model or one defined under models. PonyBunny never checks "
        "this and fails only when the chain reaches the missing model.",
    ),
    _rule(
        "ref.fallback-repeat",
        WARNING,
        "A fallback repeats the primary or an earlier fallback.",
        "A model is tried once per chain; the repeated entry does nothing.",
        fix="remove-item",
    ),
    _rule(
        "ref.undefined-endpoint",
        ERROR,
        "Credentials for an endpoint id llm-config.json does not define.",
        "PonyBunny uses credentials under a custom id only when llm-config.json defines an endpoint with that "
        "id; these are never used. Often a typo in the id.",
    ),
    # ids
    _rule(
        "ids.prototype-name",
        ERROR,
        "An id PonyBunny's JavaScript reads as an object internal.",
        "PonyBunny keeps each section in a plain JavaScript object. '__proto__' as a model, agent or endpoint id "
        "becomes the section's prototype in its merge, and its schema check then throws ConfigValidationError "
        "on every load, so every LLM call fails; as a tier id it silently disappears. An endpoint id that every "
        "object inherits (constructor, toString, valueOf, …) makes Path B's credential lookup crash with a "
        "TypeError for every chain that reaches it. constructor and prototype as model, agent or tier ids, and "
        "prototype as an endpoint id, work, and are not reported.",
    ),
    _rule(
        "ids.awkward-endpoint-id",
        WARNING,
        "An endpoint id PonyBunny accepts but that is awkward to use.",
        "PonyBunny accepts any string as an endpoint id (spaces, a leading '_', 80 characters), and so does "
        "pbcfg. But an id with spaces or other punctuation must be quoted in every shell command and URL, one "
        "that starts with '_', '-' or '.' is easy to misread (a leading '-' looks like an option), and a long "
        "one is hard to read in logs. Letters, digits, '.', '_' and '-', starting with a letter or digit, at "
        "most 64 characters, are easiest.",
    ),
    # secrets
    _rule(
        "secrets.credential-in-llm-config",
        ERROR,
        "A credential field in llm-config.json.",
        "PonyBunny reads keys only from credentials.json and the environment, so a key in llm-config.json does "
        "nothing, and it sits in a file that is usually world-readable and committed. Move it to "
        "credentials.json (mode 0600) or to its environment variable, and rotate it if the file was shared.",
        supersedes=("schema.additionalProperties",),
    ),
    _rule(
        "secrets.placeholder-key",
        ERROR,
        "A placeholder key in an enabled endpoint.",
        "Keys such as sk-xxx or your-api-key-here come from examples and make every request fail "
        "authentication, which PonyBunny reports only at run time. The usual no-key values (not-needed, EMPTY, "
        "ollama, lm-studio, sk-no-key-required) are fine for a local server, not for a vendor's API.",
    ),
    _rule(
        "secrets.file-permissions",
        ERROR,
        "credentials.json readable by others, or its directory not 0700.",
        "credentials.json holds keys: it should be mode 0600 in a directory of mode 0700, as PonyBunny's own "
        "init makes them. The fix sets exactly those modes. Not checked in a git work tree, where git checks "
        "files out 0644 and modes say nothing about the machine that runs PonyBunny, unless "
        'environment = "check" in [tool.pbcfg.lint].',
        fix="set-mode",
    ),
    _rule(
        "secrets.key-in-git",
        ERROR,
        "A real-looking key in a credentials file inside a git work tree.",
        "A credentials.json in a git work tree (and not ignored by git) is committed with the repository, and "
        "every key in it with it. A value of a secret field that is 16 characters or longer, with letters and "
        "digits, and is neither a no-key value (not-needed, EMPTY, ollama, …) nor a placeholder counts as "
        "real. Keep keys in their environment variables (the six cloud endpoints), or keep the file out of "
        "the repository; rotate a key that was ever pushed. A credentials.json without secret values lints "
        "clean.",
    ),
    _rule(
        "secrets.key-staged",
        ERROR,
        "A key of credentials.json in another file staged for commit.",
        "In a git work tree, every staged file (the index: what the next commit takes) is searched for the "
        "real-looking keys of the credentials file being checked: a copy, a backup, a note or a script holding "
        "one publishes it with the commit, whatever the credentials file itself does. Each such file is "
        "reported once, at the first place it holds a key. Unstage it (`git rm --cached FILE`, and list it in "
        ".gitignore) or delete the key from it; rotate a key that was ever pushed.",
    ),
    # secrets in public places (pbcfg.check.public_secrets, secrets.key-for-another-service in lint)
    _rule(
        "secrets.url-credentials",
        ERROR,
        "A user name or password in a URL of llm-config.json.",
        "llm-config.json, and the YAML source it is built from, are not kept secret: usually world-readable and "
        "committed, and `pbcfg build` copies them as they are. A URL's `user:password@` there publishes the "
        "password. Remove it from the URL, put the key in apiKey of the endpoint in credentials.json (mode 0600) "
        "or its environment variable, and rotate it if the file was shared. A build refuses to write it.",
    ),
    _rule(
        "secrets.key-in-public-field",
        ERROR,
        "An API key in a field that is not secret (baseUrl, region, …).",
        "A string shaped like a vendor's API key (sk-…, sk-ant-…, AIza…, AKIA…) in baseUrl, endpoint, region "
        "or projectId of credentials.json, or in any field of llm-config.json or its YAML source: the key was "
        "pasted into the wrong field. PonyBunny and pbcfg show those fields in full, and llm-config.json is not "
        "kept secret. The key belongs in apiKey of the endpoint in credentials.json (or its environment "
        "variable); rotate it if the file was shared. This finding is the whole story of the value: no other "
        "finding at it is reported (a root cause of the whole file still is), and the key is masked in every "
        "output. A build refuses to write it.",
        supersedes=EVERY_OTHER,
    ),
    _rule(
        "secrets.key-for-another-service",
        WARNING,
        "A key whose shape names another service than the endpoint's.",
        "Vendors' keys have their own prefixes: sk-ant- is Anthropic's, sk- and sk-proj- OpenAI's, AIza Google's. "
        "An Anthropic key under an OpenAI-protocol endpoint, a Google key under Anthropic or OpenAI's own API, or "
        "an OpenAI key under anthropic-direct or a Gemini endpoint is refused by the server (401): usually two "
        "keys swapped between entries. A proxy that takes its vendor's keys through another protocol is the "
        "exception: ignore the rule for that endpoint.",
    ),
    # env
    _rule(
        "env.disabled-silences-env",
        WARNING,
        "enabled: false in credentials.json silences a set env var.",
        '"enabled": false in credentials.json turns the endpoint off even when its environment variables are '
        "set. PonyBunny's own init writes enabled: false for every built-in endpoint, so keys exported in the "
        "shell are silently ignored. Remove the entry or set enabled to true.",
    ),
    _rule(
        "env.conflict",
        WARNING,
        "A file value and a set env var differ.",
        "For the built-in cloud endpoints the docs, pbcfg's runtime and both of PonyBunny's code paths agree: a "
        "non-empty environment variable wins, so the file's value is dead and only confuses the next reader. "
        "(openai-compatible differs: see env.ignored-on-path-b and env.file-base-url-wins.)",
    ),
    _rule(
        "env.ignored-on-path-b",
        WARNING,
        "An OPENAI_COMPATIBLE_* variable that PonyBunny's Path B ignores.",
        "The docs say OPENAI_COMPATIBLE_API_KEY and OPENAI_COMPATIBLE_BASE_URL configure the openai-compatible "
        "endpoint, and pbcfg's runtime and PonyBunny's Path A (work items, planning) read them. PonyBunny's "
        "Path B, the conversation agent, never does: only credentials.json counts there, so the agent calls the "
        "server without a key, at another URL, or not at all. Write the value into credentials.json and every "
        "path agrees.",
    ),
    _rule(
        "env.file-base-url-wins",
        WARNING,
        "A baseUrl in credentials.json beats OPENAI_COMPATIBLE_BASE_URL.",
        "The docs, and pbcfg's runtime, let a non-empty environment variable win over the file. For "
        "openai-compatible PonyBunny does the opposite: Path A takes a non-empty baseUrl from credentials.json "
        "over OPENAI_COMPATIBLE_BASE_URL, and Path B never reads the variable, so PonyBunny never uses it while "
        "pbcfg's runtime does. Keep one of the two.",
    ),
    _rule(
        "env.split-credentials",
        WARNING,
        "Required fields split between the file and the environment.",
        "pbcfg's runtime and PonyBunny's Path A take each required field from the environment or the file. "
        "PonyBunny's Path B wants all of an endpoint's required fields from one place: all in credentials.json, "
        "or all in the environment; split, the endpoint is unusable there (aws-bedrock: accessKeyId and "
        "secretAccessKey; azure-openai: apiKey and endpoint). Put them together.",
    ),
    _rule(
        "env.missing-credential",
        ERROR,
        "An endpoint your files enable lacks a required credential here.",
        "An endpoint that is enabled but has no value for a required credential, in the file or in its "
        "environment variable, cannot serve a request: pbcfg's runtime skips it, and so does PonyBunny for its "
        "built-in endpoints (its Path B still calls an openai-compatible or custom endpoint without a key: "
        "ponybunny.keyless-endpoint). Which keys a process "
        "holds says something about the machine that runs PonyBunny only when lint runs there, or in a CI job "
        'that holds the same keys: so this is reported only with environment = "check" in '
        "[tool.pbcfg.lint], for the endpoints your files enable. Otherwise, and for endpoints only PonyBunny's "
        "defaults enable, one line of the summary lists them (`pbcfg resolve` shows each).",
    ),
    # url
    _rule(
        "url.trailing-slash",
        WARNING,
        "A base URL ends with '/'.",
        "PonyBunny appends paths such as /chat/completions to the base URL, so a trailing slash gives a double "
        "slash that some servers answer with 404. The fix removes the slash.",
        fix="set-value",
    ),
    _rule(
        "url.missing-v1",
        WARNING,
        "An OpenAI-compatible base URL without a /v1-style suffix.",
        "OpenAI-compatible servers serve the API under a versioned path: requests go to "
        "{baseUrl}/chat/completions, so http://localhost:11434 must be http://localhost:11434/v1. Without it "
        "the server answers 404 and PonyBunny reports the model as unavailable. When the port is a local "
        "server's default (11434 Ollama, 1234 LM Studio, 8000, 8080, 5000) and the URL has no path, "
        "`--fix --unsafe-fixes` adds /v1: unsafe, because another server may listen on that port.",
    ),
    _rule(
        "url.plain-http-with-key",
        WARNING,
        "A key sent over plain http to another host.",
        "An http:// URL to a host other than this machine sends the API key in clear text over the network. "
        "Use https://, or keep plain http for servers on localhost.",
    ),
    _rule(
        "url.port-key-mismatch",
        INFO,
        "A no-key value of another server than the one the port names.",
        "Local servers ignore the key, but each preset has its usual value (ollama for Ollama on 11434, "
        "lm-studio for LM Studio on 1234, EMPTY for vLLM and FastChat on 8000, …). The value of one server "
        "beside the default port of another usually means a URL or a key copied from another setup: check "
        "that the port is the server's.",
    ),
    # routing
    _rule(
        "routing.unused-endpoint",
        WARNING,
        "An enabled endpoint that no model uses.",
        "An endpoint serves requests only for the models that list it in their endpoints. An enabled endpoint "
        "no model names is configured for nothing; often a model's endpoints list was not updated.",
    ),
    _rule(
        "routing.model-unreachable",
        WARNING,
        "A model of your file with no usable endpoint.",
        "A model is usable when at least one of its endpoints is enabled in llm-config.json, not disabled in "
        "credentials.json, has every required credential and a base URL. Reported once per cause, at the "
        "cause (the endpoint that is off, or the credential that is missing), naming the models it leaves "
        "without an endpoint and the tiers and agents that skip them. A credential an environment variable "
        'could supply counts as there unless environment = "check".',
    ),
    _rule(
        "routing.chain-unusable",
        ERROR,
        "A tier or agent PonyBunny reads whose chain reaches no usable model.",
        "Every model in the chain (primary, then fallbacks, as PonyBunny merges them) lacks a usable endpoint. "
        "Checked for what PonyBunny's code looks up: the tiers simple, medium and complex and the agents "
        "conversation, agent_a_market_listener and execution. Reported once per cause, at the cause, with "
        "every tier and agent it takes down; `pbcfg resolve` shows each attempt.",
    ),
    _rule(
        "routing.fallback-weaker",
        WARNING,
        "A fallback with a smaller context or fewer capabilities.",
        "A fallback serves the requests its primary could not: if its maxContextTokens is smaller, long prompts "
        "fail again; if it lacks a capability (vision, function-calling, json-mode), requests that need it fail "
        "on the fallback. Checked for chains your file configures.",
    ),
    _rule(
        "routing.repeated-endpoint",
        WARNING,
        "A model lists the same endpoint twice.",
        "PonyBunny keeps the repeat: both of its code paths send the request to that endpoint again right after "
        "it failed, and pbcfg's runtime retries it too when nothing else is left. A repeat adds nothing. The fix "
        "removes the later entries.",
        fix="remove-item",
    ),
    _rule(
        "routing.priority-tie",
        INFO,
        "Two endpoints of one model have the same priority.",
        "pbcfg's runtime and PonyBunny's Path B try the endpoints of a model in ascending priority (its Path A "
        "ignores priority and keeps the list order). With equal priorities, the order falls to the model's "
        "endpoints list, which is easy to change by accident. Give them distinct priorities.",
    ),
    _rule(
        "routing.unused-name",
        WARNING,
        "A tier or agent name PonyBunny never looks up.",
        "PonyBunny's code reads the tiers simple, medium and complex, and looks up only the agents "
        'conversation, agent_a_market_listener and execution. Another name (a typo such as "simpel") is '
        "accepted and silently does nothing. The other agents of its defaults (input-analysis, planning, "
        "verification, response-generation) are never looked up either: reported only when your file changes "
        "them, since `pb init` writes them as they are.",
    ),
    # merge
    _rule(
        "merge.partial-tier",
        INFO,
        "A tier override without fallback keeps the built-in fallbacks.",
        "PonyBunny deep-merges llm-config.json over its defaults and arrays replace only when given, so "
        '{"primary": "my-model"} for a built-in tier keeps the default fallback models behind it. Write a '
        "fallback array (even an empty one) to say what you mean.",
    ),
    _rule(
        "merge.agent-default-primary",
        WARNING,
        "An agent's tier is overridden but the built-in primary wins.",
        "A built-in agent with its own primary (execution uses claude-sonnet-4-5-20250929) keeps that primary "
        "after the merge when your file sets only its tier, so the tier's primary is never used first. Set the "
        "agent's primary too.",
    ),
    _rule(
        "merge.changed-default",
        INFO,
        "Relying on a default that changed.",
        "aws-bedrock became enabled by default on 2026-02-19 and codex is enabled by default; a file that does "
        "not say enabled for them runs differently on different PonyBunny versions. Pin enabled explicitly "
        "(`pbcfg migrate --pin-defaults`).",
    ),
    _rule(
        "merge.temperature-zero",
        WARNING,
        "defaults.temperature is 0.",
        "One of PonyBunny's code paths reads the temperature as `temperature || 0.7`, so an explicit 0 turns "
        "into 0.7 there. Use a small positive value such as 0.01 for near-deterministic output.",
    ),
    # files
    _rule(
        "files.legacy-copy",
        WARNING,
        "A copy in ~/.ponybunny beside the new config directory.",
        "PonyBunny moved its directory from ~/.ponybunny to ~/.config/ponybunny on 2026-02-20. When both hold a "
        "file, the legacy copy is silently ignored, so edits made there do nothing. Merge what you need and "
        "delete the legacy copy.",
    ),
    _rule(
        "files.stale-schema",
        WARNING,
        "A *.schema.json beside the files is missing or stale.",
        "The $schema key of each file points at a schema file beside it, which editors use for completion and "
        "checks. PonyBunny writes those only in `pb init`, so they go missing or stale (an old one lacks the "
        "codex protocol). The fix writes pbcfg's current schemas. That changes what PonyBunny does: it then "
        "validates your files against pbcfg's stricter schema, so a typo it used to ignore makes its loader "
        "throw (see ponybunny.config-refused). A missing one is reported at the $schema key that names it.",
        fix="write-file",
    ),
    _rule(
        "files.llm-config-absent",
        INFO,
        "credentials.json without an llm-config.json beside it.",
        "PonyBunny then runs on its built-in defaults, where openai-compatible, azure-openai and "
        "google-vertex-ai are off and no custom endpoint exists: their entries in credentials.json are not "
        "used. Said once, at credentials.json.",
    ),
    _rule(
        "files.backup-in-work-tree",
        WARNING,
        "A backup beside a config file in a git work tree.",
        "Backups made outside a work tree sit beside their files (NAME.bak, NAME.N.bak, NAME.STAMP.N.bak). Once "
        "the directory is in a git work tree they are untracked files that `git add -A` commits, with every key "
        "they hold. `pbcfg backups DIR --move` moves them under the git directory (.git/pbcfg/backups/), where "
        "pbcfg keeps backups in a work tree and no commit takes them; any pbcfg write to the file does too.",
    ),
    # ponybunny: how PonyBunny's loaders take the files, and where its code paths differ from the docs
    _rule(
        "ponybunny.file-ignored",
        ERROR,
        "PonyBunny will ignore the file: its schema file cannot be compiled.",
        "PonyBunny validates each file with the schema file of the fixed name beside it (llm-config.schema.json, "
        "credentials.schema.json), whatever $schema says, compiled by Ajv 2020 with ajv-formats. When Ajv "
        "cannot compile it ($schema naming draft-07, 2019-09 or any URI other than draft 2020-12's; "
        '{"type": 12}; null), PonyBunny ignores the file: for llm-config.json it runs on its built-in defaults, '
        "and no key of credentials.json is used. Delete the schema file, or write pbcfg's.",
    ),
    _rule(
        "ponybunny.config-refused",
        ERROR,
        "PonyBunny will refuse llm-config.json: its schema file rejects it.",
        "When llm-config.schema.json beside the config compiles, PonyBunny validates your file merged over its "
        "defaults against it, and a failure throws ConfigValidationError on every load: it does not fall back "
        "to its defaults, every LLM call fails. pbcfg validates the merged config against that file the way "
        "PonyBunny does (Ajv 2020, allErrors, strict: false, ajv-formats) and reports each failure.",
    ),
    _rule(
        "ponybunny.credentials-refused",
        ERROR,
        "PonyBunny will refuse credentials.json, so none of its keys are used.",
        "PonyBunny validates credentials.json with the schema file beside it, or its built-in schema, which "
        "allows only $schema and endpoints and, in an entry, only enabled and the credential fields, as strings. "
        "A failure makes its loader throw CredentialsValidationError: no key in the file is used, every call of "
        "the conversation agent (Path B) fails, work items and planning (Path A) find no endpoint, even one keyed "
        "by an environment variable, and `pb` services exit at start. This is the root cause, reported first; "
        "pbcfg's own finding at the same key is folded into it.",
    ),
    _rule(
        "ponybunny.schema-file-unreadable",
        WARNING,
        "A schema file beside the config that PonyBunny cannot read.",
        "A *.schema.json that is not JSON, or cannot be read, makes PonyBunny warn and validate with the schema "
        "built into its loader instead; editors cannot use it either. A FIFO in its place blocks PonyBunny's "
        "loader.",
    ),
    _rule(
        "ponybunny.keyless-endpoint",
        WARNING,
        "An OpenAI-protocol endpoint without a key, which Path B calls anyway.",
        "pbcfg's runtime and PonyBunny's Path A need an apiKey for openai-compatible, and pbcfg's runtime for a "
        "custom OpenAI endpoint too, so they drop an endpoint without one. PonyBunny's Path B counts "
        "openai-compatible and every custom endpoint as having credentials: when its credentials.json entry has "
        "any other non-empty field (such as baseUrl), or AWS_REGION or GOOGLE_CLOUD_REGION is set, it calls the "
        "server with no Authorization header; otherwise it fails with 'Missing credentials' and skips the "
        "endpoint for 30 s. For a server that needs no key, write a no-key value (not-needed, EMPTY, ollama) as "
        "apiKey in credentials.json, and every path agrees.",
    ),
    _rule(
        "ponybunny.skipped-after-failure",
        WARNING,
        "A later model of a chain that Path B skips after a failure.",
        "After any failed call (a 500, a timeout, an unknown model), PonyBunny's Path B marks the endpoint failed "
        "for 30 s, for every model. A later model of the same chain that has no endpoint outside those of the "
        "models before it is then never tried on Path B, while pbcfg's runtime still tries it (its cool-down never "
        "skips the last option). Give the fallback another endpoint, or expect it to help only on pbcfg's "
        "runtime.",
    ),
    # ponybunny: endpoints PonyBunny's protocol adapters cannot call, which pbcfg's runtime can
    _rule(
        "ponybunny.bedrock-unsigned",
        WARNING,
        "A Bedrock endpoint PonyBunny cannot call.",
        "PonyBunny sends aws-bedrock requests with its Anthropic adapter: Anthropic's Messages body, posted to the "
        "base URL as it is (without a baseUrl: on the work-item path to the literal "
        "https://bedrock-runtime.{region}.amazonaws.com, on the conversation agent's to no URL at all), with no "
        "/model/{id}/invoke path and no SigV4 signature, so every call fails and it moves on to the model's next "
        "endpoint. pbcfg's runtime calls "
        "Bedrock's InvokeModel with the Bedrock model id, signed with SigV4 (pip install 'pbcfg[aws]').",
    ),
    _rule(
        "ponybunny.vertex-no-auth",
        WARNING,
        "A Vertex AI endpoint PonyBunny calls without auth.",
        "PonyBunny's Gemini adapter never sends an Authorization header. For a base URL on "
        "aiplatform.googleapis.com it builds the Vertex AI URL, and Google refuses every call with 401; any other "
        "base URL is posted to as it is, naming no model. Without a baseUrl its work-item path uses the built-in "
        "https://{region}-aiplatform.googleapis.com/v1 (so the Vertex AI URL, and a 401) and its conversation "
        "agent has no URL at all. pbcfg's runtime sends a Bearer token from Application Default "
        "Credentials (pip install 'pbcfg[gcp]'), cached and fetched anew on a 401.",
    ),
    _rule(
        "ponybunny.gemini-bare-url",
        WARNING,
        "A Gemini endpoint whose base URL makes PonyBunny send no model and no key.",
        "PonyBunny builds {base}/models/{model}:generateContent?key=… only when the base URL holds "
        "generativelanguage.googleapis.com; any other base URL (a proxy, a local server) that does not hold "
        "aiplatform.googleapis.com (which gets the Vertex AI URL) is posted to as it is, with no model in the URL or the body and no key. pbcfg's runtime calls "
        "{base}/models/{model}:generateContent (:streamGenerateContent?alt=sse for a stream) with the key in the "
        "x-goog-api-key header, never in a URL.",
    ),
    _rule(
        "files.interrupted-write",
        ERROR,
        "A pbcfg write of both files was interrupted halfway.",
        "pbcfg writes credentials.json and llm-config.json as one unit, but two renames cannot be one: a "
        "process killed between them leaves one file new and the other old, and the pair may not match (a "
        "model naming an endpoint the other file lacks). The message says which file is new and where the "
        "previous version of each is kept. Compare them, restore a backup if needed, then delete the "
        ".pbcfg-pending.json record beside them; until then pbcfg writes nothing into that directory.",
    ),
    # config: pbcfg's own settings
    _rule(
        "config.unknown",
        ERROR,
        "An unknown key or rule id in pbcfg's lint settings.",
        "[tool.pbcfg.lint] in pyproject.toml, or [lint] in .pbcfg.toml, takes select, ignore, severity, "
        "per-file-ignores and per-pointer-ignores, with rule ids or groups from `pbcfg lint --list-rules`, and "
        "environment (check, summary or ignore). "
        "A misspelled one would silently do nothing, so it is an error, with the closest spelling.",
    ),
    # migrate: one id per migration, in the order they run
    _rule(
        "migrate.location",
        ERROR,
        "Files in ~/.ponybunny and none in the new directory.",
        "PonyBunny moves credentials.json and llm-config.json (and their schema files) out of ~/.ponybunny into "
        "its config directory on its next start, each one the directory lacks, as it is; with "
        "$PONYBUNNY_CONFIG_DIR set it never reads them. `pbcfg migrate` makes the move and the file's migration "
        "as one step, or neither: the new file gets the migrated content and the legacy file's mode (credentials "
        "0600, directory 0700), nothing is ever overwritten, and the legacy file is removed, or kept as NAME.bak "
        "beside it when its content changed. A file both places hold does not move (files.legacy-copy).",
    ),
    _rule(
        "migrate.strict-json",
        ERROR,
        "JSON with comments or trailing commas.",
        "Becomes strict JSON; each removed comment is listed with its line.",
    ),
    _rule(
        "migrate.credential-keys",
        ERROR,
        "Credential keys from before the strict schema.",
        "baseURL, base_url -> baseUrl; api_key, apikey, key -> apiKey; the same for the other fields; "
        'non-string values -> strings; "true" -> true.',
    ),
    _rule(
        "migrate.fallback-array",
        ERROR,
        "A fallback written as a string.",
        "tiers.*.fallback and agents.*.fallback become a one-element array.",
    ),
    _rule(
        "migrate.model-references",
        ERROR,
        "A reference to a model id the defaults renamed.",
        "An undated or dated Claude id that is not defined becomes the form that is; others only with "
        "--rename-model OLD=NEW.",
    ),
    _rule(
        "migrate.pin-defaults",
        ERROR,
        "A file that relies on a default that flipped (opt-in).",
        "With --pin-defaults: enabled: false for aws-bedrock and codex where the file does not say.",
    ),
    _rule(
        "migrate.schema-files",
        ERROR,
        "A stale or missing *.schema.json that the files point at.",
        "Replaced by pbcfg's current schema, which editors use for completion and checks.",
    ),
    _rule(
        "migrate.unknown-key",
        WARNING,
        "A credential key with no known spelling, left in place.",
        "PonyBunny rejects it, and with it the whole credentials.json. Rename it by hand, or pass "
        "--drop-unknown to drop it.",
    ),
    _rule(
        "migrate.conflict",
        ERROR,
        "Two spellings of one field with different values.",
        "pbcfg will not pick one: keep one by hand, then run pbcfg migrate again. Nothing was written.",
    ),
    _rule(
        "migrate.blocked",
        ERROR,
        "A step that cannot run on this file.",
        "The file has a problem no migration fixes (a hard syntax error, a top level that is not an object); "
        "fix it by hand first. Nothing was written.",
    ),
    # add
    _rule(
        "add.conflict",
        ERROR,
        "The preset's endpoint or model already exists.",
        "pbcfg add never overwrites an entry silently: pass --replace to overwrite it, or --endpoint-id for "
        "another server's own slot.",
    ),
    _rule(
        "add.invalid-result",
        ERROR,
        "The config would not validate after the add.",
        "Nothing was written; the diagnostic says what the merged result would break.",
    ),
    # edit: rename and remove
    _rule(
        "edit.conflict",
        ERROR,
        "The new id is already taken.",
        "pbcfg rename never merges two entries into one: the new id is defined in the file, or is one of "
        "PonyBunny's built-in ids. Pick another id, or remove the entry that has it first.",
    ),
    _rule(
        "edit.referenced",
        ERROR,
        "The entry to remove is still referenced.",
        "A tier, agent or model still names it, and PonyBunny refuses a reference to an id that does not "
        "exist (it then runs on its defaults). Pass --cascade to change every reference too (each change is "
        "listed; --diff shows them first), or change the references by hand.",
    ),
    _rule(
        "edit.invalid-result",
        ERROR,
        "The config would not validate after the edit.",
        "Nothing was written; the diagnostic says what the edited config would break.",
    ),
    # build
    _rule(
        "build.out-of-date",
        ERROR,
        "A built JSON file differs from the one on disk.",
        "The JSON files PonyBunny reads are built from the YAML sources: run `pbcfg build` and commit the result.",
    ),
    # resolve
    _rule(
        "resolve.no-route",
        ERROR,
        "No (model, endpoint) pair of the chain is usable.",
        "Every request for this tier, agent or model would fail before reaching a server. The dropped pairs "
        "say why each one is out.",
    ),
    _rule(
        "resolve.dropped",
        INFO,
        "A (model, endpoint) pair the plan leaves out, and why.",
        "Disabled, a missing credential, no base URL, or a protocol pbcfg's runtime does not speak.",
    ),
    # status
    _rule(
        "status.unreachable",
        ERROR,
        "The server did not answer.",
        "Connection refused, host not found, or no answer within the probe's timeout: is the server running, "
        "on the port the base URL names?",
    ),
    _rule(
        "status.tls-error",
        ERROR,
        "The TLS handshake failed.",
        "Check the certificate, or use http:// for a server on this machine.",
    ),
    _rule(
        "status.auth-failed",
        ERROR,
        "The server refused the key.",
        "A 401 or 403 on GET {baseUrl}/models. A server without auth still needs some key string.",
    ),
    _rule(
        "status.wrong-path", ERROR, "GET {baseUrl}/models answered 404.", "The base URL usually lacks its /v1 suffix."
    ),
    _rule(
        "status.proxy-auth",
        ERROR,
        "A proxy cannot check the key.",
        'A LiteLLM proxy with a master key and no database answers any other key with 400 "No connected db.": '
        "only its master key works. Set apiKey to the proxy's master key, or give the proxy a database for "
        "virtual keys.",
    ),
    _rule(
        "status.proxy-config",
        ERROR,
        "A proxy's own configuration failed.",
        "The proxy answered with an error about its own setup: the provider behind it refused the proxy's key "
        "(LiteLLM's litellm.AuthenticationError), or it cannot route the model. Fix the proxy's configuration; "
        "pbcfg's key is not the one refused.",
    ),
    _rule(
        "status.model-absent",
        ERROR,
        "A configured model is not among those the server serves.",
        "The model id is sent verbatim: it must be the server's own name for the model. The hint lists what the "
        "server serves and the closest id. llama.cpp's server with one model loaded answers every id, so it is "
        "never reported here.",
    ),
    _rule(
        "status.redirect",
        ERROR,
        "The server answered with a redirect.",
        "pbcfg never follows a redirect: it would resend the key to wherever it points. Put the URL it points to "
        "in baseUrl.",
    ),
    _rule(
        "status.bad-response",
        ERROR,
        "The answer is not an OpenAI model list.",
        "GET {baseUrl}/models answered 200 with something else (HTML, another JSON shape, or more than 16 MiB): "
        "the base URL is probably not an OpenAI-compatible API.",
    ),
    _rule(
        "status.config-error",
        ERROR,
        "A base URL or key that no request could carry.",
        "A key with a line break or another character an HTTP header cannot hold, or a base URL whose port is not "
        "a number, that is not http(s), or that has bytes that are not text. The message names where the value "
        "comes from and never repeats it.",
    ),
    _rule(
        "status.error",
        ERROR,
        "Any other failed answer.",
        "The server's status and a short, masked excerpt of its answer say what went wrong.",
    ),
    _rule(
        "status.skipped",
        INFO,
        "An enabled endpoint that cannot be probed.",
        "It lacks a credential or a base URL, or speaks a protocol with no free model list.",
    ),
    # doctor
    _rule(
        "doctor.cannot-run",
        ERROR,
        "A tier or agent you configured cannot run.",
        "No (model, endpoint) pair of its plan would answer: each was dropped (the reason says why) or failed "
        "its probe. The message names the first thing to fix.",
    ),
    _rule(
        "doctor.falls-back",
        WARNING,
        "A tier or agent you configured runs only on a fallback.",
        "Its first model does not answer on the first endpoint the plan tries; a later pair does. The message "
        "names the first thing to fix.",
    ),
)

RULES: dict[str, Rule] = {entry.id: entry for entry in _ALL}


def diagnostic(
    rule: str,
    file: str,
    message: str,
    hint: str | None = None,
    *,
    span: Span | None = None,
    pointer: str | None = None,
    snippet: str | None = None,
) -> Diagnostic:
    """A diagnostic of ``rule`` at the severity this catalog gives it; an id missing here raises KeyError."""
    return Diagnostic(file, span, pointer, rule, RULES[rule].severity, message, hint, snippet)
