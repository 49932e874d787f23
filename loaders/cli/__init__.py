"""The command line (``python -m loaders``): one parser and its commands."""
