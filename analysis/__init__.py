"""Pure analysis: indicators, time series, comparisons, rankings, briefings and exports. No streamlit import."""
