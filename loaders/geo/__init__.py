"""The commune registry, name resolution and the boundary layers."""
