"""Whole-process timings of `pbcfg validate` beside check-jsonschema (and one `pbcfg lint` row),
and peak memory at 50,000 models.

Run by `make bench`, which installs pbcfg (not editable, as users get it) and
check-jsonschema into bench/.work/venv. Prints the table and writes
bench/RESULTS.md. Budgets are checked here, never in timed tests.
"""

from __future__ import annotations

import json
import os
import platform
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
    rows, failures = [], []
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

    floor = median_time([BIN / "python", "-c", "import jsonschema_rs"], 21, {0})

    big = cases["50000"][0]
    empty = write_case("empty", llm_config(2))
    extra = peak_rss_kib([BIN / "pbcfg", "validate", *big]) - peak_rss_kib([BIN / "pbcfg", "validate", *empty])
    document = document_kib(big[1])
    memory_ratio = extra / max(document, 1)
    if memory_ratio > 2:
        failures.append(f"peak memory at 50,000 models is {memory_ratio:.2f}x the parsed document (budget 2x)")

    per_model = {name: cases[name] for name in ("10000", "20000", "50000")}
    lines = ["| case | pbcfg (median) | check-jsonschema (median) | ratio |", "|---|---|---|---|"]
    for label, ours, theirs in rows:
        ratio = f"{theirs / ours:.1f}x" if theirs else ""
        lines.append(f"| {label} | {ours * 1000:.1f} ms | {f'{theirs * 1000:.1f} ms' if theirs else ''} | {ratio} |")
    scaling = [(name, next(o for label, o, _ in rows if f"{name} models" in label)) for name in per_model]
    lines += ["", "Scaling (a quadratic step would show as a rising cost per model):", "",
              "| models | pbcfg | per model |", "|---|---|---|"]
    lines += [f"| {int(n):,} | {t * 1000:.0f} ms | {t / int(n) * 1e6:.1f} µs |" for n, t in scaling]
    lines += ["", f"For scale: the interpreter starting and importing jsonschema_rs, and nothing else, "
                  f"takes {floor * 1000:.1f} ms on this machine.",
              "", f"Peak memory at 50,000 models: {extra / 1024:.1f} MiB above an empty run, "
                  f"{memory_ratio:.2f}x the parsed document ({document / 1024:.1f} MiB)."]
    table = "\n".join(lines)
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
               f"Python {platform.python_version()}; pbcfg installed from a wheel, not editable")
    print(table)
    print("\nmachine:", machine)
    (HERE / "RESULTS.md").write_text(
        "# Benchmark results\n\nWritten by `make bench` (bench/bench.py); whole-process medians after a warm-up. "
        "check-jsonschema runs once per file (one schema per run), so its pair time is the sum of two runs.\n\n"
        f"Machine: {machine}.\n\n{table}\n\n"
        + ("Budgets: all met.\n" if not failures else "Budgets missed:\n" + "".join(f"- {f}\n" for f in failures)))
    for failure in failures:
        print("BUDGET MISSED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
