#include "services/directory_core.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/field_violations.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "model/entry_view.h"
#include "model/validation.h"
#include "search/hit_card.h"
#include "services/config.h"
#include "trust/signing.h"

namespace kaartnet::services {
namespace {

using trust::Action;
using trust::Authorize;

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

std::string VersionText(const v1::Version& v) {
  return absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                                       HybridLogicalClock::ToTime(v.hlc()),
                                       absl::UTCTimeZone()),
                      "/", v.hlc() & 0xffff, "@", v.node_id());
}

}  // namespace

void ChangeNotifier::OnChanges(absl::Span<const storage::Change> changes) {
  if (changes.empty()) return;
  absl::MutexLock lock(&mu_);
  latest_ = std::max(latest_, changes.back().change_seq);
}

uint64_t ChangeNotifier::WaitAfter(uint64_t seq, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  struct Wait {
    const uint64_t* latest;
    uint64_t seq;
  } wait{&latest_, seq};
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](Wait* w) { return *w->latest > w->seq; }, &wait),
                       timeout);
  return latest_;
}

bool IsKnownRevealPurpose(absl::string_view purpose) {
  return purpose == "doorverwijzing" || purpose == "afstemming" ||
         purpose == "overzicht" || purpose == "beheer";
}

DirectoryCore::DirectoryCore(NodeContext* context)
    : context_(context), notifier_(context->store->last_change_seq()) {}

absl::StatusOr<RecordOutcome> DirectoryCore::ApplyOne(IncomingRecord record) {
  std::vector<IncomingRecord> records;
  records.push_back(std::move(record));
  ASSIGN_OR_RETURN(std::vector<RecordOutcome> outcomes,
                   context_->ledger->Apply(std::move(records)));
  RecordOutcome outcome = std::move(outcomes[0]);
  if (!outcome.status.ok()) return outcome.status;
  // The publisher finds what it published (the index works on its own
  // thread).
  if (context_->index != nullptr) context_->index->Flush();
  return outcome;
}

