// Request bodies: json:, body:, form: (URL-encoded) and files: (multipart/form-data).
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "scenario/escape.h"
#include "scenario/loader_internal.h"

namespace arrload::scenario::detail {

namespace {

// JSON has no room for YAML's other plain scalars (0x1F, .5, yes), so those stay strings.
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

void append_literal(std::string_view text, ParsedText& out) {
  out.parts.emplace_back(Template::Literal{std::string(text)});
  out.source += text;
}

// Writes FIELD as JSON text into OUT; string values may hold templates.
void append_json(const Field& field, LoadState& state, ParsedText& out) {
  if (field.is_null()) return append_literal("null", out);
  if (field.is_map() || field.is_list()) {
    bool map = field.is_map();
    append_literal(map ? "{" : "[", out);
    std::vector<std::pair<std::string, Field>> entries;
    if (map) entries = field.entries();
    std::vector<Field> items = map ? std::vector<Field>{} : field.items();
    std::size_t n = map ? entries.size() : items.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) append_literal(",", out);
      if (map) {
        std::string key = "\"";
        append_json_escaped(entries[i].first, key);
        append_literal(key + "\":", out);
      }
      append_json(map ? entries[i].second : items[i], state, out);
    }
    return append_literal(map ? "}" : "]", out);
  }
  if (!field.is_quoted()) {
    std::string plain = field.text();
    if (plain == "true" || plain == "false" || is_json_number(plain)) {
      return append_literal(plain, out);
    }
  }
  append_literal("\"", out);
  ParsedText s = parse_text(field, field.raw_text(), state, TextEscape::kJson);
  std::move(s.parts.begin(), s.parts.end(), std::back_inserter(out.parts));
  out.source += s.source;
  append_literal("\"", out);
}

// The multipart boundary. Fixed, so bodies are reproducible; load_files checks that no file
// or literal value contains it.
constexpr std::string_view kBoundary = "arrload-form-boundary-5c7e0b2d9f3a4816";

// The values of a form field: one, or a list (the field repeats, as python-requests sends it).
std::vector<Field> form_values(const Field& value) {
  std::vector<Field> values = value.is_list() ? value.items() : std::vector<Field>{value};
  for (const Field& v : values) {
    if (!v.is_scalar()) v.fail("a form value must be a plain value (or a list of them)");
  }
  return values;
}

// form: {a: 1, b: "{{ x }}"} as application/x-www-form-urlencoded: keys encoded now, values
// when rendered.
void load_urlencoded(const Field& form, LoadState& state, ParsedText& out) {
  for (const auto& [key, value] : form.entries()) {
    for (const Field& v : form_values(value)) {
      std::string name = out.source.empty() ? "" : "&";
      append_url_encoded(key, name);
      name += '=';
      append_literal(name, out);
      ParsedText parsed = parse_text(v, v.raw_text(), state, TextEscape::kUrl);
      std::move(parsed.parts.begin(), parsed.parts.end(), std::back_inserter(out.parts));
      out.source += parsed.source;
    }
  }
}

std::string guess_content_type(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".txt") return "text/plain";
  if (ext == ".csv") return "text/csv";
  if (ext == ".json") return "application/json";
  if (ext == ".html" || ext == ".htm") return "text/html";
  if (ext == ".xml") return "application/xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".pdf") return "application/pdf";
  return "application/octet-stream";
}

