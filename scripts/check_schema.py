#!/usr/bin/env python3
"""Checks the shipped JSON Schema with a validator that is not orgsim's own.

orgsim derives scenarios/scenario.schema.json from its types and checks ranges with the same
constants (src/scenario/limits.rs). This script asks an independent implementation, Python's
`jsonschema`, two questions:

1. Does every shipped scenario (scenarios/*.json, the schema itself aside) validate?
2. Is every range refusal among the bad scenarios a refusal of the schema's too, at the same
   JSON path? A bad scenario's `.expected` file holds orgsim's exact messages; a problem is a
   range refusal when its "expected ..." part is one of RANGE_WORDINGS below, the words the
   validator uses for a number, or a list's length, outside fixed limits. Refusals that depend
   on another field (a period longer than the horizon, an option index beyond the options,
   weights that do not sum to 1) are not: a JSON Schema cannot state them.

Usage: check_schema.py SCHEMA BAD_SCENARIOS_DIR [--scenarios DIR]
(DIR defaults to the schema's folder). Exits 0 when all checks pass, 1 when one fails, 2 on
bad usage or a missing `jsonschema` (pip install -r scripts/requirements.txt).
"""

import argparse
import glob
import importlib.metadata
import json
import os
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.stderr.write(
        "check_schema.py: the Python package 'jsonschema' is missing; install it with\n"
        "    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements.txt\n"
    )
    sys.exit(2)

NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"

# The validator's words for a value outside fixed limits (src/scenario/limits.rs, Range::expected, and
# serde's whole-number messages as src/scenario/parse.rs words them), each up to ", found". A closed range
# followed by a parenthesis, "a number from 1 to 8 (horizon_weeks)", names the field it depends
# on, and is not a fixed range.
RANGE_WORDINGS = [
    rf"a number from {NUMBER} to {NUMBER}, found ",
    rf"a number above {NUMBER} and at most {NUMBER}, found ",
    r"a share from 0 to 1 \(\w+ is one\), found ",
    r"\d+ to \d+ (?:options|stock points), found ",
    r"at least one (?:role|objective|component), found ",
    rf"a whole number \(0 or more\), found the number -{NUMBER}$",
    r"a whole number no larger than \d+, found the number \d+$",
]
RANGE = re.compile("^(?:" + "|".join(RANGE_WORDINGS) + ")")

# "  FILE: PATH (line L, column C): expected EXPECTED, found FOUND (hint: ...)"
PROBLEM = re.compile(
    r"^  (?P<file>\S+): (?P<path>.+?)(?: \(line \d+, column \d+\))?: expected (?P<rest>.*)$"
)


def json_path(dotted):
    """`roles[0].levers[1].options` -> ["roles", 0, "levers", 1, "options"]."""
    if dotted == ".":
        return []
    out = []
    for part in dotted.split("."):
        name, *indices = part.split("[")
        if name:
            out.append(name)
        out.extend(int(i.rstrip("]")) for i in indices)
    return out


def range_problems(expected_file):
    """The JSON paths of the range refusals in one `.expected` file, and all problem lines."""
    paths, lines = [], 0
    with open(expected_file, encoding="utf-8") as f:
        for line in f.read().splitlines()[1:]:
            m = PROBLEM.match(line)
            if not m:
                continue
            lines += 1
            if RANGE.match(m.group("rest")):
                paths.append(m.group("path"))
    return paths, lines


def all_errors(errors):
    """Every error, with those inside anyOf/oneOf (whose own path is where they failed)."""
    for e in errors:
        yield e
        yield from all_errors(e.context or [])


def error_paths(validator, doc):
    return {tuple(e.absolute_path) for e in all_errors(validator.iter_errors(doc))}


def check_bad(validator, bad_dir, failures):
    """Each range refusal must be a schema error at the same path. Returns the counts."""
    checked = skipped = 0
    for expected in sorted(glob.glob(os.path.join(bad_dir, "*.expected"))):
        name = os.path.basename(expected)[: -len(".expected")]
        paths, lines = range_problems(expected)
        if lines == 0:
            failures.append(f"{name}: no problem lines in {expected}: has the wording changed?")
            continue
        if not paths:
            skipped += 1
            continue
        checked += 1
        try:
            with open(os.path.join(bad_dir, name + ".json"), encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            failures.append(f"{name}: a range refusal in a file Python cannot read as JSON: {e}")
            continue
        found = error_paths(validator, doc)
        missed = [p for p in paths if tuple(json_path(p)) not in found]
        if missed:
            shown = ", ".join(".".join(map(str, p)) or "." for p in sorted(found, key=str))
            failures.append(
                f"{name}: orgsim refuses {', '.join(missed)} for its range; the schema does not "
                f"(its errors are at: {shown or 'nowhere'})"
            )
        else:
            print(f"  ok    {name}: schema refuses {', '.join(paths)}")
    return checked, skipped


def check_shipped(validator, schema_path, scenarios_dir, failures):
    """Every shipped scenario must validate. Returns how many there are."""
    files = [
        f
        for f in sorted(glob.glob(os.path.join(scenarios_dir, "*.json")))
        if not f.endswith(".schema.json")
    ]
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        # A scenario names its schema: a network scenario (the classics) has its own.
        own = doc.get("$schema")
        if own and os.path.basename(own) != os.path.basename(schema_path):
            with open(os.path.join(scenarios_dir, own), encoding="utf-8") as f:
                other = json.load(f)
            cls = jsonschema.validators.validator_for(other)
            cls.check_schema(other)
            errors = list(cls(other).iter_errors(doc))
        else:
            errors = list(validator.iter_errors(doc))
        for e in errors:
            where = ".".join(map(str, e.absolute_path)) or "."
            failures.append(f"{path}: the schema refuses a shipped scenario at {where}: {e.message}")
        if not errors:
            print(f"  ok    {path} validates")
    return len(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("schema")
    ap.add_argument("bad_dir")
    ap.add_argument("--scenarios", help="folder of shipped scenarios (default: the schema's)")
    args = ap.parse_args()
    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    failures = []
    version = importlib.metadata.version("jsonschema")
    print(f"checking {args.schema} with jsonschema {version} ({cls.__name__})")
    shipped = check_shipped(validator, args.schema, args.scenarios or os.path.dirname(args.schema), failures)
    checked, skipped = check_bad(validator, args.bad_dir, failures)
    if shipped == 0:
        failures.append("no shipped scenarios found")
    if checked == 0:
        failures.append("no range refusals found among the bad scenarios: has the wording changed?")
    print(
        f"{shipped} shipped scenarios; {checked} bad scenarios with range refusals checked, "
        f"{skipped} without one skipped; {len(failures)} failures"
    )
    for f in failures:
        print(f"  FAIL  {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
