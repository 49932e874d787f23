"""Streamlit-facing helpers.

The caching layer, the sidebar, access checks, the map component and the page sections (``ui.parts``).
"""
