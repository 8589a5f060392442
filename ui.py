"""``python ui.py``: the same server as ``kg serve`` (Gradio UI + REST API + SPARQL) on one port.

The app lives in :mod:`kg.web` so it is importable from the installed package; this file only
starts it, through ``kg serve`` (same defaults, same settings: ``IPRG_HOST``/``IPRG_PORT``…).
"""

from __future__ import annotations

import sys

from kg.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
