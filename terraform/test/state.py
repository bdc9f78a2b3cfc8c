"""What the Terraform checks in this folder share: walking the resources of `terraform show -json`
state (root and child modules), and reporting a check's findings the same way."""
import sys


def resources(module):
    """Every resource of a state's module and its child modules, depth first."""
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


def as_list(value):
    """An IAM policy field that may be one value or a list, as a list."""
    return value if isinstance(value, list) else [value]


def report(found, ok_message):
    """Prints each finding as FAIL and exits 1, or prints the ok line."""
    for problem in found:
        print("FAIL:", problem)
    if found:
        sys.exit(1)
    print("ok:", ok_message)
