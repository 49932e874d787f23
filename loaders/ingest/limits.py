"""Size and row limits every upload passes before it is parsed.

They bound the memory and time one file can take, on every path into the
importer: the upload page, the command line and the demo loader. Readers
look them up on this module at call time, so a test can lower them.
"""

from __future__ import annotations

#: Refuse any upload larger than this, before reading it. The upload page's own,
#: smaller limit is Streamlit's ``server.maxUploadSize`` (``.streamlit/config.toml``,
#: enforced by Streamlit); this one bounds every path into the importer, the
#: command line included, and leaves room for a million-row CSV (about 95 MB).
MAX_UPLOAD_BYTES: int = 200 * 1024 * 1024
#: Refuse an XLSX whose zip entries would unpack to more than this (zip bombs).
MAX_UNCOMPRESSED_BYTES: int = 200 * 1024 * 1024
#: Refuse a sheet that declares or holds more rows than this.
MAX_ROWS: int = 2_000_000
#: Refuse a sheet, or a CSV header, wider than this many columns (templates have a few dozen).
MAX_COLUMNS: int = 500
#: Refuse a sheet whose declared or used range, counted from A1, spans more cells than this
#: (rows x columns: what a reader holds in memory), or that holds more cell elements than this.
MAX_CELLS: int = 10_000_000
