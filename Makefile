# nv2 build, package and test entry points. See CONTRIBUTING.md (targets, suites) and ARCHITECTURE.md.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := pkg
MAKEFLAGS += --no-print-directory

CARGO_TARGET_DIR ?= target
export CARGO_TARGET_DIR
WASM_TARGET := wasm32-unknown-unknown
WASM_IN     := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/nv2.wasm
PKG         := pkg
WASM_OUT    := $(PKG)/dist/nv2_wasm_bg.wasm
WORK        := tests/.work
PKI         := $(WORK)/pki
CONSUMER    := $(WORK)/consumer
VENV        := $(WORK)/venv
PYTHON      := $(VENV)/bin/python
# Size gate for the gzipped .wasm. The offline foundation measured 293,118 bytes against its 300 KB
# budget. With the registry transport, RFC 3161, CRL revocation, blob signing, copy and COSE
# signing, and after removing duplicate code (docs/size.md), the package measures 344,708 bytes.
# Request and operation deadlines (threat model 25) and the structural budgets and linear-time
# checks of docs/limits.md (issue 9) brought it to 355,908 bytes. The gate (the measured size
# rounded up to the next KiB, plus 2 KiB) leaves under 3 KB: nothing grows unnoticed; the levers
# back toward 300 KB are in docs/size.md.
MAX_GZIP    ?= 358400
# The notation vectors, vendored in the repository (tests/vectors/notation/README.md).
CONFORMANCE := $(abspath tests/vectors/notation)
# Tests of verify/sign skip (with a reason) while the wasm module lacks those exports; set to 1 to
# make a missing export a failure.
NV2_REQUIRE_FULL_API ?= 1
export NV2_REQUIRE_FULL_API

.PHONY: pkg wasm test test-native test-wasm test-js test-types test-browser pki demo demo-offline bench bench-adversarial bench-copy setup \
        clippy fmt fmt-check clean venv node-deps pack

# ---------------------------------------------------------------------------------------------
# Package

pkg:
	@echo "== cargo build (release, $(WASM_TARGET))"
	cargo build --release --target $(WASM_TARGET) --features wasm --lib
	@echo "== wasm-bindgen"
	rm -rf $(PKG)
	mkdir -p $(PKG)/dist
	wasm-bindgen --target web --remove-name-section --remove-producers-section \
	  --out-dir $(PKG)/dist --out-name nv2_wasm $(WASM_IN)
	node pkg-template/assemble.mjs $(PKG)
	@raw=$$(wc -c < $(WASM_OUT)); gz=$$(gzip -9 -c $(WASM_OUT) | wc -c); \
	  echo "nv2_wasm_bg.wasm: $$raw bytes raw, $$gz bytes gzip -9 (limit $(MAX_GZIP))"; \
	  if [ "$$gz" -gt $(MAX_GZIP) ]; then echo "FAIL: gzipped wasm exceeds $(MAX_GZIP) bytes" >&2; rm -f $(WASM_OUT); exit 1; fi

