"""Issue 16's house rules, checked on the source with `ast`:

- no module over MODULE_LINES lines and no function over FUNCTION_LINES lines unless a reason
  is written next to it: a line starting with ``Size:`` in the module's docstring, or a
  ``# long: <reason>`` comment on the ``def`` line or the line above it (above its decorators);
- every public function and method of the application services (`fitcoach.app`) and the
  frame loop (`fitcoach.run`) has a docstring; a sink's `start`/`frame`/`finish`/`close` are
  documented once, on the `Sink` protocol in `run/runner.py`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "fitcoach"
MODULE_LINES = 400
FUNCTION_LINES = 60
FILES = sorted(ROOT.rglob("*.py"))


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _rel(f: Path) -> str:
    return str(f.relative_to(ROOT.parent)) if f.is_relative_to(ROOT.parent) else str(f)


def _first_line(node) -> int:
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def long_modules(files=FILES) -> list[str]:
    out = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        n = len(text.splitlines())
        doc = ast.get_docstring(ast.parse(text)) or ""
        if n > MODULE_LINES and not any(line.strip().startswith("Size:") for line in doc.splitlines()):
            out.append(f"{_rel(f)}: {n} lines, no 'Size:' reason in its docstring")
    return out


def long_functions(files=FILES) -> list[str]:
    out = []
    for f in files:
        lines = f.read_text(encoding="utf-8").splitlines()
        for fn in _functions(ast.parse("\n".join(lines))):
            n = fn.end_lineno - fn.lineno + 1
            if n <= FUNCTION_LINES:
                continue
            start = _first_line(fn)
            near = [lines[fn.lineno - 1]] + ([lines[start - 2]] if start >= 2 else [])
            if not any("# long:" in line for line in near):
                out.append(f"{_rel(f)}:{fn.lineno}: {fn.name} is {n} lines, no '# long:' reason")
    return out


def test_no_long_module_without_a_reason():
    assert long_modules() == []


def test_no_long_function_without_a_reason():
    assert long_functions() == []


SINK_METHODS = ("start", "frame", "finish", "close")


def test_public_functions_of_app_and_run_have_docstrings():
    missing = []
    for f in FILES:
        rel = f.relative_to(ROOT)
        if rel.parts[0] not in ("app", "run"):
            continue
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in tree.body:
            defs = [node] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                defs += [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and not n.name.startswith("_")]
                if ast.get_docstring(node) is None:
                    missing.append(f"{rel}:{node.lineno}: class {node.name}")
            for fn in defs:
                if rel.name == "sinks.py" and fn.name in SINK_METHODS:
                    continue  # documented on run.runner.Sink
                if not fn.name.startswith("_") and ast.get_docstring(fn) is None:
                    missing.append(f"{rel}:{fn.lineno}: {fn.name}")
    assert missing == []


def test_the_checks_can_fail(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES + 1))
    bad = tmp_path / "bad.py"
    bad.write_text('"""A module."""\n\n\ndef f():\n' + body + "\n" + "\n" * MODULE_LINES)
    ok = tmp_path / "ok.py"
    ok.write_text('"""A module.\n\nSize: a test of the reason.\n"""\n\n\n# long: a test of the reason\ndef f():\n' + body
                  + "\n" + "\n" * MODULE_LINES)
    assert len(long_modules([bad])) == 1 and len(long_functions([bad])) == 1
    assert long_modules([ok]) == [] and long_functions([ok]) == []
