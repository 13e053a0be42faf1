"""Whole-process timings of `pbcfg validate` beside check-jsonschema and ajv-cli, `pbcfg lint` and `build`
rows, peak memory at 50,000 models and for a 60 MB file, and the clean path: CPU time against a bare
interpreter, and where the generated check stops paying off against jsonschema-rs. Every pbcfg row runs in
turn with the same command of the baseline commit's wheel, and a row slower or bigger than the baseline's
fails the bench.

Run by `make bench`, which installs pbcfg (not editable, as users get it) and
check-jsonschema into bench/.work/venv, the baseline's wheel into bench/.work/baseline and
ajv-cli into bench/.work/npm. Prints the tables and writes bench/RESULTS.md. Budgets are
checked here, never in timed tests.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
BIN = Path(sys.executable).parent
BASELINE_BIN = WORK / "baseline" / "bin"
SCHEMAS = HERE.parent / "schemas"
BUDGETS = {
    "seed": (0.050, 4.0),
    "50000": (0.600, 10.0),
    "1000-errors": (0.150, None),
    "1000-errors-14kb": (0.500, None),
}
AJV = WORK / "npm" / "node_modules" / ".bin" / "ajv"
CLEAN_OVER_PYTHON = 2.0  # the clean seed-sized pair, in CPU time, against `python -c pass`
FASTER_THAN_AJV = 2.0  # at 50,000 models
BREAK_EVEN_MODELS = (1000, 2000, 4000, 8000, 16000)
PAIRED_RUNS = 41
CONFIRM_ROUNDS = 20  # more rounds for a row over its budget against the baseline, before it counts
MEMORY_RUNS = 3
THEIR_RUNS = 5  # check-jsonschema and ajv-cli, per file: 12x and more away, their medians only set the scale
NO_SLOWER_THAN_BASELINE = 1.05  # every pbcfg row, in CPU time, against the baseline commit's wheel
NO_BIGGER_THAN_BASELINE = 1.05  # every peak-memory row, against the baseline commit's wheel
LINT_OVER_VALIDATE = 1.5  # lint of the valid 10,000-model config, against validate of it
ERRORS_GROWTH = 15.0  # 10x the errors may cost at most this much more (linear: 10x; quadratic: 100x)
BIG_FILE_MB = 60
MEMORY_OVER_FILE = 8.0  # the 60 MB file: peak memory above an empty run, against its size


@dataclass(frozen=True)
class Sample:
    """One run of one command: wall-clock and CPU (user + system) seconds."""

    wall: float
    cpu: float


@dataclass
class Row:
    """A pbcfg command's runs, and the baseline wheel's runs of the same command taken in turn with them
    (None: no baseline, or it cannot run the command); ``again`` takes one more run of each."""

    label: str
    ours: list[Sample]
    baseline: list[Sample] | None
    again: tuple[Callable[[], Sample], Callable[[], Sample]] | None = None

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.ours)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.ours)

    def against_baseline(self) -> tuple[float, float] | None:
        """(the baseline's median CPU, the median of the per-round ratios ours / baseline's)."""
        if not self.baseline:
            return None
        return (
            statistics.median(s.cpu for s in self.baseline),
            statistics.median(o.cpu / b.cpu for o, b in zip(self.ours, self.baseline)),
        )

    def more_rounds(self, rounds: int) -> None:
        """Take ``rounds`` more pairs of runs, the order reversed every other round."""
        assert self.again and self.baseline is not None
        ours, theirs = self.again
        for round_ in range(rounds):
            if round_ % 2 == 0:
                self.ours.append(ours())
                self.baseline.append(theirs())
            else:
                self.baseline.append(theirs())
                self.ours.append(ours())


@dataclass(frozen=True)
class Comparison:
    """One row of the table against the baseline."""

    label: str
    runs: int
    unit: str  # "ms" (CPU time) or "MiB" (peak memory)
    ours: float
    baseline: float | None  # None: n/a
    ratio: float | None
    budget: float


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
    """Wall-clock median of a command that is not pbcfg's (check-jsonschema, ajv-cli, a bare import)."""
    subprocess.run(command, capture_output=True)  # warm-up: page cache, .pyc
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in expect:
            sys.exit(f"unexpected exit {done.returncode} from {command[0]}: {done.stderr.decode()[:500]}")
    return statistics.median(times)


