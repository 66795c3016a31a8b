#!/usr/bin/env python3
"""validate_sarif.py SCHEMA REPORT [--checks FILE] [--docs DIR]

Validates a SARIF report against the SARIF 2.1.0 JSON schema (a real
validator: the jsonschema package), then, with --checks (the output of
`lastword --list-checks`), that the report has exactly one rule per enabled
check, and with --docs, that each rule has both descriptions and a help URI
naming its page docs/checks/<id>.md, which exists. Prints each problem and
exits 1 when there is any."""
import argparse
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    # CMake may have found a Python without it; Debian's has it once
    # python3-jsonschema is installed (scripts/setup.sh does).
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3" \
            and not os.environ.get("VALIDATE_SARIF_REEXEC"):
        os.environ["VALIDATE_SARIF_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("validate_sarif: the jsonschema package is missing (apt-get install python3-jsonschema)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("report")
    parser.add_argument("--checks", help="output of lastword --list-checks")
    parser.add_argument("--docs", help="the docs/checks directory")
    args = parser.parse_args()
    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)

    problems = []
    validator = jsonschema.Draft4Validator(schema)
    for error in sorted(validator.iter_errors(report), key=lambda e: list(e.path)):
        problems.append("schema: %s at /%s" % (error.message, "/".join(str(p) for p in error.path)))

    rules = [r for run in report.get("runs", []) for r in run.get("tool", {}).get("driver", {}).get("rules", [])]
    ids = [r.get("id") for r in rules]
    if args.checks:
        with open(args.checks, encoding="utf-8") as f:
            enabled = [line.strip() for line in f if line.startswith("    ")]
        if sorted(ids) != sorted(enabled):
            problems.append("rules %s are not the enabled checks %s" % (ids, enabled))
    if args.docs:
        for rule in rules:
            rid = rule.get("id")
            for field in ("shortDescription", "fullDescription"):
                if not rule.get(field, {}).get("text"):
                    problems.append("rule %s has no %s" % (rid, field))
            uri = rule.get("helpUri", "")
            if not uri.endswith("/%s.md" % rid):
                problems.append("rule %s: helpUri '%s' does not name its page" % (rid, uri))
            if not os.path.isfile(os.path.join(args.docs, "%s.md" % rid)):
                problems.append("rule %s has no page in %s" % (rid, args.docs))
    for p in problems:
        print("validate_sarif: " + p)
    if problems:
        sys.exit(1)
    print("validate_sarif: %s is valid SARIF 2.1.0 with %d rule(s) and %d result(s)" % (
        args.report, len(rules), sum(len(run.get("results", [])) for run in report.get("runs", []))))


if __name__ == "__main__":
    main()
