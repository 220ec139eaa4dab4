# Few targets on purpose: run, test, bench, lint, fmt, docs.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test faults fuzz bench mutants lint fmt docs clean chromium nginx promtool

# Re-install only when the dependency files change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/zuofeng run

# Browser tests drive Debian's Chromium (never a downloaded browser).
# fonts-noto-cjk: without a CJK font the pages' Chinese renders as empty boxes in screenshots.
chromium:
	@command -v chromium >/dev/null && dpkg -s fonts-noto-cjk >/dev/null 2>&1 || \
		(apt-get update -q && apt-get install -y -q chromium chromium-driver fonts-noto-cjk)

# deploy/ is checked by the real tools (tests/deploy): nginx -t and nginx on loopback, promtool
# (Debian's prometheus package) for the alert rules, their unit tests and the dashboards' queries.
# Nothing is started by the packages (no init system here); the tests run them on loopback.
nginx:
	@command -v nginx >/dev/null || \
		(apt-get update -q && apt-get install -y -q --no-install-recommends nginx)

promtool:
	@command -v promtool >/dev/null || \
		(apt-get update -q && apt-get install -y -q --no-install-recommends prometheus)

# Test files run on both cores (pytest-xdist): most of a run is waiting on services starting
# and events arriving. `--dist loadfile` keeps each file in one worker, so a module's shared stack
# is started once; every worker has its own nats-server and throwaway databases. TEST_JOBS=0 runs
# in one process (for a debugger or pdb). The slowest tests are listed at the end: the suite has
# a 25-minute budget on two cores, and the list says where it goes.
TEST_JOBS ?= 2
test: $(STAMP) chromium nginx promtool
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile) \
		--durations=25 --durations-min=20 $(PYTEST_ARGS)

faults: $(STAMP)
	$(BIN)/python -m pytest -m faults tests/faults -p no:randomly --timeout 3600 $(PYTEST_ARGS)

# schemathesis against every service without a seed (new inputs each run) and many more
# examples than `make test`'s bounded pass: FUZZ_EXAMPLES per operation.
FUZZ_EXAMPLES ?= 500
fuzz: $(STAMP)
	ZUOFENG_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ZUOFENG_FUZZ_SEED= ZUOFENG_FUZZ_TIMEOUT=0 \
		$(BIN)/python -m pytest tests/security/test_fuzz.py -s --timeout 0 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

# Mutation testing (mutmut, [tool.mutmut] in pyproject.toml) of the modules that hold the
# invariants; of channels.py only the webhook signature. Before a release, not in `make test`:
# about 10 minutes on two busy cores. A fresh mutants/ each run, so no verdict is stale. The report
# (var/mutants-report.txt) fails on a survivor not listed in tests/mutants_equivalent.md.
# The cases domain's state machine, roles and history (its payload and refusal builders were
# never in scope: domain_payloads.py and domain_errors.py before the domain became a package).
MUTANTS_NAMES ?= 'shared.sealing.*' 'services.cases.routing.*' 'shared.inbox.*' 'shared.outbox.*' \
	'shared.deadlines.*' 'services.cases.scope.*' \
	'services.cases.domain.vocabulary.*' 'services.cases.domain.state.*' \
	'services.cases.domain.table.*' 'services.cases.domain.who.*' \
	'services.cases.domain.decide.*' 'services.cases.domain.builders.*' \
	'services.cases.domain.history.*' \
	'services.notify.channels.x_sign__mutmut_*'
mutants: $(STAMP)
	rm -rf mutants && mkdir -p var
	CI=true nice -n 10 $(BIN)/mutmut run --max-children $(or $(JOBS),2) $(MUTANTS_NAMES) \
		> var/mutmut-run.log 2>&1 || (tail -50 var/mutmut-run.log; exit 1)
	$(BIN)/python tests/mutants_report.py $(MUTANTS_NAMES)

# The OpenAPI linter (Redocly's recommended rules), pinned in tools/openapi-lint's lock file.
REDOCLY := tools/openapi-lint/node_modules/.bin/redocly
$(REDOCLY): tools/openapi-lint/package.json tools/openapi-lint/package-lock.json
	cd tools/openapi-lint && npm ci --no-audit --no-fund --ignore-scripts
	touch $(REDOCLY)

# The official AsyncAPI validator (@asyncapi/cli, pinned with its lock in tools/asyncapi/),
# installed there by npm; `make lint` fails on any error or warning. Its usage analytics are
# off (tools/asyncapi/analytics.json): lint sends nothing anywhere.
ASYNCAPI := tools/asyncapi/node_modules/.bin/asyncapi
ASYNCAPI_VALIDATE := ASYNCAPI_METRICS_CONFIG_PATH=tools/asyncapi/analytics.json \
	$(ASYNCAPI) validate --fail-severity warn
$(ASYNCAPI): tools/asyncapi/package.json tools/asyncapi/package-lock.json
	cd tools/asyncapi && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(ASYNCAPI)

lint: $(STAMP) $(REDOCLY) $(ASYNCAPI)
	$(BIN)/ruff check shared services tests deploy
	$(BIN)/ruff format --check shared services tests deploy
	$(BIN)/lint-imports
	$(BIN)/mypy shared services
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --format=summary docs/openapi-*.json
	for f in docs/asyncapi-*.json; do $(ASYNCAPI_VALIDATE) $$f || exit 1; done

fmt: $(STAMP)
	$(BIN)/ruff format shared services tests deploy
	$(BIN)/ruff check --fix shared services tests deploy

docs: $(STAMP)
	$(BIN)/zuofeng docs

clean:
	rm -rf $(VENV) var
