#pragma once
// Model metadata (an export's config.txt) is JSON, read with OpenCV's FileStorage, whose JSON reader takes no
// null / true / false literals (ultralytics and the face exports write them). Header-only so that the tests
// reading the Python references' JSON use the same rule.
#include <string>
#include <utility>

namespace trackkit::detail {

/// `json` with null / true / false outside strings replaced by 0 / 1 / 0, which is how the readers take them.
inline std::string json_without_literals(const std::string& json) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < json.size())
        out += json[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const auto& [word, value] : {std::pair<const char*, char>{"null", '0'}, {"true", '1'}, {"false", '0'}}) {
      const size_t n = std::char_traits<char>::length(word);
      if (json.compare(i, n, word) == 0) {
        out += value, i += n - 1, replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

} // namespace trackkit::detail
