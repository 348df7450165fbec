import sys

from products.cli import main

sys.exit(main())
