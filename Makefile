.PHONY: run test

# Set up and run the demo: web + worker, two demo suppliers. See README.md.
run:
	bash scripts/run.sh

# Set up and run every check: ruff, mypy, and the whole pytest suite (browser tests included).
test:
	bash scripts/test.sh
