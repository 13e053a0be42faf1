"""Whole-process timings of `pbcfg validate` beside check-jsonschema and ajv-cli, `pbcfg lint` and `build`
rows, peak memory at 50,000 models and for a 60 MB file, and the clean path: CPU time against a bare
interpreter, and where the generated check stops paying off against jsonschema-rs.

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
BUDGETS = {
    "seed": (0.050, 4.0),
    "50000": (0.600, 10.0),
    "1000-errors": (0.150, None),
    "1000-errors-14kb": (0.500, None),
}
AJV = WORK / "npm" / "node_modules" / ".bin" / "ajv"
CLEAN_OVER_PYTHON = 2.5  # the clean seed-sized pair, in CPU time, against `python -c pass`
FASTER_THAN_AJV = 2.0  # at 50,000 models
BREAK_EVEN_MODELS = (1000, 2000, 4000, 8000, 16000)
PAIRED_RUNS = 41
NO_SLOWER_THAN_BASELINE = 1.05  # the clean seed-sized pair, in CPU time, against the baseline commit's wheel
LINT_OVER_VALIDATE = 1.5  # lint of the valid 10,000-model config, against validate of it
ERRORS_GROWTH = 15.0  # 10x the errors may cost at most this much more (linear: 10x; quadratic: 100x)
BIG_FILE_MB = 60
MEMORY_OVER_FILE = 8.0  # the 60 MB file: peak memory above an empty run, against its size


def model(i: int) -> dict:
    return {
        "displayName": f"Model {i}",
        "endpoints": ["openai-compatible", "my-vllm"],
        "costPer1kTokens": {"input": 0.0001 * (i % 7), "output": 0.0002 * (i % 5)},
        "maxContextTokens": 8192 * (1 + i % 16),
        "capabilities": ["text", "function-calling"],
        "streaming": True,
    }


def llm_config(models: int) -> dict:
    config = {
        "$schema": "./llm-config.schema.json",
        "endpoints": {
            "openai-compatible": {
                "enabled": True,
                "protocol": "openai",
                "priority": 1,
                "rateLimit": {"requestsPerMinute": 60},
            },
            "my-vllm": {"enabled": True, "protocol": "openai", "priority": 2, "baseUrl": "http://gpu-box.lan:8000/v1"},
        },
        "models": {f"org/model-{i}:q4": model(i) for i in range(max(models, 2))},
        "tiers": {"simple": {"primary": "org/model-0:q4", "fallback": ["org/model-1:q4"]}},
    }
    return config


def credentials() -> dict:
    return {
        "$schema": "./credentials.schema.json",
        "endpoints": {
            "openai-compatible": {"enabled": True, "apiKey": "ollama", "baseUrl": "http://localhost:11434/v1"},
            "my-vllm": {"enabled": True, "apiKey": "EMPTY", "baseUrl": "http://gpu-box.lan:8000/v1"},
        },
    }


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


def bad_models(models: int) -> str:
    """``{"models": {"k0": 0, ...}}`` on one line: every entry an error (a number where a model goes)."""
    return '{"models": {' + ", ".join(f'"k{i}": {i}' for i in range(models)) + "}}"


def every_model_wrong(models: int) -> dict:
    """A config of ``models`` models, each with an unknown key: one error per model."""
    config = llm_config(models)
    for entry in config["models"].values():
        entry["priorty"] = 1
    return config


def big_valid(megabytes: int) -> dict:
    """A valid config of about ``megabytes`` MB within every limit: 20,000 models with long display names."""
    config = llm_config(20_000)
    name = "x" * (megabytes * 1_000_000 // 20_000 - 400)
    for entry in config["models"].values():
        entry["displayName"] = name
    return config


def write_text(name: str, file_name: str, text: str) -> Path:
    directory = WORK / name
    directory.mkdir(parents=True, exist_ok=True)
    (directory / file_name).write_text(text)
    return directory / file_name


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


def side_by_side(commands: list[tuple[list, set[int]]], runs: int) -> list[float]:
    """The median of each command, run in turn rather than one after the other, so that a change in the
    machine's load falls on all of them alike: the way to compare two costs on a busy machine."""
    for command, expect in commands:
        subprocess.run(command, capture_output=True)  # warm-up
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for (command, expect), own in zip(commands, times):
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True)
            own.append(time.perf_counter() - start)
            if done.returncode not in expect:
                sys.exit(f"unexpected exit {done.returncode} from {command[0]}: {done.stderr.decode()[:500]}")
    return [statistics.median(own) for own in times]


