"""Plain-Python data layer: settings, commune registry, store, import and demo data.

Nothing in this package imports streamlit; the app wraps it in ``ui.cache``.
"""
