// Files of data/ compiled into the binary (see common/CMakeLists.txt).
#ifndef KAARTNET_COMMON_EMBEDDED_DATA_H_
#define KAARTNET_COMMON_EMBEDDED_DATA_H_

#include "absl/strings/string_view.h"

namespace kaartnet::embedded {

absl::string_view GemeentenCsv();
absl::string_view ArbeidsmarktregiosCsv();

}  // namespace kaartnet::embedded

#endif  // KAARTNET_COMMON_EMBEDDED_DATA_H_
