# PolicyQA: `make ask Q="..."` and `make test` work on a fresh machine with only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
Q ?= 哪些区提出了2025年中医馆建设目标？

.PHONY: setup ask index serve test bench browser clean-index lint

setup: $(STAMP)

# Re-running is a no-op until pyproject.toml changes. torch is installed first, pinned,
# so nothing can pull the multi-gigabyte CUDA build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[test,milvus]"
	@$(BIN)/python -c "import torch, sys; v = torch.__version__; sys.exit(0 if v.startswith('2.13.0') and '+cpu' in v else 'torch was replaced: ' + v)"
	@touch $(STAMP)

index: setup
	$(BIN)/policyqa index

serve: setup
	$(BIN)/policyqa serve

ask: setup
	@$(BIN)/policyqa ask "$(Q)"

# Chromium for the browser test, and a CJK font so its screenshots show Chinese, not boxes.
browser:
	@(test -x /usr/bin/chromium && fc-list :lang=zh family | grep -q "Noto Sans CJK") || \
		(echo "installing Debian chromium and fonts-noto-cjk for the browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
		|| echo "could not install chromium / fonts-noto-cjk: the browser test will be skipped")

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python benchmarks/retrieval.py
	$(BIN)/python benchmarks/answer.py

lint: setup
	$(BIN)/ruff check kernel ingest index qa surfaces eval app.py tests benchmarks

clean-index:
	rm -rf "$${POLICYQA_HOME:-$$HOME/.cache/policyqa}/index"
