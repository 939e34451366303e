"""Which test pins which rule: docs/rules-coverage.md, made from the code.

A test pins a rule when it carries `@pytest.mark.rule("R-XX-NN")` (or its module's
`pytestmark` does), or when its docstring or its module's docstring names the rule. Every
rule of docs/rules.en.md is listed with its tests; a rule without one shows as a gap.

    .venv/bin/python scripts/rules_coverage.py          # rewrite docs/rules-coverage.md
    .venv/bin/python scripts/rules_coverage.py --check  # exit 1 if the file is stale
"""

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "docs" / "rules.en.md"
OUT = ROOT / "docs" / "rules-coverage.md"
RULE_ID = re.compile(r"R-[A-Z]{2}-\d{2}")
HEADING = re.compile(r"^## (R-[A-Z]{2}-\d{2}) (.+)$")


def rules() -> list[tuple[str, str]]:
    found = []
    for line in RULES.read_text(encoding="utf-8").splitlines():
        match = HEADING.match(line)
        if match:
            found.append((match.group(1), match.group(2).strip()))
    return found


def _marked(decorators: list[ast.expr]) -> set[str]:
    ids: set[str] = set()
    for decorator in decorators:
        for node in ast.walk(decorator):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "rule"
            ):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        ids |= set(RULE_ID.findall(arg.value))
    return ids


def _module_marks(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            value = node.value
            return _marked(value.elts if isinstance(value, ast.List | ast.Tuple) else [value])
    return set()


def tests_by_rule() -> dict[str, list[str]]:
    pinned: dict[str, set[str]] = defaultdict(set)
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_ids = _module_marks(tree) | set(RULE_ID.findall(ast.get_docstring(tree) or ""))
        relative = path.relative_to(ROOT).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test_"
            ):
                ids = module_ids | _marked(node.decorator_list)
                ids |= set(RULE_ID.findall(ast.get_docstring(node) or ""))
                for rule_id in ids:
                    pinned[rule_id].add(f"`{relative}::{node.name}`")
    return {rule_id: sorted(tests) for rule_id, tests in pinned.items()}


def render() -> str:
    pinned = tests_by_rule()
    listed = rules()
    gaps = [rule_id for rule_id, _ in listed if not pinned.get(rule_id)]
    lines = [
        "# Rules and the tests that pin them",
        "",
        "Made by `scripts/rules_coverage.py` from docs/rules.en.md and the tests (a test pins a",
        'rule by `@pytest.mark.rule("R-XX-NN")` or by naming it in its docstring); `make test`',
        "fails when this file is stale. German rule texts: [rules.de.md](rules.de.md).",
        "",
        f"{len(listed)} rules, {len(listed) - len(gaps)} pinned by at least one test, "
        f"{len(gaps)} without: " + (", ".join(gaps) if gaps else "none") + ".",
        "",
        "| rule | tests | count |",
        "|---|---|---|",
    ]
    for rule_id, title in listed:
        tests = pinned.get(rule_id, [])
        shown = tests[:6] + ([f"… and {len(tests) - 6} more"] if len(tests) > 6 else [])
        cell = "<br>".join(shown) if tests else "**gap: no test names this rule**"
        link = f"[{rule_id}](rules.en.md#{rule_id.lower()}) {title}"
        lines.append(f"| {link} | {cell} | {len(tests)} |")
    unknown = sorted(set(pinned) - {rule_id for rule_id, _ in listed})
    if unknown:
        lines += ["", "Tests name rules that docs/rules.en.md lacks: " + ", ".join(unknown)]
    return "\n".join(lines) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(
                "docs/rules-coverage.md is stale: run .venv/bin/python scripts/rules_coverage.py",
                file=sys.stderr,
            )
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(text.splitlines()[6])
    return 0


if __name__ == "__main__":
    sys.exit(main())
