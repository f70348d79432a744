// One file's YAML document: the `organizations:` list read into DesiredOrgs.
#pragma once

#include <vector>

#include "cforg/config/config.h"
#include "yaml_reader.h"
#include "yaml_tree.h"

namespace cforg::config::detail {

// An organization as read from its file, with the places that cross-organization checks cite.
struct ParsedOrg {
  DesiredOrg org;
  // In org.where's file: the `key:` value, or the name when the key defaults to it.
  Position key_at;
  Position name_at;    // the `name:` value
  bool key_from_name;  // no `key:` was given
};

// Reads the root of a file's only document, reporting every problem through `reader`.
// Appends the organizations whose key could be determined, even if they have other errors,
// so that references to them do not turn into more errors. Returns false when some
// organization was left out (so "no such parent" could be a false alarm). Reads no more than
// limits.max_orgs organizations in all (`out` holds those of the files read before).
bool read_document(const Node& root, Reader& reader, std::vector<ParsedOrg>& out,
                   const Limits& limits);

}  // namespace cforg::config::detail