absl::StatusOr<v1::PublishResponse> DirectoryCore::Publish(
    const trust::Caller& caller, const v1::PublishRequest& request) {
  IncomingRecord in;
  v1::Entry entry;
  const bool node_signs = request.content_case() == v1::PublishRequest::kEntry;
  if (node_signs) {
    entry = request.entry();
    model::Normalize(&entry);
    if (!entry.organisation_id().empty()) {
      RETURN_IF_ERROR(
          Authorize(caller, Action::kPublish, entry.organisation_id()));
    }
    const absl::Time now = context_->clock->Now();
    RETURN_IF_ERROR(model::ToStatus(
        model::ValidateEntry(entry, model::EntryOrigin::kUnsigned, now)));
    auto organisation = context_->registry->Find(entry.organisation_id());
    if (!organisation.has_value()) {
      return StatusWithViolations(
          absl::StatusCode::kPermissionDenied, "entry refused",
          {{"organisation_id",
            absl::StrCat("\"", entry.organisation_id(),
                         "\" is not admitted to this region")}});
    }
    auto key = context_->hosted_keys.find(entry.organisation_id());
    if (key == context_->hosted_keys.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("organisation \"", entry.organisation_id(),
                       "\" is not hosted on node ", context_->node_id,
                       ": sign the entry with the organisation's key (kaart "
                       "publish --key FILE) or "
                       "publish through the organisation's own node"));
    }
    entry.set_region(organisation->region());
    if (!entry.has_last_verified())
      *entry.mutable_last_verified() = ToProto(now);
    ASSIGN_OR_RETURN(auto current, context_->store->Get(entry.id()));
    const uint64_t floor = current.has_value() ? current->version().hlc() : 0;
    entry.mutable_version()->set_hlc(context_->hlc->NowAfter(floor));
    entry.mutable_version()->set_node_id(context_->node_id);
    RETURN_IF_ERROR(context_->registry->CheckAdmitted(entry));
    in.record = trust::SignEntry(entry, *key->second);
  } else if (request.content_case() == v1::PublishRequest::kSignedRecord) {
    in.record = request.signed_record();
    auto parsed = trust::ParseRecord(in.record);
    if (!parsed.ok()) return parsed.status();
    entry = *parsed;
    RETURN_IF_ERROR(
        Authorize(caller, Action::kPublish, entry.organisation_id()));
    if (entry.withdrawn()) {
      return InvalidArgumentWithViolations(
          "entry refused", {{"withdrawn", "send withdrawals with Withdraw"}});
    }
  } else {
    return InvalidArgumentWithViolations(
        "publish refused", {{"entry", "send an entry, or a signed_record"}});
  }

  if (request.validate_only()) {
    ASSIGN_OR_RETURN(v1::Entry verified, context_->ledger->Verify(in.record));
    v1::PublishResponse response;
    *response.mutable_entry() = std::move(verified);
    ASSIGN_OR_RETURN(auto current, context_->store->Get(entry.id()));
    response.set_created(!current.has_value() || current->withdrawn());
    return response;
  }
  if (request.has_expected_version())
    in.expected_version = request.expected_version();
  in.create_only = request.create_only();
  ASSIGN_OR_RETURN(RecordOutcome outcome, ApplyOne(std::move(in)));
  switch (outcome.result.outcome) {
    case storage::ApplyOutcome::kApplied: {
      v1::PublishResponse response;
      *response.mutable_entry() = std::move(outcome.entry);
      response.set_created(outcome.result.created);
      return response;
    }
    case storage::ApplyOutcome::kAlreadyExists:
      return absl::AlreadyExistsError(
          absl::StrCat("entry ", entry.id(), " already exists (version ",
                       VersionText(outcome.result.stored_version), ")"));
    case storage::ApplyOutcome::kPreconditionFailed:
      return absl::FailedPreconditionError(
          absl::StrCat("entry ", entry.id(), " is at version ",
                       outcome.result.stored_version.hlc() == 0
                           ? std::string("(none)")
                           : VersionText(outcome.result.stored_version),
                       ", not at the expected version ",
                       VersionText(request.expected_version())));
    case storage::ApplyOutcome::kStale:
    case storage::ApplyOutcome::kDuplicate: {
      const std::string message = absl::StrCat(
          "entry ", entry.id(), " already has a newer or equal version (",
          VersionText(outcome.result.stored_version), ")");
      if (node_signs)
        return absl::AbortedError(message + "; it was written concurrently");
      return trust::Reject(
          absl::StatusCode::kFailedPrecondition,
          trust::RejectReason::kStaleVersion,
          message + "; an old version cannot be published again");
    }
  }
  return absl::InternalError("unexpected apply outcome");
}

absl::StatusOr<v1::Entry> DirectoryCore::LoadEntry(
    const std::string& id, v1::EntryStatus* status) const {
  return LoadStoredEntry(*context_, id, status);
}

absl::StatusOr<v1::Entry> LoadStoredEntry(const NodeContext& context,
                                          const std::string& id,
                                          v1::EntryStatus* status) {
  ASSIGN_OR_RETURN(auto stored, context.store->Get(id));
  if (!stored.has_value())
    return absl::NotFoundError(absl::StrCat("no entry ", id));
  ASSIGN_OR_RETURN(v1::Entry entry, trust::ParseRecord(stored->record()));
  if (status != nullptr) {
    status->set_key_id(stored->record().key_id());
    status->set_origin_node_id(stored->origin_node_id());
    status->set_origin_seq(stored->origin_seq());
    status->set_stale(
        !entry.withdrawn() &&
        model::IsStale(entry, context.clock->Now(), context.freshness));
    if (auto org = context.registry->Describe(entry.organisation_id())) {
      status->set_organisation_name(org->name);
      status->set_organisation_type(org->type);
    }
  }
  return entry;
}

