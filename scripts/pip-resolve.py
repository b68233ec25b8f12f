#!/usr/bin/env python3
"""Resolve a requirements file with pip's real resolver for an Alpine (musl) target; print `name==version`.

A maintainer's by-hand oracle for muslcheck's dependency resolution (network, seconds to minutes); no test
runs it. Two modes:

--only-binary (default): pip is asked for the target, as pip-agreement.py asks it:

    pip install --dry-run --ignore-installed --quiet --report R.json -r REQS [-c CONSTRAINTS]
        --platform musllinux_1_N_ARCH ... --platform musllinux_1_0_ARCH --platform linux_ARCH
        --python-version X.Y --implementation cp --abi cpXY --only-binary=:all: [--index-url URL]

    pip refuses sdists once --platform is given (it could not build them for another machine), so every
    package of the tree must have a compatible wheel; a tree that needs an sdist fails here with "No matching
    distribution" (the script says which requirement pip gave up on). The tag list pip builds from these flags
    (packaging's cpython_tags + compatible_tags; abi3 and none are added by packaging, so `--abi cpXY` alone
    gives the same list as `--abi cpXY --abi abi3 --abi none`) is the list, in the same order, that
    sys_tags() yields on a real Alpine CPython X.Y: musllinux_1_N ... musllinux_1_0, then linux_ARCH (no
    public-index wheel has a linux_ tag; private indexes may). requires-python is checked against X.Y.0
    (pip pads the version). Environment markers: pip itself evaluates them against the interpreter it runs
    on, whatever --python-version says (a cp312 target resolved by pip on 3.11 would get the deps of
    `python_version < "3.12"`, and aarch64 the deps of `platform_machine == "x86_64"`), so the script runs
    pip through a small wrapper (`python -c <patch> ...`, then pip's own main) that sets pip's vendored
    packaging marker environment to the target: python_version X.Y, python_full_version X.Y.0 (or X.Y.Z
    when given), platform_machine ARCH, sys_platform linux, platform_system Linux, os_name posix,
    implementation cpython. platform_release/platform_version stay the host's.

--native: for trees with sdist-only packages. pip runs on the interpreter given by --pip-python (its
    CPython version is the target's: 3.11 here gives cp311) with no target flags, so it builds sdist metadata
    just as on Alpine, but pip's notion of "this machine's platforms" is patched to the musl list: in the pip
    process, the vendored `packaging.tags.platform_tags` (which `cpython_tags`/`compatible_tags` call when no
    --platform is given) is replaced by one yielding musllinux_1_N_ARCH ... musllinux_1_0_ARCH, linux_ARCH,
    and `compatibility_tags.get_supported`, which pip's finder (TargetPython.get_sorted_tags), the resolver's
    wheel-cache lookup (Factory) and the legacy resolver import by name, is wrapped everywhere it was
    imported so that a call without platforms gets that list. The script checks, before resolving, that
    pip's TargetPython yields exactly packaging's musl tag list. Caveats:
      * ARCH must be the host's: markers (platform_machine) come from the host interpreter.
      * The host is glibc: an sdist's metadata is built on glibc, with build dependencies that pip's
        isolated build-environment subprocess (not patched) picks for the host. A setup.py that inspects the
        C library (rare) could declare other dependencies than on Alpine; a build that needs Alpine-only
        headers may fail here and not there (or the reverse). pip only prepares metadata (no compile) for
        most PEP 517 backends, so usually nothing is compiled.
      * The Python version is the host's full version (3.11.7 here) for requires-python and markers
        (markers are not patched in this mode: they are the host's, which is the target here).

Comparing with muslcheck (--muslcheck-json FILE --target ID): a package of the report counts as resolved
on the target when its `targets[ID].outcome` is `wheel` or `build` and its `version` is not null. The
script prints the packages pip resolves that muslcheck does not (missing in muslcheck), those muslcheck
resolves that pip does not (extra in muslcheck), and the version differences, and exits 0 when the sets
are equal, 1 otherwise (2 when pip itself fails). The target's python, musl and arch are read from the
report's `targets` entry.

    python3 scripts/pip-resolve.py examples/data-project.txt --python 3.12 --arch aarch64 \
        --pip-python /some/venv-with-pip-26/bin/python --out tree.txt --report pip-report.json
    python3 scripts/pip-resolve.py examples/data-project.txt --native --pip-python /venv311/bin/python
    python3 scripts/pip-resolve.py REQS --muslcheck-json report.json --target cp312-musllinux_1_2_x86_64
    python3 scripts/pip-resolve.py --from-report pip-report.json --muslcheck-json report.json --target ID

Environment: pip's config files are not read (PIP_CONFIG_FILE is the null device) and the PIP_* settings
that change which file pip picks (find-links, constraints, only/no-binary, pre, platform ...) are removed;
PIP_INDEX_URL and PIP_EXTRA_INDEX_URL are kept, as muslcheck honours them too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile

_PIP_ENV_DROP = {
    "PIP_FIND_LINKS", "PIP_NO_INDEX", "PIP_ONLY_BINARY", "PIP_NO_BINARY", "PIP_PREFER_BINARY",
    "PIP_PRE", "PIP_CONSTRAINT", "PIP_REQUIREMENT", "PIP_TARGET", "PIP_PLATFORM", "PIP_ABI",
    "PIP_PYTHON_VERSION", "PIP_IMPLEMENTATION", "PIP_REQUIRE_HASHES", "PIP_USE_FEATURE",
    "PIP_USE_DEPRECATED", "PIP_EXTRA_INDEX_URLS", "PIP_UPLOADED_PRIOR_TO", "PIP_NO_DEPS",
}
_RESOLVED = ("wheel", "build")

# Run in the pip process in --only-binary mode: argv = [python X.Y[.Z], arch, pip args...]. pip evaluates
# environment markers against the interpreter it runs on, whatever --python-version says; this makes them
# evaluate for the target instead (pip's vendored packaging caches the environment in
# _cached_default_environment, read through default_environment, which Marker.evaluate calls).
_TARGET_MARKERS = r"""
import sys
python, arch, args = sys.argv[1], sys.argv[2], sys.argv[3:]
full = python if python.count(".") == 2 else python + ".0"
from pip._vendor.packaging import markers
env = dict(markers.default_environment())
env.update({"implementation_name": "cpython", "implementation_version": full, "os_name": "posix",
            "platform_machine": arch, "platform_python_implementation": "CPython", "platform_system": "Linux",
            "python_full_version": full, "python_version": ".".join(python.split(".")[:2]),
            "sys_platform": "linux"})
