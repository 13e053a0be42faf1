"""Whole-process timings of `pbcfg validate` beside check-jsonschema and ajv-cli (and one `pbcfg lint`
row), peak memory at 50,000 models, and the clean path: CPU time against a bare interpreter, and
where the generated check stops paying off against jsonschema-rs.

Run by `make bench`, which installs pbcfg (not editable, as users get it) and
check-jsonschema into bench/.work/venv and ajv-cli into bench/.work/npm. Prints
the tables and writes bench/RESULTS.md. Budgets are checked here, never in timed
tests.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
BIN = Path(sys.executable).parent
SCHEMAS = HERE.parent / "schemas"
BUDGETS = {"seed": (0.050, 4.0), "50000": (0.600, 10.0), "1000-errors": (0.150, None)}
AJV = WORK / "npm" / "node_modules" / ".bin" / "ajv"
CLEAN_OVER_PYTHON = 2.5  # the clean seed-sized pair, in CPU time, against `python -c pass`
FASTER_THAN_AJV = 2.0  # at 50,000 models
BREAK_EVEN_MODELS = (1000, 2000, 4000, 8000, 16000)
PAIRED_RUNS = 41


def model(i: int) -> dict:
    return {"displayName": f"Model {i}", "endpoints": ["openai-compatible", "my-vllm"],
            "costPer1kTokens": {"input": 0.0001 * (i % 7), "output": 0.0002 * (i % 5)},
            "maxContextTokens": 8192 * (1 + i % 16), "capabilities": ["text", "function-calling"],
            "streaming": True}


def llm_config(models: int) -> dict:
    config = {
        "$schema": "./llm-config.schema.json",
        "endpoints": {"openai-compatible": {"enabled": True, "protocol": "openai", "priority": 1,
                                            "rateLimit": {"requestsPerMinute": 60}},
                      "my-vllm": {"enabled": True, "protocol": "openai", "priority": 2,
                                  "baseUrl": "http://gpu-box.lan:8000/v1"}},
        "models": {f"org/model-{i}:q4": model(i) for i in range(max(models, 2))},
        "tiers": {"simple": {"primary": "org/model-0:q4", "fallback": ["org/model-1:q4"]}},
    }
    return config


def credentials() -> dict:
    return {"$schema": "./credentials.schema.json", "endpoints": {
        "openai-compatible": {"enabled": True, "apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"},
        "my-vllm": {"enabled": True, "apiKey": "EMPTY", "baseUrl": "http://gpu-box.lan:8000/v1"}}}


def write_case(name: str, config: dict) -> list[Path]:
    directory = WORK / name
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "credentials.json").write_text(json.dumps(credentials(), indent=2))
    (directory / "llm-config.json").write_text(json.dumps(config, indent=2))
    return [directory / "credentials.json", directory / "llm-config.json"]


def with_errors(models: int) -> dict:
    config = llm_config(models)
    config["models"]["org/model-10:q4"]["priorty"] = 1
    config["models"]["org/model-500:q4"]["capabilities"] = ["txt"]
    config["tiers"]["simple"]["fallback"] = ["org/model-9999:q4"]
    return config


def median_time(command: list, runs: int, expect: set[int]) -> float:
    subprocess.run(command, capture_output=True)  # warm-up: page cache, .pyc
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in expect:
            sys.exit(f"unexpected exit {done.returncode} from {command[0]}: {done.stderr.decode()[:500]}")
    return statistics.median(times)


def pbcfg(files: list[Path], runs: int, expect={0}) -> float:
    return median_time([BIN / "pbcfg", "validate", *files], runs, expect)


def check_jsonschema(files: list[Path], runs: int) -> float:
    total = 0.0
    for path in files:
        schema = SCHEMAS / ("credentials.schema.json" if path.name.startswith("credentials") else "llm-config.schema.json")
        total += median_time([BIN / "check-jsonschema", "--schemafile", schema, path], runs, {0})
    return total


def ajv_cli(files: list[Path], runs: int) -> float:
    """ajv-cli with ajv-formats, draft 2020-12, one run per file like check-jsonschema (not strict: the
    schemas carry x-pbcfg notes)."""
    total = 0.0
    for path in files:
        schema = SCHEMAS / ("credentials.schema.json" if path.name.startswith("credentials") else "llm-config.schema.json")
        total += median_time([AJV, "validate", "--spec=draft2020", "--strict=false", "-c", "ajv-formats",
                              "-s", schema, "-d", path], runs, {0})
    return total


def cpu_seconds(command: list) -> float:
    """User plus system CPU time of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"unexpected exit {done.returncode} from {command[0]}: {done.stderr.decode()[:500]}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def against_python(files: list[Path], runs: int = PAIRED_RUNS) -> tuple[float, float, float]:
    """Paired runs, one after the other, of `python -c pass` and `pbcfg validate FILES` (same interpreter):
    (median CPU of each, median of the per-pair ratios)."""
    bare, ours = [BIN / "python", "-c", "pass"], [BIN / "pbcfg", "validate", *files]
    cpu_seconds(bare), cpu_seconds(ours)  # warm-up
    pairs = [(cpu_seconds(bare), cpu_seconds(ours)) for _ in range(runs)]
    return (statistics.median(b for b, _ in pairs), statistics.median(o for _, o in pairs),
            statistics.median(o / b for b, o in pairs))