absl::StatusOr<v1::GetResponse> DirectoryCore::Get(
    const trust::Caller& caller, const v1::GetRequest& request) {
  RETURN_IF_ERROR(Authorize(caller, Action::kSearch));
  if (request.id().empty()) {
    return InvalidArgumentWithViolations("get refused",
                                         {{"id", "is required"}});
  }
  v1::GetResponse response;
  ASSIGN_OR_RETURN(*response.mutable_entry(),
                   LoadEntry(request.id(), response.mutable_status()));
  v1::Entry& entry = *response.mutable_entry();
  if (request.reveal_contacts()) {
    RETURN_IF_ERROR(
        Authorize(caller, Action::kRevealContacts, entry.organisation_id()));
    const std::string purpose =
        request.purpose().empty() ? "doorverwijzing" : request.purpose();
    if (!IsKnownRevealPurpose(purpose)) {
      return InvalidArgumentWithViolations(
          "get refused",
          {{"purpose", absl::StrCat("\"", purpose,
                                    "\" is not a purpose (doorverwijzing, "
                                    "afstemming, overzicht, beheer)")}});
    }
    // No reveal without a durable record of it.
    if (context_->access_log == nullptr) {
      return absl::FailedPreconditionError(
          "this node has no access log, so it reveals no contacts");
    }
    trust::AccessRecord record;
    record.caller = caller;
    record.entry_id = entry.id();
    record.entry_organisation = entry.organisation_id();
    record.purpose = purpose;
    RETURN_IF_ERROR(context_->access_log->Append(record));
  }
  response.mutable_status()->set_hidden_contacts(
      model::RedactContacts(&entry, request.reveal_contacts()));
  return response;
}

absl::StatusOr<v1::WithdrawResponse> DirectoryCore::Withdraw(
    const trust::Caller& caller, const v1::WithdrawRequest& request) {
  IncomingRecord in;
  std::string id = request.id();
  if (!request.signed_record().entry().empty()) {
    in.record = request.signed_record();
    ASSIGN_OR_RETURN(v1::Entry tombstone, trust::ParseRecord(in.record));
    if (!tombstone.withdrawn()) {
      return InvalidArgumentWithViolations(
          "withdraw refused",
          {{"signed_record", "is not a withdrawal (withdrawn is false)"}});
    }
    if (!id.empty() && id != tombstone.id()) {
      return InvalidArgumentWithViolations(
          "withdraw refused", {{"id", "differs from the id in signed_record"}});
    }
    id = tombstone.id();
    RETURN_IF_ERROR(Authorize(
        caller, tombstone.erased() ? Action::kErase : Action::kPublish,
        tombstone.organisation_id()));
  } else {
    if (id.empty())
      return InvalidArgumentWithViolations("withdraw refused",
                                           {{"id", "is required"}});
    ASSIGN_OR_RETURN(auto current, context_->store->Get(id));
    if (!current.has_value())
      return absl::NotFoundError(absl::StrCat("no entry ", id));
    RETURN_IF_ERROR(
        Authorize(caller, request.erase() ? Action::kErase : Action::kPublish,
                  current->organisation_id()));
    if (current->withdrawn() && (current->erased() || !request.erase())) {
      // Already done: answer with the stored tombstone.
      v1::WithdrawResponse response;
      ASSIGN_OR_RETURN(*response.mutable_entry(), LoadEntry(id, nullptr));
      return response;
    }
    auto key = context_->hosted_keys.find(current->organisation_id());
    if (key == context_->hosted_keys.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("organisation \"", current->organisation_id(),
                       "\" is not hosted on node ", context_->node_id,
                       ": sign the withdrawal with the organisation's key "
                       "(kaart withdraw --key FILE)"));
    }
    auto organisation = context_->registry->Find(current->organisation_id());
    v1::Entry tombstone;
    tombstone.set_id(id);
    tombstone.set_organisation_id(current->organisation_id());
    tombstone.set_region(organisation.has_value() ? organisation->region()
                                                  : context_->region);
    tombstone.set_withdrawn(true);
    tombstone.set_erased(request.erase());
    tombstone.mutable_version()->set_hlc(
        context_->hlc->NowAfter(current->version().hlc()));
    tombstone.mutable_version()->set_node_id(context_->node_id);
    in.record = trust::SignEntry(tombstone, *key->second);
  }
  if (request.has_expected_version())
    in.expected_version = request.expected_version();
  ASSIGN_OR_RETURN(RecordOutcome outcome, ApplyOne(std::move(in)));
  switch (outcome.result.outcome) {
    case storage::ApplyOutcome::kApplied: {
      KLOG(INFO) << (outcome.entry.erased() ? "erased " : "withdrew ") << id
                 << " for "
                 << (caller.subject.empty() ? trust::RoleName(caller.role)
                                            : caller.subject);
      v1::WithdrawResponse response;
      *response.mutable_entry() = std::move(outcome.entry);
      return response;
    }
    case storage::ApplyOutcome::kPreconditionFailed:
      return absl::FailedPreconditionError(
          absl::StrCat("entry ", id, " is at version ",
                       VersionText(outcome.result.stored_version),
                       ", not at the expected version"));
    default:
      return trust::Reject(
          absl::StatusCode::kFailedPrecondition,
          trust::RejectReason::kStaleVersion,
          absl::StrCat("entry ", id, " already has a newer version (",
                       VersionText(outcome.result.stored_version), ")"));
  }
}

