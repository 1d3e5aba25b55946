#include "core/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <string>

namespace metarl {
namespace {

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGUSR1};
constexpr int kNumSignals = sizeof(kSignals) / sizeof(kSignals[0]);

std::atomic<int> g_received{0};
std::atomic<bool> g_active{false};
std::atomic<bool> g_announce{false};
struct sigaction g_previous[kNumSignals];

static_assert(std::atomic<int>::is_always_lock_free, "the handler needs a lock-free store");

void OnSignal(int signal_number) {
  int expected = 0;
  if (g_received.compare_exchange_strong(expected, signal_number)) {
    if (g_announce.load()) {
      // write(2) is async-signal-safe; stdio is not.
      static const char kMessage[] =
          "\nmetarl: signal received; stopping after the current iteration with a checkpoint "
          "(send it again to stop at once)\n";
      const ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
      (void)ignored;
    }
    return;
  }
  // A second signal: the default action now (usually: terminate).
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  sigaction(signal_number, &default_action, nullptr);
  raise(signal_number);
}

}  // namespace

InterruptWatch::InterruptWatch(bool announce) {
  if (g_active.exchange(true)) throw std::logic_error("InterruptWatch: another watch is active");
  g_received.store(0);
  g_announce.store(announce);
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // blocking reads and writes continue
  for (int i = 0; i < kNumSignals; ++i) sigaction(kSignals[i], &action, &g_previous[i]);
}

InterruptWatch::~InterruptWatch() {
  for (int i = 0; i < kNumSignals; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  g_received.store(0);
  g_active.store(false);
}

int ReceivedSignal() { return g_received.load(); }

std::string SignalName(int signal_number) {
  switch (signal_number) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    default: return "signal " + std::to_string(signal_number);
  }
}

}  // namespace metarl
