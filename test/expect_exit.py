#!/usr/bin/env python3
"""expect_exit.py N command...: runs the command, passes its output through,
and fails unless it exited with status N (lit's `not` only knows non-zero)."""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:])
if proc.returncode != want:
    sys.stderr.write("expect_exit: %s exited %d, expected %d\n" % (sys.argv[2], proc.returncode, want))
    sys.exit(1)