def run_once(command: list, expect: set[int]) -> Sample | None:
    """One run with its own CPU time (wait4: this child's, no one else's), or None when its exit code is not
    one of ``expect``."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in expect:
        return None
    return Sample(wall, usage.ru_utime + usage.ru_stime)


def run_or_stop(command: list, expect: set[int]) -> Sample:
    sample = run_once(command, expect)
    if sample is None:
        done = subprocess.run(command, capture_output=True)
        sys.exit(f"unexpected exit {done.returncode} from {' '.join(map(str, command))}: {done.stderr.decode()[:500]}")
    return sample


def in_turn(commands: list[tuple[list, set[int], bool]], runs: int) -> list[list[Sample] | None]:
    """Each (command, expected exits, optional) once per round, for ``runs`` rounds after a warm-up round, the
    order reversed every other round: a change in the machine's load falls on all of them alike, which makes
    their ratios hold where their times do not. An optional command that fails its warm-up gives None (the
    baseline lacks a command or an option); any other unexpected exit stops the bench."""
    samples: list[list[Sample] | None] = []
    for command, expect, optional in commands:
        if optional:
            samples.append([] if run_once(command, expect) else None)
        else:
            run_or_stop(command, expect)
            samples.append([])
    order = list(range(len(commands)))
    for round_ in range(runs):
        for index in order if round_ % 2 == 0 else reversed(order):
            own = samples[index]
            if own is not None:
                own.append(run_or_stop(*commands[index][:2]))
    return samples


def has_baseline() -> bool:
    return (BASELINE_BIN / "pbcfg").exists() and bool(os.environ.get("BENCH_BASELINE"))


def measure(rows: list[tuple[str, list, set[int]]], runs: int, also: tuple[list, ...] = ()) -> list[Row]:
    """``pbcfg *args`` of each (label, args, expected exits), each in turn with the baseline's, and with the
    commands of ``also`` (their runs come back as unlabelled rows after the others)."""
    commands: list[tuple[list, set[int], bool]] = []
    for _, args, expect in rows:
        commands.append(([BIN / "pbcfg", *args], expect, False))
        if has_baseline():
            commands.append(([BASELINE_BIN / "pbcfg", *args], expect, True))
    commands += [(command, {0}, False) for command in also]
    samples = iter(in_turn(commands, runs))
    measured = []
    for label, args, expect in rows:
        ours = next(samples) or []
        theirs = next(samples) if has_baseline() else None
        again = (
            partial(run_or_stop, [BIN / "pbcfg", *args], expect),
            partial(run_or_stop, [BASELINE_BIN / "pbcfg", *args], expect),
        )
        measured.append(Row(label, ours, theirs, again if theirs is not None else None))
    measured += [Row("", own or [], None) for own in samples]
    return measured


def cpu_comparison(row: Row) -> Comparison:
    """The row against the baseline; a row over budget gets CONFIRM_ROUNDS more rounds first, so that one
    unlucky stretch of the machine's load does not fail the bench, while a real regression still does."""
    against = row.against_baseline()
    if against and against[1] > NO_SLOWER_THAN_BASELINE and row.again:
        row.more_rounds(CONFIRM_ROUNDS)
        against = row.against_baseline()
    return Comparison(
        row.label,
        len(row.ours),
        "ms",
        row.cpu * 1000,
        against[0] * 1000 if against else None,
        against[1] if against else None,
        NO_SLOWER_THAN_BASELINE,
    )


PEAK_PROBE = (
    "import resource,subprocess,sys; done=subprocess.run(sys.argv[1:], capture_output=True); "
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_kib(command: list, expect: set[int]) -> int | None:
    """The command's peak memory, run from a small interpreter (a child's peak counts the memory of the process
    that forked it, so not from this one), or None when its exit code is not one of ``expect``."""
    code, peak = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, *map(str, command)], capture_output=True, text=True
    ).stdout.split()
    return int(peak) if int(code) in expect else None


