#!/usr/bin/env python3
"""make_db.py [-I DIR]... OUT NAME=SOURCE...: copies each SOURCE to OUT/src/NAME
and writes OUT/compile_commands.json with one entry per file, in the order
given (C++20, the -I directories)."""
import json
import os
import shutil
import sys

args = sys.argv[1:]
includes = []
while args and args[0] == "-I":
    includes.append(os.path.abspath(args[1]))
    args = args[2:]
out, pairs = os.path.abspath(args[0]), args[1:]
os.makedirs(os.path.join(out, "src"), exist_ok=True)
entries = []
for pair in pairs:
    name, source = pair.split("=", 1)
    shutil.copyfile(source, os.path.join(out, "src", name))
    arguments = ["c++", "-std=c++20"] + ["-I" + i for i in includes] + ["-c", "src/" + name]
    entries.append({"directory": out, "file": os.path.join(out, "src", name), "arguments": arguments})
with open(os.path.join(out, "compile_commands.json"), "w", encoding="utf-8") as f:
    json.dump(entries, f, indent=1)
