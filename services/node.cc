#include "services/node.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "model/validation.h"
#include "search/inverted_index_engine.h"
#include "search/scan_engine.h"
#include "services/config.h"
#include "services/replica.h"

namespace kaartnet::services {
namespace {

// In the data directory: the search index saved at the last stop.
constexpr char kIndexFile[] = "search-index";

}  // namespace

const char* KaartnetVersion() { return "0.1.0"; }

absl::StatusOr<std::unique_ptr<Node>> Node::Start(NodeOptions options) {
  std::unique_ptr<Node> node(new Node());
  absl::Status status = node->Init(std::move(options));
  if (!status.ok()) return status;
  return node;
}

absl::Status Node::Init(NodeOptions options) {
  config_ = std::move(options.config);
  ApplyDefaults(&config_);
  RETURN_IF_ERROR(CheckConfig(config_));
  Clock* clock = options.clock;
  const int64_t start_micros = clock->MonotonicMicros();
  SetLogPrefix(config_.node_id());
  if (config_.clock_offset_seconds() != 0) {
    offset_clock_ = std::make_unique<OffsetClock>(
        clock, absl::Seconds(config_.clock_offset_seconds()));
    clock = offset_clock_.get();
    KLOG(WARNING) << "clock_offset_seconds " << config_.clock_offset_seconds()
                  << ": this node's clock is shifted on purpose (a test of "
                     "clock skew); never on a real node";
  }

  hlc_ = std::make_unique<HybridLogicalClock>(
      clock, absl::Seconds(config_.max_clock_skew_seconds()));
  storage::StoreOptions store_options;
  store_options.path = config_.data_dir();
  store_options.node_id = config_.node_id();
  store_options.sync = config_.sync_writes();
  store_options.env = options.env;
  store_options.clock = clock;
  store_options.hlc = hlc_.get();
  ASSIGN_OR_RETURN(store_, storage::Store::Open(store_options));
  if (!config_.sync_writes()) {
    KLOG(WARNING)
        << "sync_writes is off: acknowledged writes can be lost in a crash";
  }

  ASSIGN_OR_RETURN(std::vector<v1::TrustAnchor> anchors,
                   LoadTrustAnchors(config_));
  registry_ = std::make_unique<trust::OrganisationRegistry>(std::move(anchors));

  const absl::Duration freshness = absl::Hours(24) * config_.freshness_days();
  std::unique_ptr<search::SearchEngine> engine;
  if (config_.search_engine() == "scan") {
    engine = std::make_unique<search::ScanEngine>();
  } else {
    search::InvertedIndexEngine::Options engine_options;
    engine_options.freshness = freshness;
    engine_options.clock = clock;
    engine = std::make_unique<search::InvertedIndexEngine>(engine_options);
  }
  index_ = std::make_unique<search::SearchIndex>(
      std::move(engine),
      [registry = registry_.get()](absl::string_view organisation_id)
          -> std::optional<search::OrganisationInfo> {
        auto org = registry->Describe(organisation_id);
        if (!org) return std::nullopt;
        return search::OrganisationInfo{org->name, org->type};
      },
      clock, freshness);
  ledger_ = std::make_unique<Ledger>(store_.get(), registry_.get(), hlc_.get(),
                                     clock);

  context_.node_id = config_.node_id();
  context_.region = config_.region();
  context_.freshness = freshness;
  context_.started_at = clock->Now();
  context_.version = KaartnetVersion();
  context_.data_dir = config_.data_dir();
  context_.backup_dir = config_.backup_dir().empty()
                            ? config_.data_dir() + "-backups"
                            : config_.backup_dir();
  context_.store = store_.get();
  context_.registry = registry_.get();
  context_.ledger = ledger_.get();
  context_.index = index_.get();
  context_.hlc = hlc_.get();
  context_.clock = clock;
  context_.tombstone_horizon =
      absl::Seconds(config_.tombstone_horizon_seconds());
  context_.max_clock_skew = absl::Seconds(config_.max_clock_skew_seconds());
  context_.access_log_dir =
      config_.access_log_dir().empty()
          ? (std::filesystem::path(config_.data_dir()) / "access-log").string()
          : config_.access_log_dir();
  trust::AccessLogOptions access_log_options;
  access_log_options.dir = context_.access_log_dir;
  access_log_options.retention =
      absl::Hours(24) * config_.access_log_retention_days();
  access_log_options.clock = clock;
  ASSIGN_OR_RETURN(access_log_, trust::AccessLog::Open(access_log_options));
  context_.access_log = access_log_.get();

  // TLS: the node's certificate serves the gRPC port and dials peers.
  std::shared_ptr<grpc::ServerCredentials> server_credentials =
      grpc::InsecureServerCredentials();
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials;
  if (config_.has_tls()) {
    ASSIGN_OR_RETURN(const std::string ca,
                     ReadFileToString(config_.tls().ca_file()));
    ASSIGN_OR_RETURN(const std::string cert,
                     ReadFileToString(config_.tls().cert_file()));
    ASSIGN_OR_RETURN(const std::string key,
                     ReadFileToString(config_.tls().key_file()));
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = ca;
    ssl.pem_key_cert_pairs.push_back({key, cert});
    server_credentials = grpc::SslServerCredentials(ssl);
    grpc::SslCredentialsOptions client;
    client.pem_root_certs = ca;
    client.pem_private_key = key;
    client.pem_cert_chain = cert;
    peer_credentials = grpc::SslCredentials(client);
  }

  // Admissions: those stored earlier, then the configured files.
  ASSIGN_OR_RETURN(std::vector<v1::SignedAdmission> stored,
                   store_->ListAdmissions());
  for (const v1::SignedAdmission& admission : stored) {
    auto installed = registry_->Install(admission);
    if (!installed.ok()) {
      KLOG(WARNING) << "stored admission no longer accepted: "
                    << installed.status();
    }
  }
  std::vector<std::string> admission_files(config_.admission_files().begin(),
                                           config_.admission_files().end());
  for (const std::string& file :
       FilesWithSuffix(config_.admissions_dir(), ".admission")) {
    admission_files.push_back(file);
  }
  size_t new_admissions = 0;
  {
    std::vector<v1::SignedAdmission> admissions;
    admissions.reserve(admission_files.size());
    for (const std::string& file : admission_files) {
      ASSIGN_OR_RETURN(admissions.emplace_back(), ReadAdmissionFile(file));
    }
    // One durable write for all (a region's set holds thousands).
    ASSIGN_OR_RETURN(const std::vector<absl::StatusOr<bool>> installed,
                     InstallAdmissions(&context_, admissions, /*log=*/false));
    for (size_t i = 0; i < installed.size(); ++i) {
      if (installed[i].ok() && *installed[i]) ++new_admissions;
      if (!installed[i].ok() && trust::RejectReasonOf(installed[i].status()) !=
                                    trust::RejectReason::kAdmissionRollback) {
        return absl::InvalidArgumentError(
            absl::StrCat("admission file ", admission_files[i], ": ",
                         installed[i].status().message()));
      }
    }
  }
  std::vector<v1::HostedOrganisation> hosted_organisations(
      config_.hosted_organisations().begin(),
      config_.hosted_organisations().end());
  for (const std::string& file :
       FilesWithSuffix(config_.hosted_keys_dir(), ".key")) {
    v1::HostedOrganisation& hosted = hosted_organisations.emplace_back();
    hosted.set_organisation_id(std::filesystem::path(file).stem().string());
    hosted.set_secret_key_file(file);
  }
  if (!admission_files.empty()) {
    KLOG(INFO) << "admission files: " << admission_files.size() << " read, "
               << new_admissions << " new or newer installed";
  }
  for (const auto& hosted : hosted_organisations) {
    ASSIGN_OR_RETURN(trust::SigningKey key,
                     trust::SigningKey::ReadFile(hosted.secret_key_file()));
    auto org = registry_->Find(hosted.organisation_id());
    if (!org.has_value()) {
      KLOG(WARNING)
          << "hosted organisation " << hosted.organisation_id()
          << " is not admitted (yet); publishing for it will be refused";
    } else if (std::none_of(org->public_keys().begin(),
                            org->public_keys().end(),
                            [&](const v1::PublicKey& k) {
                              return k.key_id() == key.key_id();
                            })) {
      KLOG(WARNING) << "the key in " << hosted.secret_key_file() << " ("
                    << key.key_id() << ") is not among the admitted keys of "
                    << hosted.organisation_id();
    }
    context_.hosted_keys[hosted.organisation_id()] =
        std::make_shared<const trust::SigningKey>(std::move(key));
  }

  {
    // The index saved at the last stop, when it still describes the store;
    // otherwise rebuilt from the store.
    const int64_t index_start = clock->MonotonicMicros();
    std::string why;
    ASSIGN_OR_RETURN(const bool loaded, index_->Load(*store_, IndexFilePath(),
                                                     IndexStamp(), &why));
    if (loaded) {
      KLOG(INFO) << "search index loaded from " << IndexFilePath() << " in "
                 << (clock->MonotonicMicros() - index_start) / 1000 << " ms";
    } else {
      if (!why.empty())
        KLOG(INFO) << "search index: " << why << "; rebuilding it";
      RETURN_IF_ERROR(index_->Rebuild(*store_));
    }
    index_ready_ = true;
  }
  store_->AddListener(index_.get());
  directory_ = std::make_unique<DirectoryCore>(&context_);
  store_->AddListener(directory_->notifier());
  admin_ = std::make_unique<AdminCore>(&context_);

  // Replication: digests kept current from here on, peers from the config
  // and the peer book; dialing starts once the server is up.
  digest_ = std::make_unique<replication::DigestTable>();
  RETURN_IF_ERROR(digest_->Load(*store_));
  store_->AddListener(digest_.get());
  context_.digest = digest_.get();
  {
    auto replica = std::make_unique<NodeReplica>(&context_, digest_.get());
    RETURN_IF_ERROR(replica->LoadPendingSnapshots());
    replica_ = std::move(replica);
  }
  peer_acks_ = std::make_unique<replication::PeerAcks>();
  RETURN_IF_ERROR(peer_acks_->Load(*store_));
  context_.peer_acks = peer_acks_.get();
  replication::ReplicatorOptions replication_options;
  replication_options.clock = clock;
  replication_options.session.version = KaartnetVersion();
  replication_options.session.digest_interval =
      absl::Seconds(config_.digest_interval_seconds());
  replication_options.session.peer_acks = peer_acks_.get();
  replication_options.session.tombstone_horizon =
      absl::Seconds(config_.tombstone_horizon_seconds());
  replication_options.credentials = peer_credentials;
  replication_options.require_peer_certificate = config_.has_tls();
  replication_options.max_inbound_streams =
      static_cast<int>(config_.max_peer_streams());
  replicator_ = std::make_unique<replication::Replicator>(replica_.get(),
                                                          replication_options);
  store_->AddListener(replicator_.get());
  context_.replicator = replicator_.get();
  ASSIGN_OR_RETURN(
      peer_book_,
      PeerBook::Open(
          (std::filesystem::path(config_.data_dir()) / storage::kPeersFile)
              .string(),
          {config_.peers().begin(), config_.peers().end()}));
  context_.peer_book = peer_book_.get();

  if (options.authenticator != nullptr) {
    authenticator_ = std::move(options.authenticator);
  } else if (!config_.tokens_file().empty()) {
    TokenAuthenticatorOptions token_options;
    token_options.tokens_file = config_.tokens_file();
    token_options.allow_anonymous = config_.allow_anonymous();
    token_options.rate_per_second = config_.token_rate_per_second();
    token_options.clock = clock;
    ASSIGN_OR_RETURN(authenticator_, TokenAuthenticator::Open(token_options));
  } else {
    KLOG(WARNING) << "no tokens_file: every caller is trusted (development "
                     "mode, loopback only)";
    authenticator_ = std::make_unique<OpenAuthenticator>();
  }
  metrics_ = std::make_unique<Metrics>();
  directory_service_ = std::make_unique<DirectoryService>(
      directory_.get(), authenticator_.get(), metrics_.get(),
      static_cast<int>(config_.max_watch_streams()));
  admin_service_ = std::make_unique<AdminService>(
      admin_.get(), authenticator_.get(), metrics_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (options.serve_grpc) {
    builder.AddListeningPort(config_.grpc_listen(), server_credentials,
                             &grpc_port_);
  }
  // Keep enough threads: calls block for a group commit, and the sync
  // server would otherwise create and end a thread per call under load.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 64);
  // Limits: streams per connection, keepalive (peers ping every 10 s), and
  // message sizes (an entry is at most 64 KiB; batches of records stay far
  // below 4 MiB).
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, 100);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.SetMaxSendMessageSize(16 << 20);
  // gRPC sets SO_REUSEPORT by default: a second node started on the same
  // port (with another data directory) would then share the port silently
  // and the kernel would split the callers between the two.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(directory_service_.get());
  builder.RegisterService(admin_service_.get());
  builder.RegisterService(replicator_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || (options.serve_grpc && grpc_port_ == 0)) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", config_.grpc_listen(),
        " (in use by another process, or not an address of this machine)"));
  }
  server_->GetHealthCheckService()->SetServingStatus(true);
  if (!config_.http_listen().empty()) {
    HttpOptions http;
    http.listen = config_.http_listen();
    http.region = config_.region();
    // HTTPS beyond loopback; plain HTTP on loopback (the demo's browser).
    if (config_.has_tls() && !IsLoopbackAddress(config_.http_listen())) {
      http.cert_file = config_.tls().cert_file();
      http.key_file = config_.tls().key_file();
    }
    ASSIGN_OR_RETURN(http_,
                     HttpServer::Start(http, directory_.get(), admin_.get(),
                                       authenticator_.get(), metrics_.get()));
    KLOG(INFO) << "HTTP listening on " << config_.http_listen() << " (port "
               << http_->port() << (http.cert_file.empty() ? "" : ", TLS")
               << ")";
  }
  const std::vector<std::string> peers = peer_book_->Peers();
  for (const std::string& address : peers) replicator_->AddPeer(address);
  TombstoneSweeperOptions sweeper;
  sweeper.horizon = context_.tombstone_horizon;
  sweeper.interval = absl::Seconds(config_.tombstone_sweep_seconds());
  sweeper.clock = clock;
  sweeper.removed_total = &context_.tombstones_removed;
  tombstone_sweeper_ = std::make_unique<TombstoneSweeper>(
      store_.get(), peer_acks_.get(), sweeper);

  const storage::StoreCounts counts = store_->counts();
  KLOG(INFO) << "kaartnetd " << KaartnetVersion() << " node "
             << config_.node_id() << " region " << config_.region() << " data "
             << config_.data_dir() << ": " << counts.live_entries
             << " entries (" << counts.withdrawn_entries << " withdrawn), "
             << registry_->Count() << " organisations, "
             << context_.hosted_keys.size() << " hosted; index ready in "
             << (clock->MonotonicMicros() - start_micros) / 1000 << " ms";
  if (!peers.empty()) {
    KLOG(INFO) << "replicating with " << peers.size()
               << " peer(s): " << absl::StrJoin(peers, ", ");
  }
  if (options.serve_grpc) {
    KLOG(INFO) << "gRPC listening on " << config_.grpc_listen() << " (port "
               << grpc_port_ << (config_.has_tls() ? ", TLS" : "") << ")";
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::Channel> Node::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

void Node::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  KLOG(INFO) << "shutting down: draining calls";
  if (http_ != nullptr) http_->Stop();
  if (server_ != nullptr) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    if (directory_service_ != nullptr) directory_service_->Stop();
    if (replicator_ != nullptr) replicator_->Stop();
    server_->Shutdown(
        std::chrono::system_clock::now() +
        std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
    server_->Wait();
  }
  // After the streams: stores what the peers acknowledged last.
  if (tombstone_sweeper_ != nullptr) tombstone_sweeper_->Stop();
  if (ledger_ != nullptr) ledger_->WaitForPurges();
  if (store_ != nullptr) {
    if (directory_ != nullptr) store_->RemoveListener(directory_->notifier());
    if (index_ != nullptr) store_->RemoveListener(index_.get());
    if (replicator_ != nullptr) store_->RemoveListener(replicator_.get());
    if (digest_ != nullptr) store_->RemoveListener(digest_.get());
    if (index_ != nullptr && index_ready_) SaveIndex();
  }
  ledger_.reset();
  store_.reset();
  access_log_.reset();
  KLOG(INFO) << "stopped";
}

