#!/usr/bin/env bash
# The main job on a fresh machine: install, build the graph from the bundled corpus, serve the UI.
# Neo4j is optional: set NEO4J_URI (or run `kg neo4j start`) and `kg mirror` to use it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e .
kg ingest
exec kg serve --host "${IPRG_HOST:-127.0.0.1}" --port "${IPRG_PORT:-7860}"
