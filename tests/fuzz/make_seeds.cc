// Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/):
// valid inputs of each kind, so fuzzing starts from the paths that matter.
//
//   kaartnet-fuzz-seeds tests/fuzz/corpus
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "google/protobuf/util/json_util.h"
#include "kaartnet/v1/directory.pb.h"
#include "kaartnet/v1/replication.pb.h"
#include "model/testdata_entries.h"
#include "search/document.h"
#include "search/inverted_index_engine.h"
#include "trust/access_log.h"
#include "trust/test_region.h"
#include "trust/tokens.h"

namespace kaartnet {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& dir, const std::string& name,
           const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string Delimited(const std::vector<v1::ReplicationMessage>& messages) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  for (const auto& m : messages)
    google::protobuf::util::SerializeDelimitedToZeroCopyStream(m, &stream);
  return out;
}

void Replication(const fs::path& dir) {
  trust::testing::TestRegion region;
  v1::ReplicationMessage batch;
  auto* records = batch.mutable_records();
  records->set_batch_id(1);
  uint64_t seq = 0;
  for (const char* slug : {"ips-heerlen", "ips-brunssum", "ips-venlo"}) {
    v1::LogRecord* r = records->add_records();
    r->set_origin_node_id("peer");
    r->set_seq(++seq);
    *r->mutable_record() =
        region.SignEntry(model::testdata::IpsHeerlen("mondriaan", slug),
                         1000 + seq << 16, "peer");
  }
  v1::LogRecord* w = records->add_records();
  w->set_origin_node_id("peer");
  w->set_seq(++seq);
  *w->mutable_record() = region.SignEntry(
      model::testdata::WerkgeverMaastricht(), 2000 << 16, "peer");
  (*records->mutable_through())["peer"] = seq;
  Write(dir, "batch", Delimited({batch}));

  v1::Entry tombstone;
  tombstone.set_id("mondriaan/ips-heerlen");
  tombstone.set_organisation_id("mondriaan");
  tombstone.set_withdrawn(true);
  tombstone.set_erased(true);
  v1::ReplicationMessage withdraw;
  v1::LogRecord* t = withdraw.mutable_records()->add_records();
  t->set_origin_node_id("peer");
  t->set_seq(seq + 1);
  *t->mutable_record() = region.SignEntry(tombstone, 5000 << 16, "peer");
  withdraw.mutable_records()->set_batch_id(2);
  Write(dir, "batch-then-erase", Delimited({batch, withdraw}));

  v1::ReplicationMessage ack;
  ack.mutable_ack()->set_batch_id(1);
  (*ack.mutable_ack()->mutable_frontier())["fuzz"] = 2;
  ack.mutable_ack()->mutable_direct_origins()->add_origins("fuzz");
  v1::ReplicationMessage digest;
  for (int i = 0; i < 64; ++i) digest.mutable_digest()->add_buckets(i * 7919);
  v1::ReplicationMessage repair;
  for (uint32_t b : {0u, 5u, 63u})
    repair.mutable_repair_request()->add_buckets(b);
  Write(dir, "ack-digest-repair", Delimited({ack, digest, repair}));

  v1::ReplicationMessage admissions;
  for (const auto& [id, admission] : region.admissions())
    *admissions.mutable_admissions()->add_admissions() = admission;
  Write(dir, "admissions", Delimited({admissions}));
}

void Publish(const fs::path& dir) {
  trust::testing::TestRegion region;
  v1::PublishRequest plain;
  *plain.mutable_entry() = model::testdata::IpsHeerlen("mondriaan", "ips-fuzz");
  Write(dir, "entry", plain.SerializeAsString());
  v1::PublishRequest check = plain;
  check.set_validate_only(true);
  check.set_create_only(true);
  Write(dir, "validate-only", check.SerializeAsString());
  v1::PublishRequest signed_request;
  *signed_request.mutable_signed_record() = region.SignEntry(
      model::testdata::IpsHeerlen("mondriaan", "ips-signed"), 7000 << 16);
  Write(dir, "signed", signed_request.SerializeAsString());
}

void EntryJson(const fs::path& dir) {
  int i = 0;
  for (const v1::Entry& entry : {model::testdata::IpsHeerlen(),
                                 model::testdata::WerkgeverMaastricht()}) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(entry, &json);
    Write(dir, absl::StrCat("entry-", ++i), json);
  }
}

