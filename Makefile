# The two commands a newcomer types: `make run` and `make test`. Every target builds or reuses .venv itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install bytecode browser-deps run test test-fast explore lint bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	# The CPU build of torch first, with pip: an unpinned torch (or uv/poetry) pulls a multi-GB CUDA build.
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The project's modules compiled to bytecode now, once, not by every process at its imports: where the
# environment says PYTHONDONTWRITEBYTECODE (as some CI images do), each `skillmatch` command and test subprocess
# would compile them again (about half a second each, measured on a CLI command). Only changed files are redone.
bytecode: install
	$(BIN)/python -m compileall -q -j 0 skillmatch esco_data matching ingestion services api

# The browser tests drive Debian's headless Chromium (never a downloaded browser) and inject axe-core from npm.
browser-deps:
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }
	test -f node_modules/axe-core/axe.min.js || npm ci --no-audit --no-fund

run: bytecode
	$(BIN)/skillmatch esco load
	$(BIN)/skillmatch demo load
	@echo "Sign in at http://$(HOST):$(PORT)/login with one of these demo tokens (role, token):"
	@$(BIN)/skillmatch demo tokens
	$(BIN)/skillmatch serve --host $(HOST) --port $(PORT)

# The database tests run on SQLite and on a throwaway PostgreSQL server on loopback (tests/pg_server.py
# installs the Debian package when it is missing, and removes the server afterwards).
WITH_PG := $(BIN)/python -m tests.pg_server --

# One test process per core (pytest-xdist); a module's tests stay in one process, and the modules over the full
# concept space share one (tests/conftest.py).
XDIST := -n auto --dist loadfile --no-loadscope-reorder

# The slowest tests are listed at the end of each run: what to look at first when make test nears its budget.
test: bytecode browser-deps
	$(WITH_PG) $(BIN)/pytest $(XDIST) --durations=15

test-fast: bytecode
	$(WITH_PG) $(BIN)/pytest $(XDIST) -m "not slow and not browser"

# A longer, random exploration by the property-based tests (hypothesis and schemathesis draw new examples, many
# more of them); not part of `make test`, whose property tests are derandomized and seeded.
EXPLORE_TESTS := tests/test_schemathesis.py tests/test_readers.py tests/test_text_clean.py tests/test_lexical.py \
	tests/test_titles.py tests/test_strings.py tests/test_text.py \
	tests/test_screen.py tests/test_sections.py tests/test_schemas.py
explore: bytecode
	HYPOTHESIS_PROFILE=explore SKILLMATCH_EXPLORE=1 $(WITH_PG) $(BIN)/pytest $(XDIST) $(EXPLORE_TESTS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

EVAL := ../shared/eval
REPORT := $(BIN)/python -m benchmarks.report

bench: bytecode
	$(REPORT) esco_load -- $(BIN)/python -m benchmarks.esco_load
	$(REPORT) linking_fra -- $(BIN)/python -m benchmarks.linking --data $(EVAL)/melo/fra_q_fr_c_fr --run-out benchmarks/out/fra.trec
	$(REPORT) linking_nld -- $(BIN)/python -m benchmarks.linking --data $(EVAL)/melo/nld_q_nl_c_nl --run-out benchmarks/out/nld.trec
	$(REPORT) linking_skills -- $(BIN)/python -m benchmarks.linking --data $(EVAL)/skills_en --kind skill --run-out benchmarks/out/skills_en.trec
	$(REPORT) linking_real_titles -- $(BIN)/python -m benchmarks.linking --data $(EVAL)/real-offers-dev/ft_offer_titles --run-out benchmarks/out/ft_titles.trec
	$(REPORT) linking_real_texts -- $(BIN)/python -m benchmarks.linking --data $(EVAL)/real-offers-dev/ft_offer_texts --run-out benchmarks/out/ft_texts.trec
	$(REPORT) linking_real_titles_replay -- $(BIN)/python -m benchmarks.linking --data $(EVAL)/real-offers-dev/ft_offer_titles --run-out benchmarks/out/ft_titles_replay.trec --replay --no-baseline
	$(REPORT) linking_real_texts_replay -- $(BIN)/python -m benchmarks.linking --data $(EVAL)/real-offers-dev/ft_offer_texts --run-out benchmarks/out/ft_texts_replay.trec --replay --no-baseline
	$(REPORT) context_weight -- $(BIN)/python -m benchmarks.context_weight
	$(REPORT) extraction -- $(BIN)/python -m benchmarks.extraction
	$(REPORT) ingestion -- $(BIN)/python -m benchmarks.ingestion
	$(REPORT) ingestion_real -- $(BIN)/python -m benchmarks.ingestion --data $(EVAL)/real-offers-dev/matching-real-dev --vacancies-only
	$(REPORT) matching -- $(BIN)/python -m benchmarks.matching --data $(EVAL)/matching-dev --run-out-prefix benchmarks/out/matching-dev
	$(REPORT) matching_real -- $(BIN)/python -m benchmarks.matching --data $(EVAL)/real-offers-dev/matching-real-dev --run-out-prefix benchmarks/out/matching-real-dev --confirm-occupations
	$(REPORT) score_weights -- $(BIN)/python -m benchmarks.score_weights
	$(REPORT) speed -- $(BIN)/python -m benchmarks.speed
	$(REPORT) serve -- $(BIN)/python -m benchmarks.serve
	$(REPORT) link_threshold -- $(BIN)/python -m benchmarks.link_threshold
	$(REPORT) load -- $(BIN)/python -m benchmarks.load
	$(REPORT) rematch_10k -- $(BIN)/python -m benchmarks.rematch --sizes 10000x2000
	$(REPORT) rematch_100k -- $(BIN)/python -m benchmarks.rematch --sizes 100000x20000 --project 1000000x200000
	$(REPORT) web_load -- $(BIN)/python -m benchmarks.web_load
	$(REPORT) typeahead -- $(BIN)/python -m benchmarks.typeahead
	$(REPORT) largest -- $(BIN)/python -m benchmarks.largest

screenshots: install browser-deps
	$(BIN)/skillmatch esco load
	$(BIN)/skillmatch demo load
	$(BIN)/python -m docs.screenshots

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
