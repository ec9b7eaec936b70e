#include "model/entry_view.h"

#include <algorithm>

namespace kaartnet::model {

uint32_t RedactContacts(v1::Entry* entry, bool reveal) {
  if (reveal) return 0;
  auto* contacts = entry->mutable_contacts();
  const int before = contacts->size();
  contacts->erase(std::remove_if(contacts->begin(), contacts->end(),
                                 [](const v1::Contact& c) {
                                   return c.visibility() !=
                                          v1::VISIBILITY_PUBLIC;
                                 }),
                  contacts->end());
  return static_cast<uint32_t>(before - contacts->size());
}

uint32_t ToBasicView(v1::Entry* entry) {
  const uint32_t hidden = RedactContacts(entry, /*reveal=*/false);
  entry->clear_description();
  entry->clear_contacts();
  return hidden;
}

}  // namespace kaartnet::model
