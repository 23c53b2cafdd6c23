"""``python -m graph`` runs the leernet command line."""

import sys

from graph.cli import main

sys.exit(main())
