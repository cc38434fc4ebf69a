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
# checks of docs/limits.md (issue 9) brought it to 355,908 bytes; revocation (attached, OCSP,
# online CRLs) to 379,874, and the size round of docs/size.md back to 378,944. The gate is the
# measured size plus 2 KiB, capped at the project budget of 380,000: nothing grows unnoticed; the
# levers back toward 300 KB are in docs/size.md.
MAX_GZIP    ?= 380000
# The notation vectors, vendored in the repository (tests/vectors/notation/README.md).
CONFORMANCE := $(abspath tests/vectors/notation)
# Tests of verify/sign skip (with a reason) while the wasm module lacks those exports; set to 1 to
# make a missing export a failure.
NV2_REQUIRE_FULL_API ?= 1
export NV2_REQUIRE_FULL_API

.PHONY: fuzz fuzz-build fuzz-seed fuzz-smoke fuzz-corpus pkg wasm test test-native test-wasm test-js test-types test-browser pki demo demo-offline bench bench-adversarial bench-copy setup \
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

test: setup test-native fuzz-smoke test-wasm test-js test-types test-browser
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
# Fuzzing (docs/fuzzing.md): the cargo-fuzz workspace fuzz/, its own [workspace].

# cargo-fuzz passes -Z flags (sanitizer, coverage): nightly where rustup has it, else the stable
# toolchain with RUSTC_BOOTSTRAP=1 (scripts/setup.sh installs cargo-fuzz, not nightly).
FUZZ_CARGO  := $(shell rustup toolchain list 2>/dev/null | grep -q '^nightly' && echo 'cargo +nightly' || echo 'RUSTC_BOOTSTRAP=1 cargo')
FUZZ_TARGETS := $(shell sed -n 's/^name = "\([a-z0-9_]*\)"$$/\1/p' fuzz/Cargo.toml | grep -v '^nv2')
FUZZ_BIN    := fuzz/target/x86_64-unknown-linux-gnu/release
# The smoke run builds the dev profile (still ASan + coverage + overflow checks): a fresh build
# takes under half the time of the optimised one (fiat-crypto's P-521 field code dominates).
FUZZ_SMOKE_BIN := fuzz/target/x86_64-unknown-linux-gnu/debug
# Seconds per target for `make fuzz`, and for the smoke run that `make test` includes.
FUZZ_S       ?= 60
FUZZ_SMOKE_S ?= 4
# libFuzzer flags for every run: RSS cap (the heap oracle is the finer bound), saved findings.
FUZZ_FLAGS  ?= -rss_limit_mb=2048 -timeout=25

fuzz-build:
	cd fuzz && $(FUZZ_CARGO) fuzz build -O

# The seed corpora (git-ignored) from the vectors and, when built, the test PKI.
fuzz-seed: pki
	bash fuzz/seed.sh $(PKI)
fuzz-corpus:
	@test -d fuzz/corpus || bash fuzz/seed.sh $(PKI)

# One target after the other, FUZZ_S seconds each, one job: the machine is shared.
# A finding stops the run; its input is in fuzz/artifacts/<target>/.
fuzz: fuzz-build fuzz-corpus
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t fuzz/artifacts/$$t; \
	  echo "== fuzz $$t ($(FUZZ_S) s)"; \
	  rc=0; $(FUZZ_BIN)/$$t fuzz/corpus/$$t -max_total_time=$(FUZZ_S) $(FUZZ_FLAGS) \
	    -artifact_prefix=fuzz/artifacts/$$t/ -print_final_stats=1 > fuzz/artifacts/$$t/fuzz.log 2>&1 || rc=$$?; \
	  grep -E '^(stat::number_of_executed_units|==[0-9]+==|thread|heap oracle|SUMMARY|Done)' fuzz/artifacts/$$t/fuzz.log || true; \
	  test "$$rc" -eq 0 || { echo "FAIL: fuzz target $$t found something (fuzz/artifacts/$$t/, log fuzz.log)" >&2; exit 1; }; \
	done

# CI's short run of every target (`make test`): FUZZ_SMOKE_S seconds each, seeded from the
# vectors only (no PKI needed), after the committed regressions replayed through each target.
# The corpus is a fresh, throwaway fuzz/smoke/ every time, not fuzz/corpus/: libFuzzer replays
# its whole corpus before the time limit counts, and the large inputs long runs leave there
# (cert_struct's, slow in the unoptimised build) made a smoke run take minutes longer.
fuzz-smoke:
	@start=$$(date +%s); \
	(cd fuzz && $(FUZZ_CARGO) fuzz build --dev); \
	echo "fuzz-smoke: built in $$(( $$(date +%s) - start )) s"; \
	rm -rf fuzz/smoke; bash fuzz/seed.sh - fuzz/smoke; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/smoke/$$t fuzz/artifacts/$$t; \
	  regs=$$(ls -d fuzz/regressions/$$t 2>/dev/null || true); \
	  $(FUZZ_SMOKE_BIN)/$$t fuzz/smoke/$$t $$regs -max_total_time=$(FUZZ_SMOKE_S) $(FUZZ_FLAGS) \
	    -artifact_prefix=fuzz/artifacts/$$t/ > fuzz/artifacts/$$t/smoke.log 2>&1 \
	    || { tail -40 fuzz/artifacts/$$t/smoke.log >&2; echo "FAIL: fuzz target $$t (fuzz/artifacts/$$t/)" >&2; exit 1; }; \
	  echo "fuzz-smoke $$t: $$(grep -Eo 'Done [0-9]+ runs' fuzz/artifacts/$$t/smoke.log)"; \
	done; \
	echo "fuzz-smoke: all targets ok in $$(( $$(date +%s) - start )) s, build included"

# ---------------------------------------------------------------------------------------------
# Demo and hygiene

# Installs whatever a bare Debian machine lacks (skips what is present): scripts/setup.sh.
setup:
	bash scripts/setup.sh

# The user stories (three, plus the air-gapped one) with the installed `nv2` command against local registries
# (js/demo/stories.mjs). KEEP=1 keeps the registries serving until Ctrl-C.
demo: setup pack
	node js/demo/stories.mjs $(if $(filter 1 true yes,$(KEEP)),--keep)

# Sign + verify of a descriptor through the JS API, without a registry (js/demo/offline.mjs).
demo-offline: setup $(WASM_OUT) pki
	node js/demo/offline.mjs $(PKI)

clippy:
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --features fuzzing -- -D warnings
	# The fuzz workspace is its own [workspace] (stable clippy: no -Z flags are needed to check it).
	cd fuzz && cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --test wasm_node --test wasm_browser --target $(WASM_TARGET) --features wasm -- -D warnings

fmt:
	cargo fmt
	cd fuzz && cargo fmt

fmt-check:
	cargo fmt --check
	cd fuzz && cargo fmt --check

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
