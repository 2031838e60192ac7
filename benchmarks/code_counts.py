"""Counts of issue 26 (a report scope): functions in src/helpers with 7 or more parameters, and per
report notebook its branches (if, conditional expressions, loops, comprehensions and their ifs) and
how often it passes ``year``, ``ctx.config`` and ``ctx.catalogue`` as call arguments.

    python benchmarks/code_counts.py [ROOT] [-v]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

BRANCHES = (ast.If, ast.IfExp, ast.For, ast.While, ast.comprehension)
PASSED = ("year", "ctx.config", "ctx.catalogue")


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The parameters of a function, without self and cls."""
    a = node.args
    names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs if p.arg not in ("self", "cls")]
    return names + [x.arg for x in (a.vararg, a.kwarg) if x]


def many_parameters(root: Path, limit: int = 7) -> list[tuple[int, str]]:
    """(count, "path:line name") of every function in src/helpers with at least ``limit`` parameters."""
    out = []
    for path in sorted((root / "src" / "helpers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and len(parameters(node)) >= limit:
                out.append((len(parameters(node)), f"{path.relative_to(root)}:{node.lineno} {node.name}"))
    return sorted(out, reverse=True)


def dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return head and f"{head}.{node.attr}"
    return None


def notebook_counts(path: Path) -> dict[str, int]:
    """Branches and the arguments of PASSED given to calls in one notebook."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = list(ast.walk(tree))
    counts = {"branches": sum(isinstance(n, BRANCHES) for n in nodes)}
    counts["branches"] += sum(len(n.ifs) for n in nodes if isinstance(n, ast.comprehension))
    args = [a for n in nodes if isinstance(n, ast.Call) for a in [*n.args, *(k.value for k in n.keywords)]]
    counts |= {name: sum(dotted(a) == name for a in args) for name in PASSED}
    return counts


def main(argv: list[str]) -> None:
    root = Path(next((a for a in argv if not a.startswith("-")), Path(__file__).resolve().parents[1]))
    many = many_parameters(root)
    print(f"functions with >= 7 parameters: {len(many)}")
    if "-v" in argv:
        print("\n".join(f"  {n:2d} {name}" for n, name in many))
    for nb in sorted((root / "notebooks").glob("*.py")):
        print(nb.name, notebook_counts(nb))


if __name__ == "__main__":
    main(sys.argv[1:])