markers.default_environment = lambda: dict(env)
assert markers.Marker('python_version == "%s" and platform_machine == "%s"' % (env["python_version"], arch)).evaluate()
from pip._internal.cli.main import main
sys.exit(main(args))
"""

# Run in the pip process by --native: argv = [musl_minor, arch, pip args...].
_NATIVE = r"""
import sys
musl_minor, arch, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
PLATFORMS = [f"musllinux_1_{n}_{arch}" for n in range(musl_minor, -1, -1)] + [f"linux_{arch}"]

from pip._vendor.packaging import tags
tags.platform_tags = lambda: iter(PLATFORMS)

from pip._internal.utils import compatibility_tags
_original = compatibility_tags.get_supported
def get_supported(version=None, platforms=None, impl=None, abis=None):
    return _original(version=version, platforms=platforms or list(PLATFORMS), impl=impl, abis=abis)
compatibility_tags.get_supported = get_supported
import importlib
for mod in ("pip._internal.models.target_python", "pip._internal.resolution.resolvelib.factory",
            "pip._internal.resolution.legacy.resolver", "pip._internal.commands.check"):
    try:
        m = importlib.import_module(mod)
    except ImportError:
        continue
    if getattr(m, "get_supported", None) is _original:
        m.get_supported = get_supported

# check: pip's finder sees exactly what sys_tags() yields on an Alpine CPython X.Y with musl 1.N on ARCH
from pip._internal.models.target_python import TargetPython
want = list(tags.sys_tags())
got = TargetPython().get_sorted_tags()
if got != want or not str(got[0]).endswith(PLATFORMS[0]):
    sys.exit(f"pip-resolve --native: patching failed, pip's first tags are {[str(t) for t in got[:3]]}")