// A quoted-string for a Content-Disposition parameter: quotes and line breaks escaped as
// browsers do (%22, %0D, %0A).
std::string disposition_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"') {
      out += "%22";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string read_whole_file(const Field& field, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    field.fail(
        fmt::format("cannot read file '{}' (looked for {}; paths are relative to the "
                    "scenario file)",
                    field.text(), path.string()));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

void check_no_boundary(const Field& field, std::string_view text) {
  if (text.find(kBoundary) != std::string_view::npos) {
    field.fail(fmt::format("contains the multipart boundary '{}'", kBoundary));
  }
}

// One file part: files: {NAME: PATH} or {NAME: {path:, filename:, content_type:}}.
void load_file_part(const std::string& name, const Field& spec, ParsedText& out) {
  // No Field assignment: a yaml-cpp Node assigned to another rewrites the document.
  std::optional<Field> path_field;
  std::string filename;
  std::string type;
  if (spec.is_scalar()) {
    path_field.emplace(spec);
  } else {
    spec.expect_map("a file path, or a mapping with path:, filename: and content_type:");
    spec.check_keys({"path", "filename", "content_type"});
    path_field.emplace(spec.get("path", "the file to send, relative to the scenario file"));
    if (auto f = spec.find("filename")) filename = f->text();
    if (auto f = spec.find("content_type")) type = f->text();
  }
  const std::filesystem::path path =
      std::filesystem::path(spec.file()).parent_path() / path_field->text();
  const std::string bytes = read_whole_file(*path_field, path);
  check_no_boundary(*path_field, bytes);
  if (filename.empty()) filename = std::filesystem::path(path_field->text()).filename().string();
  if (type.empty()) type = guess_content_type(path);
  append_literal(fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"; "
                             "filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                             kBoundary, disposition_value(name), disposition_value(filename), type),
                 out);
  // The source (shown in messages) names the file instead of holding its bytes.
  out.parts.emplace_back(Template::Literal{bytes});
  out.source += fmt::format("<{}>", path_field->text());
  append_literal("\r\n", out);
}

// form: fields and files: as multipart/form-data, with CRLF line ends.
void load_multipart(const std::optional<Field>& form, const Field& files, LoadState& state,
                    ParsedText& out) {
  if (form) {
    for (const auto& [key, value] : form->entries()) {
      for (const Field& v : form_values(value)) {
        check_no_boundary(v, v.raw_text());
        append_literal(fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                                   kBoundary, disposition_value(key)),
                       out);
        ParsedText parsed = parse_text(v, v.raw_text(), state, TextEscape::kNone);
        std::move(parsed.parts.begin(), parsed.parts.end(), std::back_inserter(out.parts));
        out.source += parsed.source;
        append_literal("\r\n", out);
      }
    }
  }
  files.expect_map("a mapping of form field names to files, as in {avatar: data/avatar.png}");
  for (const auto& [name, spec] : files.entries()) load_file_part(name, spec, out);
  append_literal(fmt::format("--{}--\r\n", kBoundary), out);
}

}  // namespace

void load_body(const Field& field, LoadState& state, Request& r) {
  std::optional<Field> json = field.find("json");
  std::optional<Field> body = field.find("body");
  std::optional<Field> form = field.find("form");
  std::optional<Field> files = field.find("files");
  std::optional<Field> type = field.find("content_type");
  const int kinds = (json ? 1 : 0) + (body ? 1 : 0) + (form || files ? 1 : 0);
  if (kinds > 1) {
    (body ? body : json)->fail("give one of json:, body: or form:/files:, not several");
  }
  if (json) {
    ParsedText text;
    append_json(*json, state, text);
    r.body = Template(std::move(text.parts), true);
    r.body->set_source(std::move(text.source));
    r.content_type = "application/json";
  } else if (body) {
    r.body = load_template(*body, state);
    r.content_type = "text/plain";
  } else if (files) {
    if (type) type->fail("files: are sent as multipart/form-data; content_type cannot change that");
    if (form) form->expect_map("a mapping of form field names to values");
    ParsedText text;
    load_multipart(form, *files, state, text);
    r.body = Template(std::move(text.parts));
    r.body->set_source(std::move(text.source));
    r.content_type = fmt::format("multipart/form-data; boundary={}", kBoundary);
  } else if (form) {
    form->expect_map("a mapping of form field names to values, as in {user: alice}");
    ParsedText text;
    load_urlencoded(*form, state, text);
    r.body = Template(std::move(text.parts));
    r.body->set_source(std::move(text.source));
    r.content_type = "application/x-www-form-urlencoded";
  } else if (type) {
    type->fail("content_type needs a body:, json: or form:");
  }
  if (type) r.content_type = type->text();
}

}  // namespace arrload::scenario::detail
