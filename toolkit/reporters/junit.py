"""JUnit XML: one testcase per checked file, one failure per error; a run that failed, one errored testcase."""

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
    tests, errors = str(len(names) + bool(report.failure)), str(int(bool(report.failure)))
    suites = ET.Element("testsuites", name="pbcfg", tests=tests, failures=str(failures), errors=errors)
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"pbcfg {report.tool}",
        tests=tests,
        failures=str(failures),
        errors=errors,
        skipped="0",
    )
    if report.failure:  # the run could not do what was asked: one errored testcase says why
        case = ET.SubElement(suite, "testcase", classname=f"pbcfg.{report.tool}", name="pbcfg")
        message = report.failure["message"]
        ET.SubElement(case, "error", message=message, type=f"exit {report.failure['exitCode']}").text = message
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
