# metarl — the two commands of the quick start:
#   make run    install what is missing, build, run the main job on its default config
#   make test   install what is missing, build, run the GoogleTest suite through ctest
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CONFIG ?= configs/maml/2d-navigation.yaml
RUN_DIR ?= runs/quickstart
RUN_ITERS ?= 40

SANITIZE_DIR ?= build-sanitize

.PHONY: all deps configure build run test test-sanitize bench clean

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

# The whole suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer
# (CMake METARL_SANITIZE) in $(SANITIZE_DIR). Any report fails the test that
# triggered it. Leak checking is off: LibTorch, MuJoCo and Open MPI keep
# process-lifetime allocations that LeakSanitizer would list. The kernel-family
# reruns of the bit-identity tests and the MAML family's learning tests
# (tests/CMakeLists.txt: labels kernel-family, learning) run in `make test` only.
test-sanitize: deps
	@cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Release -DMETARL_SANITIZE=address,undefined
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) -LE "kernel-family|learning"

bench: build
	./$(BUILD_DIR)/metarl bench rollout --env HalfCheetahVel --envs 40 --trajs 20 --threads $(JOBS)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
