#include "storage/testing/fault_injection_fs.h"

#include <vector>

namespace kaartnet::storage::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> target,
              std::string fname, FaultInjectionFileSystem* fs)
      : FSWritableFileOwnerWrapper(std::move(target)),
        fname_(std::move(fname)),
        fs_(fs) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->CheckWritable();
    if (!s.ok()) return s;
    s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->OnAppend(fname_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info,
                  IODebugContext* dbg) override {
    IOStatus s = fs_->CheckWritable();
    if (!s.ok()) return s;
    s = target()->Append(data, options, info, dbg);
    if (s.ok()) fs_->OnAppend(fname_, data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            IODebugContext*) override {
    return IOStatus::NotSupported("positioned append");
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            const rocksdb::DataVerificationInfo&,
                            IODebugContext*) override {
    return IOStatus::NotSupported("positioned append");
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->CheckWritable();
    if (!s.ok()) return s;
    s = target()->Sync(options, dbg);
    if (s.ok()) fs_->OnSync(fname_);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = fs_->CheckWritable();
    if (!s.ok()) return s;
    s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->OnSync(fname_);
    return s;
  }
  IOStatus RangeSync(uint64_t, uint64_t, const IOOptions&,
                     IODebugContext*) override {
    // A partial sync; count nothing as synced.
    return fs_->CheckWritable();
  }

 private:
  const std::string fname_;
  FaultInjectionFileSystem* const fs_;
};

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(
    const std::shared_ptr<rocksdb::FileSystem>& base)
    : FileSystemWrapper(base) {}

IOStatus FaultInjectionFileSystem::CheckWritable() {
  absl::MutexLock lock(&mu_);
  if (!active_) return IOStatus::IOError("simulated crash: file system frozen");
  if (inject_errors_) return IOStatus::IOError("injected write error");
  return IOStatus::OK();
}

void FaultInjectionFileSystem::OnAppend(const std::string& fname,
                                        uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  files_[fname].size += bytes;
}

void FaultInjectionFileSystem::OnSync(const std::string& fname) {
  absl::MutexLock lock(&mu_);
  FileState& state = files_[fname];
  state.synced = state.size;
}

IOStatus FaultInjectionFileSystem::Wrap(
    const std::string& fname, IOStatus status,
    std::unique_ptr<rocksdb::FSWritableFile>* result, uint64_t start_size) {
  if (!status.ok()) return status;
  {
    absl::MutexLock lock(&mu_);
    files_[fname] = FileState{start_size, start_size};
  }
  *result = std::make_unique<TrackedFile>(std::move(*result), fname, this);
  return status;
}

IOStatus FaultInjectionFileSystem::NewWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckWritable();
  if (!s.ok()) return s;
  return Wrap(fname, target()->NewWritableFile(fname, options, result, dbg),
              result, 0);
}

IOStatus FaultInjectionFileSystem::ReopenWritableFile(
    const std::string& fname, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckWritable();
  if (!s.ok()) return s;
  uint64_t size = 0;
  target()->GetFileSize(fname, IOOptions(), &size, dbg);
  return Wrap(fname, target()->ReopenWritableFile(fname, options, result, dbg),
              result, size);
}

IOStatus FaultInjectionFileSystem::ReuseWritableFile(
    const std::string& fname, const std::string& old_fname,
    const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, IODebugContext* dbg) {
  IOStatus s = CheckWritable();
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    files_.erase(old_fname);
  }
  return Wrap(
      fname,
      target()->ReuseWritableFile(fname, old_fname, options, result, dbg),
      result, 0);
}

IOStatus FaultInjectionFileSystem::RenameFile(const std::string& src,
                                              const std::string& target_name,
                                              const IOOptions& options,
                                              IODebugContext* dbg) {
  IOStatus s = CheckWritable();
  if (!s.ok()) return s;
  s = target()->RenameFile(src, target_name, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(src);
    if (it != files_.end()) {
      files_[target_name] = it->second;
      files_.erase(src);
    }
  }
  return s;
}

IOStatus FaultInjectionFileSystem::DeleteFile(const std::string& fname,
                                              const IOOptions& options,
                                              IODebugContext* dbg) {
  IOStatus s = CheckWritable();
  if (!s.ok()) return s;
  s = target()->DeleteFile(fname, options, dbg);
  if (s.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(fname);
  }
  return s;
}

void FaultInjectionFileSystem::SetActive(bool active) {
  absl::MutexLock lock(&mu_);
  active_ = active;
}

void FaultInjectionFileSystem::InjectWriteErrors(bool inject) {
  absl::MutexLock lock(&mu_);
  inject_errors_ = inject;
}

IOStatus FaultInjectionFileSystem::DropUnsyncedData() {
  std::map<std::string, FileState> files;
  {
    absl::MutexLock lock(&mu_);
    files = files_;
  }
  for (auto& [fname, state] : files) {
    if (state.synced >= state.size) continue;
    // Keep the synced prefix only: read it, rewrite the file with it.
    std::string kept;
    {
      std::unique_ptr<rocksdb::FSSequentialFile> in;
      IOStatus s = target()->NewSequentialFile(fname, rocksdb::FileOptions(),
                                               &in, nullptr);
      if (!s.ok()) continue;  // deleted meanwhile
      std::vector<char> scratch(state.synced);
      Slice read;
      s = in->Read(state.synced, IOOptions(), &read, scratch.data(), nullptr);
      if (!s.ok()) return s;
      kept.assign(read.data(), read.size());
    }
    std::unique_ptr<rocksdb::FSWritableFile> out;
    IOStatus s =
        target()->NewWritableFile(fname, rocksdb::FileOptions(), &out, nullptr);
    if (!s.ok()) return s;
    s = out->Append(kept, IOOptions(), nullptr);
    if (s.ok()) s = out->Sync(IOOptions(), nullptr);
    if (s.ok()) s = out->Close(IOOptions(), nullptr);
    if (!s.ok()) return s;
    absl::MutexLock lock(&mu_);
    files_[fname] = FileState{kept.size(), kept.size()};
  }
  return IOStatus::OK();
}

FaultInjectionEnv NewFaultInjectionEnv(bool in_memory) {
  FaultInjectionEnv out;
  std::shared_ptr<rocksdb::FileSystem> base;
  if (in_memory) {
    // The in-memory file system belongs to its Env; delete the Env with it.
    rocksdb::Env* mem_env = rocksdb::NewMemEnv(rocksdb::Env::Default());
    base = std::shared_ptr<rocksdb::FileSystem>(
        mem_env->GetFileSystem().get(),
        [mem_env](rocksdb::FileSystem*) { delete mem_env; });
  } else {
    base = rocksdb::FileSystem::Default();
  }
  out.fs = std::make_shared<FaultInjectionFileSystem>(base);
  out.env = rocksdb::NewCompositeEnv(out.fs);
  return out;
}

}  // namespace kaartnet::storage::testing