def pbcfg(files: list[Path], runs: int, expect={0}) -> float:
    return median_time([BIN / "pbcfg", "validate", *files], runs, expect)


def check_jsonschema(files: list[Path], runs: int) -> float:
    total = 0.0
    for path in files:
        schema = SCHEMAS / (
            "credentials.schema.json" if path.name.startswith("credentials") else "llm-config.schema.json"
        )
        total += median_time([BIN / "check-jsonschema", "--schemafile", schema, path], runs, {0})
    return total


def ajv_cli(files: list[Path], runs: int) -> float:
    """ajv-cli with ajv-formats, draft 2020-12, one run per file like check-jsonschema (not strict: the
    schemas carry x-pbcfg notes)."""
    total = 0.0
    for path in files:
        schema = SCHEMAS / (
            "credentials.schema.json" if path.name.startswith("credentials") else "llm-config.schema.json"
        )
        total += median_time(
            [AJV, "validate", "--spec=draft2020", "--strict=false", "-c", "ajv-formats", "-s", schema, "-d", path],
            runs,
            {0},
        )
    return total


def cpu_seconds(command: list) -> float:
    """User plus system CPU time of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"unexpected exit {done.returncode} from {command[0]}: {done.stderr.decode()[:500]}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def paired(first: list, second: list, runs: int = PAIRED_RUNS) -> tuple[float, float, float]:
    """Paired runs, one after the other, of two commands: (median CPU of each, median of the per-pair ratios
    second / first). A busy machine slows both runs of a pair alike, so the ratio holds where times do not."""
    cpu_seconds(first), cpu_seconds(second)  # warm-up
    pairs = [(cpu_seconds(first), cpu_seconds(second)) for _ in range(runs)]
    return (
        statistics.median(f for f, _ in pairs),
        statistics.median(s for _, s in pairs),
        statistics.median(s / f for f, s in pairs),
    )


def baseline_report(seed: list[Path], failures: list[str]) -> list[str]:
    """The clean seed-sized pair against the wheel of the baseline commit (`make bench` builds it from
    BENCH_BASELINE, by default the previous commit): a change must not make the pre-commit run slower."""
    baseline = WORK / "baseline" / "bin" / "pbcfg"
    name = os.environ.get("BENCH_BASELINE", "")
    if not baseline.exists() or not name:
        return []
    before, now, ratio = paired([baseline, "validate", *seed], [BIN / "pbcfg", "validate", *seed])
    if ratio > NO_SLOWER_THAN_BASELINE:
        failures.append(
            f"clean seed-sized pair: {ratio:.2f}x the baseline {name} in CPU time (budget {NO_SLOWER_THAN_BASELINE}x)"
        )
    return [
        "",
        "## Against the previous commit",
        "",
        f"CPU time, {PAIRED_RUNS} paired runs, both installed from wheels: `pbcfg validate` on the clean "
        f"seed-sized pair, {name} {before * 1000:.1f} ms, this commit {now * 1000:.1f} ms: **{ratio:.2f}x** "
        f"(budget {NO_SLOWER_THAN_BASELINE}x: no slower, within the noise of paired runs).",
    ]


BREAK_EVEN_PROBE = """
import sys, time
from pbcfg.check.pipeline import parse_source
from pbcfg.source.reading import read_source
document, _ = parse_source(read_source(sys.argv[1]))
start = time.process_time()
if sys.argv[2] == "generated":
    from pbcfg.generated.validators import CERTAINLY_VALID
    assert CERTAINLY_VALID[document.kind](document.data)
else:
    from pbcfg.check.schema_errors import check_schema
    assert check_schema(document) == []
