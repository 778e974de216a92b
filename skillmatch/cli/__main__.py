"""``python -m skillmatch.cli``: the same as the ``skillmatch`` command."""

from skillmatch.cli import main

if __name__ == "__main__":  # not when a spawned worker process (batch ingestion) imports this module again
    main()
