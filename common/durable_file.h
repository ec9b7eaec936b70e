#ifndef KAARTNET_COMMON_DURABLE_FILE_H_
#define KAARTNET_COMMON_DURABLE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaartnet {

// Replaces the file at `path` with `content` so that readers, and the file
// system after a crash, see the old file or the new one and never part of
// one: writes a temporary file beside it (`<path>.tmp.<pid>.<n>`, so two
// writers never share one), syncs it, renames it over `path` and syncs
// the directory. FAILED_PRECONDITION when the file cannot be created or
// renamed (a permission or path problem), INTERNAL when writing or syncing
// fails; the temporary file is removed on every error.
absl::Status ReplaceFileDurably(const std::string& path,
                                absl::string_view content, int mode = 0600);

// Removes what an interrupted ReplaceFileDurably of `path` left behind
// (`<path>.tmp` and `<path>.tmp.*`).
void RemoveTemporaryFiles(const std::string& path);

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_DURABLE_FILE_H_
