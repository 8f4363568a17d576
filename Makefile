# Front door for newcomers: `make demo` and `make check` (see README.md).
# CMake does the building; this file installs what is missing, picks build
# directories and strings the steps together.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
DEMO_DIR   ?= demo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20
CTEST_ARGS ?=

.PHONY: all build demo check check-release check-asan validators fuzz fuzz-build bench format clean

all: build

build:
	@bash scripts/deps.sh build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOTRUST_TESTS=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

demo:
	@bash scripts/deps.sh demo
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOTRUST_TESTS=OFF >/dev/null
	cmake --build $(BUILD) -j$(JOBS) --target iotrust-cli
	bash tests/fixtures/build-demo-firmware.sh $(DEMO_DIR)
	@rm -rf $(DEMO_DIR)/extracted
	$(BUILD)/iotrust scan $(DEMO_DIR)/demo-firmware.bin --list -o $(DEMO_DIR)/listing.txt
	$(BUILD)/iotrust scan $(DEMO_DIR)/demo-firmware.bin --quiet --extract $(DEMO_DIR)/extracted \
		--format json -o $(DEMO_DIR)/result.json
	@for f in sarif cyclonedx spdx csaf; do \
		$(BUILD)/iotrust scan $(DEMO_DIR)/demo-firmware.bin --quiet --format $$f \
			-o $(DEMO_DIR)/report.$$f.json || exit $$?; done
	$(BUILD)/iotrust scan $(DEMO_DIR)/demo-firmware.bin --quiet -o $(DEMO_DIR)/report.txt
	@for f in json text html sarif csaf oscal; do \
		$(BUILD)/iotrust assess --scan $(DEMO_DIR)/result.json --profile data/profiles/demo.yaml \
			--declarations data/profiles/demo-declarations.yaml --format $$f \
			-o $(DEMO_DIR)/assessment.$$f || exit $$?; done
	@mv $(DEMO_DIR)/assessment.text $(DEMO_DIR)/assessment.txt
	@for f in sarif csaf oscal; do mv $(DEMO_DIR)/assessment.$$f $(DEMO_DIR)/assessment.$$f.json; done
	@echo
	@cat $(DEMO_DIR)/report.txt
	@echo
	@cat $(DEMO_DIR)/assessment.txt
	@echo
	@echo "Demo firmware:   $(DEMO_DIR)/demo-firmware.bin"
	@echo "Report:          $(DEMO_DIR)/report.txt (above)"
	@echo "Canonical JSON:  $(DEMO_DIR)/result.json"
	@echo "SARIF, SBOMs:    $(DEMO_DIR)/report.sarif.json, report.cyclonedx.json, report.spdx.json"
	@echo "CSAF VEX:        $(DEMO_DIR)/report.csaf.json"
	@echo "Assessment:      $(DEMO_DIR)/assessment.txt (above), assessment.json, assessment.{sarif,csaf,oscal}.json"
	@echo "Assessment page: $(DEMO_DIR)/assessment.html (open it in a browser)"
	@echo "Entry listing:   $(DEMO_DIR)/listing.txt ($$(wc -l < $(DEMO_DIR)/listing.txt) entries)"
	@echo "Extracted tree:  $(DEMO_DIR)/extracted/"
	@echo "Planted weaknesses: tests/fixtures/demo-weaknesses.tsv"

check: check-release check-asan check-tsan

# The tests of the one multi-threaded part (the import's writer thread) under
# ThreadSanitizer.
check-tsan:
	@bash scripts/deps.sh check
	CC=clang cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIOTRUST_TSAN=ON -DIOTRUST_TESTS=ON >/dev/null
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target test_pipe test_import_stream
	cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -R 'unit.test_(pipe|import_stream)$$'

# The output formats are checked by their owners' validators (npm packages
# pinned in tests/validate/package-lock.json).
validators:
	@bash scripts/deps.sh check
	@[ tests/validate/node_modules/.package-lock.json -nt tests/validate/package-lock.json ] || \
		npm ci --prefix tests/validate --no-audit --no-fund

check-release: validators
	@bash scripts/deps.sh check
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOTRUST_TESTS=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

check-asan: validators
	@bash scripts/deps.sh check
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DIOTRUST_SANITIZE=ON -DIOTRUST_TESTS=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

fuzz-build:
	@bash scripts/deps.sh build fuzz
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOTRUST_FUZZ=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS)

# A short run of every harness (FUZZ_SECONDS each, two at a time).
fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) bash fuzz/run.sh

bench: build
	@bash scripts/deps.sh bench
	bash bench/bench-unpack.sh $(BUILD)/iotrust
	bash bench/bench-signatures.sh $(BUILD)/iotrust
	bash bench/bench-elf.sh $(BUILD)/iotrust
	bash bench/bench-vulndb.sh $(BUILD)/iotrust
	bash bench/bench-provision.sh $(BUILD)/iotrust
	bash bench/bench-label.sh $(BUILD)/iotrust
	bash bench/bench-assess.sh $(BUILD)/iotrust

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEMO_DIR)