from pip._internal.cli.main import main
sys.exit(main(args))
"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("requirements", nargs="*", help="requirements file(s), given to pip as -r")
    ap.add_argument("-c", "--constraint", action="append", default=[], help="constraints file (repeatable)")
    ap.add_argument("--python", default=None, help="target CPython X.Y (default 3.12; --native: the "
                    "--pip-python's own version, and only that)")
    ap.add_argument("--musl", default="1.2", help="musl 1.N (default 1.2)")
    ap.add_argument("--arch", default=None, help="target architecture (default: the host's)")
    ap.add_argument("--native", action="store_true",
                    help="run pip natively with its platform tags patched to musllinux (sdists allowed)")
    ap.add_argument("--pip-python", default=sys.executable,
                    help="interpreter whose pip is run (default: this one)")
    ap.add_argument("--index-url", help="passed to pip")
    ap.add_argument("--out", help="also write the name==version lines to this file")
    ap.add_argument("--report", help="keep pip's --report JSON at this path")
    ap.add_argument("--from-report", help="read a pip --report JSON made earlier instead of running pip")
    ap.add_argument("--muslcheck-json", help="muslcheck --format json report to compare with")
    ap.add_argument("--target", help="target id in the muslcheck report, e.g. cp312-musllinux_1_2_x86_64")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds for the pip run (default 1800)")
    args = ap.parse_args(argv)
    if bool(args.muslcheck_json) != bool(args.target):
        ap.error("--muslcheck-json and --target go together")
    if not args.requirements and not args.from_report:
        ap.error("give a requirements file, or --from-report FILE")
    if not re.fullmatch(r"1\.\d+", args.musl):
        ap.error(f"--musl {args.musl!r} is not a version like 1.2")
    return args


def pip_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PIP_ENV_DROP}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def platforms(musl: str, arch: str) -> list[str]:
    minor = int(musl.split(".")[1])
    return [f"musllinux_1_{n}_{arch}" for n in range(minor, -1, -1)] + [f"linux_{arch}"]


