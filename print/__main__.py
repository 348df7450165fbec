"""`python -m print ...`: see print/cli.py."""
import sys

from print.cli import main

sys.exit(main())
