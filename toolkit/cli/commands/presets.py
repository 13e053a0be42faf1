"""``pbcfg presets``, ``render`` and ``init``: configs for a service, generated from its preset."""

from __future__ import annotations

import click

from pbcfg.cli.commands.options import config_dir_option, report_options

__all__ = ["add", "init", "preset_options", "presets", "render"]


def _preset_names(ctx, param, incomplete: str) -> list[str]:
    """Shell completion of a preset's name."""
    from pbcfg.presets.service_presets import presets as all_presets

    return [name for name in all_presets() if name.startswith(incomplete)]


def preset_options(command):
    options = [
        click.option("--base-url", help="Server base URL (default: the preset's, e.g. http://localhost:11434/v1)."),
        click.option("--api-key", help="The key, written to credentials.json (never echoed)."),
        click.option("--api-key-env", metavar="VAR", help="Keep the key in this environment variable instead."),
        click.option(
            "--model", "models", multiple=True, metavar="NAME", help="Model id, as the server names it (repeatable)."
        ),
        click.option("--endpoint-id", help="Endpoint slot (default: the preset's; a new id adds another server)."),
        click.option(
            "--tier",
            help="Make the first model this tier's primary; the tier's current primary, then "
            "its fallbacks, become the fallback.",
        ),
        click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="Any other preset parameter."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def source_option(command):
    return click.option(
        "--source",
        type=click.Choice(["json", "yaml"]),
        default="json",
        show_default=True,
        help="yaml: commented YAML sources for `pbcfg build`, instead of the JSON PonyBunny reads.",
    )(command)


def parameters(base_url, api_key, api_key_env, models, endpoint_id, tier, settings):
    from pbcfg.errors import UsageError
    from pbcfg.presets.render import Parameters

    pairs = []
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--set {item!r}: expected KEY=VALUE")
        pairs.append((key.strip(), value))
    return Parameters(base_url, api_key, api_key_env, tuple(models), endpoint_id, tier, tuple(pairs))


@click.command()
@click.argument("name", required=False, shell_complete=_preset_names)
@report_options
@click.pass_context
def presets(ctx, name: str | None, fmt, output, fail_on, color) -> None:
    """List the presets, or show one preset's parameters, defaults and notes.

    --format json gives them under "presets": name, description, endpoint id, base URL, key field, models, notes.

    \b
    Examples:
      pbcfg presets            every preset, one line each
      pbcfg presets ollama     its endpoint, base URL, key, models and notes
      pbcfg presets --format json
    """
    from pbcfg.cli.data_report import emit_data
    from pbcfg.presets.service_presets import get_preset
    from pbcfg.presets.service_presets import presets as all_presets

    chosen = [get_preset(name)] if name else list(all_presets().values())
    text = _preset_text(chosen[0]) if name else _preset_list_text(chosen)
    ctx.exit(
        emit_data(
            "presets",
            "presets",
            [_preset_data(p) for p in chosen],
            text,
            fmt=fmt,
            output=output,
            fail_on=fail_on,
            color=color,
        )
    )


def _preset_list_text(chosen) -> str:
    width = max(len(preset.name) for preset in chosen)
    return "".join(f"{preset.name:<{width}}  {preset.description}\n" for preset in chosen)


def _preset_data(preset) -> dict:
    from pbcfg.presets.service_presets import settable

    return {
        "name": preset.name,
        "description": preset.description,
        "endpointId": preset.endpoint_id,
        "baseUrl": preset.default_base_url,
        "baseUrlRequired": preset.base_url_required,
        "keyField": preset.key_field,
        "noKeyValue": preset.no_key_value,
        "models": list(preset.models),
        "modelRequired": preset.model_required,
        "defaultModel": preset.default_model,
        "maxContextTokens": preset.maxContextTokens,
        "settable": list(settable(preset, preset.endpoint_id)),
        "notes": list(preset.notes),
    }


def _preset_text(preset) -> str:
    from pbcfg.presets.service_presets import settable

    lines = [f"{preset.name}: {preset.description}", "", f"  endpoint id     {preset.endpoint_id}"]
    if preset.default_base_url or preset.base_url_required:
        lines.append(f"  base URL        {preset.default_base_url or '(required: --base-url, https)'}")
    if preset.no_key_value:
        lines.append(f"  API key         {preset.no_key_value!r} (the server needs none; PonyBunny needs a string)")
    elif preset.key_field:
        lines.append(f"  API key         required ({preset.key_field}): --api-key, or keep it in the environment")
    models = ", ".join(preset.models) or (
        "(required: --model)" if preset.model_required else f"(built-in models; default {preset.default_model})"
    )
    lines += [
        f"  models          {models}",
        f"  maxContextTokens {preset.maxContextTokens}",
        f"  --set           {', '.join(settable(preset, preset.endpoint_id))}",
        "",
        "Notes:",
    ]
    lines += [f"  - {note}" for note in preset.notes]
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("preset_name", metavar="PRESET", shell_complete=_preset_names)
@preset_options
@source_option
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False),
    help="Write the two files into this directory (default: print them).",
)
@click.option("--force", is_flag=True, help="With --config-dir, overwrite existing files (a backup of each is kept).")
@report_options
def render(preset_name: str, source: str, config_dir: str | None, force: bool, **options) -> None:
    """Render PRESET's credentials.json and llm-config.json (to stdout, or into --config-dir).

    Into --config-dir, the schema files their $schema names come too, where the directory has none.
    --format json gives under "render" the files (name -> text, the key masked), the lines of what was
    written and the notes.

    \b
    Examples:
      pbcfg render ollama                                 both files on stdout, the key masked
      pbcfg render vllm --model Qwen/Qwen2.5-7B-Instruct --tier simple
      pbcfg render openai-proxy --base-url https://proxy.example.com/v1 --api-key-env OPENAI_COMPATIBLE_API_KEY
      pbcfg render ollama --source yaml --config-dir config-src
    """
    from pbcfg.cli.data_report import emit_data
    from pbcfg.workflows.preset_files import render_files

    report = {name: options.pop(name) for name in ("fmt", "output", "fail_on", "color")}
    rendered = render_files(preset_name, parameters(**options), source=source, directory=config_dir, force=force)
    for line in rendered.written:
        click.echo(line, err=True)
    emit_data("render", "render", rendered.data(), rendered.text(), **report)
    for note in rendered.notes:
        click.echo(f"note: {note}", err=True)


