#!/usr/bin/env python3
"""Validates every promotion-policy.yaml under apps/ against the bot's JSON Schema, with an independent validator
(python3-jsonschema), and checks that each file carries the yaml-language-server modeline pointing at that schema."""
import json
import os
import pathlib
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "bot/PromotionBot/Policy/promotion-policy.schema.json"


def main() -> int:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    policies = sorted((ROOT / "apps").rglob("promotion-policy.yaml"))
    if not policies:
        print("no promotion-policy.yaml under apps/", file=sys.stderr)
        return 1
    failed = 0
    for path in policies:
        rel = path.relative_to(ROOT)
        text = path.read_text(encoding="utf-8")
        modeline = "# yaml-language-server: $schema=" + os.path.relpath(SCHEMA, path.parent)
        if modeline not in text.splitlines():
            print(f"{rel}: missing modeline '{modeline}'")
            failed += 1
        for error in validator.iter_errors(yaml.safe_load(text)):
            where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            print(f"{rel}: {where}: {error.message}")
            failed += 1
    print(f"{len(policies)} policies checked against {SCHEMA.relative_to(ROOT)}: {failed} problem(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
