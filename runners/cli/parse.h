#pragma once
// Command-line parsing shared by the `metarl` subcommands.

#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace metarl::cli {

// Parses `args` against `desc`; prints usage and options and returns false
// for --help. Unknown options and missing required ones throw (main() maps
// them to exit code 2).
inline bool Parse(const std::vector<std::string>& args, const boost::program_options::options_description& desc,
                  const std::string& usage, boost::program_options::variables_map* vm) {
  namespace po = boost::program_options;
  po::store(po::command_line_parser(args).options(desc).run(), *vm);
  if (vm->count("help")) {
    std::cout << usage << "\n" << desc << "\n";
    return false;
  }
  po::notify(*vm);
  return true;
}

}  // namespace metarl::cli
