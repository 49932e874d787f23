"""Dataset templates, reading, validation, preview/commit, history and rollback of uploads."""