std::string Node::IndexFilePath() const {
  return (std::filesystem::path(config_.data_dir()) / kIndexFile).string();
}

std::string Node::IndexStamp() const {
  // What the index takes from outside the store: the organisations' names
  // and types (and the code that analysed the text).
  // (FNV-1a: the same in every process, unlike absl::Hash.)
  uint64_t hash = 14695981039346656037ull;
  for (const v1::Organisation& org : registry_->List()) {
    const std::string part =
        absl::StrCat(org.organisation_id(), "\t", org.version(), "\t",
                     org.name(), "\t", org.type(), "\t", org.revoked(), "\n");
    for (unsigned char c : part) hash = (hash ^ c) * 1099511628211ull;
  }
  return absl::StrCat("kaartnetd ", KaartnetVersion(), "; organisations ",
                      registry_->Count(), " ", absl::Hex(hash));
}

void Node::SaveIndex() {
  if (!index_->engine().saveable()) return;
  const int64_t start = Clock::Real()->MonotonicMicros();
  absl::Status status = index_->Save(*store_, IndexFilePath(), IndexStamp());
  if (!status.ok()) {
    KLOG(WARNING) << "search index not saved (the next start rebuilds it): "
                  << status;
    return;
  }
  KLOG(INFO) << "search index saved to " << IndexFilePath() << " in "
             << (Clock::Real()->MonotonicMicros() - start) / 1000 << " ms";
}

Node::~Node() { Shutdown(absl::Seconds(1)); }

}  // namespace kaartnet::services
