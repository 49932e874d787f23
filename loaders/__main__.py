"""``python -m loaders``: see :mod:`loaders.cli`."""

import sys

from loaders.cli import main

if __name__ == "__main__":
    sys.exit(main())
