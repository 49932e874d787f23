"""Pure analysis: indicators, rankings and exports. No streamlit import."""
