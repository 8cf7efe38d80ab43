#include "line_layout.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>

namespace cppgateway::plugin {
namespace {

bool Fits(std::string_view line) { return line.size() <= kColumnLimit; }

std::string LeadingSpaces(std::string_view text) {
  return std::string(text.substr(0, text.find_first_not_of(' ')));
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  lines.push_back(text.substr(start));
  return lines;
}

// The bytes of the character or escape sequence `text` starts with, as CppStringLiteral writes
// them: a line never breaks inside "\"" or "\001".
std::size_t CharacterLength(std::string_view text) {
  if (text[0] != '\\' || text.size() < 2) return 1;
  return std::isdigit(static_cast<unsigned char>(text[1])) ? std::min<std::size_t>(4, text.size())
                                                           : 2;
}

// Whether `arg` is one string literal, as CppStringLiteral writes them.
bool IsStringLiteral(std::string_view arg) {
  if (arg.size() < 2 || arg.front() != '"' || arg.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < arg.size(); i += CharacterLength(arg.substr(i))) {
    if (arg[i] == '"') return false;
  }
  return true;
}

// The elements of `arg` when it is a braced list of string literals and names, `{"a", b}`.
std::optional<std::vector<std::string>> BracedListElements(std::string_view arg) {
  if (arg.size() < 2 || arg.front() != '{' || arg.back() != '}') return std::nullopt;
  std::vector<std::string> elements(1);
  bool in_literal = false;
  for (std::size_t i = 1; i + 1 < arg.size();) {
    std::size_t length = CharacterLength(arg.substr(i));
    if (arg[i] == '"') in_literal = !in_literal;
    if (!in_literal && arg.compare(i, 2, ", ") == 0) {
      elements.emplace_back();
      i += 2;
      continue;
    }
    elements.back() += arg.substr(i, length);
    i += length;
  }
  return elements;
}

// `literal` split into adjacent literals, the first starting at `column` and each one below it, so
// that each line fits with `suffix` after the last. Like clang-format, a piece ends after the last
// space that fits, else after the last "/", else after the last other punctuation, else where the
// line ends.
std::vector<std::string> SplitStringLiteral(std::string_view literal, std::size_t column,
                                            std::string_view suffix) {
  std::string_view rest = literal.substr(1, literal.size() - 2);
  const std::size_t room = kColumnLimit > column + 2 ? kColumnLimit - column - 2 : 0;
  std::vector<std::string> pieces;
  while (rest.size() + suffix.size() > room) {
    std::size_t space = 0, slash = 0, punctuation = 0, end = 0;
    for (std::size_t i = 0;;) {
      std::size_t length = CharacterLength(rest.substr(i));
      if (i + length > room || i + length >= rest.size()) break;
      if (rest[i] == ' ') space = i;
      if (rest[i] == '/') slash = i;
      if (length == 1 && !std::isalnum(static_cast<unsigned char>(rest[i]))) punctuation = i;
      end = i += length;
    }
    std::size_t split = space != 0         ? space + 1
                        : slash != 0       ? slash + 1
                        : punctuation != 0 ? punctuation + 1
                                           : end;
    if (split == 0) break;
    pieces.push_back("\"" + std::string(rest.substr(0, split)) + "\"");
    rest.remove_prefix(split);
  }
  pieces.push_back("\"" + std::string(rest) + "\"" + std::string(suffix));
  return pieces;
}

// Lines of code, and what stands in for clang-format's penalties when two layouts compete.
struct Layout {
  std::string text;
  std::size_t excess = 0;  // columns beyond the limit, all lines together
  std::size_t splits = 0;  // string literals split in two
  // What a line break costs more where clang-format dislikes it, counted in lines: one more
  // inside a braced list, two more between template arguments.
  std::size_t penalty = 0;