def pip_python_version(pip_python: str) -> str:
    out = subprocess.run([pip_python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip()


def pip_command(args: argparse.Namespace, report: str) -> list[str]:
    pip_args = ["install", "--dry-run", "--ignore-installed", "--quiet", "--report", report]
    for r in args.requirements:
        pip_args += ["-r", r]
    for c in args.constraint:
        pip_args += ["-c", c]
    if args.index_url:
        pip_args += ["--index-url", args.index_url]
    if args.native:
        return [args.pip_python, "-c", _NATIVE, args.musl.split(".")[1], args.arch] + pip_args
    major, minor = args.python.split(".")[:2]
    for p in platforms(args.musl, args.arch):
        pip_args += ["--platform", p]
    pip_args += ["--python-version", args.python, "--implementation", "cp", "--abi", f"cp{major}{minor}",
                 "--only-binary=:all:"]
    return [args.pip_python, "-c", _TARGET_MARKERS, args.python, args.arch] + pip_args


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def resolved_of_report(report: dict) -> tuple[dict[str, str], list[str]]:
    """{name: version} of pip's --report, and the names pip would build from an sdist."""
    tree, sdists = {}, []
    for item in report.get("install", []):
        name = canonical(item["metadata"]["name"])
        tree[name] = item["metadata"]["version"]
        url = item.get("download_info", {}).get("url", "")
        if not url.split("#")[0].endswith(".whl"):
            sdists.append(name)
    return tree, sdists


def run_pip(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix="pip-resolve-") as tmp:
        report = os.path.abspath(args.report) if args.report else os.path.join(tmp, "report.json")
        log = os.path.join(tmp, "pip.log")
        cmd = pip_command(args, report)
        cmd += ["--log", log]  # --quiet hides why the resolver gave up; the log keeps it
        print("running:", " ".join("<patch>" if a in (_NATIVE, _TARGET_MARKERS) else a for a in cmd), file=sys.stderr, flush=True)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=pip_env(), timeout=args.timeout)
        except subprocess.TimeoutExpired:
            sys.exit(f"pip timed out after {args.timeout:.0f}s")
        if proc.returncode != 0 or not os.path.exists(report):
            out = proc.stdout + proc.stderr
            print(out.rstrip(), file=sys.stderr)
            cause = _conflict(_read(log))
            if cause:
                print(cause, file=sys.stderr)
            culprit = re.findall(r"No matching distribution found for (\S+)", out)
            culprit += _unavailable(_read(log))
            if culprit:
                print(f"pip-resolve: pip found no installable file for {', '.join(culprit)}"
                      f"{' (only-binary mode: try --native if it has an sdist)' if not args.native else ''}",
                      file=sys.stderr)
            sys.exit(2)
        with open(report, encoding="utf-8") as f:
            return json.load(f)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _unavailable(log: str) -> list[str]:
    """Names pip lists under "no matching distributions available for your environment" after a conflict."""
    lines = [re.sub(r"^\S+ ", "", line, count=1) for line in log.splitlines()]
    names: list[str] = []
    for i, line in enumerate(lines):
        if "no matching distributions available for your environment" in line:
            for follow in lines[i + 1:]:
                if not follow.startswith("    ") or not follow.strip():
                    break
                if follow.strip() not in names:
                    names.append(follow.strip())
    return names


def _conflict(log: str) -> str:
    """pip's "The conflict is caused by:" block from its log (the last one), without the log prefixes."""
    lines = [re.sub(r"^\S+ ", "", line, count=1) for line in log.splitlines()]
    starts = [i for i, line in enumerate(lines) if line.startswith("The conflict is caused by")]
    if not starts:
        return ""
    block = []
    for line in lines[starts[-1]:]:
        if line.startswith(("To fix this", "ERROR", "Traceback", "Additionally")):
            break
        block.append(line)
    if len(block) > 40:
        block = block[:20] + [f"    ... {len(block) - 40} lines ..."] + block[-20:]
    return "\n".join(block).rstrip()


def muslcheck_tree(path: str, target: str) -> tuple[dict[str, str], dict]:
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    info = next((t for t in report.get("targets", []) if t.get("id") == target), None)
    if info is None:
        sys.exit(f"target {target} is not in the report (it has: "
                 f"{', '.join(t.get('id', '?') for t in report.get('targets', []))})")
    tree: dict[str, str] = {}
    for pkg in report.get("packages", []):
        t = (pkg.get("targets") or {}).get(target)
        if not t or t.get("outcome") not in _RESOLVED:
            continue
        version = t.get("version", pkg.get("version"))
        if version is None:
            continue
        name = canonical(pkg["name"])
        if name in tree and tree[name] != version:
            print(f"muslcheck report names {name} twice: {tree[name]} and {version}", file=sys.stderr)
        tree[name] = version
    return tree, info


def compare(pip_tree: dict[str, str], ours: dict[str, str], target: str) -> int:
    missing = sorted(set(pip_tree) - set(ours))
    extra = sorted(set(ours) - set(pip_tree))
    differ = sorted(n for n in set(pip_tree) & set(ours) if pip_tree[n] != ours[n])
    for n in missing:
        print(f"missing in muslcheck: {n}=={pip_tree[n]}")
    for n in extra:
        print(f"extra in muslcheck:   {n}=={ours[n]}")
    for n in differ:
        print(f"version differs:      {n}: pip {pip_tree[n]}, muslcheck {ours[n]}")
    agree = not (missing or extra or differ)
    print(f"{target}: pip {len(pip_tree)} packages, muslcheck {len(ours)}; missing {len(missing)}, "
          f"extra {len(extra)}, version differences {len(differ)}: {'AGREE' if agree else 'DISAGREE'}")
    return 0 if agree else 1


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    info = None
    if args.muslcheck_json:
        ours, info = muslcheck_tree(args.muslcheck_json, args.target)
        if info.get("libc") != "musl":
            sys.exit(f"target {args.target} is not a musl target")
        args.python, args.musl, args.arch = info["python"], info["libc_version"], info["arch"]
    args.python = args.python or (None if args.native else "3.12")
    host_arch = platform.machine()
    args.arch = args.arch or host_arch

    if args.from_report:
        with open(args.from_report, encoding="utf-8") as f:
            report = json.load(f)
    else:
        if args.native:
            have = pip_python_version(args.pip_python)
            if args.python and have != ".".join(args.python.split(".")[:2]):
                sys.exit(f"--native resolves for the interpreter's own Python ({have}), not {args.python}")
            args.python = have
            if args.arch != host_arch:
                sys.exit(f"--native resolves for the host's architecture ({host_arch}), not {args.arch}")
        report = run_pip(args)
    tree, sdists = resolved_of_report(report)
    lines = [f"{n}=={v}" for n, v in sorted(tree.items())]
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    if not args.muslcheck_json:
        print("\n".join(lines))
    args.python = args.python or "?"
    mode = "native, patched musl tags" if args.native else "only-binary"
    print(f"# {len(tree)} packages, cp{args.python.replace('.', '')[:3]}-musllinux_"
          f"{args.musl.replace('.', '_')}_{args.arch} ({mode})"
          f"{'; from sdist: ' + ', '.join(sorted(sdists)) if sdists else ''}", file=sys.stderr)
    if args.muslcheck_json:
        return compare(tree, ours, args.target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