BREAK_EVEN_PROBE = """
import sys, time
from pbcfg.check.pipeline import parse_source
from pbcfg.source.files import read_source
document, _ = parse_source(read_source(sys.argv[1]))
start = time.process_time()
if sys.argv[2] == "generated":
    from pbcfg.generated.validators import CERTAINLY_VALID
    assert CERTAINLY_VALID[document.kind](document.data)
else:
    from pbcfg.check.schema import check_schema
    assert check_schema(document) == []
print(time.process_time() - start)
"""


def break_even(runs: int = 7) -> list[tuple[int, int, float, float]]:
    """(models, bytes, generated check, jsonschema-rs) in CPU seconds, each in a fresh process after the
    file is parsed: the generated check, or importing jsonschema-rs and checking with it."""
    rows = []
    for models in BREAK_EVEN_MODELS:
        path = write_case(f"break-even-{models}", llm_config(models))[1]
        seconds = [statistics.median(float(subprocess.run([BIN / "python", "-c", BREAK_EVEN_PROBE, path, way],
                                                          capture_output=True, text=True, check=True).stdout)
                                     for _ in range(runs)) for way in ("generated", "jsonschema-rs")]
        rows.append((models, path.stat().st_size, *seconds))
    return rows


def clean_path_report(seed: list[Path], failures: list[str]) -> list[str]:
    """The clean path's rows: against a bare interpreter, and where it hands over to jsonschema-rs."""
    from pbcfg.check.pipeline import CLEAN_PATH_MAX_CHARS

    bare, ours, ratio = against_python(seed)
    if ratio > CLEAN_OVER_PYTHON:
        failures.append(f"clean seed-sized pair: {ratio:.2f}x `python -c pass` in CPU time (budget {CLEAN_OVER_PYTHON}x)")
    rows = break_even()
    slower = [size for models, size, generated, rs in rows if generated >= rs]
    if slower and CLEAN_PATH_MAX_CHARS >= min(slower):
        failures.append(f"CLEAN_PATH_MAX_CHARS ({CLEAN_PATH_MAX_CHARS:,}) is past the break-even "
                        f"({min(slower):,} bytes): the generated check is slower there")
    lines = ["", "## Clean path", "",
             f"CPU time, {PAIRED_RUNS} paired runs on the same interpreter: `python -c pass` {bare * 1000:.1f} ms, "
             f"`pbcfg validate` on the clean seed-sized pair {ours * 1000:.1f} ms: **{ratio:.2f}x** "
             f"(budget {CLEAN_OVER_PYTHON}x).", "",
             "Where the generated check stops paying off: CPU time in a fresh process once the file is parsed, "
             "the generated check against importing jsonschema-rs and checking with it. Files larger than "
             f"`CLEAN_PATH_MAX_CHARS` ({CLEAN_PATH_MAX_CHARS:,} characters) go straight to jsonschema-rs.", "",
             "| models | file | generated check | jsonschema-rs (import + check) |", "|---|---|---|---|"]
    lines += [f"| {models:,} | {size / 1024:,.0f} KiB | {generated * 1000:.1f} ms | {rs * 1000:.1f} ms |"
              for models, size, generated, rs in rows]
    return lines


def peak_rss_kib(command: list) -> int:
    probe = ("import resource,subprocess,sys; subprocess.run(sys.argv[1:], capture_output=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    return int(subprocess.run([sys.executable, "-c", probe, *map(str, command)], capture_output=True, text=True).stdout)


def document_kib(path: Path) -> int:
    """Resident memory the parsed document occupies (RSS with it loaded, minus RSS before)."""
    probe = ("import json,os,sys; page=os.sysconf('SC_PAGE_SIZE')//1024\n"
             "def rss(): return int(open('/proc/self/statm').read().split()[1])*page\n"
             "before=rss(); d=json.load(open(sys.argv[1])); print(rss()-before)")
    return int(subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True).stdout)