absl::StatusOr<std::optional<std::string>> DirectoryCore::StoredHitCard(
    const std::string& id, v1::EntryView view) const {
  ASSIGN_OR_RETURN(auto stored, context_->store->Get(id));
  // Withdrawn between the index lookup and now: leave it out.
  if (!stored.has_value() || stored->withdrawn()) return std::nullopt;
  v1::Entry entry;
  if (!entry.ParseFromString(stored->record().entry())) {
    return absl::DataLossError(
        absl::StrCat("stored entry ", id, " does not parse"));
  }
  search::OrganisationInfo org;
  if (auto known = context_->registry->Describe(entry.organisation_id())) {
    org.name = known->name;
    org.type = known->type;
  }
  return search::MakeHitCard(entry, org.name, org.type, view);
}

absl::StatusOr<internal::EncodedSearchResponse> DirectoryCore::SearchEncoded(
    const trust::Caller& caller, const v1::SearchRequest& request) {
  RETURN_IF_ERROR(Authorize(caller, Action::kSearch));
  ASSIGN_OR_RETURN(search::SearchResult result,
                   context_->index->Search(request));
  internal::EncodedSearchResponse response;
  response.set_total_size(result.total);
  response.set_next_page_token(std::move(result.next_page_token));
  for (v1::Facet& facet : result.facets)
    *response.add_facets() = std::move(facet);
  const bool full = request.view() == v1::ENTRY_VIEW_FULL;
  for (search::Hit& hit : result.hits) {
    std::string bytes;
    if (!full && !hit.card.empty()) {
      bytes = std::move(hit.card);
    } else {
      ASSIGN_OR_RETURN(std::optional<std::string> card,
                       StoredHitCard(hit.id, request.view()));
      if (!card.has_value()) continue;
      bytes = std::move(*card);
    }
    search::AppendHitDetails(hit, &bytes);
    response.add_hits(std::move(bytes));
  }
  return response;
}

absl::StatusOr<v1::SearchResponse> DirectoryCore::Search(
    const trust::Caller& caller, const v1::SearchRequest& request) {
  ASSIGN_OR_RETURN(internal::EncodedSearchResponse encoded,
                   SearchEncoded(caller, request));
  v1::SearchResponse response;
  if (!response.ParseFromString(encoded.SerializeAsString()))
    return absl::InternalError("search response does not parse");
  return response;
}

