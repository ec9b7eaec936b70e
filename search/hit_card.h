// Result cards: what a result list shows of an entry, serialized once when
// the entry is indexed, so a search answer is assembled from bytes instead
// of reading, parsing and re-serializing every hit.
//
// A card is a serialized v1.SearchHit holding the entry in the basic view
// (no description, no contacts), the number of contacts only professionals
// may see, and the organisation's name and type. The per-query fields of the
// hit (score, distance, stale, explanation) are appended to it as further
// fields of the same message: protobuf parses concatenated messages as
// their merge.
//
// Thread-safety: plain functions.
#ifndef KAARTNET_SEARCH_HIT_CARD_H_
#define KAARTNET_SEARCH_HIT_CARD_H_

#include <string>

#include "kaartnet/v1/directory.pb.h"
#include "kaartnet/v1/entry.pb.h"
#include "search/engine.h"

namespace kaartnet::search {

// The card of a live entry in `view` (ENTRY_VIEW_FULL keeps the
// description and the public contacts; the index holds basic cards).
// `organisation_name` may be empty (unknown organisation).
std::string MakeHitCard(const v1::Entry& entry,
                        const std::string& organisation_name,
                        v1::OrganisationType organisation_type,
                        v1::EntryView view = v1::ENTRY_VIEW_BASIC);

// Appends the per-query fields of `hit` to `card` (a card, or any
// serialized v1.SearchHit), giving the complete hit.
void AppendHitDetails(const Hit& hit, std::string* card);

}  // namespace kaartnet::search

#endif  // KAARTNET_SEARCH_HIT_CARD_H_
