"""``python ui.py``: the same server as ``kg serve`` (Gradio UI + REST API + SPARQL) on one port.

The Blocks live in :mod:`kg.ui_app` so they are importable from the installed package; this
file only starts the server. ``--host``/``--port``/``--store`` or ``IPRG_HOST``/``IPRG_PORT``.
"""

from __future__ import annotations

import argparse
import os

from kg.api import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the IP Rule Graph UI, REST API and SPARQL endpoint.")
    parser.add_argument("--host", default=os.environ.get("IPRG_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("IPRG_PORT", "7860")))
    parser.add_argument("--store", default=None, help="RDF store folder (default $IPRG_DATA_DIR/store)")
    args = parser.parse_args()
    serve(host=args.host, port=args.port, store_root=args.store)


if __name__ == "__main__":
    main()