std::string DirectoryCore::MakeCursor(uint64_t change_seq) const {
  return absl::StrCat(context_->store->origin_id(), ":", change_seq);
}

absl::StatusOr<uint64_t> DirectoryCore::ParseCursor(
    const std::string& cursor) const {
  if (cursor.empty()) return 0;
  std::vector<std::string> parts = absl::StrSplit(cursor, ':');
  uint64_t seq = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &seq)) {
    return InvalidArgumentWithViolations(
        "watch refused", {{"cursor", "is not a cursor of this node"}});
  }
  if (parts[0] != context_->store->origin_id()) {
    return InvalidArgumentWithViolations(
        "watch refused", {{"cursor",
                           "belongs to another node (or to this node before a "
                           "restore); start again "
                           "with an empty cursor"}});
  }
  return seq;
}

absl::StatusOr<std::vector<v1::ChangeEvent>> DirectoryCore::ReadChanges(
    const trust::Caller& caller, const v1::WatchChangesRequest& request,
    const std::string& cursor, size_t limit, std::string* next_cursor) {
  RETURN_IF_ERROR(Authorize(caller, Action::kSearch));
  ASSIGN_OR_RETURN(const uint64_t after, ParseCursor(cursor));
  ASSIGN_OR_RETURN(auto changes, context_->store->ReadChanges(after, limit));
  std::vector<v1::ChangeEvent> events;
  uint64_t last = after;
  for (const internal::StoredEntry& stored : changes) {
    last = stored.change_seq();
    if (!request.organisation_ids().empty() &&
        std::find(request.organisation_ids().begin(),
                  request.organisation_ids().end(), stored.organisation_id()) ==
            request.organisation_ids().end()) {
      continue;
    }
    v1::ChangeEvent& event = events.emplace_back();
    event.set_cursor(MakeCursor(stored.change_seq()));
    if (!event.mutable_entry()->ParseFromString(stored.record().entry())) {
      return absl::DataLossError("stored entry does not parse");
    }
    model::RedactContacts(event.mutable_entry(), /*reveal=*/false);
  }
  *next_cursor = MakeCursor(last);
  return events;
}

void DirectoryCore::WaitForChanges(const std::string& cursor,
                                   absl::Duration timeout) {
  auto after = ParseCursor(cursor);
  if (!after.ok()) return;
  notifier_.WaitAfter(*after, timeout);
}

AdminCore::AdminCore(NodeContext* context) : context_(context) {}

absl::StatusOr<v1::ListOrganisationsResponse> AdminCore::ListOrganisations(
    const trust::Caller& caller, const v1::ListOrganisationsRequest&) {
  RETURN_IF_ERROR(Authorize(caller, Action::kListOrganisations));
  // Entry counts per organisation from the search index: all, and fresh.
  v1::SearchRequest all;
  all.add_facets(v1::FACET_FIELD_ORGANISATION);
  all.set_page_size(1);
  ASSIGN_OR_RETURN(search::SearchResult counted, context_->index->Search(all));
  v1::SearchRequest fresh = all;
  fresh.set_exclude_stale(true);
  ASSIGN_OR_RETURN(search::SearchResult fresh_counted,
                   context_->index->Search(fresh));
  std::map<std::string, uint64_t> live, not_stale;
  for (const auto& c : counted.facets[0].counts()) live[c.value()] = c.count();
  for (const auto& c : fresh_counted.facets[0].counts())
    not_stale[c.value()] = c.count();

  v1::ListOrganisationsResponse response;
  for (const v1::Organisation& org : context_->registry->List()) {
    v1::OrganisationInfo* info = response.add_organisations();
    *info->mutable_organisation() = org;
    info->set_hosted_here(
        context_->hosted_keys.contains(org.organisation_id()));
    info->set_entry_count(live[org.organisation_id()]);
    info->set_stale_count(live[org.organisation_id()] -
                          not_stale[org.organisation_id()]);
  }
  return response;
}