def peak_comparison(label: str, args: list, expect: set[int]) -> Comparison:
    """Peak memory of ``pbcfg *args``, medians of MEMORY_RUNS runs each in turn with the baseline's."""
    ours: list[int] = []
    theirs: list[int] = []
    baseline_runs = has_baseline()
    for _ in range(MEMORY_RUNS):
        peak = peak_kib([BIN / "pbcfg", *args], expect)
        if peak is None:
            sys.exit(f"unexpected exit from pbcfg {' '.join(map(str, args))}")
        ours.append(peak)
        if baseline_runs:
            peak = peak_kib([BASELINE_BIN / "pbcfg", *args], expect)
            baseline_runs = peak is not None
            theirs.append(peak or 0)
    baseline = statistics.median(theirs) if baseline_runs else None
    return Comparison(
        f"{label}: peak memory",
        MEMORY_RUNS,
        "MiB",
        statistics.median(ours) / 1024,
        baseline / 1024 if baseline else None,
        statistics.median(ours) / baseline if baseline else None,
        NO_BIGGER_THAN_BASELINE,
    )


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
BREAK_EVEN_RUNS = 7


def probe(python: Path, path: Path, way: str) -> Sample:
    """One run of the break-even probe: the CPU time it reports (for wall-clock as well: it times no start-up)."""
    done = subprocess.run([python, "-c", BREAK_EVEN_PROBE, path, way], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the break-even probe failed under {python}: {done.stderr[-500:]}")
    return Sample(float(done.stdout), float(done.stdout))


def probe_runs(python: Path, path: Path) -> bool:
    """Whether the probe runs there: the baseline may not have the modules it imports."""
    return subprocess.run([python, "-c", BREAK_EVEN_PROBE, path, "generated"], capture_output=True).returncode == 0


def break_even(timed: list[Row]) -> list[tuple[int, int, float, float]]:
    """(models, bytes, generated check, jsonschema-rs) in CPU seconds, each in a fresh process after the
    file is parsed: the generated check, or importing jsonschema-rs and checking with it. The generated
    check runs in turn with the baseline's (its rows join ``timed``) when the baseline runs the probe."""
    rows = []
    for models in BREAK_EVEN_MODELS:
        path = write_case(f"break-even-{models}", llm_config(models))[1]
        ours = partial(probe, BIN / "python", path, "generated")
        label = f"the generated check alone, {models:,} models (CPU once the file is parsed)"
        if has_baseline() and probe_runs(BASELINE_BIN / "python", path):
            row = Row(label, [], [], (ours, partial(probe, BASELINE_BIN / "python", path, "generated")))
            row.more_rounds(BREAK_EVEN_RUNS)
        else:
            row = Row(label, [ours() for _ in range(BREAK_EVEN_RUNS)], None)
        timed.append(row)
        rs = statistics.median(probe(BIN / "python", path, "jsonschema-rs").cpu for _ in range(BREAK_EVEN_RUNS))
        rows.append((models, path.stat().st_size, row.cpu, rs))
    return rows


def clean_path_report(seed: Row, bare: Row, timed: list[Row], failures: list[str]) -> list[str]:
    """The clean path's rows: against a bare interpreter, and where it hands over to jsonschema-rs (those
    rows join ``timed``)."""
    from pbcfg.check.pipeline import CLEAN_PATH_MAX_CHARS

    ratio = statistics.median(o.cpu / b.cpu for o, b in zip(seed.ours, bare.ours))
    if ratio > CLEAN_OVER_PYTHON:
        failures.append(
            f"clean seed-sized pair: {ratio:.2f}x `python -c pass` in CPU time (budget {CLEAN_OVER_PYTHON}x)"
        )
    baseline_ratio = (
        f" The baseline's, in the same rounds: {statistics.median(t.cpu for t in seed.baseline) * 1000:.1f} ms, "
        f"**{statistics.median(t.cpu / b.cpu for t, b in zip(seed.baseline, bare.ours)):.2f}x**."
        if seed.baseline
        else ""
    )
    rows = break_even(timed)
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
        f"CPU time, {len(seed.ours)} rounds on the same interpreter, each running `python -c pass`, this "
        f"commit's and the baseline's `pbcfg validate` on the clean seed-sized pair in turn: `python -c pass` "
        f"{bare.cpu * 1000:.1f} ms, this commit {seed.cpu * 1000:.1f} ms: **{ratio:.2f}x** (the median of the "
        f"per-round ratios; budget {CLEAN_OVER_PYTHON}x).{baseline_ratio}",
        "",
        "Where the generated check stops paying off: CPU time in a fresh process once the file is parsed, "
        f"the generated check against importing jsonschema-rs and checking with it, medians of {BREAK_EVEN_RUNS} "
        f"runs. Files larger than `CLEAN_PATH_MAX_CHARS` ({CLEAN_PATH_MAX_CHARS:,} characters) go straight to "
        "jsonschema-rs.",
        "",
        "| models | file | generated check | jsonschema-rs (import + check) |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {models:,} | {size / 1024:,.0f} KiB | {generated * 1000:.1f} ms | {rs * 1000:.1f} ms |"
        for models, size, generated, rs in rows
    ]
    return lines


