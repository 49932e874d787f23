"""Focus areas kept in the store: the admin's yearly hot-spot list."""
