#!/usr/bin/env python3
"""Compare muslcheck's chosen files with what real pip chooses, one requirement at a time.

A maintainer's by-hand check (network, minutes of run time); no test runs it.

    python3 scripts/pip-agreement.py requirements.txt --python 3.12 --arch x86_64 --musl 1.2 \
        --muslcheck target/release/muslcheck --pip-python /some/venv/bin/python

For every requirement that muslcheck does not report as `skip` (option lines, includes' own lines,
URL/path/VCS lines and lines whose marker is false are never given to pip), the script runs

    pip install --dry-run --ignore-installed --no-deps --report R.json --target T
        --platform musllinux_1_N_ARCH ... --platform musllinux_1_0_ARCH --platform linux_ARCH
        --python-version X.Y --implementation cp --abi cpXY --abi abi3 --abi none REQ

in a subprocess (several at once, each with a timeout) and reads the chosen file from the report, or,
when pip chose an sdist and then failed to build its metadata, from pip's log ("Downloading <file>" /
"Using cached <file>" after the top-level "Collecting"). "No matching distribution" means pip found
no candidate. When pip's pick is an sdist (or pip failed) a second run with --only-binary=:all: tells
whether any compatible wheel exists at all.

Agreement rules: muslcheck `wheel`/`build` agree when its `file` equals pip's file; `fail`/`missing`
agree when pip finds no candidate. pip runs that end in another error or a timeout are listed as
inconclusive, not as disagreements.

glibc targets (--libc glibc --glibc 2.N): pip is given, in place of the musllinux list, the manylinux
platforms that packaging yields on glibc 2.N for the architecture (manylinux_2_N ... manylinux_2_17,
or ... manylinux_2_5 on x86_64 and i686, each legacy alias right after its version: manylinux2014
after _2_17, manylinux2010 after _2_12, manylinux1 after _2_5), then linux_ARCH. The list is not
written out here: the script asks pip's own vendored `packaging._manylinux.platform_tags` for it, in a
subprocess of --pip-python, with the glibc version faked (unittest.mock: `_get_glibc_version` returns
2.N, no `_manylinux` module, the interpreter ABI check passes). muslcheck is run with
`--libc glibc --glibc 2.N`.

Reading a muslcheck report instead of running muslcheck (--muslcheck-json FILE --target ID): FILE is a
report made with `--format json` (one or several targets); the cell ID (`cp311-musllinux_1_2_aarch64`)
is compared, and pip's python, arch and libc are taken from that entry of the report's `targets`
(--python/--arch/--musl/--libc/--glibc are then ignored). One matrix run of muslcheck can so be
checked cell by cell.

pip cache (--pip-cache DIR): every pip result is stored as DIR/<sha256>.json, keyed by the
requirement text, every flag that steers pip's choice (platforms, python version, implementation,
abis, --index-url, --only-binary), the index settings in the environment, and pip's version; a later
run with the same key reads the file instead of running pip. Re-running a cell, or comparing a second
muslcheck build against the same cell, costs no pip run. Timeouts and other pip errors are not
stored (they are retried on the next run); answers with a file and "no candidate" are.

Caveats: pip is asked for a target with --platform/--abi/--implementation/--python-version. For musl
the tag list pip builds from those flags (packaging's cpython_tags + compatible_tags for cp3Y with
abis [cp3Y, abi3, none]) is the same list, in the same order, as sys_tags() on a real Alpine CPython
3.Y, but requires-python is checked against X.Y.0 (pip pads the version; a target given as X.Y.Z is
passed through whole), while the real interpreter has a patch level. For glibc on x86_64 and i686 pip
expands the platform manylinux2014 into manylinux2014, manylinux2010, manylinux1, so those two aliases
rank right after manylinux2014 (ahead of manylinux_2_16 ... _2_12) where sys_tags() puts them after
_2_12 and _2_5. A disagreement that comes only from such a difference is not a muslcheck bug.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import urllib.parse
from dataclasses import dataclass, field

# pip settings that change which file pip picks (or where it looks); muslcheck reads none of them
# except the index URLs, so they are removed from pip's environment. PIP_INDEX_URL and
# PIP_EXTRA_INDEX_URL are kept: muslcheck honours them too.
_PIP_ENV_DROP = {
    "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_ONLY_BINARY", "PIP_NO_BINARY", "PIP_PREFER_BINARY",
    "PIP_PRE", "PIP_CONSTRAINT", "PIP_REQUIREMENT", "PIP_TARGET", "PIP_PLATFORM", "PIP_ABI",
    "PIP_PYTHON_VERSION", "PIP_IMPLEMENTATION", "PIP_REQUIRE_HASHES", "PIP_USE_FEATURE",
    "PIP_USE_DEPRECATED", "PIP_EXTRA_INDEX_URLS", "PIP_UPLOADED_PRIOR_TO",
}

_COLLECTING = re.compile(r"^\S+ Collecting \S")
_FETCHED = re.compile(r"^\S+ +(?:Downloading|Using cached|Processing) (\S+)")
_NO_MATCH = ("No matching distribution found", "ResolutionImpossible", "from versions: none")


@dataclass
class PipResult:
    file: str | None = None          # chosen filename, None when pip found no candidate
    status: str = "ok"               # ok | none | error | timeout
    detail: str = ""
    built_failed: bool = False       # pip chose an sdist and failed to prepare it
    wheel_only: str | None = None    # result of the --only-binary=:all: run, when made


@dataclass
class Row:
    path: str
    line: int
    requirement: str
    outcome: str
    file: str | None
    version: str | None
    pip: PipResult = field(default_factory=PipResult)
    verdict: str = ""
    note: str = ""


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", help="requirements file (not read with --muslcheck-json)")
    ap.add_argument("--python", default="3.12", help="target CPython X.Y (default 3.12)")
    ap.add_argument("--arch", default="x86_64", help="target arch (default x86_64)")
    ap.add_argument("--musl", default="1.2", help="target musl 1.N (default 1.2)")
    ap.add_argument("--libc", choices=("musl", "glibc"), default="musl",
                    help="C library of the target (default musl)")
    ap.add_argument("--glibc", default="2.36", help="target glibc 2.N with --libc glibc (default 2.36)")
    ap.add_argument("--muslcheck-json", metavar="FILE",
                    help="read this muslcheck JSON report instead of running muslcheck (needs --target)")
    ap.add_argument("--target", metavar="ID",
                    help="with --muslcheck-json: the cell to compare, e.g. cp311-musllinux_1_2_aarch64")
    ap.add_argument("--pip-cache", metavar="DIR",
                    help="store pip's answers in DIR and reuse them on later runs")
    ap.add_argument("--muslcheck", default="muslcheck", help="muslcheck binary (default: on PATH)")
    ap.add_argument("--pip-python", default=sys.executable,
                    help="interpreter whose pip is run (default: this one); use a venv with new pip")
    ap.add_argument("--jobs", type=int, default=8, help="pip processes at once (default 8)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per pip run (default 300)")
    ap.add_argument("--sample", type=int, default=0, help="compare a random sample of N requirements")
    ap.add_argument("--seed", type=int, default=1, help="seed for --sample (default 1)")
    ap.add_argument("--index-url", help="passed to both muslcheck and pip")
    ap.add_argument("--json", dest="json_out", help="also write every row as JSON to this file")
    ap.add_argument("--all", action="store_true", help="print agreeing rows too")
    args = ap.parse_args(argv)
    if not args.file and not args.muslcheck_json:
        ap.error("give a requirements file, or --muslcheck-json FILE --target ID")
    if args.muslcheck_json and not args.target:
        ap.error("--muslcheck-json needs --target ID")
    if args.target and not args.muslcheck_json:
        ap.error("--target is read from a report: give --muslcheck-json FILE")
    if args.libc == "glibc" and not re.fullmatch(r"2\.\d+", args.glibc):
        ap.error(f"--glibc {args.glibc!r} is not a version like 2.36")
    return args


def run_muslcheck(args: argparse.Namespace) -> tuple[str, list[Row], int]:
    if args.muslcheck_json:
        with open(args.muslcheck_json, encoding="utf-8") as f:
            report = json.load(f)
        return rows_of(report, args, args.target)
    cmd = [args.muslcheck, args.file, "--python", args.python, "--arch", args.arch]
    if args.libc == "glibc":
        cmd += ["--libc", "glibc", "--glibc", args.glibc]
    else:
        cmd += ["--musl", args.musl]
    cmd += ["--format", "json", "--fail-on", "never"]
    if args.index_url:
        cmd += ["--index-url", args.index_url]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if not proc.stdout.strip():
        sys.exit(f"muslcheck gave no report (exit {proc.returncode}): {proc.stderr.strip()}")
    report = json.loads(proc.stdout)
    return rows_of(report, args, report["targets"][0]["id"])


def rows_of(report: dict, args: argparse.Namespace, target: str) -> tuple[str, list[Row], int]:
    """The rows of one target of a muslcheck report; the target entry sets pip's python, arch, libc."""
    info = next((t for t in report.get("targets", []) if t.get("id") == target), None)
    if info is None:
        sys.exit(f"target {target} is not in the report (it has: "
                 f"{', '.join(t.get('id', '?') for t in report.get('targets', []))})")
    args.python, args.arch, args.libc = info["python"], info["arch"], info["libc"]
    if args.libc == "glibc":
        args.glibc = info["libc_version"]
    elif args.libc == "musl":
        args.musl = info["libc_version"]
    else:
        sys.exit(f"target {target}: unknown libc {args.libc!r}")
    rows, skipped = [], 0
    for pkg in report["packages"]:
        t = pkg["targets"].get(target)
        if t is None or t["outcome"] == "skip":
            skipped += 1
            continue
        req = pkg["requirement"].split(";", 1)[0].strip()  # marker already true for the target
        rows.append(Row(pkg["source"]["path"], pkg["source"]["line"], req, t["outcome"],
                        t.get("file"), t.get("version", pkg.get("version"))))
    for err in report.get("errors", []):
        print(f"muslcheck parse error {err.get('path')}:{err.get('line')}: {err.get('message')}",
              file=sys.stderr)
    return target, rows, skipped