def baseline_report(comparisons: list[Comparison], failures: list[str]) -> list[str]:
    """Every pbcfg row beside the baseline wheel's (`make bench` builds it from BENCH_BASELINE, by default the
    previous commit): a change must make no row slower or bigger."""
    name = os.environ.get("BENCH_BASELINE", "")
    if not has_baseline():
        return ["", "## Against the baseline", "", "No baseline wheel in bench/.work/baseline: `make bench` builds it."]
    lines = [
        "",
        f"## Against the baseline: {name}",
        "",
        "Every pbcfg row above, each run taken in turn with the same command of the baseline commit's wheel "
        "(the order reversed every other round), so that the machine's load falls on both alike. CPU time (user "
        "+ system) and peak memory of the process itself, medians; the ratio is the median of the per-round "
        f"ratios this commit / baseline. Budget: no row above {NO_SLOWER_THAN_BASELINE}x in CPU time, no peak "
        f"memory above {NO_BIGGER_THAN_BASELINE}x. A row over budget first gets {CONFIRM_ROUNDS} more "
        "rounds (its runs count them), so that a stretch of load on a shared machine does not fail the bench "
        f"while a real regression still does. Peak memory: {MEMORY_RUNS} runs each, started from a small "
        "interpreter, whose own peak is the least any row can show (the 2-model row is about that). "
        "n/a: the baseline cannot run that command.",
        "",
        f"| row | runs | {name} | this commit | ratio | |",
        "|---|---|---|---|---|---|",
    ]
    for row in comparisons:
        if row.baseline is None or row.ratio is None:
            lines.append(f"| {row.label} | {row.runs} | n/a | {row.ours:.1f} {row.unit} | n/a | |")
            continue
        worse = row.ratio > row.budget
        lines.append(
            f"| {row.label} | {row.runs} | {row.baseline:.1f} {row.unit} | {row.ours:.1f} {row.unit} | {row.ratio:.3f}x | "
            f"{'**worse**' if worse else ''} |"
        )
        if worse:
            measure = "CPU time" if row.unit == "ms" else "peak memory"
            failures.append(f"{row.label}: {row.ratio:.3f}x the baseline's {measure} (budget {row.budget}x)")
    return lines


def check_jsonschema_failing(path: Path, runs: int) -> float:
    """check-jsonschema on a file with errors (exit 1), for the rows side by side."""
    return median_time([BIN / "check-jsonschema", "--schemafile", SCHEMAS / "llm-config.schema.json", path], runs, {1})


