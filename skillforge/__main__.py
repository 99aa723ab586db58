"""``python -m skillforge``: the same entry point as the ``skillforge`` console script."""

from skillforge.cli import main

main()
