// What the bench load clients (stream_client, soak_client) share: their --name=value flags and
// the names of the server's threads.
#pragma once

#include <dirent.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace bench {

using Flags = std::map<std::string, std::string>;

// Every argument as --name=value; nullopt when one is not.
inline std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const char* equals = std::strchr(argv[i], '=');
    if (std::strncmp(argv[i], "--", 2) != 0 || equals == nullptr) return std::nullopt;
    flags[std::string(argv[i] + 2, static_cast<std::size_t>(equals - argv[i] - 2))] = equals + 1;
  }
  return flags;
}

inline int Flag(const Flags& flags, const std::string& name, int fallback) {
  auto found = flags.find(name);
  return found == flags.end() ? fallback : std::atoi(found->second.c_str());
}

// "name xcount" of each kind of the process's threads: which pool grew, if one did.
inline std::string ThreadNames(int pid) {
  std::map<std::string, int> names;
  std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* dir = opendir(tasks.c_str())) {
    while (dirent* entry = readdir(dir)) {
      if (entry->d_name[0] == '.') continue;
      std::ifstream comm(tasks + "/" + entry->d_name + "/comm");
      std::string name;
      if (std::getline(comm, name)) ++names[name];
    }
    closedir(dir);
  }
  std::string out;
  for (const auto& [name, count] : names) {
    out += (out.empty() ? "" : ", ") + name + " x" + std::to_string(count);
  }
  return out;
}

}  // namespace bench
