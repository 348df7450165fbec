"""python -m weights status|import|verify|convert|swap-base|use|glyph-font|check-keys|make-tiny"""
import sys

from weights.cli import main

if __name__ == "__main__":
    sys.exit(main())
