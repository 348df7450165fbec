"""Shared test data for tests/jobs (a uniquely named module: `conftest` is ambiguous when
several test folders each have one)."""

DESIGN = {"version": 1, "motif": "sunbird", "product": "postcard", "backend": "procedural",
          "seed": 7, "lines": [{"text": "天路", "box": [0.30, 0.08, 0.40, 0.12]}]}