absl::StatusOr<bool> InstallAdmission(NodeContext* context,
                                      const v1::SignedAdmission& admission,
                                      bool log) {
  ASSIGN_OR_RETURN(std::vector<absl::StatusOr<bool>> results,
                   InstallAdmissions(context, {admission}, log));
  return std::move(results[0]);
}

absl::StatusOr<std::vector<absl::StatusOr<bool>>> InstallAdmissions(
    NodeContext* context, const std::vector<v1::SignedAdmission>& admissions,
    bool log) {
  std::vector<absl::StatusOr<bool>> results;
  results.reserve(admissions.size());
  std::vector<std::pair<std::string, v1::SignedAdmission>> to_store;
  // Organisations whose name or type changed (their entries re-indexed).
  std::vector<std::string> renamed;
  std::vector<v1::Organisation> installed;
  for (const v1::SignedAdmission& admission : admissions) {
    const auto before = [&]() -> std::optional<v1::Organisation> {
      auto parsed = trust::ParseAdmission(admission);
      if (!parsed.ok()) return std::nullopt;
      return context->registry->Find(parsed->organisation_id());
    }();
    absl::StatusOr<bool> changed = context->registry->Install(admission);
    if (!changed.ok() || !*changed) {
      results.push_back(std::move(changed));
      continue;
    }
    absl::StatusOr<v1::Organisation> organisation =
        trust::ParseAdmission(admission);
    if (!organisation.ok()) {
      results.push_back(organisation.status());
      continue;
    }
    results.push_back(true);
    to_store.emplace_back(organisation->organisation_id(), admission);
    if (before.has_value() && (before->name() != organisation->name() ||
                               before->type() != organisation->type())) {
      renamed.push_back(organisation->organisation_id());
    }
    installed.push_back(*std::move(organisation));
  }
  if (to_store.empty()) return results;
  RETURN_IF_ERROR(context->store->PutAdmissions(to_store));
  ++context->admissions_generation;
  if (context->replicator != nullptr) context->replicator->WakeAll();
  if (context->index != nullptr) {
    for (const std::string& organisation_id : renamed) {
      RETURN_IF_ERROR(context->index->ReindexOrganisation(*context->store,
                                                          organisation_id));
    }
  }
  if (log) {
    for (const v1::Organisation& organisation : installed) {
      KLOG(INFO) << "admission of " << organisation.organisation_id()
                 << " (version " << organisation.version()
                 << (organisation.revoked() ? ", revoked" : "")
                 << ") installed";
    }
  }
  return results;
}

absl::StatusOr<v1::PutAdmissionResponse> AdminCore::PutAdmission(
    const trust::Caller& caller, const v1::PutAdmissionRequest& request) {
  RETURN_IF_ERROR(Authorize(caller, Action::kPutAdmission));
  RETURN_IF_ERROR(InstallAdmission(context_, request.admission()).status());
  v1::PutAdmissionResponse response;
  ASSIGN_OR_RETURN(*response.mutable_organisation(),
                   trust::ParseAdmission(request.admission()));
  return response;
}