def pip_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PIP_ENV_DROP}
    env["PIP_CONFIG_FILE"] = os.devnull  # no config files: no find-links or constraints from them
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


# Run by --pip-python: packaging's manylinux platform list on a faked glibc 2.N, one tag a line.
_MANYLINUX_TAGS = """
import sys
from unittest import mock
from pip._vendor.packaging import _manylinux
arch, glibc = sys.argv[1], _manylinux._GLibCVersion(2, int(sys.argv[2]))
with mock.patch.object(_manylinux, "_get_glibc_version", return_value=glibc), \\
        mock.patch.object(_manylinux, "_get_manylinux_module", return_value=None), \\
        mock.patch.object(_manylinux, "_have_compatible_abi", return_value=True):
    print("\\n".join(_manylinux.platform_tags([arch])))
"""


def platforms(args: argparse.Namespace) -> list[str]:
    """pip's --platform values, best first: the libc's tags, then linux_ARCH."""
    if args.libc == "glibc":
        proc = subprocess.run([args.pip_python, "-c", _MANYLINUX_TAGS, args.arch,
                               args.glibc.split(".")[1]], capture_output=True, text=True,
                              env=pip_env())
        tags = proc.stdout.split()
        if proc.returncode != 0 or not tags:
            sys.exit(f"could not get packaging's manylinux tags from {args.pip_python}: "
                     f"{proc.stderr.strip()}")
    else:
        musl_minor = int(args.musl.split(".")[1])
        tags = [f"musllinux_1_{n}_{args.arch}" for n in range(musl_minor, -1, -1)]
    return tags + [f"linux_{args.arch}"]


