"""A page with one table's downloads and one original-file download (run by tests/ui/test_deferred_downloads.py)."""

import pandas as pd

from ui.parts.history import render_original_download
from ui.parts.tables import render_downloads

render_downloads(pd.DataFrame({"xa": ["Kỳ Hoa"], "so": [3]}), [], name="bang thu", key_prefix="test_dl")
render_original_download(7, "bao cao.csv")
