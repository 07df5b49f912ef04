#!/usr/bin/python3
"""Drives postfix-mta-sts-resolver's daemon (mta-sts-daemon) the way Postfix does: socketmap
queries ("<zone> <domain>" as netstrings) over TCP, for benchmarks/cold-burst.sh (issue 16).

  socketmap-burst.py PORT FIRST COUNT PARALLEL

looks up bench-FIRST.example .. bench-(FIRST+COUNT-1).example with PARALLEL queries in flight,
each worker on a connection of its own with one query at a time, and prints one line:

  RESULT ok=N wall_s=S p50_ms=X p99_ms=Y max_ms=Z

Every answer must be "OK secure match=..." (an enforce policy); anything else is counted as a
failure and the first one printed on standard error. Only loopback is contacted.
"""
import asyncio
import sys
import time


def netstring(data: bytes) -> bytes:
    return str(len(data)).encode() + b":" + data + b","


async def read_netstring(reader: asyncio.StreamReader) -> bytes:
    length = int((await reader.readuntil(b":"))[:-1])
    data = await reader.readexactly(length + 1)
    return data[:-1]


async def worker(port, queue, latencies, failures):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            try:
                domain = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            start = time.perf_counter()
            writer.write(netstring(b"postfix " + domain.encode()))
            await writer.drain()
            answer = await read_netstring(reader)
            latencies.append(time.perf_counter() - start)
            if not answer.startswith(b"OK secure match="):
                failures.append(domain + ": " + answer.decode(errors="replace"))
    finally:
        writer.close()


async def main():
    port, first, count, parallel = (int(a) for a in sys.argv[1:5])
    queue = asyncio.Queue()
    for i in range(first, first + count):
        queue.put_nowait(f"bench-{i}.example")
    latencies, failures = [], []
    start = time.perf_counter()
    await asyncio.gather(*(worker(port, queue, latencies, failures)
                           for _ in range(min(parallel, count))))
    wall = time.perf_counter() - start
    latencies.sort()

    def percentile(p):
        return latencies[max(0, -(-len(latencies) * p // 100) - 1)] * 1000

    if failures:
        print(f"{len(failures)} failures; first: {failures[0]}", file=sys.stderr)
    print(f"RESULT ok={count - len(failures)} wall_s={wall:.3f} p50_ms={percentile(50):.1f}"
          f" p99_ms={percentile(99):.1f} max_ms={latencies[-1] * 1000:.1f}")


asyncio.run(main())
