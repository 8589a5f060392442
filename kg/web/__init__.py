"""The web layer: the one FastAPI app (REST API, SPARQL protocol, graph pages) and the Gradio UI."""
