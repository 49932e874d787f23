"""Page sections, one module per kind of thing shown; pages compose them."""
