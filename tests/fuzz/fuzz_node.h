// The node the fuzz targets feed: a real kaartnet node (RocksDB on an
// in-memory Env) of the small test region of trust/test_region.h, hosting
// mondriaan and azm, with a few entries published. Made once per process.
#ifndef KAARTNET_TESTS_FUZZ_FUZZ_NODE_H_
#define KAARTNET_TESTS_FUZZ_FUZZ_NODE_H_

#include <string>

#include "services/node.h"

namespace kaartnet::fuzz {

services::Node* FuzzNode();
// A directory of its own for this process (removed at exit).
const std::string& FuzzDir();

}  // namespace kaartnet::fuzz

#endif  // KAARTNET_TESTS_FUZZ_FUZZ_NODE_H_