print(time.process_time() - start)
"""


def break_even(runs: int = 7) -> list[tuple[int, int, float, float]]:
    """(models, bytes, generated check, jsonschema-rs) in CPU seconds, each in a fresh process after the
    file is parsed: the generated check, or importing jsonschema-rs and checking with it."""
    rows = []
    for models in BREAK_EVEN_MODELS:
        path = write_case(f"break-even-{models}", llm_config(models))[1]
        seconds = [
            statistics.median(
                float(
                    subprocess.run(
                        [BIN / "python", "-c", BREAK_EVEN_PROBE, path, way], capture_output=True, text=True, check=True
                    ).stdout
                )
                for _ in range(runs)
            )
            for way in ("generated", "jsonschema-rs")
        ]
        rows.append((models, path.stat().st_size, *seconds))
    return rows


def clean_path_report(seed: list[Path], failures: list[str]) -> list[str]:
    """The clean path's rows: against a bare interpreter, and where it hands over to jsonschema-rs."""
    from pbcfg.check.pipeline import CLEAN_PATH_MAX_CHARS

    bare, ours, ratio = paired([BIN / "python", "-c", "pass"], [BIN / "pbcfg", "validate", *seed])
    if ratio > CLEAN_OVER_PYTHON:
        failures.append(
            f"clean seed-sized pair: {ratio:.2f}x `python -c pass` in CPU time (budget {CLEAN_OVER_PYTHON}x)"
        )
    rows = break_even()
    slower = [size for models, size, generated, rs in rows if generated >= rs]
    if slower and CLEAN_PATH_MAX_CHARS >= min(slower):
        failures.append(
            f"CLEAN_PATH_MAX_CHARS ({CLEAN_PATH_MAX_CHARS:,}) is past the break-even "
            f"({min(slower):,} bytes): the generated check is slower there"
        )
    lines = [
        "",
        "## Clean path",
        "",
        f"CPU time, {PAIRED_RUNS} paired runs on the same interpreter: `python -c pass` {bare * 1000:.1f} ms, "
        f"`pbcfg validate` on the clean seed-sized pair {ours * 1000:.1f} ms: **{ratio:.2f}x** "
        f"(budget {CLEAN_OVER_PYTHON}x).",
        "",
        "Where the generated check stops paying off: CPU time in a fresh process once the file is parsed, "
        "the generated check against importing jsonschema-rs and checking with it. Files larger than "
        f"`CLEAN_PATH_MAX_CHARS` ({CLEAN_PATH_MAX_CHARS:,} characters) go straight to jsonschema-rs.",
        "",
        "| models | file | generated check | jsonschema-rs (import + check) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {models:,} | {size / 1024:,.0f} KiB | {generated * 1000:.1f} ms | {rs * 1000:.1f} ms |"
        for models, size, generated, rs in rows
    ]
    return lines


def check_jsonschema_failing(path: Path, runs: int) -> float:
    """check-jsonschema on a file with errors (exit 1), for the rows side by side."""
    return median_time([BIN / "check-jsonschema", "--schemafile", SCHEMAS / "llm-config.schema.json", path], runs, {1})


def peak_rss_kib(command: list) -> int:
    probe = (
        "import resource,subprocess,sys; subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    return int(subprocess.run([sys.executable, "-c", probe, *map(str, command)], capture_output=True, text=True).stdout)


def document_kib(path: Path) -> int:
    """Resident memory the parsed document occupies (RSS with it loaded, minus RSS before)."""
    probe = (
        "import json,os,sys; page=os.sysconf('SC_PAGE_SIZE')//1024\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1])*page\n"
        "before=rss(); d=json.load(open(sys.argv[1])); print(rss()-before)"
    )
    return int(subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True).stdout)