void Config(const fs::path& dir) {
  Write(
      dir, "node",
      std::string(1, '\0') +
          "node_id: \"node1\"\nregion: \"AM30\"\ndata_dir: \"data\"\n"
          "grpc_listen: \"0.0.0.0:7401\"\ntokens_file: \"tokens\"\n"
          "allow_anonymous: true\ntrust_anchors { region: \"AM30\" public_key: "
          "\"kaartnet-ed25519-public-v1 "
          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\" }\n"
          "peers: \"node2.example.nl:7401\"\n"
          "tls { ca_file: \"ca.crt\" cert_file: \"node1.crt\" key_file: "
          "\"node1.key\" }\n");
  auto made = trust::MakeToken(trust::Role::kPublisher, "mondriaan",
                               absl::InfiniteFuture(), "fuzz",
                               absl::FromUnixSeconds(1780000000));
  v1::TokenFile file;
  *file.add_tokens() = made->stored;
  std::string text;
  google::protobuf::TextFormat::PrintToString(file, &text);
  Write(dir, "tokens",
        absl::StrCat("\x01", text, std::string(1, '\0'), made->token));
}

void Search(const fs::path& dir) {
  v1::SearchRequest simple;
  simple.set_query("ips psychose kerkrade");
  Write(dir, "query", simple.SerializeAsString());
  v1::SearchRequest full;
  full.set_query("jobcoch arabisch 6411");
  full.set_page_size(2);
  full.set_explain(true);
  full.add_facets(v1::FACET_FIELD_GEMEENTE);
  full.add_facets(v1::FACET_FIELD_KIND);
  full.mutable_near()->set_postcode("6411 AB");
  full.mutable_near()->set_radius_km(15);
  Write(dir, "near-facets-explain", full.SerializeAsString());
}

void IndexFile(const fs::path& dir) {
  search::InvertedIndexEngine::Options options;
  options.background_merges = false;
  search::InvertedIndexEngine engine(options);
  engine.Upsert(
      search::MakeDocument(model::testdata::IpsHeerlen(), "Mondriaan"),
      v1::ORGANISATION_TYPE_GGZ_INSTELLING);
  engine.Upsert(
      search::MakeDocument(model::testdata::WerkgeverMaastricht(), "Werkgever"),
      v1::ORGANISATION_TYPE_WERKGEVER);
  std::string bytes;
  if (engine.SaveTo(&bytes).ok()) Write(dir, "two-entries", bytes);
  search::InvertedIndexEngine empty(options);
  std::string empty_bytes;
  if (empty.SaveTo(&empty_bytes).ok()) Write(dir, "empty", empty_bytes);
}

void AccessLog(const fs::path& dir) {
  const fs::path tmp = fs::temp_directory_path() / "kaartnet-fuzz-seeds-log";
  fs::remove_all(tmp);
  trust::AccessLogOptions options;
  options.dir = tmp.string();
  auto log = trust::AccessLog::Open(options);
  for (int i = 0; i < 3; ++i) {
    trust::AccessRecord r;
    r.caller.role = trust::Role::kReader;
    r.caller.subject = "0123456789abcdef";
    r.entry_id = absl::StrCat("mondriaan/ips-", i);
    r.entry_organisation = "mondriaan";
    r.purpose = "doorverwijzing";
    (void)(*log)->Append(r);
  }
  log->reset();
  for (const auto& f : fs::directory_iterator(tmp)) {
    std::ifstream in(f.path(), std::ios::binary);
    Write(dir, "three-records",
          std::string((std::istreambuf_iterator<char>(in)), {}));
  }
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace kaartnet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: kaartnet-fuzz-seeds CORPUS_DIR\n";
    return 2;
  }
  const std::filesystem::path out(argv[1]);
  kaartnet::Replication(out / "replication");
  kaartnet::Publish(out / "publish");
  kaartnet::EntryJson(out / "entry_json");
  kaartnet::Config(out / "config");
  kaartnet::Search(out / "search");
  kaartnet::AccessLog(out / "access_log");
  kaartnet::IndexFile(out / "index_file");
  std::cout << "seed corpus written to " << out << "\n";
  return 0;
}
