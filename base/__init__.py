"""The small base every package may import: errors, settings, fonts, atomic writes, the CLI
error handler. It imports no other package of this repository."""
