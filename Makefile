# The two commands: `make run` and `make test`. Both install what is missing first.
PY := .venv/bin/python
PORT ?= 8501

.PHONY: install run test bench bench-gpu clean

install:
	@bash scripts/install.sh

run: install
	$(PY) -m streamlit run streamlit_app.py --server.port $(PORT) --server.headless true

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) -m bench

bench-gpu: install
	$(PY) -m bench --gpu

clean:
	rm -rf var/ .pytest_cache
