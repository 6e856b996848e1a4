"""The layers' import contracts (issue 16), read from the source with `ast` (every import, also
those inside functions), so a lazy import cannot slip past:

- `fitcoach.core` (the domain) imports nothing of FitCoach above it: not the runner, the voice,
  the reports, the trainers, the front ends;
- `fitcoach.io` (cameras, files, the pose model at run time, recordings, settings, the store:
  `fitcoach.io.store`) imports only the core, itself and the languages;
- `fitcoach.reports` (output formats: the progress report, the FHIR export, the printable
  assessment pages) imports only the core, the I/O layer, itself and the languages;
- `fitcoach.run` (the frame loop) imports only the core, the I/O layer and the languages;
- `fitcoach.app` (the application services) imports only the layers below the front ends (the
  core, I/O, the frame loop, the languages, the voice, the reports), never Qt or a front end;
- `fitcoach.gui` never opens the history itself: no GUI module imports the store (it uses
  `fitcoach.app`'s one `Database` of the process); nor do the commands, but `data` (restore,
  check and salvage work on a history that cannot be opened);
- only `fitcoach.gui` imports Qt (PySide6, shiboken6, pyqtgraph);
- nothing imports the front ends (`fitcoach.gui`, `fitcoach.cli`) but the front ends themselves
  and the entry point (`fitcoach.__main__`);
- no import cycles between modules at import time (module-level imports).

DEVELOPERS.md ("The map") shows the layers these rules keep apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "fitcoach"
QT = ("PySide6", "shiboken6", "pyqtgraph")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, top_level_only: bool = False, source: str | None = None) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file; relative imports resolved."""
    text = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(text, filename=str(path))
    here = _module(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    out = []
    for node in nodes:
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append((mod, node.lineno))
            # `from fitcoach.io import store` imports the module fitcoach.io.store
            out += [(f"{mod}.{a.name}", node.lineno) for a in node.names if a.name != "*"]
    return out


FILES = sorted(ROOT.rglob("*.py"))


def _violations(rule) -> list[str]:
    bad = []
    for f in FILES:
        mod = _module(f)
        for imp, line in _imports(f):
            why = rule(mod, imp)
            if why:
                bad.append(f"{f.relative_to(ROOT.parent)}:{line}: {mod} imports {imp} ({why})")
    return sorted(set(bad))


def _under(mod: str, pkg: str) -> bool:
    return mod == pkg or mod.startswith(pkg + ".")


def test_the_tree_is_read():
    assert len(FILES) > 50
    assert "fitcoach.cli" in {m for m, _ in _imports(ROOT / "__main__.py")}
    # the reader sees lazy imports inside functions: the analyze command imports the runner only there
    analyze = ROOT / "cli" / "analyze.py"
    lazy = {m for m, _ in _imports(analyze)} - {m for m, _ in _imports(analyze, top_level_only=True)}
    assert "fitcoach.run.analyze" in lazy
    # the command line is a package (fitcoach/cli/): each of its modules is the front end
    cli_modules = [_module(f) for f in FILES if f.parent == ROOT / "cli"]
    assert "fitcoach.cli.parser" in cli_modules
    assert all(front_rule(m, "fitcoach.gui.app") is None for m in cli_modules)


def core_rule(mod, imp):
    if _under(mod, "fitcoach.core") and _under(imp, "fitcoach") and not (
            _under(imp, "fitcoach.core") or _under(imp, "fitcoach.i18n") or imp in ("fitcoach", "fitcoach.__version__")):
        return "the core may import only the core and the languages"


def qt_rule(mod, imp):
    if imp.split(".")[0] in QT and not _under(mod, "fitcoach.gui"):
        return "Qt is for fitcoach.gui only"


FRONT = ("fitcoach.gui", "fitcoach.cli", "fitcoach.__main__")


def front_rule(mod, imp):
    if any(_under(imp, p) for p in FRONT) and not any(_under(mod, p) for p in FRONT):
        return "only the front ends and the entry point use the front ends"


def test_core_imports_nothing_above_it():
    assert _violations(core_rule) == []


def _only(layer: str, allowed: tuple[str, ...]):
    def rule(mod, imp):
        if _under(mod, layer) and _under(imp, "fitcoach") and imp not in ("fitcoach", "fitcoach.__version__") \
                and not any(_under(imp, p) for p in (layer, *allowed)):
            return f"{layer} may import only itself and {', '.join(allowed)}"
    return rule


def test_io_imports_only_the_core():
    assert _violations(_only("fitcoach.io", ("fitcoach.core", "fitcoach.i18n"))) == []


def test_the_reports_import_only_the_core_and_io():
    rule = _only("fitcoach.reports", ("fitcoach.core", "fitcoach.io", "fitcoach.i18n"))
    assert any(_under(_module(f), "fitcoach.reports") for f in FILES)
    assert rule("fitcoach.reports.fhir", "fitcoach.run.runner") and rule("fitcoach.reports", "fitcoach.voice")
    assert rule("fitcoach.reports.summary", "fitcoach.io.store") is None
    assert _violations(rule) == []


def test_the_runner_imports_only_the_core_and_io():
    assert _violations(_only("fitcoach.run", ("fitcoach.core", "fitcoach.io", "fitcoach.i18n"))) == []


APP_MAY_IMPORT = ("fitcoach.core", "fitcoach.io", "fitcoach.run", "fitcoach.i18n", "fitcoach.voice",
                  "fitcoach.reports", "fitcoach.reports")


def test_the_app_services_import_only_the_layers_below_the_front_ends():
    assert _violations(_only("fitcoach.app", APP_MAY_IMPORT)) == []
    assert _violations(lambda mod, imp: _under(mod, "fitcoach.app") and (
        qt_rule(mod, imp) or front_rule(mod, imp))) == []


STORE_MODULES = ("fitcoach.io.store",)


def gui_store_rule(mod, imp):
    if _under(mod, "fitcoach.gui") and any(_under(imp, s) for s in STORE_MODULES):
        return "the GUI uses fitcoach.app.database (one store per process), never the store itself"


def cli_store_rule(mod, imp):
    if _under(mod, "fitcoach.cli") and mod != "fitcoach.cli.data" and any(_under(imp, s) for s in STORE_MODULES):
        return "the commands use fitcoach.app.database; only `data` (restore, check, salvage) uses the store module"


def test_the_commands_do_not_open_the_store_themselves():
    assert _violations(cli_store_rule) == []


def test_the_gui_does_not_open_the_store_itself():
    assert _violations(gui_store_rule) == []
    probe = ROOT / "gui" / "probe.py"  # never written: its source is given
    for line in ("from fitcoach.io.store import Store", "from fitcoach.io import store",
                 "import fitcoach.io.store.reads"):
        imports = _imports(probe, source=f"def f():\n    {line}\n")
        assert any(gui_store_rule("fitcoach.gui.probe", imp) for imp, _ in imports), line


def test_only_the_gui_imports_qt():
    assert _violations(qt_rule) == []


def test_nothing_below_imports_the_front_ends():
    assert _violations(front_rule) == []


def test_no_import_cycles_at_import_time():
    mods = {_module(f): f for f in FILES}
    graph = {m: sorted({i for i, _ in _imports(f, top_level_only=True) if i in mods and i != m})
             for m, f in mods.items()}
    # a package's __init__ importing its own submodules is how packages export: not a cycle
    graph = {m: [i for i in deps if not (_under(i, m) and mods[m].name == "__init__.py")] for m, deps in graph.items()}
    assert _cycles(graph) == []


def _cycles(graph: dict[str, list[str]]) -> list[str]:
    state: dict[str, int] = {}
    cycles = []

    def visit(m, stack):
        state[m] = 1
        for d in graph.get(m, ()):
            if state.get(d) == 1:
                cycles.append(" -> ".join(stack[stack.index(d):] + [d]))
            elif d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    return cycles


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == ["a -> b -> c -> a"]
    assert _cycles({"a": ["b"], "b": [], "c": ["a", "b"]}) == []


@pytest.mark.parametrize("line", [
    "from fitcoach.gui.app import MainWindow",
    "from PySide6.QtCore import Qt",
    "from ..run.runner import Runner",
    "import fitcoach.cli",
])
def test_the_rules_catch_a_lazy_import_in_the_core(line):
    probe = ROOT / "core" / "probe.py"  # never written: its source is given
    imports = _imports(probe, source=f"def f():\n    {line}\n")
    caught = [imp for imp, _ in imports if core_rule("fitcoach.core.probe", imp) or qt_rule("fitcoach.core.probe", imp)
              or front_rule("fitcoach.core.probe", imp)]
    assert caught, imports
