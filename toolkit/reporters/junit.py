"""JUnit XML: one testcase per checked file, one failure per error."""

from __future__ import annotations

__all__ = ["render"]


def render(report) -> str:
    from xml.etree import ElementTree as ET

    errors_by_file: dict[str, list] = {name: [] for name in report.files}
    others_by_file: dict[str, list] = {name: [] for name in report.files}
    for d in report.diagnostics:
        bucket = errors_by_file if d.severity.label == "error" else others_by_file
        bucket.setdefault(d.file, []).append(d)
    names = list(dict.fromkeys(list(errors_by_file) + list(others_by_file)))
    failures = sum(len(items) for items in errors_by_file.values())
    suites = ET.Element("testsuites", name="pbcfg", tests=str(len(names)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"pbcfg {report.tool}",
        tests=str(len(names)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for name in names:
        case = ET.SubElement(suite, "testcase", classname=f"pbcfg.{report.tool}", name=name)
        for d in errors_by_file.get(name, []):
            where = f"{d.file}:{d.line}:{d.column}" if d.span else d.file
            failure = ET.SubElement(case, "failure", message=d.message, type=d.rule)
            failure.text = f"{where}: {d.rule} {d.message}" + (f"\nhint: {d.hint}" if d.hint else "")
        others = others_by_file.get(name, [])
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(
                f"{d.file}:{d.line}:{d.column}: {d.severity.label} {d.rule} {d.message}" for d in others
            )
    facts = report.summary.hidden_lines() + [f"note: {note}" for note in report.summary.notes]
    facts += (report.extra or {}).get("diffs", [])  # lint --diff: what --fix would change
    if facts:
        ET.SubElement(suite, "system-out").text = "\n".join(facts)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
