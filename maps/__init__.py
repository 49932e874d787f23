"""Pure map package: folium map builders, display geometry encoding and offline assets.

Nothing here imports streamlit; pages render the returned ``folium.Map`` with
``st_folium``. Call :func:`maps.offline.use_local_assets` once at start-up so
every script and stylesheet is served from ``static/vendor/``.
"""