def main() -> int:
    rows, failures, ajv = [], [], {}  # rows: (label, ours, theirs, budget key or None)
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
        rows.append(
            (
                f"clean, {name} models" if name != "seed" else "clean, seed-sized pair",
                ours,
                theirs,
                name if name in ("seed", "50000") else None,
            )
        )
        if name in ("seed", "50000"):
            ajv[rows[-1][0]] = ajv_cli(files, 3 if name == "50000" else runs)
    error_files = write_case("1000-errors", with_errors(1000))
    rows.append(("1,000 models with 3 errors, full diagnostics", pbcfg(error_files, 15, {1}), None, "1000-errors"))

    # issue 14: every error costs the same, wherever it is and however many there are
    wrong = write_case("1000-wrong", every_model_wrong(1000))
    rows.append(
        (
            "1,000 models with 1,000 errors, `validate`",
            pbcfg(wrong, 7, {1}),
            check_jsonschema_failing(wrong[1], 3),
            None,
        )
    )
    rows.append(
        ("1,000 models with 1,000 errors, `lint`", median_time([BIN / "pbcfg", "lint", *wrong], 7, {1}), None, None)
    )
    small = write_text("errors-1000", "llm-config.json", bad_models(1000))
    large = write_text("errors-10000", "llm-config.json", bad_models(10_000))
    none = write_text("errors-0", "llm-config.json", bad_models(0))
    floor_run, per_1000, per_10000 = side_by_side(
        [
            ([BIN / "pbcfg", "validate", none], {0}),
            ([BIN / "pbcfg", "validate", small], {1}),
            ([BIN / "pbcfg", "validate", large], {1}),
        ],
        9,
    )
    rows.append(
        (f"1,000 errors in a {small.stat().st_size // 1000} KB file, `validate`", per_1000, None, "1000-errors-14kb")
    )
    rows.append((f"10,000 errors in a {large.stat().st_size // 1000} KB file, `validate`", per_10000, None, None))
    growth = (per_10000 - floor_run) / max(per_1000 - floor_run, 1e-9)
    if growth > ERRORS_GROWTH:
        failures.append(f"10x the errors cost {growth:.1f}x more (budget {ERRORS_GROWTH}x: linear)")
    validate_10k, lint_10k = side_by_side(
        [([BIN / "pbcfg", "validate", *cases["10000"][0]], {0}), ([BIN / "pbcfg", "lint", *cases["10000"][0]], {0, 1})],
        11,
    )
    rows.append(("`validate`, the valid 10,000-model config, run in turn with the next row", validate_10k, None, None))
    rows.append(("`lint`, the valid 10,000-model config", lint_10k, None, None))
    if lint_10k > LINT_OVER_VALIDATE * validate_10k:
        failures.append(
            f"lint of the valid 10,000-model config: {lint_10k / validate_10k:.2f}x validate of it "
            f"(budget {LINT_OVER_VALIDATE}x)"
        )
    yaml_keys = write_text(
        "yaml-20000", "llm-config.yaml", "models:\n" + "".join(f"  k{i}: {i}\n" for i in range(20_000))
    )
    rows.append(
        (
            "`build` of YAML sources with 20,000 keys (errors: nothing built)",
            median_time([BIN / "pbcfg", "build", yaml_keys.parent, "--config-dir", WORK / "yaml-out"], 3, {1}),
            None,
            None,
        )
    )
    deep = write_text(
        "yaml-deep",
        "llm-config.yaml",
        "defaults:\n" + "".join("  " * (i + 1) + "-\n" for i in range(299)) + "  " * 300 + "- 1\n",
    )
    rows.append(
        (
            "`validate` of a 300-deep YAML list (limits.depth)",
            median_time([BIN / "pbcfg", "validate", deep], 5, {1}),
            None,
            None,
        )
    )
    examples = [HERE.parent / "examples" / "credentials.json", HERE.parent / "examples" / "llm-config.json"]
    rows.append(
        (
            "`pbcfg lint`, the bundled example pair (no budget)",
            median_time([BIN / "pbcfg", "lint", *examples], 21, {0}),
            None,
            None,
        )
    )

    for label, ours, theirs, key in rows:
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
    empty_rss = peak_rss_kib([BIN / "pbcfg", "validate", *empty])
    extra = peak_rss_kib([BIN / "pbcfg", "validate", *big]) - empty_rss
    document = document_kib(big[1])
    memory_ratio = extra / max(document, 1)
    if memory_ratio > 2:
        failures.append(f"peak memory at 50,000 models is {memory_ratio:.2f}x the parsed document (budget 2x)")

    huge = write_case("60mb", big_valid(BIG_FILE_MB))[1]
    huge_size = huge.stat().st_size
    huge_time = median_time([BIN / "pbcfg", "validate", huge], 3, {0})
    huge_theirs = median_time(
        [BIN / "check-jsonschema", "--schemafile", SCHEMAS / "llm-config.schema.json", huge], 1, {0}
    )
    huge_peak = peak_rss_kib([BIN / "pbcfg", "validate", huge])
    huge_ratio = (huge_peak - empty_rss) * 1024 / huge_size
    huge_lint = median_time([BIN / "pbcfg", "lint", huge], 3, {0, 1})
    lint_ratio = (peak_rss_kib([BIN / "pbcfg", "lint", huge]) - empty_rss) * 1024 / huge_size
    if lint_ratio > MEMORY_OVER_FILE:
        failures.append(
            f"`lint` of the {BIG_FILE_MB} MB file: peak memory {lint_ratio:.1f}x its size above an empty "
            f"run (budget {MEMORY_OVER_FILE}x)"
        )
    if huge_ratio > MEMORY_OVER_FILE:
        failures.append(
            f"the {BIG_FILE_MB} MB file: peak memory {huge_ratio:.1f}x its size above an empty run "
            f"(budget {MEMORY_OVER_FILE}x)"
        )

    per_model = {name: cases[name] for name in ("10000", "20000", "50000")}
    lines = [
        "| case | pbcfg (median) | check-jsonschema (median) | ratio | ajv-cli (median) | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for label, ours, theirs, _ in rows + [
        (
            f"a valid {huge_size / 1e6:.0f} MB file (20,000 models, long names), `validate`",
            huge_time,
            huge_theirs,
            None,
        ),
        ("the same file, `lint`", huge_lint, None, None),
    ]:
        ratio = f"{theirs / ours:.1f}x" if theirs else ""
        node = f"{ajv[label] * 1000:.1f} ms | {ajv[label] / ours:.1f}x" if label in ajv else " |"
        lines.append(
            f"| {label} | {ours * 1000:.1f} ms | {f'{theirs * 1000:.1f} ms' if theirs else ''} | {ratio} | {node} |"
        )
    scaling = [(name, next(o for label, o, _, _ in rows if f"{name} models" in label)) for name in per_model]
    lines += [
        "",
        "Scaling (a quadratic step would show as a rising cost per model):",
        "",
        "| models | pbcfg | per model |",
        "|---|---|---|",
    ]
    lines += [f"| {int(n):,} | {t * 1000:.0f} ms | {t / int(n) * 1e6:.1f} µs |" for n, t in scaling]
    lines += [
        "",
        'Errors, run in turn with an empty `{"models": {}}` (a quadratic step would show as a rising cost per '
        f"error above that run's {floor_run * 1000:.0f} ms):",
        "",
        "| errors | pbcfg | per error |",
        "|---|---|---|",
        f"| 1,000 | {per_1000 * 1000:.0f} ms | {(per_1000 - floor_run) / 1000 * 1e6:.0f} µs |",
        f"| 10,000 | {per_10000 * 1000:.0f} ms | {(per_10000 - floor_run) / 10_000 * 1e6:.0f} µs |",
        "",
        f"`lint` of the valid 10,000-model config takes {lint_10k / validate_10k:.2f}x `validate` of it "
        f"(budget {LINT_OVER_VALIDATE}x).",
        "",
        f"For scale: the interpreter starting and importing jsonschema_rs, and nothing else, "
        f"takes {floor * 1000:.1f} ms on this machine.",
        "",
        f"Peak memory at 50,000 models: {extra / 1024:.1f} MiB above an empty run, "
        f"{memory_ratio:.2f}x the parsed document ({document / 1024:.1f} MiB).",
        "",
        f"Peak memory for the {huge_size / 1e6:.0f} MB file: {huge_peak / 1024:.0f} MiB, "
        f"{(huge_peak - empty_rss) / 1024:.0f} MiB above an empty run ({empty_rss / 1024:.0f} MiB): "
        f"{huge_ratio:.2f}x the file's size (budget {MEMORY_OVER_FILE}x); `lint` of it {lint_ratio:.2f}x.",
    ]
    lines += clean_path_report(cases["seed"][0], failures)
    lines += baseline_report(cases["seed"][0], failures)
    table = "\n".join(lines)
    load = os.getloadavg()[1]
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; pbcfg installed from a wheel, not editable; load average "
        f"{load:.1f} over the last 5 minutes (wall-clock rows grow with it; CPU-time ratios much less)"
    )
    print(table)
    print("\nmachine:", machine)
    (HERE / "RESULTS.md").write_text(
        "# Benchmark results\n\nWritten by `make bench` (bench/bench.py); whole-process medians after a warm-up. "
        "check-jsonschema and ajv-cli run once per file (one schema per run), so their pair time is the sum of "
        "two runs.\n\n"
        f"Machine: {machine}.\n\n{table}\n\n"
        + ("Budgets: all met.\n" if not failures else "Budgets missed:\n" + "".join(f"- {f}\n" for f in failures))
    )
    for failure in failures:
        print("BUDGET MISSED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
