"""Streamlit-facing helpers: the caching layer, the shared sidebar and i18n lookups."""
