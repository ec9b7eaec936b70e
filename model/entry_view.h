// The views of an entry that readers get: contacts only professionals may
// see are left out unless revealed, and a result list shows the basic view.
//
// Thread-safety: plain functions.
#ifndef KAARTNET_MODEL_ENTRY_VIEW_H_
#define KAARTNET_MODEL_ENTRY_VIEW_H_

#include <cstdint>

#include "kaartnet/v1/entry.pb.h"

namespace kaartnet::model {

// Removes contacts with visibility PROFESSIONALS unless `reveal`; returns
// how many were removed.
uint32_t RedactContacts(v1::Entry* entry, bool reveal);

// The basic view (v1.EntryView ENTRY_VIEW_BASIC): what a result list needs,
// without the description and the contacts. Returns how many contacts only
// professionals may see (SearchHit.hidden_contacts).
uint32_t ToBasicView(v1::Entry* entry);

}  // namespace kaartnet::model

#endif  // KAARTNET_MODEL_ENTRY_VIEW_H_
