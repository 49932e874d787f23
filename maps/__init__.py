"""Pure map package: folium map builders, colours, styles, display geometry and offline assets.

Nothing here imports streamlit. The pages show a returned ``folium.Map``
through :mod:`ui.map_component`, which prepares it once and calls
streamlit-folium's component with the same arguments as ``st_folium``. Call
:func:`maps.offline.use_local_assets` once at start-up so every script and stylesheet is served from ``static/vendor/``.
"""
