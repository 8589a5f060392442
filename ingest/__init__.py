"""Ingest: legal texts and curated records → an RDF graph. Never opens the store.

The verbs, one module each, like eyecite's clean → find → resolve → annotate:
``clean.decode`` / ``clean.clean``; ``segment.segment`` (``segment/``, one module per genre);
``extract.extract`` (vocabulary terms and values) and ``cite.find_citations``; ``link.link``;
and ``pipeline.build_graph``, which emits through ``emit.py`` and ``emit_records.py``. Chinese
patterns and word lists live in ``lang/``. Nothing is imported here, so that reading the
language tables does not load spaCy.
"""
