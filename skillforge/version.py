"""skillforge's version and its name on the package index (the command and the import stay ``skillforge``;
the index's ``skillforge`` is an unrelated project)."""

__version__ = "0.1.0"
DISTRIBUTION = "skillforge-distill"
