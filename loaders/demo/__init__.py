"""The seeded demo data: its generator and its loading."""