def main() -> int:
    rows, failures, ajv = [], [], {}
    cases = {
        "seed": (write_case("seed", llm_config(1)), 21),
        "1000": (write_case("1000", llm_config(1000)), 15),
        "10000": (write_case("10000", llm_config(10_000)), 5),
        "20000": (write_case("20000", llm_config(20_000)), 5),
        "50000": (write_case("50000", llm_config(50_000)), 5),
    }
    for name, (files, runs) in cases.items():
        ours = pbcfg(files, runs)
        theirs = check_jsonschema(files, 3 if name in ("20000", "50000") else runs) if name != "10000" else None
        rows.append((f"clean, {name} models" if name != "seed" else "clean, seed-sized pair", ours, theirs))
        if name in ("seed", "50000"):
            ajv[rows[-1][0]] = ajv_cli(files, 3 if name == "50000" else runs)
    error_files = write_case("1000-errors", with_errors(1000))
    rows.append(("1,000 models with 3 errors, full diagnostics", pbcfg(error_files, 15, {1}), None))
    examples = [HERE.parent / "examples" / "credentials.json", HERE.parent / "examples" / "llm-config.json"]
    rows.append(("`pbcfg lint`, the bundled example pair (no budget)",
                 median_time([BIN / "pbcfg", "lint", *examples], 21, {0}), None))

    for label, ours, theirs in rows:
        key = "seed" if "seed" in label else "50000" if "50000" in label else "1000-errors" if "errors" in label else None
        if key:
            budget, ratio = BUDGETS[key]
            if ours > budget:
                failures.append(f"{label}: {ours * 1000:.0f} ms > {budget * 1000:.0f} ms")
            if ratio and theirs and theirs / ours < ratio:
                failures.append(f"{label}: only {theirs / ours:.1f}x faster than check-jsonschema (budget {ratio}x)")
        if key == "50000" and ajv[label] / ours < FASTER_THAN_AJV:
            failures.append(f"{label}: only {ajv[label] / ours:.1f}x faster than ajv-cli (budget {FASTER_THAN_AJV}x)")

    floor = median_time([BIN / "python", "-c", "import jsonschema_rs"], 21, {0})

    big = cases["50000"][0]
    empty = write_case("empty", llm_config(2))
    extra = peak_rss_kib([BIN / "pbcfg", "validate", *big]) - peak_rss_kib([BIN / "pbcfg", "validate", *empty])
    document = document_kib(big[1])
    memory_ratio = extra / max(document, 1)
    if memory_ratio > 2:
        failures.append(f"peak memory at 50,000 models is {memory_ratio:.2f}x the parsed document (budget 2x)")

    per_model = {name: cases[name] for name in ("10000", "20000", "50000")}
    lines = ["| case | pbcfg (median) | check-jsonschema (median) | ratio | ajv-cli (median) | ratio |",
             "|---|---|---|---|---|---|"]
    for label, ours, theirs in rows:
        ratio = f"{theirs / ours:.1f}x" if theirs else ""
        node = f"{ajv[label] * 1000:.1f} ms | {ajv[label] / ours:.1f}x" if label in ajv else " |"
        lines.append(f"| {label} | {ours * 1000:.1f} ms | {f'{theirs * 1000:.1f} ms' if theirs else ''} | {ratio} "
                     f"| {node} |")
    scaling = [(name, next(o for label, o, _ in rows if f"{name} models" in label)) for name in per_model]
    lines += ["", "Scaling (a quadratic step would show as a rising cost per model):", "",
              "| models | pbcfg | per model |", "|---|---|---|"]
    lines += [f"| {int(n):,} | {t * 1000:.0f} ms | {t / int(n) * 1e6:.1f} µs |" for n, t in scaling]
    lines += ["", f"For scale: the interpreter starting and importing jsonschema_rs, and nothing else, "
                  f"takes {floor * 1000:.1f} ms on this machine.",
              "", f"Peak memory at 50,000 models: {extra / 1024:.1f} MiB above an empty run, "
                  f"{memory_ratio:.2f}x the parsed document ({document / 1024:.1f} MiB)."]
    lines += clean_path_report(cases["seed"][0], failures)
    table = "\n".join(lines)
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
               f"Python {platform.python_version()}; pbcfg installed from a wheel, not editable; load average "
               f"{os.getloadavg()[1]:.1f} over the last 5 minutes (wall-clock rows grow with it; CPU-time ratios much less)")
    print(table)
    print("\nmachine:", machine)
    (HERE / "RESULTS.md").write_text(
        "# Benchmark results\n\nWritten by `make bench` (bench/bench.py); whole-process medians after a warm-up. "
        "check-jsonschema and ajv-cli run once per file (one schema per run), so their pair time is the sum of "
        "two runs.\n\n"
        f"Machine: {machine}.\n\n{table}\n\n"
        + ("Budgets: all met.\n" if not failures else "Budgets missed:\n" + "".join(f"- {f}\n" for f in failures)))
    for failure in failures:
        print("BUDGET MISSED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
