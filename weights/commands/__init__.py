"""One module per `python -m weights` subcommand; each exposes <name>_cmd(args) -> exit code."""
from weights.commands.check_keys import check_keys_cmd
from weights.commands.convert import convert_cmd
from weights.commands.glyph_font import glyph_font_cmd
from weights.commands.import_ import import_cmd
from weights.commands.make_tiny import make_tiny_cmd
from weights.commands.status import status_cmd
from weights.commands.swap_base import swap_base_cmd
from weights.commands.train_motif import train_motif_cmd
from weights.commands.use import use_cmd
from weights.commands.verify import verify_cmd

__all__ = ["check_keys_cmd", "convert_cmd", "glyph_font_cmd", "import_cmd", "make_tiny_cmd", "status_cmd",
           "swap_base_cmd", "train_motif_cmd", "use_cmd", "verify_cmd"]
