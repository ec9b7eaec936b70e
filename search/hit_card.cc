#include "search/hit_card.h"

#include "model/entry_view.h"

namespace kaartnet::search {

std::string MakeHitCard(const v1::Entry& entry,
                        const std::string& organisation_name,
                        v1::OrganisationType organisation_type,
                        v1::EntryView view) {
  v1::SearchHit card;
  v1::Entry* shown = card.mutable_entry();
  shown->CopyFrom(entry);
  card.set_hidden_contacts(view == v1::ENTRY_VIEW_FULL
                               ? model::RedactContacts(shown, /*reveal=*/false)
                               : model::ToBasicView(shown));
  card.set_organisation_name(organisation_name);
  card.set_organisation_type(organisation_type);
  return card.SerializeAsString();
}

void AppendHitDetails(const Hit& hit, std::string* card) {
  v1::SearchHit details;
  details.set_score(hit.score);
  if (hit.distance_km.has_value()) details.set_distance_km(*hit.distance_km);
  details.set_stale(hit.stale);
  if (hit.explanation.ByteSizeLong() > 0)
    *details.mutable_explanation() = hit.explanation;
  details.AppendToString(card);
}

}  // namespace kaartnet::search
