# dashcdn: the two commands of the quick start, and a few more.
SWIFT ?= swift
BIN := .build/release/dashcdn

.PHONY: demo test build release bootstrap bench-encode bench-sim bench-edge bench-dns clean

## Install what is missing, build, and run the whole chain on the built-in sample.
demo: bootstrap release
	bash scripts/demo

## Install what is missing, then run every test.
test: bootstrap
	$(SWIFT) test --disable-swift-testing 2>&1

bootstrap:
	bash scripts/bootstrap

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product dashcdn

bench-encode: bootstrap release
	bash scripts/bench-encode

bench-sim: release
	bash scripts/bench-sim

bench-edge: release
	bash scripts/bench-edge

bench-dns: release
	bash scripts/bench-dns

clean:
	rm -rf .build
