"""Folders and files that only the account running the app may read: the store, its keys.

The SQLite store holds police data and the data folder may hold a signing key;
other users of the same machine must not read either. Folders are created
``0700`` and files ``0600`` whatever the process's umask; a store file that
already exists with wider permissions is narrowed when the app opens it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Owner read/write/search only.
DIR_MODE = 0o700
#: Owner read/write only.
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create the folder ``path`` readable by its owner only (parents as the system makes them).

    An existing folder is left as it is: it may be one the deployer chose and
    shares on purpose; the files the app keeps in it are private anyway.

    Returns
    -------
    Path
        ``path``.
    """
    if not path.is_dir():
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask; say it exactly
    return path


def private_file(path: Path) -> Path:
    """Make sure the file ``path`` exists and only its owner can read or write it.

    A missing file is created empty with mode ``0600`` (atomically, so it is
    never readable by others, not even for a moment); an existing one loses
    any group and other permission bits.

    Returns
    -------
    Path
        ``path``.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            os.chmod(path, mode & 0o700)
    else:
        os.close(fd)
    return path