@click.command()
@click.argument("preset_name", metavar="PRESET", shell_complete=_preset_names)
@config_dir_option
@preset_options
@source_option
@click.option("--force", is_flag=True, help="Overwrite existing files, keeping a backup of each.")
@report_options
def init(
    preset_name,
    config_dir,
    base_url,
    api_key,
    api_key_env,
    models,
    endpoint_id,
    tier,
    settings,
    source,
    force,
    fmt,
    output,
    fail_on,
    color,
) -> None:
    """Write a fresh config directory for PRESET (see `pbcfg presets`): both files and both schemas.

    Each file written is said on stderr; --format json also lists those lines under "written".

    \b
    Examples:
      pbcfg init ollama                                  PonyBunny's config directory
      pbcfg init vllm --config-dir ./pb --model Qwen/Qwen2.5-7B-Instruct
      pbcfg init openai --api-key-env OPENAI_API_KEY
      pbcfg init ollama --config-dir config-src --source yaml
    """
    from pbcfg.cli.data_report import emit_data
    from pbcfg.presets.render import render as render_preset
    from pbcfg.presets.scaffold import write_config
    from pbcfg.presets.service_presets import get_preset
    from pbcfg.source.locations import config_dir as resolve_config_dir
    from pbcfg.workflows.preset_files import as_source

    rendered = render_preset(
        get_preset(preset_name), parameters(base_url, api_key, api_key_env, models, endpoint_id, tier, settings)
    )
    directory = resolve_config_dir(config_dir)
    written = write_config(directory, as_source(rendered, source), force=force, schemas=True)
    for line in written:
        click.echo(line, err=True)
    for note in rendered.notes:
        click.echo(f"note: {note}", err=True)
    if api_key:
        _warn_of_a_key_for_another_service(directory)
    emit_data("init", "written", written, "", fmt=fmt, output=output, fail_on=fail_on, color=color)


