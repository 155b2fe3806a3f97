"""Run the catalog CLI: `python -m catalog --help`."""

import sys

from catalog.cli import main

sys.exit(main())
