"""Migration scripts, oldest first (``0001_initial`` creates every table of the current models)."""
