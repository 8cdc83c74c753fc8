GO       ?= go
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
BIN      := bin/flowbatch

.PHONY: build test demo bench fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 20m ./...

demo: build
	./$(BIN) demo -out demo-out

bench: build
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

clean:
	rm -rf bin demo-out