absl::StatusOr<v1::NodeStatus> AdminCore::GetNodeStatus(
    const trust::Caller& caller, const v1::GetNodeStatusRequest&) {
  RETURN_IF_ERROR(Authorize(caller, Action::kNodeStatus));
  v1::NodeStatus status;
  status.set_node_id(context_->node_id);
  status.set_region(context_->region);
  status.set_version(context_->version);
  *status.mutable_started_at() = ToProto(context_->started_at);
  const storage::StoreCounts counts = context_->store->counts();
  status.set_live_entries(counts.live_entries);
  status.set_withdrawn_entries(counts.withdrawn_entries);
  v1::SearchRequest fresh;
  fresh.set_exclude_stale(true);
  fresh.set_page_size(1);
  ASSIGN_OR_RETURN(search::SearchResult fresh_counted,
                   context_->index->Search(fresh));
  status.set_stale_entries(counts.live_entries -
                           std::min(counts.live_entries, fresh_counted.total));
  status.set_organisations(context_->registry->Count());
  for (const auto& [origin, seq] : context_->store->Frontier()) {
    v1::OriginProgress* progress = status.add_frontier();
    progress->set_origin_node_id(origin);
    progress->set_frontier(seq);
  }
  status.set_hlc(context_->hlc->HighWater());
  status.set_data_dir(context_->data_dir);
  status.set_disk_bytes(context_->store->DiskBytes());
  v1::ListPeersResponse peers = PeerList();
  for (v1::PeerState& peer : *peers.mutable_peers())
    *status.add_peers() = std::move(peer);
  status.set_skewed_records(context_->hlc->skewed_observations());
  status.set_refused_records(context_->refused_records.load());
  status.set_tombstones_removed(context_->tombstones_removed.load());
  status.set_entries_pruned(context_->entries_pruned.load());
  status.set_snapshots_received(context_->snapshots_received.load());
  for (size_t r = 0; r < context_->refused_by_reason.size(); ++r) {
    if (const uint64_t n = context_->refused_by_reason[r].load(); n > 0) {
      (*status.mutable_refused_by_reason())[trust::RejectReasonName(
          static_cast<trust::RejectReason>(r))] = n;
    }
  }
  for (const auto& [name, value] : context_->store->EngineStats())
    (*status.mutable_storage_stats())[name] = value;
  if (context_->digest != nullptr)
    status.set_state_digest(context_->digest->Fingerprint());
  return status;
}

v1::ListPeersResponse AdminCore::PeerList() const {
  v1::ListPeersResponse response;
  if (context_->replicator == nullptr) return response;
  const absl::Time now = context_->clock->Now();
  for (const replication::PeerStatus& peer : context_->replicator->Status()) {
    v1::PeerState* state = response.add_peers();
    state->set_address(peer.address);
    state->set_outbound(peer.outbound);
    state->set_node_id(peer.session.peer_node_id);
    state->set_connected(peer.connected);
    if (peer.connected)
      *state->mutable_connected_since() = ToProto(peer.connected_since);
    state->set_lag_records(peer.session.lag_records);
    if (peer.session.behind_since != absl::InfinitePast()) {
      state->set_lag_seconds(
          absl::ToDoubleSeconds(now - peer.session.behind_since));
    }
    if (!peer.last_error.empty()) {
      state->set_last_error(peer.last_error);
      *state->mutable_last_error_at() = ToProto(peer.last_error_at);
    }
    state->set_records_sent(peer.session.records_sent);
    state->set_records_received(peer.session.records_received);
    state->set_records_applied(peer.session.records_applied);
    state->set_records_refused(peer.session.records_refused);
    state->set_admissions_refused(peer.session.admissions_refused);
    state->set_repaired_buckets(peer.session.repairs_requested);
    state->set_snapshots_sent(peer.session.snapshots_sent);
    state->set_snapshots_received(peer.session.snapshots_received);
    state->set_entries_pruned(peer.session.entries_pruned);
    state->set_warning(peer.session.warning);
  }
  return response;
}

absl::StatusOr<v1::ListPeersResponse> AdminCore::ListPeers(
    const trust::Caller& caller, const v1::ListPeersRequest&) {
  RETURN_IF_ERROR(Authorize(caller, Action::kNodeStatus));
  return PeerList();
}