@click.command()
@click.argument("preset_name", metavar="PRESET", shell_complete=_preset_names)
@config_dir_option
@preset_options
@click.option("--replace", is_flag=True, help="Overwrite an endpoint, or a model field --set contradicts.")
@click.option("--no-backup", is_flag=True, help="Keep no backup of the changed files.")
@report_options
def add(
    preset_name,
    config_dir,
    base_url,
    api_key,
    api_key_env,
    models,
    endpoint_id,
    tier,
    settings,
    replace,
    no_backup,
    fmt,
    output,
    fail_on,
    color,
) -> None:
    """Merge PRESET's endpoint, credentials and models into an existing config (JSON or YAML sources).

    A model that exists gets the new endpoint after its own. Nothing is written when the config has
    errors, an endpoint exists with other values (without --replace), or the result would not
    validate: the reasons are reported as diagnostics. Each file written is said on stderr; --format json
    also lists those lines under "written".

    \b
    Examples:
      pbcfg add ollama --model qwen2.5:14b --tier simple
      pbcfg add vllm --endpoint-id second-box --base-url http://box2:8000/v1 --model m1 --set priority=2
      pbcfg add openai --api-key-env OPENAI_API_KEY --config-dir ./pb
    """
    from pbcfg.cli.data_report import emit_data
    from pbcfg.errors import Refused
    from pbcfg.presets.add import add_preset
    from pbcfg.presets.service_presets import get_preset
    from pbcfg.reporters import emit
    from pbcfg.source.locations import config_dir as resolve_config_dir

    directory = resolve_config_dir(config_dir)
    added = add_preset(
        directory,
        get_preset(preset_name),
        parameters(base_url, api_key, api_key_env, models, endpoint_id, tier, settings),
        replace=replace,
        backup=not no_backup,
    )
    if added.diagnostics:
        from pbcfg.catalog import RULES
        from pbcfg.diagnostics import hidden_severities

        hidden = hidden_severities(added.hidden, lambda rule: RULES[rule].severity) if added.hidden else None
        emit("add", added.files, added.diagnostics, fmt=fmt, fail_on=fail_on, color=color, output=output, hidden=hidden)
        raise Refused("nothing was written: " + _why_not_added(added.diagnostics, directory))
    for line in added.lines:
        click.echo(line, err=True)
    if api_key:
        _warn_of_a_key_for_another_service(directory)
    written = [line for line in added.lines if not line.startswith("note: ")]  # the preset's notes follow
    emit_data("add", "written", written, "", fmt=fmt, output=output, fail_on=fail_on, color=color)


def _warn_of_a_key_for_another_service(directory: str) -> None:
    """A key pasted under the wrong preset (an Anthropic key for openai) is written as asked, and said at once:
    lint's secrets.key-for-another-service on the files just written."""
    import os

    from pbcfg.lint.linter import lint_paths
    from pbcfg.lint.settings import Settings

    rule = "secrets.key-for-another-service"
    linted = lint_paths(
        [directory],
        config_dir=directory,
        kind=None,
        settings=Settings().with_command_line((rule,), ()),
        env=dict(os.environ),
        home=os.path.expanduser("~"),
    )
    for found in (finding.diagnostic for finding in linted.findings if finding.diagnostic.rule == rule):
        click.echo(f"warning: {found.file}:{found.line}:{found.column}: {rule} {found.message}", err=True)
        click.echo(f"  hint: {found.hint}", err=True)


def _why_not_added(diagnostics, directory: str) -> str:
    rules = {d.rule for d in diagnostics}
    if rules == {"add.conflict"}:
        return "those entries already exist; pass --replace to overwrite them, or --endpoint-id for a new slot"
    if rules == {"add.invalid-result"}:
        return "the config would not validate after the add"
    from pbcfg.source.commands import pbcfg_on

    return f"fix the config's errors above (`{pbcfg_on(directory, 'validate')}`) before adding to it"
