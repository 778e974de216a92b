"""Imported once by the process that forks the workers of ``skillmatch serve --workers N`` (a forkserver).

What it loads here, every worker inherits instead of loading it again
(``skillmatch.serving.fork_workers_from_preloaded_server``):

- the language detector's models, about 120 MB of tables that lingua never writes after loading them, so their
  pages stay shared between the workers;
- the web service's modules, so that a worker starts without importing them (two workers on two cores are ready
  about 1.5 s sooner, ``benchmarks/README.md``); Python writes to most of their objects as it runs, so their pages
  are not kept shared.

Nothing here opens a database or a file or starts a thread.
"""

from __future__ import annotations

import skillmatch.server  # noqa: F401  (the modules every worker imports)
from matching.linking.langdetect import preload
from skillmatch.serving import freeze_start_up_objects

preload()
freeze_start_up_objects()  # no collection in a worker writes to these objects' pages
