"""manifest speed and memory against a moto server in another process (so its memory is not
counted): 100,000 objects under one folder location and 10,000 under another.

- time: `provision manifest` (library) against a bare ListObjectsV2 paginator over the same
  keys, in the same run;
- memory: tracemalloc peak of the manifest at 100,000 objects against 10,000.
Figures only; never a timed assertion in tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import tracemalloc
import urllib.request

from provisioner import manifest, sandbox
from provisioner.aws import Aws

BIG, SMALL = 100_000, 10_000
SERVER = textwrap.dedent("""
    import logging, os, sys, time
    os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer
    from moto.s3.models import s3_backends
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=int(sys.argv[1]), verbose=False)
    server.start()
    backend = s3_backends["123456789012"]["aws"]
    backend.create_bucket("bench-images", "us-east-1")
    labels = ["cat", "dog", "bird", "fish"]
    for n in range(int(sys.argv[2])):
        backend.put_object("bench-images", f"all/{labels[n % 4]}/img-{n:06d}.jpg", b"x")
    for n in range(int(sys.argv[3])):
        backend.put_object("bench-images", f"ten/{labels[n % 4]}/img-{n:06d}.jpg", b"x")
    print("ready", flush=True)
    time.sleep(3600)
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(BIG), str(SMALL)], stdout=subprocess.PIPE, text=True
    )
    try:
        start = time.perf_counter()
        assert server.stdout.readline().strip() == "ready"
        print(f"populated {BIG + SMALL} objects in {time.perf_counter() - start:.1f} s")
        endpoint = f"http://127.0.0.1:{port}"
        urllib.request.urlopen(endpoint + "/moto-api/", timeout=5).read()
        aws = Aws(session=sandbox.session_for(sandbox.CUSTOMER_ACCOUNT), endpoint_url=endpoint)

        def bare(prefix: str) -> int:
            pages = (
                aws.client("s3")
                .get_paginator("list_objects_v2")
                .paginate(Bucket="bench-images", Prefix=prefix, PaginationConfig={"PageSize": 1000})
            )
            return sum(1 for page in pages for _ in page.get("Contents", []))

        def ours(prefix: str) -> int:
            options = manifest.check_options(manifest.Options(bucket="bench-images", prefix=prefix))
            with open(os.devnull, "w") as out:
                return manifest.write_manifest(
                    manifest.list_keys(aws, "bench-images", prefix), out, options
                ).rows

        for fn in (bare, ours):
            fn("ten/")  # warm connections
        times = {}
        for label, fn in (("bare ListObjectsV2 paginator", bare), ("provision manifest", ours)):
            start = time.perf_counter()
            count = fn("all/")
            times[label] = time.perf_counter() - start
            print(f"{label:<30} {count:7d} keys {times[label]:7.2f} s")
        ratio = times["provision manifest"] / times["bare ListObjectsV2 paginator"]
        print(f"manifest / bare listing = {ratio:.2f}x")

        peaks = {}
        for prefix, n in (("ten/", SMALL), ("all/", BIG)):
            tracemalloc.start()
            ours(prefix)
            peaks[n] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"manifest peak memory at {n:7d} objects: {peaks[n] / 2**20:6.2f} MiB")
        print(f"peak at {BIG} / peak at {SMALL} = {peaks[BIG] / peaks[SMALL]:.2f}x")
    finally:
        server.kill()


if __name__ == "__main__":
    main()
