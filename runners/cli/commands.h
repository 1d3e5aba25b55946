#pragma once
// The `metarl` subcommands. Each takes the arguments after its name and
// returns the process exit code; errors propagate as exceptions, which main()
// maps to exit codes (std::invalid_argument / bad options → 2, others → 1).

#include <string>
#include <vector>

namespace metarl::cli {

int TrainCommand(const std::vector<std::string>& args);
int EvalCommand(const std::vector<std::string>& args);
int RolloutCommand(const std::vector<std::string>& args);
int BenchCommand(const std::vector<std::string>& args);
int FewShotCommand(const std::vector<std::string>& args);
int EnvsCommand(const std::vector<std::string>& args);
int RenderCommand(const std::vector<std::string>& args);  // runners/cli/render.cc
int PlotCommand(const std::vector<std::string>& args);    // runners/cli/plot.cc

}  // namespace metarl::cli
