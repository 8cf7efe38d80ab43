#include "line_layout.h"

#include <cstdio>

namespace cppgateway::plugin {
namespace {

bool Fits(std::string_view line) { return line.size() <= kColumnLimit; }

std::string LeadingSpaces(std::string_view text) {
  return std::string(text.substr(0, text.find_first_not_of(' ')));
}

// Appends `args` to `first_line` as many to a line as fit; further lines start with `indent`.
// Returns false when some line is still too long (an argument longer than a line).
bool BinPack(std::string first_line, const std::string& indent,
             const std::vector<std::string>& args, std::string_view tail, std::string* text) {
  std::string done;
  std::string line = std::move(first_line);
  bool line_has_argument = false;
  bool all_fit = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string piece = args[i] + (i + 1 < args.size() ? "," : std::string(tail));
    if (line_has_argument) {
      if (Fits(line + " " + piece)) {
        line += " " + piece;
        continue;
      }
      all_fit = all_fit && Fits(line);
      done += line + "\n";
      line = indent;
    }
    line += piece;
    line_has_argument = true;
  }
  if (args.empty()) line += tail;
  *text = done + line;
  return all_fit && Fits(line);
}

}  // namespace

std::string LayoutCall(std::string_view head, const std::vector<std::string>& args,
                       std::string_view tail) {
  std::string one_line(head);
  for (std::size_t i = 0; i < args.size(); ++i) {
    one_line += (i == 0 ? "" : ", ") + args[i];
  }
  one_line += tail;
  if (Fits(one_line)) return one_line;

  std::string aligned;
  if (BinPack(std::string(head), std::string(head.size(), ' '), args, tail, &aligned)) {
    return aligned;
  }
  std::string indent = LeadingSpaces(head) + "    ";
  std::string below;
  BinPack(indent, indent, args, tail, &below);
  return std::string(head) + "\n" + below;
}

std::string LayoutAssignment(std::string_view indent, std::string_view lhs, std::string_view rhs) {
  std::string one_line = std::string(indent) + std::string(lhs) + " = " + std::string(rhs) + ";";
  if (Fits(one_line)) return one_line;
  return std::string(indent) + std::string(lhs) + " =\n" + std::string(indent) + "    " +
         std::string(rhs) + ";";
}

std::string LayoutComment(std::string_view indent, std::string_view text) {
  const std::string prefix = std::string(indent) + "//";
  std::string done;
  std::string line = prefix;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (line != prefix && !Fits(line + " " + std::string(word))) {
      done += line + "\n";
      line = prefix;
    }
    line += " " + std::string(word);
  }
  return done + line;
}

std::string CppStringLiteral(std::string_view text) {
  std::string literal = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        literal += "\\\"";
        break;
      case '\\':
        literal += "\\\\";
        break;
      case '\n':
        literal += "\\n";
        break;
      case '\t':
        literal += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          // Three octal digits always: a following digit cannot extend the escape.
          char escaped[5];
          std::snprintf(escaped, sizeof(escaped), "\\%03o", static_cast<unsigned char>(c));
          literal += escaped;
        } else {
          literal += c;
        }
    }
  }
  return literal + "\"";
}

}  // namespace cppgateway::plugin
