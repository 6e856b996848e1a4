"""The core never imports Qt (napari-style contract), checked in a fresh interpreter with PySide6 blocked."""

import pkgutil
import subprocess
import sys

import fitcoach.core


def test_every_core_module_imports_without_qt():
    mods = [f"fitcoach.core.{m.name}" for m in pkgutil.iter_modules(fitcoach.core.__path__)]
    code = ("import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'):\n"
            "            raise ImportError('Qt is not allowed in fitcoach.core: ' + name)\n"
            "sys.meta_path.insert(0, Block())\n" + "".join(f"import {m}\n" for m in mods) + "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
    assert len(mods) > 20
