# metarl — the two commands of the quick start:
#   make run    install what is missing, build, run the main job on its default config
#   make test   install what is missing, build, run the GoogleTest suite through ctest
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CONFIG ?= configs/default.yaml

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/metarl rollout --config $(CONFIG) --out runs/default
	./$(BUILD_DIR)/metarl bench rollout --env HalfCheetahVel --envs 40 --trajs 20 --threads $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD_DIR)/metarl bench rollout --env HalfCheetahVel --envs 40 --trajs 20 --threads $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
