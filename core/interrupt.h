#pragma once
// Stopping a long job cleanly on a signal: SIGINT (Ctrl-C), SIGTERM (kill,
// schedulers at a time limit) and SIGUSR1 (what `mpirun` forwards to every
// rank, and what Slurm's `--signal=USR1@T` sends before a time limit).
//
// While an InterruptWatch is alive, the first such signal only records its
// number (the handler is async-signal-safe: one lock-free atomic store); the
// training loop polls `ReceivedSignal()` between iterations, writes a
// checkpoint and stops with an `InterruptedError`. A second signal
// restores the default action and re-raises it, so a second Ctrl-C ends the
// process at once (the last checkpoint stays intact: it is only ever
// replaced by rename).
//
// Thread-safety: construct and destroy on the main thread; `ReceivedSignal()`
// may be called from any thread. One watch at a time (nested watches are
// refused).

#include <stdexcept>
#include <string>

namespace metarl {

class InterruptWatch {
 public:
  // Installs the handlers; throws std::logic_error if a watch is active.
  // `announce`: the first signal also writes one line to stderr saying that
  // the job stops after the current step (pass false on all but one rank).
  explicit InterruptWatch(bool announce);
  ~InterruptWatch();  // restores the previous handlers and clears the record
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;
};

// The number of the first signal received under the active watch, 0 if none.
int ReceivedSignal();

// "SIGINT", "SIGTERM", "SIGUSR1", else "signal N".
std::string SignalName(int signal_number);

// Thrown by the training loop after it saved a checkpoint on a signal. The
// CLI prints the message and exits with exit_code() = 128 + the signal number
// (the shell's convention for a process ended by that signal).
class InterruptedError final : public std::runtime_error {
 public:
  InterruptedError(int signal_number, const std::string& message)
      : std::runtime_error(message), signal_(signal_number) {}
  int signal_number() const { return signal_; }
  int exit_code() const { return 128 + signal_; }

 private:
  int signal_;
};

}  // namespace metarl