# Rebuild the package when the crate, the wrapper or the template changed.
PKG_INPUTS := $(shell find src -name '*.rs') Cargo.toml Cargo.lock $(wildcard js/*.js js/*.d.ts js/cli/*.mjs) \
              $(wildcard pkg-template/*) LICENSE
$(WASM_OUT): $(PKG_INPUTS)
	$(MAKE) pkg

# ---------------------------------------------------------------------------------------------
# Tooling for the tests

# The venv is (re)filled whenever the pinned requirements change.
VENV_STAMP := $(VENV)/.requirements-installed
$(VENV_STAMP): tests/gen/requirements.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r tests/gen/requirements.txt
	touch $@
$(PYTHON): $(VENV_STAMP)
venv: $(VENV_STAMP)

tests/node_modules/.package-lock.json: tests/package.json tests/package-lock.json
	cd tests && npm ci --no-audit --no-fund
node-deps: tests/node_modules/.package-lock.json

# Regenerated on every run: validity periods are relative to now.
pki: $(VENV_STAMP)
	rm -rf $(PKI)
	$(PYTHON) tests/gen/make_pki.py --out $(PKI)

# npm pack of pkg/, installed into a throwaway consumer project (proves the tarball installs).
pack: $(WASM_OUT)
	rm -rf $(CONSUMER) && mkdir -p $(CONSUMER)
	cd $(PKG) && npm pack --silent --pack-destination $(abspath $(WORK)) > $(abspath $(WORK))/packed-name
	printf '{ "name": "nv2-consumer", "private": true, "type": "module" }\n' > $(CONSUMER)/package.json
	cd $(CONSUMER) && npm install --no-audit --no-fund --silent $(abspath $(WORK))/$$(cat $(abspath $(WORK))/packed-name)
	@echo "installed $$(cat $(WORK)/packed-name) into $(CONSUMER)"

# ---------------------------------------------------------------------------------------------
# Tests

test: setup test-native test-wasm test-js test-types test-browser
	@echo "== all test suites passed"

# The generated PKI first: tests/revocation_ocsp.rs reads its OCSP responses (and must not skip).
test-native: pki
	@echo "== cargo test (native)"
	NV2_PKI_DIR=$(abspath $(PKI)) NV2_REQUIRE_PKI=1 cargo test --no-fail-fast

test-wasm:
	@echo "== wasm-bindgen-test (Node + headless Chromium)"
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	CHROMEDRIVER=$${CHROMEDRIVER:-$$(command -v chromedriver)} \
	  cargo test --target $(WASM_TARGET) --features wasm --no-fail-fast --test 'wasm_*'

# NV2_TS_MODULE: the TypeScript compiler of tests/node_modules, for declarations.test.mjs (it reads
# the installed package's index.d.ts; the consumer project itself installs only nv2).
NV2_TS_MODULE := $(abspath tests/node_modules/typescript)
test-js: pack pki node-deps
	@echo "== node --test (installed package)"
	rm -rf $(CONSUMER)/js-tests && cp -r tests/js $(CONSUMER)/js-tests
	cd $(CONSUMER) && NV2_PKI_DIR=$(abspath $(PKI)) NV2_CONFORMANCE_DIR=$(CONFORMANCE) NV2_TS_MODULE=$(NV2_TS_MODULE) \
	  NV2_PYTHON=$(abspath $(PYTHON)) NV2_ORAS_TOOL=$(abspath tests/interop/oras_tool.py) node --test js-tests/

test-types: pack node-deps
	@echo "== tsc --noEmit (types of the installed package)"
	rm -rf $(CONSUMER)/types && cp -r tests/types $(CONSUMER)/types
	cd $(CONSUMER)/types && $(abspath tests/node_modules/.bin/tsc) -p tsconfig.json
	@echo "types: ok"

# Suites: the API test page, htpasswd + token auth through www/serve.mjs's same-origin proxy,
# and the www/ portal page itself (tests/browser/run.mjs).
test-browser: $(WASM_OUT) pki node-deps
	@echo "== Playwright + headless Chromium"
	node tests/browser/run.mjs --pkg $(PKG) --pki $(PKI) --python $(PYTHON) \
	  --screenshot $(WORK)/browser.png --portal-screenshot $(WORK)/portal.png

# ---------------------------------------------------------------------------------------------
# Demo and hygiene

# Installs whatever a bare Debian machine lacks (skips what is present): scripts/setup.sh.
setup:
	bash scripts/setup.sh

# The three user stories with the installed `nv2` command against two local registries
# (js/demo/stories.mjs). KEEP=1 keeps the registries serving until Ctrl-C.
demo: setup pack
	node js/demo/stories.mjs $(if $(filter 1 true yes,$(KEEP)),--keep)

# Sign + verify of a descriptor through the JS API, without a registry (js/demo/offline.mjs).
demo-offline: setup $(WASM_OUT) pki
	node js/demo/offline.mjs $(PKI)

clippy:
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --test wasm_node --test wasm_browser --target $(WASM_TARGET) --features wasm -- -D warnings

fmt:
	cargo fmt

fmt-check:
	cargo fmt --check

clean:
	rm -rf $(PKG) $(WORK)

# Benchmarks (not tests): figures as ratios against a baseline measured in the same run.
bench: $(WASM_OUT) pki
	node bench/verify-envelope.mjs --pkg $(PKG) --pki $(PKI)
	node bench/verify-registry.mjs --pkg $(PKG) --pki $(PKI)
	$(MAKE) bench-adversarial
	$(MAKE) bench-copy

# Adversarial inputs of 1, 2, 4 and 8 MiB through the wasm package: milliseconds per MiB, which
# must stay flat (docs/limits.md, docs/performance.md).
bench-adversarial: $(WASM_OUT) pki
	node bench/adversarial.mjs --pkg $(PKG) --pki $(PKI)

# `nv2 copy` against `skopeo copy` of a ~200 MB image between two local registries: wall time
# (median of REPS) and peak RSS (/usr/bin/time), with the installed package.
REPS ?= 5
bench-copy: setup pack
	node bench/copy.mjs --reps $(REPS)
