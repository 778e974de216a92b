"""``python -m skillmatch.cli``: the same as the ``skillmatch`` command."""

from skillmatch.cli import main

main()