def pip_base(args: argparse.Namespace) -> list[str]:
    major, minor = args.python.split(".")[:2]
    cp = f"cp{major}{minor}"
    cmd = [args.pip_python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps",
           "--quiet"]
    for tag in platforms(args):
        cmd += ["--platform", tag]
    # X.Y is padded to X.Y.0 by pip for requires-python; X.Y.Z is passed through whole.
    cmd += ["--python-version", args.python, "--implementation", "cp", "--abi", cp,
            "--abi", "abi3", "--abi", "none"]
    if args.index_url:
        cmd += ["--index-url", args.index_url]
    return cmd


class PipCache:
    """pip's answers as DIR/<sha256>.json, keyed by everything that steers pip's choice."""

    def __init__(self, directory: str | None, base: list[str], version: str):
        self.dir = directory
        if directory:
            os.makedirs(directory, exist_ok=True)
        # The flags after the interpreter path: the same pip in another venv shares the cache.
        self.flags = base[1:]
        env = pip_env()
        self.env = {k: env[k] for k in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL") if k in env}
        self.version = version
        self.hits = self.runs = 0

    def _path(self, req: str, extra: list[str]) -> tuple[str, dict]:
        key = {"pip": self.version, "flags": self.flags + extra, "env": self.env, "requirement": req}
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
        return os.path.join(self.dir, f"{digest}.json"), key

    def get(self, req: str, extra: list[str]) -> PipResult | None:
        if not self.dir:
            return None
        path, _ = self._path(req, extra)
        try:
            with open(path, encoding="utf-8") as f:
                result = PipResult(**json.load(f)["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.hits += 1
        return result

    def put(self, req: str, extra: list[str], result: PipResult) -> None:
        self.runs += 1
        if not self.dir or result.status in ("error", "timeout"):
            return
        path, key = self._path(req, extra)
        key["env"] = sorted(key["env"])  # names only: an index URL may carry credentials
        if "--index-url" in key["flags"]:
            i = key["flags"].index("--index-url")
            key["flags"] = key["flags"][:i + 1] + ["(given)"] + key["flags"][i + 2:]
        tmp = f"{path}.{os.getpid()}.{random.random()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"key": key, "result": result.__dict__}, f, indent=1)
        os.replace(tmp, path)


def filename_of(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])


def file_from_log(log: str) -> str | None:
    seen_collecting = False
    for line in log.splitlines():
        if _COLLECTING.match(line):
            seen_collecting = True
        elif seen_collecting:
            m = _FETCHED.match(line)
            if m:
                name = filename_of(m.group(1))
                return name[: -len(".metadata")] if name.endswith(".metadata") else name
    return None


def run_pip(base: list[str], req: str, timeout: float, extra: list[str]) -> PipResult:
    with tempfile.TemporaryDirectory(prefix="pip-agreement-") as tmp:
        report, log = os.path.join(tmp, "report.json"), os.path.join(tmp, "pip.log")
        cmd = base + extra + ["--report", report, "--target", os.path.join(tmp, "target"),
                              "--log", log, req]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env=pip_env(), cwd=tmp)
        except subprocess.TimeoutExpired:
            return PipResult(status="timeout", detail=f"timeout after {timeout:.0f}s",
                             file=file_from_log(_read(log)))
        out = proc.stdout + proc.stderr
        if proc.returncode == 0 and os.path.exists(report):
            with open(report, encoding="utf-8") as f:
                installs = json.load(f).get("install", [])
            if installs:
                return PipResult(file=filename_of(installs[0]["download_info"]["url"]))
        if any(s in out for s in _NO_MATCH):
            return PipResult(status="none", detail=_first_error(out))
        chosen = file_from_log(_read(log))
        if chosen:
            return PipResult(file=chosen, built_failed=True, detail=_first_error(out))
        return PipResult(status="error", detail=_first_error(out) or f"exit {proc.returncode}")


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _first_error(out: str) -> str:
    for line in out.splitlines():
        if line.startswith("ERROR:"):
            return line[len("ERROR:"):].strip()
    return ""


def cached_pip(cache: PipCache, base: list[str], req: str, timeout: float,
               extra: list[str]) -> PipResult:
    result = cache.get(req, extra)
    if result is None:
        result = run_pip(base, req, timeout, extra)
        cache.put(req, extra, result)
    return result


def check(row: Row, base: list[str], timeout: float, cache: PipCache) -> Row:
    row.pip = cached_pip(cache, base, row.requirement, timeout, [])
    if row.pip.status in ("error", "timeout") or (row.pip.file and not row.pip.file.endswith(".whl")):
        wo = cached_pip(cache, base, row.requirement, timeout, ["--only-binary=:all:"])
        row.pip.wheel_only = wo.file if wo.status == "ok" else ("(none)" if wo.status == "none"
                                                               else f"({wo.status})")
    judge(row)
    return row


def judge(row: Row) -> None:
    p = row.pip
    if p.status in ("error", "timeout") and not p.file:
        row.verdict = "inconclusive"
        row.note = p.detail
        return
    if row.outcome in ("wheel", "build"):
        row.verdict = "agree" if p.file == row.file else "DISAGREE"
    elif row.outcome in ("fail", "missing"):
        row.verdict = "agree" if p.status == "none" else "DISAGREE"
    else:  # unknown, or a new outcome word
        row.verdict = "DISAGREE"
        row.note = f"muslcheck outcome {row.outcome}"
    if row.verdict == "agree" and row.outcome == "build" and p.wheel_only and \
            p.wheel_only.endswith(".whl") and _pinned(row.requirement):
        row.verdict = "DISAGREE"
        row.note = f"--only-binary finds {p.wheel_only}"
    if row.verdict == "DISAGREE" and not row.note:
        if p.file and row.file and p.file.endswith(".whl") and row.file.endswith(".whl"):
            row.note = "both wheels: tag ranking (check pip's --platform/--abi tag list)"
        elif p.built_failed:
            row.note = "pip chose an sdist, then failed to prepare it"
    if p.status == "timeout":
        row.note = (row.note + "; " if row.note else "") + p.detail


def _pinned(req: str) -> bool:
    return re.fullmatch(r"[^=<>!~,]+(===\s*\S+|==\s*[^*,\s]+)", req.strip()) is not None


def pip_version(pip_python: str) -> str:
    proc = subprocess.run([pip_python, "-m", "pip", "--version"], capture_output=True, text=True,
                          env=pip_env())
    return proc.stdout.split(" from ")[0].strip() or proc.stderr.strip()


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    target, rows, skipped = run_muslcheck(args)
    if args.sample and args.sample < len(rows):
        rows = sorted(random.Random(args.seed).sample(rows, args.sample),
                      key=lambda r: (r.path, r.line))
    version = pip_version(args.pip_python)
    source = f"report {args.muslcheck_json}" if args.muslcheck_json else f"file {args.file}"
    print(f"{version}; muslcheck target {target}; {source}")
    print(f"comparing {len(rows)} requirements ({skipped} skip lines not given to pip"
          f"{', random sample' if args.sample else ''})", flush=True)
    base = pip_base(args)
    cache = PipCache(args.pip_cache, base, version)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        done = list(pool.map(lambda r: check(r, base, args.timeout, cache), rows))

    shown = [r for r in done if args.all or r.verdict != "agree"]
    if shown:
        print(f"\n{'line':>10}  {'requirement':<34} {'muslcheck':<48} {'pip':<48} verdict / note")
        for r in shown:
            mc = f"{r.outcome}: {r.file or '-'}"
            pf = r.pip.file or ("no candidate" if r.pip.status == "none" else r.pip.status)
            if r.pip.built_failed:
                pf += " (build failed)"
            if r.pip.wheel_only:
                pf += f" | only-binary: {r.pip.wheel_only}"
            loc = f"{os.path.basename(r.path)}:{r.line}"
            print(f"{loc:>10}  {r.requirement:<34} {mc:<48} {pf:<48} {r.verdict}"
                  f"{' — ' + r.note if r.note else ''}")
    counts = {v: sum(1 for r in done if r.verdict == v) for v in ("agree", "DISAGREE", "inconclusive")}
    print(f"\n{target}: compared {len(done)}, agree {counts['agree']}, "
          f"disagree {counts['DISAGREE']}, inconclusive {counts['inconclusive']}, skip {skipped}")
    outcomes = {o: sum(1 for r in done if r.outcome == o) for o in ("wheel", "build", "fail", "missing")}
    print(f"muslcheck outcomes: {', '.join(f'{o} {n}' for o, n in outcomes.items())}"
          f"{'; pip runs ' + str(cache.runs) + ', from cache ' + str(cache.hits) if args.pip_cache else ''}")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump([{**{k: v for k, v in r.__dict__.items() if k != "pip"}, "pip": r.pip.__dict__}
                       for r in done], f, indent=1)
    return 1 if counts["DISAGREE"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