absl::StatusOr<v1::ListPeersResponse> AdminCore::AddPeer(
    const trust::Caller& caller, const v1::AddPeerRequest& request) {
  RETURN_IF_ERROR(Authorize(caller, Action::kManagePeers));
  if (absl::Status s = CheckPeerAddress(request.address()); !s.ok()) {
    return InvalidArgumentWithViolations(
        "peer refused", {{"address", std::string(s.message())}});
  }
  if (context_->replicator == nullptr)
    return absl::FailedPreconditionError("replication is off on this node");
  RETURN_IF_ERROR(context_->peer_book->Add(request.address()));
  context_->replicator->AddPeer(request.address());
  KLOG(INFO) << "peer " << request.address() << " added";
  return PeerList();
}

absl::StatusOr<v1::ListPeersResponse> AdminCore::RemovePeer(
    const trust::Caller& caller, const v1::RemovePeerRequest& request) {
  RETURN_IF_ERROR(Authorize(caller, Action::kManagePeers));
  if (context_->replicator == nullptr)
    return absl::FailedPreconditionError("replication is off on this node");
  // The node behind the address no longer holds withdrawals back (see
  // replication::PeerAcks).
  std::string node_id;
  for (const replication::PeerStatus& peer : context_->replicator->Status()) {
    if (peer.address == request.address() && peer.outbound)
      node_id = peer.session.peer_node_id;
  }
  if (!context_->replicator->RemovePeer(request.address())) {
    // A node id instead: a node taken out of the region that dialed this
    // one (so has no address here) stops holding withdrawals back.
    if (context_->peer_acks != nullptr &&
        context_->peer_acks->Forget(request.address())) {
      RETURN_IF_ERROR(context_->peer_acks->Save(context_->store));
      KLOG(INFO) << "node " << request.address()
                 << " forgotten: it no longer holds withdrawals back";
      return PeerList();
    }
    return absl::NotFoundError(absl::StrCat(
        "\"", request.address(),
        "\" is neither a peer address of this node nor a node it has "
        "replicated with"));
  }
  RETURN_IF_ERROR(context_->peer_book->Remove(request.address()));
  if (!node_id.empty() && context_->peer_acks != nullptr &&
      context_->peer_acks->Forget(node_id)) {
    RETURN_IF_ERROR(context_->peer_acks->Save(context_->store));
  }
  KLOG(INFO) << "peer " << request.address() << " removed"
             << (node_id.empty() ? "" : absl::StrCat(" (node ", node_id, ")"));
  return PeerList();
}

absl::StatusOr<v1::CreateBackupResponse> AdminCore::CreateBackup(
    const trust::Caller& caller, const v1::CreateBackupRequest& request) {
  RETURN_IF_ERROR(Authorize(caller, Action::kBackup));
  const uint64_t live = context_->store->counts().live_entries;
  const std::string metadata =
      absl::StrCat("node ", context_->node_id, ", ", live, " entries");
  const absl::Time start = context_->clock->Now();
  ASSIGN_OR_RETURN(const storage::BackupInfo info,
                   context_->store->CreateBackup(context_->backup_dir, metadata,
                                                 request.keep()));
  KLOG(INFO) << "backup " << info.id << " made in " << context_->backup_dir
             << " (" << info.size_bytes << " bytes, " << live << " entries, "
             << absl::FormatDuration(context_->clock->Now() - start) << ")";
  v1::CreateBackupResponse response;
  response.set_backup_id(info.id);
  response.set_backup_dir(context_->backup_dir);
  *response.mutable_created() = ToProto(info.created);
  response.set_size_bytes(info.size_bytes);
  response.set_live_entries(live);
  response.set_node_id(context_->node_id);
  return response;
}

absl::StatusOr<v1::VerifyAccessLogResponse> AdminCore::VerifyAccessLog(
    const trust::Caller& caller, const v1::VerifyAccessLogRequest&) {
  RETURN_IF_ERROR(Authorize(caller, Action::kAudit));
  if (context_->access_log_dir.empty())
    return absl::FailedPreconditionError("this node has no access log");
  return trust::AccessLog::Verify(context_->access_log_dir);
}

}  // namespace kaartnet::services
