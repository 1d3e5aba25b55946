# metarl — the two commands of the quick start:
#   make run    install what is missing, build, run the main job on its default config
#   make test   install what is missing, build, run the GoogleTest suite through ctest
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CONFIG ?= configs/maml/2d-navigation.yaml
RUN_DIR ?= runs/quickstart
RUN_ITERS ?= 40

.PHONY: all deps configure build run test bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# A short MAML-TRPO run of the default config (2D navigation), then fast
# adaptation to 40 new goals. Overwrites $(RUN_DIR).
run: build
	rm -rf $(RUN_DIR)
	./$(BUILD_DIR)/metarl train --config $(CONFIG) --output $(RUN_DIR) --set num-batches=$(RUN_ITERS)
	./$(BUILD_DIR)/metarl eval --checkpoint $(RUN_DIR) --num-tasks 40 --grad-steps 3

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	./$(BUILD_DIR)/metarl bench rollout --env HalfCheetahVel --envs 40 --trajs 20 --threads $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
