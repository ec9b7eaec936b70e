// A file system for tests that simulates what a crash or a failing disk does
// to RocksDB, in the spirit of RocksDB's own utilities/fault_injection_fs.h
// (which the packaged RocksDB does not ship):
//
//  - it remembers how much of each file was synced; DropUnsyncedData()
//    truncates every file to that length, as a power loss would;
//  - SetActive(false) makes every further write and sync fail, freezing the
//    files the way a process killed at that moment leaves them;
//  - InjectWriteErrors(true) makes writes and syncs fail with an IO error,
//    as a full or broken disk would.
//
// Thread-safety: safe for concurrent use by RocksDB's threads.
#ifndef KAARTNET_STORAGE_TESTING_FAULT_INJECTION_FS_H_
#define KAARTNET_STORAGE_TESTING_FAULT_INJECTION_FS_H_

#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace kaartnet::storage::testing {

class FaultInjectionFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultInjectionFileSystem(
      const std::shared_ptr<rocksdb::FileSystem>& base);

  const char* Name() const override {
    return "KaartnetFaultInjectionFileSystem";
  }

  rocksdb::IOStatus NewWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& fname, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& fname, const std::string& old_fname,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& src,
                               const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& fname,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  void SetActive(bool active);
  void InjectWriteErrors(bool inject);
  // Truncates every written file to its last synced length.
  rocksdb::IOStatus DropUnsyncedData();

  // Shared with the file wrappers.
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  rocksdb::IOStatus CheckWritable();
  void OnAppend(const std::string& fname, uint64_t bytes);
  void OnSync(const std::string& fname);

 private:
  rocksdb::IOStatus Wrap(const std::string& fname, rocksdb::IOStatus status,
                         std::unique_ptr<rocksdb::FSWritableFile>* result,
                         uint64_t start_size);

  absl::Mutex mu_;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  bool active_ ABSL_GUARDED_BY(mu_) = true;
  bool inject_errors_ ABSL_GUARDED_BY(mu_) = false;
};

// An Env over a FaultInjectionFileSystem, itself over an in-memory or the
// default file system.
struct FaultInjectionEnv {
  std::shared_ptr<FaultInjectionFileSystem> fs;
  std::unique_ptr<rocksdb::Env> env;
};
// `in_memory`: files live in memory (fast, nothing on disk).
FaultInjectionEnv NewFaultInjectionEnv(bool in_memory);

}  // namespace kaartnet::storage::testing

#endif  // KAARTNET_STORAGE_TESTING_FAULT_INJECTION_FS_H_
