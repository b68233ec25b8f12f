#!/usr/bin/env python3
"""The floor of a cold run: the requests a muslcheck run made, asked again with nothing else done.

    bench/floor.py CACHE_DIR [RUNS]

CACHE_DIR is the cache directory a cold run filled (`--cache-dir`). Every entry in it is one request that run
made: a project page, a `.metadata` file (or the 404 that says there is none), or a range read of a wheel. This script asks for the
same URLs again (ranges as `bytes=-N`, N the length the run received) with curl: one process, HTTP/2, as many
requests in flight as muslcheck allows by default (16 pages and 16 files), no decoding and no dependency between
them. muslcheck must read a page before it knows which metadata to ask for, so its cold wall time can only come
near this figure. It prints the requests by kind, the bytes received and the median wall time of RUNS rounds
(default 3).

Needs network access to the index and curl with HTTP/2. curl verifies HTTPS against the system's trust store,
as muslcheck does.
"""

import os
import statistics
import struct
import subprocess
import sys
import time

MAGIC = b"MUSLCHK\x01"
HEADER = struct.Struct("<8sIQI")
PAGE_TYPE = "application/x.muslcheck.page.v2"
IN_FLIGHT = 16


def entries(cache_dir):
    """(kind, url, range) for each entry of the cache: a page, a file, or the tail of a wheel."""
    folder = os.path.join(cache_dir, "http-v1")
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as f:
            head = f.read(HEADER.size)
            if len(head) < HEADER.size:
                continue
            magic, meta_len, body_len, _crc = HEADER.unpack(head)
            if magic != MAGIC:
                continue
            meta = dict(
                line.split(" ", 1) for line in f.read(meta_len).decode().splitlines() if " " in line
            )
        if meta.get("found") != "1":
            # Asked and not there (a project no index has, a `.metadata` file the index does not serve).
            kind = "page" if meta["url"].endswith("/") else "file"
            yield kind, meta["url"], None
        elif meta.get("content-type") == PAGE_TYPE:
            yield "page", meta["url"], None
        elif meta.get("partial") == "1":
            yield "range", meta["url"], f"bytes=-{body_len}"
        else:
            yield "file", meta["url"], None


def one_round(requests, config):
    """One round through curl: every request in one process, HTTP/2, 32 in flight; (wall, bytes)."""
    start = time.monotonic()
    done = subprocess.run(
        ["curl", "--silent", "--parallel", "--parallel-max", str(2 * IN_FLIGHT), "--config", config],
        capture_output=True, text=True, check=False,
    )
    wall = time.monotonic() - start
    answers = [line.split() for line in done.stdout.splitlines() if len(line.split()) == 2]
    received = sum(int(size) for _, size in answers)
    failed = sum(1 for status, _ in answers if status not in ("200", "206", "404"))
    if failed or len(answers) != len(requests):
        print(f"  {failed} answers other than 200, 206 or 404; {len(answers)} of {len(requests)} answered")
    return wall, received


def curl_config(requests, path):
    """A curl config asking for each request, the body thrown away (`next` keeps each one's options its own)."""
    with open(path, "w") as f:
        for n, (kind, url, byte_range) in enumerate(requests):
            if n:
                f.write("next\n")
            f.write(f'url = "{url}"\noutput = "/dev/null"\nhttp2\ncompressed\n')
            f.write('write-out = "%{http_code} %{size_download}\\n"\n')
            if kind == "page":
                f.write('header = "Accept: application/vnd.pypi.simple.v1+json"\n')
            if byte_range:
                f.write(f'range = "{byte_range[len("bytes="):]}"\n')


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    requests = list(entries(sys.argv[1]))
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    kinds = {k: sum(1 for r in requests if r[0] == k) for k in ("page", "file", "range")}
    print(
        f"{len(requests)} requests: {kinds['page']} pages, {kinds['file']} metadata files (found or "
        f"not), {kinds['range']} range reads"
    )
    config = os.path.join(sys.argv[1], "floor.curlrc")
    curl_config(requests, config)
    walls = []
    for n in range(runs):
        wall, received = one_round(requests, config)
        walls.append(wall)
        print(f"  round {n + 1}: {wall:.2f} s, {received / 1e6:.1f} MB received")
    print(f"floor: median {statistics.median(walls):.2f} s over {runs} rounds")


if __name__ == "__main__":
    main()
