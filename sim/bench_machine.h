// What the machine was doing while a benchmark ran: the CPU time other processes took (a shared
// machine skews every figure), and how far independent compute scales over hardware threads
// (vCPUs that share one physical core do not double it).
#pragma once

#include <optional>

namespace lbasim::cli {

// Busy CPU time of the whole machine, from /proc/stat; nullopt where it cannot be read.
std::optional<double> machine_busy_seconds();
// CPU time of this process (all its threads).
double process_cpu_seconds();

// Runs a compute-bound loop (independent vector adds, no memory traffic) on `threads` threads
// and returns its total rate in G adds/s (wall clock).
double compute_probe_gadds(int threads);

// Measures the CPU time other processes take between construction and others_share().
class LoadMeter {
 public:
  LoadMeter();
  // Share of the machine's CPU time (all cores, over the elapsed wall time) that other
  // processes used; nullopt without /proc/stat.
  std::optional<double> others_share() const;

 private:
  std::optional<double> busy0_;
  double cpu0_, wall0_;
};

}  // namespace lbasim::cli
