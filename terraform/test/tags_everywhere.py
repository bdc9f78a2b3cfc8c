#!/usr/bin/env python3
"""Tags on everything: every resource the module created that can carry tags carries the module's tags.

Usage: tags_everywhere.py <terraform show -json of the applied state> <terraform providers schema -json> <module address> KEY=VALUE

A resource type counts as taggable when the provider's schema gives it a `tags` attribute (provider
5.100: the event source mapping too). Resources outside the module (the example's own VPC) are not
checked. Exits 1 naming each resource without KEY=VALUE.
"""
import json
import sys

from state import resources


def main(state_path, schema_path, module, tag):
    key, value = tag.split("=", 1)
    schemas = {}
    for provider in json.load(open(schema_path, encoding="utf-8"))["provider_schemas"].values():
        schemas.update(provider.get("resource_schemas", {}))
    state = json.load(open(state_path, encoding="utf-8"))
    missing, checked, types = [], 0, set()
    for res in resources(state["values"]["root_module"]):
        if res["mode"] != "managed" or not res["address"].startswith(module + "."):
            continue
        if "tags" not in schemas.get(res["type"], {}).get("block", {}).get("attributes", {}):
            continue
        checked += 1
        types.add(res["type"])
        if (res["values"].get("tags") or {}).get(key) != value:
            missing.append(f"{res['address']} ({res['type']}) has tags {res['values'].get('tags')}, not {key}={value}")
    for m in missing:
        print("FAIL:", m)
    if missing or checked == 0:
        sys.exit(1 if missing else "no taggable resource found under " + module)
    print(f"ok: {checked} taggable resources of {len(types)} types under {module} carry {key}={value}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
