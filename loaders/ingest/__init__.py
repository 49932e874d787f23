"""Dataset templates, reading, validation, preview/commit, history and rollback of uploads.

An upload goes through these modules in order; each owns one step.

What a dataset is
    ``datasets``   the three datasets: columns, aliases, enumerations, store names, business-key columns
    ``headers``    matching a file's headers to a dataset's columns (and explicit mappings)
    ``templates``  the empty CSV/XLSX templates offered for download

Reading a file into strings
    ``reading``    :func:`~loaders.ingest.reading.read_table`: size and kind checks, then one reader
    ``limits``     upload size, unpacked size and row limits
    ``rawtable``   the reader's result and its errors
    ``decoding``   text encodings and binary detection
    ``delimited``  CSV/TXT parsing
    ``xlsx``       workbooks and their sheet names
    ``layout``     header row, blank rows and totals rows

Validating the rows
    ``validation`` :func:`~loaders.ingest.validation.validate_table` and its context
    ``run``        the state shared by one validation's steps
    ``coercion``   dates, numbers, enumerations, text
    ``communes``   commune resolution and split-commune placement
    ``keys``       business keys and duplicates within the file and the store
    ``checks``     the pandera schema
    ``errors``     the error and warning tables
    ``reports``    error report columns, downloads and JSON

Writing and undoing
    ``preview``    :func:`~loaders.ingest.preview.preview_import`: read and validate, write nothing
    ``duplicates`` the same file or the same rows imported before
    ``commit``     :func:`~loaders.ingest.commit.commit_import`: one transaction per import
    ``bulk``       fast bulk inserts behind one interface
    ``history``    the import history and rollback
"""
