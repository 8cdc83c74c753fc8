GO       ?= go
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
BIN      := bin/flowbatch

.PHONY: build test demo bench bench-go dist fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

# test fails first if go.mod or go.sum is not what `go mod tidy` would
# write (it prints the difference): run `go mod tidy` and commit.
test:
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

demo: build
	./$(BIN) demo -out demo-out

# bench runs every benchmark and prints the figures for BENCHMARKS.md
# (about 10 minutes); BENCH_SECTIONS picks some of: machine rate journal
# check million. bench-go runs just the Go benchmark functions.
BENCH_SECTIONS ?=

bench:
	bash .ci/bench $(BENCH_SECTIONS)

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

# dist cross-compiles (no cgo) for windows/amd64, darwin/arm64, darwin/amd64,
# linux/amd64 and linux/arm64 into dist/: one archive each with the README,
# and SHA256SUMS.
dist:
	VERSION=$(VERSION) bash .ci/dist dist

clean:
	rm -rf bin demo-out dist