  std::size_t Lines() const { return std::count(text.begin(), text.end(), '\n') + 1; }
  // Fewer columns beyond the limit first, then fewer split literals, then fewer lines and less
  // penalty. Measured against clang-format 14 on the statements the plugin writes.
  bool BetterThan(const Layout& other) const {
    if (excess != other.excess) return excess < other.excess;
    if (splits != other.splits) return splits < other.splits;
    return Lines() + penalty < other.Lines() + other.penalty;
  }
};

std::size_t Excess(std::string_view line) { return Fits(line) ? 0 : line.size() - kColumnLimit; }

// `lines` (complete lines of code) followed by `layout`.
Layout Below(const std::string& lines, Layout layout) {
  for (const std::string& line : SplitLines(lines)) layout.excess += Excess(line);
  layout.text = lines + "\n" + layout.text;
  return layout;
}

Layout BinPack(std::string first_line, const std::string& indent,
               const std::vector<std::string>& args, std::string_view tail);

// `arg` + `suffix` broken over lines, the first continuing a line at `column`, the others complete
// lines; a single line when `arg` is neither a string literal nor a braced list.
Layout BreakArgument(const std::string& arg, std::size_t column, std::string_view suffix) {
  Layout layout;
  if (IsStringLiteral(arg)) {
    std::vector<std::string> pieces = SplitStringLiteral(arg, column, suffix);
    layout.text = pieces[0];
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      layout.text += "\n" + std::string(column, ' ') + pieces[i];
    }
    layout.splits = pieces.size() - 1;
  } else if (std::optional<std::vector<std::string>> elements = BracedListElements(arg)) {
    layout = BinPack(std::string(column, ' ') + "{", std::string(column + 1, ' '), *elements,
                     "}" + std::string(suffix));
    layout.text.erase(0, column);
    layout.penalty = layout.Lines() - 1 - layout.splits;
  } else {
    layout.text = arg + std::string(suffix);
  }
  return layout;
}

// Appends `args` to `first_line` as many to a line as fit; further lines start with `indent`. An
// argument too long for a line of its own is broken (BreakArgument), and the next one starts a
// line.
Layout BinPack(std::string first_line, const std::string& indent,
               const std::vector<std::string>& args, std::string_view tail) {
  Layout layout;
  std::string line = std::move(first_line);
  bool line_has_argument = false;
  bool after_broken_argument = false;
  auto end_line = [&](std::string next) {
    layout.excess += Excess(line);
    layout.text += line + "\n";
    line = std::move(next);
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string suffix = i + 1 < args.size() ? "," : std::string(tail);
    std::string piece = args[i] + suffix;
    if (line_has_argument) {
      if (!after_broken_argument && Fits(line + " " + piece)) {
        line += " " + piece;
        continue;
      }
      end_line(indent);
    }
    line_has_argument = true;
    after_broken_argument = false;
    if (!Fits(line + piece)) {
      Layout broken = BreakArgument(args[i], line.size(), suffix);
      std::vector<std::string> lines = SplitLines(broken.text);
      line += lines[0];
      for (std::size_t k = 1; k < lines.size(); ++k) end_line(lines[k]);
      layout.splits += broken.splits;
      layout.penalty += broken.penalty;
      after_broken_argument = lines.size() > 1;
      continue;
    }
    line += piece;
  }
  if (args.empty()) line += tail;
  layout.excess += Excess(line);
  layout.text += line;
  return layout;
}

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (std::size_t i = 0; i < items.size(); ++i) joined += (i == 0 ? "" : ", ") + items[i];
  return joined;
}

// LayoutCall's choice: the better of the arguments bin-packed after `head` (aligned after it, on
// its last line when it has several) and the arguments below it, indented four columns more than
// its first line.
Layout CallLayout(const std::string& head, const std::vector<std::string>& args,
                  std::string_view tail) {
  std::size_t last_break = head.rfind('\n');
  std::string last_line = head.substr(last_break + 1);  // all of it when there is no break
  Layout aligned = BinPack(last_line, std::string(last_line.size(), ' '), args, tail);
  if (last_break != std::string::npos) aligned = Below(head.substr(0, last_break), aligned);
  std::string indent = LeadingSpaces(head) + "    ";
  Layout below = Below(head, BinPack(indent, indent, args, tail));
  return below.BetterThan(aligned) ? below : aligned;
}

}  // namespace

std::string LayoutCall(std::string_view head, const std::vector<std::string>& args,
                       std::string_view tail) {
  return CallLayout(std::string(head), args, tail).text;
}

std::string LayoutTemplateCall(std::string_view indent, std::string_view object,
                               std::string_view function,
                               const std::vector<std::string>& template_args,
                               const std::vector<std::string>& args, std::string_view tail) {
  std::string call = std::string(function) + "<" + Join(template_args) + ">(";
  std::string head = std::string(indent) + std::string(object) + "." + call;
  if (Fits(head)) return LayoutCall(head, args, tail);
  // The template arguments aligned after "<", or, when that is no worse, a break before the ".".
  std::string template_head =
      LayoutCall(std::string(indent) + std::string(object) + "." + std::string(function) + "<",
                 template_args, ">(");
  Layout best = CallLayout(template_head, args, tail);
  best.penalty += 2;  // the break between template arguments
  std::string member_head = std::string(indent) + "    ." + call;
  if (Fits(member_head)) {
    Layout broken_before_dot =
        Below(std::string(indent) + std::string(object), CallLayout(member_head, args, tail));
    if (!best.BetterThan(broken_before_dot)) best = broken_before_dot;
  }
  return best.text;
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
