#!/usr/bin/env python3
"""Runs one command and appends its cost as a JSON line to RESULTS.

    measure.py RESULTS NAME REQUESTS -- COMMAND [ARGS...]

Recorded: wall seconds, CPU seconds (user+sys of the child and its threads),
peak RSS in MiB, requests per second (REQUESTS / wall) and the exit status.
GNU time is not always installed; getrusage(RUSAGE_CHILDREN) gives the same
figures because this process waits for exactly one child.
The child's stdout/stderr pass through; exits with the child's status.
"""
import json
import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 5 or sys.argv[4] != "--":
        sys.exit(__doc__)
    results, name, requests, cmd = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[5:]
    start = time.monotonic()
    status = subprocess.run(cmd).returncode
    wall = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    row = {
        "name": name,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024.0,  # Linux reports KiB
        "requests": requests,
        "req_per_s": requests / wall if wall > 0 else 0.0,
        "status": status,
    }
    with open(results, "a") as fh:
        fh.write(json.dumps(row) + "\n")
    sys.exit(status)


if __name__ == "__main__":
    main()
