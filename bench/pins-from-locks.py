#!/usr/bin/env python3
"""A second pinned file for bench/compare.sh: every package of the lock files in the shared corpus beside the
checkout (../shared/locks: uv.lock and poetry.lock files of public projects), one `name==version` line each,
the first lock naming a project winning. Third-party data, so it is made here, never kept in the repository.

    bench/pins-from-locks.py > target/bench/locks-pins.txt
"""
import pathlib
import re
import sys
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "locks"
if not root.is_dir():
    sys.exit(f"needs {root} (the shared corpus beside the checkout)")
seen = {}
for lock in sorted(root.glob("*/uv.lock")) + sorted(root.glob("*/poetry.lock")):
    data = tomllib.loads(lock.read_text())
    for package in data.get("package", []):
        # Workspace members and local paths are not on the index.
        source = package.get("source", {})
        if isinstance(source, dict) and any(k in source for k in ("editable", "virtual", "path", "directory", "git", "url")):
            continue
        name = re.sub(r"[-_.]+", "-", package["name"]).lower()
        seen.setdefault(name, package["version"])
for name, version in sorted(seen.items()):
    print(f"{name}=={version}")
