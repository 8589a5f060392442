"""The Gradio UI: pure HTML views (views.py) and the layout with its handlers (blocks.py)."""