def document_kib(path: Path) -> int:
    """Resident memory the parsed document occupies (RSS with it loaded, minus RSS before)."""
    probe = (
        "import json,os,sys; page=os.sysconf('SC_PAGE_SIZE')//1024\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1])*page\n"
        "before=rss(); d=json.load(open(sys.argv[1])); print(rss()-before)"
    )
    return int(subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True).stdout)


def launcher(bin_dir: Path) -> str:
    """Which pip wrote the pbcfg console script in ``bin_dir``, and whether the script imports `re`."""
    version = subprocess.run(
        [bin_dir / "python", "-c", "from importlib import metadata; print(metadata.version('pip'))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    script = (bin_dir / "pbcfg").read_text().splitlines()
    return f"pip {version} ({'imports' if 'import re' in script else 'no'} `re`)"


def main() -> int:
    started = time.perf_counter()
    failures: list[str] = []
    ajv: dict[str, float] = {}
    table: list[tuple[Row, float | None, str | None]] = []  # (pbcfg's row, check-jsonschema's time, budget key)
    cases = {
        "seed": (write_case("seed", llm_config(1)), PAIRED_RUNS),
        "1000": (write_case("1000", llm_config(1000)), 15),
        "10000": (write_case("10000", llm_config(10_000)), 7),
        "20000": (write_case("20000", llm_config(20_000)), 7),
        "50000": (write_case("50000", llm_config(50_000)), 7),
    }
    for name, (files, runs) in cases.items():
        label = f"clean, {name} models" if name != "seed" else "clean, seed-sized pair"
        also = ([BIN / "python", "-c", "pass"],) if name == "seed" else ()
        measured = measure([(label, ["validate", *files], {0})], runs, also)
        if name == "seed":
            seed, bare = measured
        theirs = check_jsonschema(files, THEIR_RUNS if name in ("seed", "1000") else 3) if name != "10000" else None
        table.append((measured[0], theirs, name if name in ("seed", "50000") else None))
        if name in ("seed", "50000"):
            ajv[label] = ajv_cli(files, 3 if name == "50000" else THEIR_RUNS)
    error_files = write_case("1000-errors", with_errors(1000))
    [three_errors] = measure([("1,000 models with 3 errors, full diagnostics", ["validate", *error_files], {1})], 15)
    table.append((three_errors, None, "1000-errors"))

    wrong = write_case("1000-wrong", every_model_wrong(1000))
    wrong_validate, wrong_lint = measure(
        [
            ("1,000 models with 1,000 errors, `validate`", ["validate", *wrong], {1}),
            ("1,000 models with 1,000 errors, `lint`", ["lint", *wrong], {1}),
        ],
        7,
    )
    table.append((wrong_validate, check_jsonschema_failing(wrong[1], 3), None))
    table.append((wrong_lint, None, None))
    small = write_text("errors-1000", "llm-config.json", bad_models(1000))
    large = write_text("errors-10000", "llm-config.json", bad_models(10_000))
    none = write_text("errors-0", "llm-config.json", bad_models(0))
    floor_row, per_1000, per_10000 = measure(
        [
            ('an empty `{"models": {}}`, `validate`', ["validate", none], {0}),
            (f"1,000 errors in a {small.stat().st_size // 1000} KB file, `validate`", ["validate", small], {1}),
            (f"10,000 errors in a {large.stat().st_size // 1000} KB file, `validate`", ["validate", large], {1}),
        ],
        9,
    )
    table += [(per_1000, None, "1000-errors-14kb"), (per_10000, None, None)]
    growth = (per_10000.wall - floor_row.wall) / max(per_1000.wall - floor_row.wall, 1e-9)
    if growth > ERRORS_GROWTH:
        failures.append(f"10x the errors cost {growth:.1f}x more (budget {ERRORS_GROWTH}x: linear)")
    validate_10k, lint_10k = measure(
        [
            (
                "`validate`, the valid 10,000-model config, run in turn with the next row",
                ["validate", *cases["10000"][0]],
                {0},
            ),
            ("`lint`, the valid 10,000-model config", ["lint", *cases["10000"][0]], {0, 1}),
        ],
        11,
    )
    table += [(validate_10k, None, None), (lint_10k, None, None)]
    if lint_10k.wall > LINT_OVER_VALIDATE * validate_10k.wall:
        failures.append(
            f"lint of the valid 10,000-model config: {lint_10k.wall / validate_10k.wall:.2f}x validate of it "
            f"(budget {LINT_OVER_VALIDATE}x)"
        )
    yaml_keys = write_text(
        "yaml-20000", "llm-config.yaml", "models:\n" + "".join(f"  k{i}: {i}\n" for i in range(20_000))
    )
    [build] = measure(
        [
            (
                "`build` of YAML sources with 20,000 keys (errors: nothing built)",
                ["build", yaml_keys.parent, "--config-dir", WORK / "yaml-out"],
                {1},
            )
        ],
        5,
    )
    table.append((build, None, None))
    deep = write_text(
        "yaml-deep",
        "llm-config.yaml",
        "defaults:\n" + "".join("  " * (i + 1) + "-\n" for i in range(299)) + "  " * 300 + "- 1\n",
    )
    [deep_row] = measure([("`validate` of a 300-deep YAML list (limits.depth)", ["validate", deep], {1})], 11)
    table.append((deep_row, None, None))
    examples = [HERE.parent / "examples" / "credentials.json", HERE.parent / "examples" / "llm-config.json"]
    [lint_examples] = measure([("`pbcfg lint`, the bundled example pair (no budget)", ["lint", *examples], {0})], 21)
    table.append((lint_examples, None, None))

    for row, theirs, key in table:
        if key:
            budget, ratio = BUDGETS[key]
            if row.wall > budget:
                failures.append(f"{row.label}: {row.wall * 1000:.0f} ms > {budget * 1000:.0f} ms")
            if ratio and theirs and theirs / row.wall < ratio:
                failures.append(
                    f"{row.label}: only {theirs / row.wall:.1f}x faster than check-jsonschema (budget {ratio}x)"
                )
        if key == "50000" and ajv[row.label] / row.wall < FASTER_THAN_AJV:
            failures.append(
                f"{row.label}: only {ajv[row.label] / row.wall:.1f}x faster than ajv-cli (budget {FASTER_THAN_AJV}x)"
            )

    floor = median_time([BIN / "python", "-c", "import jsonschema_rs"], 21, {0})

    big = cases["50000"][0]
    empty_files = write_case("empty", llm_config(2))
    memory = [
        peak_comparison("`validate`, 2 models (the empty run)", ["validate", *empty_files], {0}),
        peak_comparison("`validate`, 50,000 models", ["validate", *big], {0}),
    ]
    empty_rss = memory[0].ours * 1024
    extra = memory[1].ours * 1024 - empty_rss
    document = document_kib(big[1])
    memory_ratio = extra / max(document, 1)
    if memory_ratio > 2:
        failures.append(f"peak memory at 50,000 models is {memory_ratio:.2f}x the parsed document (budget 2x)")

    huge = write_case("60mb", big_valid(BIG_FILE_MB))[1]
    huge_size = huge.stat().st_size
    [huge_validate] = measure(
        [(f"a valid {huge_size / 1e6:.0f} MB file (20,000 models, long names), `validate`", ["validate", huge], {0})],
        5,
    )
    huge_theirs = median_time(
        [BIN / "check-jsonschema", "--schemafile", SCHEMAS / "llm-config.schema.json", huge], 1, {0}
    )
    [huge_lint] = measure([("the same file, `lint`", ["lint", huge], {0, 1})], 5)
    memory += [
        peak_comparison(f"`validate`, the {huge_size / 1e6:.0f} MB file", ["validate", huge], {0}),
        peak_comparison(f"`lint`, the {huge_size / 1e6:.0f} MB file", ["lint", huge], {0, 1}),
    ]
    huge_peak = memory[2].ours * 1024
    huge_ratio = (huge_peak - empty_rss) * 1024 / huge_size
    lint_ratio = (memory[3].ours * 1024 - empty_rss) * 1024 / huge_size
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
    table += [(huge_validate, huge_theirs, None), (huge_lint, None, None)]

    lines = [
        "| case | runs | pbcfg (median) | check-jsonschema (median) | ratio | ajv-cli (median) | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for row, theirs, _ in table:
        speedup = f"{theirs / row.wall:.1f}x" if theirs else ""
        node = f"{ajv[row.label] * 1000:.1f} ms | {ajv[row.label] / row.wall:.1f}x" if row.label in ajv else " |"
        lines.append(
            f"| {row.label} | {len(row.ours)} | {row.wall * 1000:.1f} ms | "
            f"{f'{theirs * 1000:.1f} ms' if theirs else ''} | {speedup} | {node} |"
        )
    scaling = [
        (name, next(row.wall for row, _, _ in table if f"{name} models" in row.label))
        for name in ("10000", "20000", "50000")
    ]
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
        f"error above that run's {floor_row.wall * 1000:.0f} ms):",
        "",
        "| errors | pbcfg | per error |",
        "|---|---|---|",
        f"| 1,000 | {per_1000.wall * 1000:.0f} ms | {(per_1000.wall - floor_row.wall) / 1000 * 1e6:.0f} µs |",
        f"| 10,000 | {per_10000.wall * 1000:.0f} ms | {(per_10000.wall - floor_row.wall) / 10_000 * 1e6:.0f} µs |",
        "",
        f"`lint` of the valid 10,000-model config takes {lint_10k.wall / validate_10k.wall:.2f}x `validate` of it "
        f"(budget {LINT_OVER_VALIDATE}x).",
        "",
        f"For scale: the interpreter starting and importing jsonschema_rs, and nothing else, "
        f"takes {floor * 1000:.1f} ms on this machine.",
        "",
        f"Peak memory at 50,000 models: {extra / 1024:.1f} MiB above an empty run, "
        f"{memory_ratio:.2f}x the parsed document ({document / 1024:.1f} MiB).",
        "",
        f"Peak memory for the {huge_size / 1e6:.0f} MB file: {huge_peak / 1024:.0f} MiB, "
        f"{(huge_peak - empty_rss) / 1024:.0f} MiB above an empty run "
        f"({empty_rss / 1024:.0f} MiB): {huge_ratio:.2f}x the file's size (budget {MEMORY_OVER_FILE}x); "
        f"`lint` of it {lint_ratio:.2f}x.",
    ]
    timed = [row for row, _, _ in table] + [floor_row]
    lines += clean_path_report(seed, bare, timed, failures)
    comparisons = [cpu_comparison(row) for row in timed] + memory
    lines += baseline_report(comparisons, failures)
    report = "\n".join(lines)
    load = os.getloadavg()[1]
    pips = f"this commit's by {launcher(BIN)}" + (
        f", the baseline's by {launcher(BASELINE_BIN)}" if has_baseline() else ""
    )
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; pbcfg installed from a wheel, not editable; load average "
        f"{load:.1f} over the last 5 minutes (wall-clock rows grow with it; CPU-time ratios much less)"
    )
    took = f"{(time.perf_counter() - started) / 60:.1f} minutes"
    print(report)
    print("\nmachine:", machine)
    print("console scripts:", pips)
    print("took:", took)
    (HERE / "RESULTS.md").write_text(
        "# Benchmark results\n\nWritten by `make bench` (bench/bench.py); whole-process medians after a warm-up; "
        "`runs` is the number of timed runs of each. check-jsonschema and ajv-cli run once per file (one schema per "
        f"run), so their pair time is the sum of two runs; they run {THEIR_RUNS} times per file, 3 at 20,000 models "
        "and above (their times only set the scale).\n\n"
        f"Machine: {machine}.\n\n"
        f"Console scripts (`pbcfg`, the file every run starts from) written by pip: {pips}.\n\n"
        f"The bench took {took}.\n\n{report}\n\n"
        + ("Budgets: all met.\n" if not failures else "Budgets missed:\n" + "".join(f"- {f}\n" for f in failures))
    )
    for failure in failures:
        print("BUDGET MISSED:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
