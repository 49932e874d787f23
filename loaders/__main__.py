"""``python -m loaders``: see :mod:`loaders.cli.main`."""

import sys

from loaders.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
