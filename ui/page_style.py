"""The app's only stylesheet: compact laptop layout, phone layout, no horizontal scrolling.

Sections are found by Streamlit's stable hooks: ``data-testid`` attributes and the
``st-key-<key>`` class of keyed containers (``st.container(key=...)``). On a phone
(width up to 640 px, where Streamlit stacks columns) the home page shows the map
first, then its side column (the "Cần chú ý" panel, the profile), then the key
figures two per row.
"""

from __future__ import annotations

import streamlit as st

#: Streamlit stacks columns below this width; the phone rules use the same edge.
PHONE_MAX_PX = 640

PAGE_CSS = f"""
/* Less empty space above the page: the map's top edge stays in a laptop's first screen. */
.stMainBlockContainer {{ padding: 3.5rem 2rem 3rem 2rem; }}
h1 {{ font-size: 1.75rem !important; padding-top: 0.25rem !important; padding-bottom: 0.25rem !important; }}
/* Key figures: labels wrap rather than end in an ellipsis; the values stay compact. */
[data-testid="stMetric"] {{ padding: 0.4rem 0.6rem !important; }}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: normal !important; font-size: 0.85rem;
}}
[data-testid="stMetricValue"] {{ font-size: 1.5rem !important; }}
/* Nothing is wider than the screen: wide content scrolls inside its own box. */
.stMainBlockContainer {{ max-width: 100vw; overflow-x: hidden; }}
[data-testid="stDataFrame"], [data-testid="stTable"] {{ max-width: 100%; overflow-x: auto; }}
[data-testid="stMarkdownContainer"] {{ overflow-wrap: break-word; }}
/* The "Cần chú ý" panel: one compact line per commune. */
[class*="st-key-map_attention_open_"] button {{ padding: 0 !important; min-height: 0 !important; font-weight: 600; }}
[class*="st-key-map_attention_panel"] [data-testid="stCaptionContainer"] {{ margin-top: -0.75rem; line-height: 1.35; }}

@media (max-width: {PHONE_MAX_PX}px) {{
  .stMainBlockContainer {{ padding: 3rem 0.75rem 2rem 0.75rem; }}
  h1 {{ font-size: 1.25rem !important; }}
  [data-testid="stAlert"] {{ font-size: 0.85rem; }}
  /* Home page: the map block first, then the key figures and whatever follows them. Keyed
     containers sit in a layout wrapper, which is the flex item to reorder. */
  [data-testid="stLayoutWrapper"]:has(> .st-key-map_kpis),
  [data-testid="stLayoutWrapper"]:has(> .st-key-map_kpis) ~ * {{ order: 2; }}
  [data-testid="stLayoutWrapper"]:has(> .st-key-home_main) {{ order: 1 !important; }}
  /* Key figures two per row. */
  .st-key-map_kpis [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap !important; gap: 0.5rem !important; }}
  .st-key-map_kpis [data-testid="stColumn"] {{
    flex: 1 1 calc(50% - 0.5rem) !important; min-width: calc(50% - 0.5rem) !important;
    width: calc(50% - 0.5rem) !important;
  }}
  [data-testid="stMetricValue"] {{ font-size: 1.2rem !important; }}
}}
"""


def render_page_style() -> None:
    """Add the stylesheet to the page (once per run; it takes no space)."""
    st.html(f"<style>{PAGE_CSS}</style>")
