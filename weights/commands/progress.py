"""Copy progress on stderr: bytes and percent, redrawn in place on a terminal."""
import sys


class Progress:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.last = (None, -1)
        self.tty = self.stream.isatty()

    def __call__(self, name: str, done: int, total: int) -> None:
        pct = 100 if total == 0 else done * 100 // total
        step = pct if self.tty else pct // 10 * 10   # plain logs: every 10%
        if (name, step) == self.last:
            return
        self.last = (name, step)
        text = f"{name}: {done / 2**30:.2f} / {total / 2**30:.2f} GiB ({done:,} bytes) {pct:3d}%"
        if self.tty:
            self.stream.write("\r" + text + ("\n" if done >= total else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
