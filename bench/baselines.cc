// kaart-baseline: what a municipal IT team would build instead, measured in
// the same harness, on the same data and queries as kaartnet:
//
//   postgres      PostgreSQL 15 full text search: a tsvector column with the
//                 'dutch' configuration, weights per field, a GIN index, the
//                 filters as SQL; ts_rank_cd; queried through libpq with
//                 prepared statements (one per query shape).
//   postgres-rum  the same with a RUM index and ORDER BY tsv <=> query.
//   sqlite        SQLite FTS5 (unicode61, diacritics removed), bm25 with the
//                 same field weights, the filters as SQL.
//
// For each query it also asks kaartnet (gRPC) and reports agreement: for
// queries with filters only, the matching sets must be the same size; for
// text queries the overlap of the top 10 is reported. Text for the
// baselines comes from the same Document builder kaartnet indexes.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/clock.h"
#include "bench/histogram.h"
#include "bench/query_mix.h"
#include "common/reference_data.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "kaartnet/v1/directory.grpc.pb.h"
#include "model/validation.h"
#include "nlohmann/json.hpp"
#include "search/analyzer.h"
#include "search/document.h"

namespace kaartnet::bench {
namespace {

struct Options {
  std::string demo_dir;
  std::string queries_file = "bench/queries.jsonl";
  std::string kaartnet;  // node address for agreement checks
  std::string pg;        // libpq connection string
  std::string sqlite;    // database file
  std::vector<std::string> systems;
  double duration = 10;
  bool load = true;
  int64_t now_seconds = 0;
  int64_t freshness_seconds = 180 * 86400;
  std::string out;
  std::vector<int> ingest_concurrency;
  int ingest_count = 2000;
};

// ---------------------------------------------------------------- data

struct Row {
  v1::Entry entry;
  search::Document doc;
  v1::OrganisationType org_type = v1::ORGANISATION_TYPE_UNSPECIFIED;
  double latitude = 0, longitude = 0;
  bool has_point = false;
};

std::vector<Row> LoadRows(const std::string& demo_dir) {
  std::map<std::string, std::pair<std::string, v1::OrganisationType>> orgs;
  std::ifstream tsv(demo_dir + "/organisations.tsv");
  std::string line;
  std::getline(tsv, line);
  while (std::getline(tsv, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() < 3) continue;
    v1::OrganisationType type = v1::ORGANISATION_TYPE_UNSPECIFIED;
    v1::OrganisationType_Parse(f[2], &type);
    orgs[f[0]] = {f[1], type};
  }
  std::vector<Row> rows;
  std::ifstream in(demo_dir + "/entries.jsonl");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Row row;
    if (!google::protobuf::util::JsonStringToMessage(line, &row.entry).ok())
      continue;
    const auto& org = orgs[row.entry.organisation_id()];
    row.org_type = org.second;
    row.doc = search::MakeDocument(row.entry, org.first);
    if (!row.doc.points.empty()) {
      row.has_point = true;
      row.latitude = row.doc.points[0].latitude;
      row.longitude = row.doc.points[0].longitude;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string TextOf(const search::Document& doc, search::TextField field) {
  return doc.text[static_cast<int>(field)];
}

// ---------------------------------------------------------------- queries

// Centre of a `near`, resolved the way kaartnet resolves it for postcodes
// without a table: the mean of the demo locations with that PC4, else the
// gemeente centroid.
struct Centre {
  bool set = false;
  double latitude = 0, longitude = 0;
  double radius_km = 0;
};

Centre ResolveCentre(const v1::SearchRequest& request,
                     const std::vector<Row>& rows) {
  Centre c;
  if (!request.has_near()) return c;
  c.radius_km = request.near().radius_km();
  if (request.near().has_point()) {
    c.set = true;
    c.latitude = request.near().point().latitude();
    c.longitude = request.near().point().longitude();
  } else if (!request.near().postcode().empty()) {
    std::string pc4 = request.near().postcode().substr(0, 4);
    double lat = 0, lon = 0;
    int n = 0;
    for (const Row& row : rows) {
      for (const auto& loc : row.entry.locations()) {
        if (loc.postcode().rfind(pc4, 0) == 0 && loc.has_latitude()) {
          lat += loc.latitude();
          lon += loc.longitude();
          ++n;
        }
      }
    }
    if (n > 0) {
      c.set = true;
      c.latitude = lat / n;
      c.longitude = lon / n;
    }
  } else if (const Gemeente* g = ReferenceData::Get().FindGemeente(
                 request.near().gemeentecode())) {
    c.set = true;
    c.latitude = g->latitude;
    c.longitude = g->longitude;
  }
  return c;
}

std::vector<int> AreaIndices(const v1::SearchRequest& request) {
  std::set<int> out;
  const ReferenceData& ref = ReferenceData::Get();
  for (const std::string& code : request.area_codes()) {
    if (const Arbeidsmarktregio* r = ref.FindRegio(code)) {
      for (const auto& g : r->gemeentecodes)
        out.insert(search::GemeenteIndexOf(g));
    } else if (int i = search::GemeenteIndexOf(code); i >= 0) {
      out.insert(i);
    }
  }
  return {out.begin(), out.end()};
}

template <typename Repeated>
uint32_t Mask(const Repeated& values) {
  uint32_t m = 0;
  for (int v : values) m |= 1u << v;
  return m;
}

struct Outcome {
  std::vector<std::string> ids;
  uint64_t total = 0;
};

// ---------------------------------------------------------------- systems

class System {
 public:
  virtual ~System() = default;
  virtual std::string name() const = 0;
  virtual absl::Status Load(const std::vector<Row>& rows) = 0;
  virtual absl::StatusOr<Outcome> Query(const QuerySpec& q,
                                        const Centre& centre) = 0;
};

// Haversine in SQL, kilometres.
std::string DistanceSql(const Centre& c, const char* lat = "lat",
                        const char* lon = "lon") {
  return absl::StrFormat(
      "(2*6371.0088*asin(sqrt(power(sin(radians(%s-(%.6f))/"
      "2),2)+cos(radians(%.6f))*"
      "cos(radians(%s))*power(sin(radians(%s-(%.6f))/2),2))))",
      lat, c.latitude, c.latitude, lat, lon, c.longitude);
}

class Postgres final : public System {
 public:
  Postgres(std::string conninfo, bool rum, int64_t now, int64_t freshness)
      : conninfo_(std::move(conninfo)),
        rum_(rum),
        now_(now),
        freshness_(freshness) {}
  ~Postgres() override {
    if (conn_) PQfinish(conn_);
  }
  std::string name() const override {
    return rum_ ? "postgres-rum" : "postgres";
  }

  absl::Status Connect() {
    conn_ = PQconnectdb(conninfo_.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      return absl::UnavailableError(
          absl::StrCat("postgres: ", PQerrorMessage(conn_)));
    }
    return absl::OkStatus();
  }

  absl::Status Exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
                    PQresultStatus(r) == PGRES_TUPLES_OK;
    std::string error = ok ? "" : PQresultErrorMessage(r);
    PQclear(r);
    if (!ok)
      return absl::InternalError(
          absl::StrCat("postgres: ", error, " in ", sql.substr(0, 200)));
    return absl::OkStatus();
  }

  absl::Status Load(const std::vector<Row>& rows) override {
    if (auto s = Connect(); !s.ok()) return s;
    if (rum_) {
      // The table is shared with the plain variant; add the RUM index.
      if (auto s = Exec("CREATE EXTENSION IF NOT EXISTS rum"); !s.ok())
        return s;
      return Exec(
          "CREATE INDEX IF NOT EXISTS entries_rum ON entries USING rum (tsv "
          "rum_tsvector_ops)");
    }
    for (const char* sql :
         {"DROP TABLE IF EXISTS entries",
          "CREATE TABLE entries (id text PRIMARY KEY, org_id text, org_type "
          "int, kind int,"
          " interventions int, target_groups int, regelingen int, funding int,"
          " quality_marks int, offers int, sector text, languages text[], "
          "accepting bool,"
          " wait_weeks int, last_verified bigint, area int[], lat float8, lon "
          "float8,"
          " title text, interventions_text text, organisation text, places "
          "text,"
          " description text, tsv tsvector)"}) {
      if (auto s = Exec(sql); !s.ok()) return s;
    }
    {
      PGresult* copy = PQexec(conn_,
                              "COPY entries (id, org_id, org_type, kind, "
                              "interventions, target_groups, regelingen,"
                              " funding, quality_marks, offers, sector, "
                              "languages, accepting, wait_weeks,"
                              " last_verified, area, lat, lon, title, "
                              "interventions_text, organisation, places,"
                              " description) FROM STDIN");
      const bool started = PQresultStatus(copy) == PGRES_COPY_IN;
      std::string error = started ? "" : PQresultErrorMessage(copy);
      PQclear(copy);
      if (!started)
        return absl::InternalError(absl::StrCat("postgres COPY: ", error));
    }
    auto esc = [](const std::string& s) {
      std::string out;
      for (char c : s) {
        if (c == '\\')
          out += "\\\\";
        else if (c == '\t')
          out += "\\t";
        else if (c == '\n')
          out += "\\n";
        else if (c == '\r')
          out += "\\r";
        else
          out += c;
      }
      return out;
    };
    std::string buffer;
    for (const Row& row : rows) {
      const search::Document& d = row.doc;
      std::vector<std::string> area;
      for (size_t g = d.area._Find_first(); g < search::kMaxGemeenten;
           g = d.area._Find_next(g)) {
        area.push_back(absl::StrCat(g));
      }
      absl::StrAppend(
          &buffer, esc(d.id), "\t", esc(d.organisation_id), "\t",
          static_cast<int>(row.org_type), "\t", static_cast<int>(d.kind), "\t",
          static_cast<int32_t>(d.interventions), "\t",
          static_cast<int32_t>(d.target_groups), "\t",
          static_cast<int32_t>(d.regelingen), "\t",
          static_cast<int32_t>(d.funding), "\t",
          static_cast<int32_t>(d.quality_marks), "\t",
          static_cast<int32_t>(d.employer_offers), "\t",
          d.employer_sector ? std::string(1, d.employer_sector) : "\\N", "\t{",
          absl::StrJoin(d.languages, ","), "}\t",
          d.accepting_new_clients ? "t" : "f", "\t", d.wait_weeks, "\t",
          d.has_last_verified ? absl::StrCat(d.last_verified_seconds) : "\\N",
          "\t{", absl::StrJoin(area, ","), "}\t",
          row.has_point ? absl::StrFormat("%.6f", row.latitude) : "\\N", "\t",
          row.has_point ? absl::StrFormat("%.6f", row.longitude) : "\\N", "\t",
          esc(TextOf(d, search::TextField::kTitle)), "\t",
          esc(TextOf(d, search::TextField::kInterventions)), "\t",
          esc(TextOf(d, search::TextField::kOrganisation)), "\t",
          esc(TextOf(d, search::TextField::kPlaces)), "\t",
          esc(TextOf(d, search::TextField::kDescription)), "\n");
      if (buffer.size() > (1 << 20)) {
        PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size()));
        buffer.clear();
      }
    }
    PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size()));
    PQputCopyEnd(conn_, nullptr);
    PGresult* r = PQgetResult(conn_);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string error = ok ? "" : PQresultErrorMessage(r);
    PQclear(r);
    while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
    if (!ok) return absl::InternalError(absl::StrCat("postgres COPY: ", error));
    for (const char* sql :
         {"UPDATE entries SET tsv ="
          " setweight(to_tsvector('dutch', coalesce(title,'')), 'A') ||"
          " setweight(to_tsvector('dutch', coalesce(interventions_text,'')), "
          "'B') ||"
          " setweight(to_tsvector('dutch', coalesce(organisation,'') || ' ' ||"
          " coalesce(places,'')), 'C') ||"
          " setweight(to_tsvector('dutch', coalesce(description,'')), 'D')",
          "CREATE INDEX entries_tsv ON entries USING gin (tsv)",
          "CREATE INDEX entries_area ON entries USING gin (area)",
          "CREATE INDEX entries_kind ON entries (kind)",
          "CREATE INDEX entries_org ON entries (org_id)",
          "VACUUM ANALYZE entries"}) {
      if (auto s = Exec(sql); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Builds the SQL and parameters of a query.
  std::pair<std::string, std::vector<std::string>> Build(const QuerySpec& q,
                                                         const Centre& centre) {
    const v1::SearchRequest& r = q.request;
    std::vector<std::string> where, params;
    auto param = [&](std::string value) {
      params.push_back(std::move(value));
      return absl::StrCat("$", params.size());
    };
    std::string tsquery;
    const std::vector<std::string> words = search::Tokenize(r.query());
    if (!words.empty()) {
      // What a team typically writes: the words as typed, the last one as a
      // prefix.
      std::vector<std::string> parts;
      for (size_t i = 0; i < words.size(); ++i) {
        parts.push_back(i + 1 == words.size() ? words[i] + ":*" : words[i]);
      }
      tsquery = absl::StrCat("to_tsquery('dutch', ",
                             param(absl::StrJoin(parts, " & ")), ")");
      where.push_back(absl::StrCat("tsv @@ ", tsquery));
    }
    auto int_list = [&](const auto& values) {
      std::vector<std::string> v;
      for (int x : values) v.push_back(absl::StrCat(x));
      return absl::StrCat("{", absl::StrJoin(v, ","), "}");
    };
    auto text_list = [&](const auto& values) {
      return absl::StrCat("{", absl::StrJoin(values, ","), "}");
    };
    if (r.kinds_size())
      where.push_back(
          absl::StrCat("kind = ANY(", param(int_list(r.kinds())), "::int[])"));
    auto mask = [&](const char* col, uint32_t m) {
      if (m)
        where.push_back(absl::StrCat(
            "(", col, " & ", param(absl::StrCat(static_cast<int32_t>(m))),
            "::int) <> 0"));
    };
    mask("interventions", Mask(r.interventions()));
    mask("target_groups", Mask(r.target_groups()));
    mask("regelingen", Mask(r.regelingen()));
    mask("funding", Mask(r.funding()));
    mask("quality_marks", Mask(r.quality_marks()));
    mask("offers", Mask(r.employer_offers()));
    if (r.organisation_types_size()) {
      where.push_back(absl::StrCat("org_type = ANY(",
                                   param(int_list(r.organisation_types())),
                                   "::int[])"));
    }
    if (r.organisation_ids_size()) {
      where.push_back(absl::StrCat("org_id = ANY(",
                                   param(text_list(r.organisation_ids())),
                                   "::text[])"));
    }
    if (r.languages_size()) {
      where.push_back(absl::StrCat(
          "languages && ", param(text_list(r.languages())), "::text[]"));
    }
    if (r.employer_sectors_size()) {
      where.push_back(absl::StrCat("sector = ANY(",
                                   param(text_list(r.employer_sectors())),
                                   "::text[])"));
    }
    if (r.area_codes_size()) {
      where.push_back(
          absl::StrCat("area && ", param(int_list(AreaIndices(r))), "::int[]"));
    }
    if (r.accepting_new_clients()) where.push_back("accepting");
    if (r.exclude_stale()) {
      where.push_back(absl::StrCat("last_verified >= ", now_ - freshness_));
    }
    std::string distance;
    if (centre.set) {
      distance = DistanceSql(centre);
      if (centre.radius_km > 0) {
        where.push_back(
            absl::StrFormat("%s <= %.3f", distance, centre.radius_km));
      }
    }
    std::string order;
    if (r.sort() == v1::SORT_ORDER_DISTANCE && centre.set) {
      order = absl::StrCat(distance, ", id");
    } else if (!tsquery.empty()) {
      order = rum_ ? absl::StrCat("tsv <=> ", tsquery, ", id")
                   : absl::StrCat("ts_rank_cd('{0.1,0.2,0.4,1.0}', tsv, ",
                                  tsquery, ") DESC, id");
    } else {
      order = "last_verified DESC NULLS LAST, id";
    }
    std::string sql = absl::StrCat("SELECT id, count(*) OVER () FROM entries",
                                   where.empty() ? "" : " WHERE ",
                                   absl::StrJoin(where, " AND "), " ORDER BY ",
                                   order, " LIMIT 10");
    return {sql, params};
  }

  absl::StatusOr<Outcome> Query(const QuerySpec& q,
                                const Centre& centre) override {
    auto [sql, params] = Build(q, centre);
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      const std::string name = absl::StrCat("q", prepared_.size());
      PGresult* r = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      std::string error = ok ? "" : PQresultErrorMessage(r);
      PQclear(r);
      if (!ok)
        return absl::InternalError(
            absl::StrCat("prepare: ", error, " in ", sql));
      it = prepared_.emplace(sql, name).first;
    }
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    PGresult* r = PQexecPrepared(conn_, it->second.c_str(),
                                 static_cast<int>(values.size()), values.data(),
                                 nullptr, nullptr, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      std::string error = PQresultErrorMessage(r);
      PQclear(r);
      return absl::InternalError(absl::StrCat("query: ", error));
    }
    Outcome out;
    for (int i = 0; i < PQntuples(r); ++i) {
      out.ids.push_back(PQgetvalue(r, i, 0));
      out.total = std::stoull(PQgetvalue(r, i, 1));
    }
    PQclear(r);
    return out;
  }

  // Durable single-row inserts (synchronous_commit on) from `clients`
  // connections; returns inserts per second.
  absl::StatusOr<double> Ingest(const std::vector<Row>& rows, int clients,
                                int count) {
    if (auto s = Exec("CREATE TABLE IF NOT EXISTS ingest (id text PRIMARY KEY, "
                      "body jsonb,"
                      " tsv tsvector)");
        !s.ok()) {
      return s;
    }
    if (auto s = Exec(
            "CREATE INDEX IF NOT EXISTS ingest_tsv ON ingest USING gin (tsv)");
        !s.ok()) {
      return s;
    }
    if (auto s = Exec("TRUNCATE ingest"); !s.ok()) return s;
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::atomic<int> ready{0};
    std::atomic<int64_t> start{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        PGconn* conn = PQconnectdb(conninfo_.c_str());
        PQclear(PQexec(conn, "SET synchronous_commit = on"));
        PGresult* p = PQprepare(
            conn, "ins",
            "INSERT INTO ingest (id, body, tsv) VALUES ($1, $2::jsonb,"
            " to_tsvector('dutch', $3)) ON CONFLICT (id) DO UPDATE SET"
            " body = excluded.body, tsv = excluded.tsv",
            0, nullptr);
        PQclear(p);
        // Time only the inserts, not connecting.
        if (++ready == clients) start = NowNs();
        while (start.load() == 0) std::this_thread::yield();
        while (true) {
          const int i = next++;
          if (i >= count) break;
          const Row& row = rows[i % rows.size()];
          std::string body;
          (void)google::protobuf::util::MessageToJsonString(row.entry, &body);
          const std::string id = absl::StrCat(row.entry.id(), "#", i);
          const std::string text =
              absl::StrCat(row.entry.title(), " ", row.entry.description());
          const char* values[] = {id.c_str(), body.c_str(), text.c_str()};
          PGresult* r =
              PQexecPrepared(conn, "ins", 3, values, nullptr, nullptr, 0);
          if (PQresultStatus(r) != PGRES_COMMAND_OK) ++failed;
          PQclear(r);
        }
        PQfinish(conn);
      });
    }
    for (auto& t : threads) t.join();
    const double seconds = (NowNs() - start.load()) / 1e9;
    if (failed > 0)
      return absl::InternalError(
          absl::StrCat(failed.load(), " inserts failed"));
    return count / seconds;
  }

 private:
  std::string conninfo_;
  bool rum_;
  int64_t now_, freshness_;
  PGconn* conn_ = nullptr;
  std::map<std::string, std::string> prepared_;
};

class Sqlite final : public System {
 public:
  Sqlite(std::string path, int64_t now, int64_t freshness)
      : path_(std::move(path)), now_(now), freshness_(freshness) {}
  ~Sqlite() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close(db_);
  }
  std::string name() const override { return "sqlite"; }

  absl::Status Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "?";
      sqlite3_free(error);
      return absl::InternalError(
          absl::StrCat("sqlite: ", message, " in ", sql.substr(0, 200)));
    }
    return absl::OkStatus();
  }

  absl::Status Load(const std::vector<Row>& rows) override {
    std::remove(path_.c_str());
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) {
      return absl::UnavailableError(
          absl::StrCat("sqlite: cannot open ", path_));
    }
    for (const char* sql :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
          "CREATE TABLE entries (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, "
          "org_id TEXT,"
          " org_type INT, kind INT, interventions INT, target_groups INT, "
          "regelingen INT,"
          " funding INT, quality_marks INT, offers INT, sector TEXT, languages "
          "TEXT,"
          " accepting INT, wait_weeks INT, last_verified INT, lat REAL, lon "
          "REAL)",
          "CREATE TABLE area (entry INT, gemeente INT)",
          "CREATE VIRTUAL TABLE fts USING fts5(title, interventions, "
          "organisation, places,"
          " description, tokenize = 'unicode61 remove_diacritics 2')",
          "BEGIN"}) {
      if (auto s = Exec(sql); !s.ok()) return s;
    }
    sqlite3_stmt* entry_stmt;
    sqlite3_stmt* area_stmt;
    sqlite3_stmt* fts_stmt;
    sqlite3_prepare_v2(
        db_, "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        -1, &entry_stmt, nullptr);
    sqlite3_prepare_v2(db_, "INSERT INTO area VALUES (?,?)", -1, &area_stmt,
                       nullptr);
    sqlite3_prepare_v2(
        db_,
        "INSERT INTO fts (rowid, title, interventions, organisation, places,"
        " description) VALUES (?,?,?,?,?,?)",
        -1, &fts_stmt, nullptr);
    int64_t rowid = 0;
    for (const Row& row : rows) {
      ++rowid;
      const search::Document& d = row.doc;
      sqlite3_reset(entry_stmt);
      int c = 0;
      sqlite3_bind_int64(entry_stmt, ++c, rowid);
      sqlite3_bind_text(entry_stmt, ++c, d.id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(entry_stmt, ++c, d.organisation_id.c_str(), -1,
                        SQLITE_TRANSIENT);
      sqlite3_bind_int(entry_stmt, ++c, row.org_type);
      sqlite3_bind_int(entry_stmt, ++c, d.kind);
      for (uint32_t m : {d.interventions, d.target_groups, d.regelingen,
                         d.funding, d.quality_marks, d.employer_offers}) {
        sqlite3_bind_int64(entry_stmt, ++c, m);
      }
      const std::string sector =
          d.employer_sector ? std::string(1, d.employer_sector) : "";
      sqlite3_bind_text(entry_stmt, ++c, sector.c_str(), -1, SQLITE_TRANSIENT);
      const std::string languages =
          absl::StrCat(",", absl::StrJoin(d.languages, ","), ",");
      sqlite3_bind_text(entry_stmt, ++c, languages.c_str(), -1,
                        SQLITE_TRANSIENT);
      sqlite3_bind_int(entry_stmt, ++c, d.accepting_new_clients);
      sqlite3_bind_int(entry_stmt, ++c, d.wait_weeks);
      sqlite3_bind_int64(entry_stmt, ++c,
                         d.has_last_verified ? d.last_verified_seconds : 0);
      sqlite3_bind_double(entry_stmt, ++c, row.latitude);
      sqlite3_bind_double(entry_stmt, ++c, row.longitude);
      if (sqlite3_step(entry_stmt) != SQLITE_DONE) {
        return absl::InternalError(
            absl::StrCat("sqlite insert: ", sqlite3_errmsg(db_)));
      }
      for (size_t g = d.area._Find_first(); g < search::kMaxGemeenten;
           g = d.area._Find_next(g)) {
        sqlite3_reset(area_stmt);
        sqlite3_bind_int64(area_stmt, 1, rowid);
        sqlite3_bind_int(area_stmt, 2, static_cast<int>(g));
        sqlite3_step(area_stmt);
      }
      sqlite3_reset(fts_stmt);
      sqlite3_bind_int64(fts_stmt, 1, rowid);
      int f = 1;
      for (auto field :
           {search::TextField::kTitle, search::TextField::kInterventions,
            search::TextField::kOrganisation, search::TextField::kPlaces,
            search::TextField::kDescription}) {
        const std::string text = TextOf(d, field);
        sqlite3_bind_text(fts_stmt, ++f, text.c_str(), -1, SQLITE_TRANSIENT);
      }
      sqlite3_step(fts_stmt);
    }
    sqlite3_finalize(entry_stmt);
    sqlite3_finalize(area_stmt);
    sqlite3_finalize(fts_stmt);
    for (const char* sql :
         {"COMMIT", "CREATE INDEX area_g ON area (gemeente, entry)",
          "CREATE INDEX entries_kind ON entries (kind)", "ANALYZE"}) {
      if (auto s = Exec(sql); !s.ok()) return s;
    }
    // SQLite has no trigonometry without an extension; register haversine.
    sqlite3_create_function(
        db_, "km", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
        [](sqlite3_context* ctx, int, sqlite3_value** v) {
          sqlite3_result_double(ctx, HaversineKm(sqlite3_value_double(v[0]),
                                                 sqlite3_value_double(v[1]),
                                                 sqlite3_value_double(v[2]),
                                                 sqlite3_value_double(v[3])));
        },
        nullptr, nullptr);
    return absl::OkStatus();
  }

  absl::StatusOr<Outcome> Query(const QuerySpec& q,
                                const Centre& centre) override {
    const v1::SearchRequest& r = q.request;
    std::vector<std::string> where;
    std::vector<std::string> texts;
    const std::vector<std::string> words = search::Tokenize(r.query());
    std::string match;
    if (!words.empty()) {
      std::vector<std::string> parts;
      for (size_t i = 0; i < words.size(); ++i) {
        parts.push_back(absl::StrCat("\"", words[i], "\"",
                                     i + 1 == words.size() ? "*" : ""));
      }
      match = absl::StrJoin(parts, " ");
      where.push_back("fts MATCH ?");
      texts.push_back(match);
    }
    auto list = [](const auto& values) {
      std::vector<std::string> v;
      for (const auto& x : values) v.push_back(absl::StrCat(x));
      return absl::StrJoin(v, ",");
    };
    if (r.kinds_size())
      where.push_back(absl::StrCat("e.kind IN (", list(r.kinds()), ")"));
    auto mask = [&](const char* col, uint32_t m) {
      if (m) where.push_back(absl::StrCat("(e.", col, " & ", m, ") <> 0"));
    };
    mask("interventions", Mask(r.interventions()));
    mask("target_groups", Mask(r.target_groups()));
    mask("regelingen", Mask(r.regelingen()));
    mask("funding", Mask(r.funding()));
    mask("quality_marks", Mask(r.quality_marks()));
    mask("offers", Mask(r.employer_offers()));
    if (r.organisation_types_size()) {
      where.push_back(
          absl::StrCat("e.org_type IN (", list(r.organisation_types()), ")"));
    }
    if (r.organisation_ids_size()) {
      std::vector<std::string> ids;
      for (const auto& id : r.organisation_ids())
        ids.push_back(absl::StrCat("'", id, "'"));
      where.push_back(
          absl::StrCat("e.org_id IN (", absl::StrJoin(ids, ","), ")"));
    }
    for (const auto& lang : r.languages()) {
      where.push_back(absl::StrCat("e.languages LIKE '%,", lang, ",%'"));
    }
    if (r.employer_sectors_size()) {
      std::vector<std::string> s;
      for (const auto& x : r.employer_sectors())
        s.push_back(absl::StrCat("'", x, "'"));
      where.push_back(
          absl::StrCat("e.sector IN (", absl::StrJoin(s, ","), ")"));
    }
    if (r.area_codes_size()) {
      where.push_back(
          absl::StrCat("EXISTS (SELECT 1 FROM area a WHERE a.entry = e.rowid "
                       "AND a.gemeente IN (",
                       list(AreaIndices(r)), "))"));
    }
    if (r.accepting_new_clients()) where.push_back("e.accepting = 1");
    if (r.exclude_stale())
      where.push_back(absl::StrCat("e.last_verified >= ", now_ - freshness_));
    const std::string distance =
        centre.set ? absl::StrFormat("km(%.6f, %.6f, e.lat, e.lon)",
                                     centre.latitude, centre.longitude)
                   : "";
    if (centre.set && centre.radius_km > 0) {
      where.push_back(
          absl::StrFormat("%s <= %.3f", distance, centre.radius_km));
    }
    const std::string from = match.empty()
                                 ? "entries e"
                                 : "fts JOIN entries e ON e.rowid = fts.rowid";
    const std::string cond =
        where.empty() ? ""
                      : absl::StrCat(" WHERE ", absl::StrJoin(where, " AND "));
    std::string order;
    if (r.sort() == v1::SORT_ORDER_DISTANCE && centre.set) {
      order = absl::StrCat(distance, ", e.id");
    } else if (!match.empty()) {
      order = "bm25(fts, 3.0, 2.0, 1.5, 1.5, 1.0), e.id";
    } else {
      order = "e.last_verified DESC, e.id";
    }
    Outcome out;
    sqlite3_stmt* top = Prepare(absl::StrCat("SELECT e.id FROM ", from, cond,
                                             " ORDER BY ", order, " LIMIT 10"));
    sqlite3_stmt* count =
        Prepare(absl::StrCat("SELECT count(*) FROM ", from, cond));
    if (top == nullptr || count == nullptr) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
    for (sqlite3_stmt* stmt : {top, count}) {
      sqlite3_reset(stmt);
      for (size_t i = 0; i < texts.size(); ++i) {
        sqlite3_bind_text(stmt, static_cast<int>(i + 1), texts[i].c_str(), -1,
                          SQLITE_TRANSIENT);
      }
    }
    while (sqlite3_step(top) == SQLITE_ROW) {
      out.ids.push_back(
          reinterpret_cast<const char*>(sqlite3_column_text(top, 0)));
    }
    if (sqlite3_step(count) == SQLITE_ROW)
      out.total = sqlite3_column_int64(count, 0);
    return out;
  }

 private:
  sqlite3_stmt* Prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      return nullptr;
    statements_[sql] = stmt;
    return stmt;
  }

  std::string path_;
  int64_t now_, freshness_;
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> statements_;
};

// kaartnet through gRPC, for agreement checks only (its speed is measured
// by kaart-bench).
class Kaartnet {
 public:
  explicit Kaartnet(const std::string& address)
      : stub_(v1::Directory::NewStub(grpc::CreateChannel(
            address, grpc::InsecureChannelCredentials()))) {}
  absl::StatusOr<Outcome> Query(const QuerySpec& q) {
    grpc::ClientContext context;
    v1::SearchResponse response;
    grpc::Status s = stub_->Search(&context, q.request, &response);
    if (!s.ok()) return absl::UnavailableError(s.error_message());
    Outcome out;
    out.total = response.total_size();
    for (const auto& hit : response.hits()) out.ids.push_back(hit.entry().id());
    return out;
  }

 private:
  std::unique_ptr<v1::Directory::Stub> stub_;
};

double Overlap(const std::vector<std::string>& a,
               const std::vector<std::string>& b) {
  if (a.empty() && b.empty()) return 1;
  std::set<std::string> sa(a.begin(), a.end());
  size_t common = 0;
  for (const auto& id : b) common += sa.count(id);
  return static_cast<double>(common) / std::max(a.size(), b.size());
}

int Run(const Options& options) {
  std::cerr << "baseline: loading " << options.demo_dir << "\n";
  const std::vector<Row> rows = LoadRows(options.demo_dir);
  auto mix = ReadQueryMix(options.queries_file);
  if (!mix.ok()) {
    std::cerr << "baseline: " << mix.status().message() << "\n";
    return 1;
  }
  std::vector<Centre> centres;
  for (const auto& q : *mix) centres.push_back(ResolveCentre(q.request, rows));

  std::vector<Outcome> reference(mix->size());
  if (!options.kaartnet.empty()) {
    Kaartnet kaartnet(options.kaartnet);
    for (size_t i = 0; i < mix->size(); ++i) {
      auto out = kaartnet.Query((*mix)[i]);
      if (!out.ok()) {
        std::cerr << "baseline: kaartnet: " << out.status().message() << "\n";
        return 1;
      }
      reference[i] = *out;
    }
  }
  nlohmann::json results = nlohmann::json::array();
  std::unique_ptr<Postgres> postgres_for_ingest;
  for (const std::string& system_name : options.systems) {
    std::unique_ptr<System> system;
    if (system_name == "postgres" || system_name == "postgres-rum") {
      system = std::make_unique<Postgres>(
          options.pg, system_name == "postgres-rum", options.now_seconds,
          options.freshness_seconds);
    } else if (system_name == "sqlite") {
      system = std::make_unique<Sqlite>(options.sqlite, options.now_seconds,
                                        options.freshness_seconds);
    } else {
      std::cerr << "baseline: unknown system " << system_name << "\n";
      return 2;
    }
    const int64_t load_start = NowNs();
    if (auto s = system->Load(rows); !s.ok()) {
      std::cerr << "baseline: " << system_name << ": " << s.message() << "\n";
      return 1;
    }
    const double load_s = (NowNs() - load_start) / 1e9;
    // Agreement, on one pass.
    int filter_queries = 0, filter_agree = 0, text_queries = 0;
    double overlap_sum = 0;
    std::vector<std::string> disagreements;
    std::vector<Outcome> outcomes(mix->size());
    for (size_t i = 0; i < mix->size(); ++i) {
      auto out = system->Query((*mix)[i], centres[i]);
      if (!out.ok()) {
        std::cerr << "baseline: " << system_name << ": " << (*mix)[i].name
                  << ": " << out.status().message() << "\n";
        return 1;
      }
      outcomes[i] = *out;
      if (options.kaartnet.empty()) continue;
      if ((*mix)[i].request.query().empty()) {
        ++filter_queries;
        if (out->total == reference[i].total) {
          ++filter_agree;
        } else {
          disagreements.push_back(absl::StrCat((*mix)[i].name, ": ", out->total,
                                               " vs kaartnet ",
                                               reference[i].total));
        }
      } else {
        ++text_queries;
        overlap_sum += Overlap(out->ids, reference[i].ids);
      }
    }
    // Timed: the mix round-robin, one client, for the duration.
    Histogram latency;
    std::map<std::string, Histogram> by_class;
    const int64_t end = NowNs() + static_cast<int64_t>(options.duration * 1e9);
    size_t n = 0;
    while (NowNs() < end) {
      const size_t i = n++ % mix->size();
      const int64_t t0 = NowNs();
      auto out = system->Query((*mix)[i], centres[i]);
      const int64_t dt = NowNs() - t0;
      if (!out.ok()) return 1;
      latency.Record(dt);
      by_class[(*mix)[i].query_class].Record(dt);
    }
    const double qps = latency.count() / options.duration;
    nlohmann::json result = {
        {"system", system_name},
        {"entries", rows.size()},
        {"load_s", load_s},
        {"queries", latency.count()},
        {"qps", qps},
        {"latency_ms",
         {{"p50", latency.Percentile(0.5) / 1e6},
          {"p90", latency.Percentile(0.9) / 1e6},
          {"p99", latency.Percentile(0.99) / 1e6},
          {"p999", latency.Percentile(0.999) / 1e6},
          {"max", latency.max() / 1e6}}},
        {"agreement",
         {{"filter_queries", filter_queries},
          {"filter_same_count", filter_agree},
          {"text_queries", text_queries},
          {"text_top10_overlap",
           text_queries ? overlap_sum / text_queries : 0}}},
    };
    for (const auto& [cls, h] : by_class) {
      result["by_class"][cls] = {{"p50", h.Percentile(0.5) / 1e6},
                                 {"p99", h.Percentile(0.99) / 1e6}};
    }
    std::cout << absl::StrFormat(
                     "%-13s qps=%-7.0f p50=%.3fms p90=%.3fms p99=%.3fms "
                     "p99.9=%.3fms  "
                     "filter-agree=%d/%d top10-overlap=%.2f load=%.1fs",
                     system_name, qps, latency.Percentile(0.5) / 1e6,
                     latency.Percentile(0.9) / 1e6,
                     latency.Percentile(0.99) / 1e6,
                     latency.Percentile(0.999) / 1e6, filter_agree,
                     filter_queries,
                     text_queries ? overlap_sum / text_queries : 0.0, load_s)
              << "\n";
    for (size_t i = 0; i < disagreements.size() && i < 5; ++i) {
      std::cerr << "  differs: " << disagreements[i] << "\n";
    }
    results.push_back(result);
    if (system_name == "postgres" && !options.ingest_concurrency.empty()) {
      auto* pg = static_cast<Postgres*>(system.get());
      for (int c : options.ingest_concurrency) {
        auto rate = pg->Ingest(rows, c, options.ingest_count);
        if (!rate.ok()) {
          std::cerr << "baseline: ingest: " << rate.status().message() << "\n";
          return 1;
        }
        std::cout << absl::StrFormat(
            "postgres-insert c=%-3d %.0f inserts/s (synchronous_commit on)\n",
            c, *rate);
        results.push_back({{"system", "postgres-insert"},
                           {"concurrency", c},
                           {"per_second", *rate}});
      }
    }
  }
  if (!options.out.empty()) {
    std::ofstream out(options.out);
    out << results.dump(2) << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace kaartnet::bench

int main(int argc, char** argv) {
  using namespace kaartnet::bench;
  CLI::App app{
      "kaart-baseline: PostgreSQL FTS and SQLite FTS5 on the kaartnet "
      "benchmark"};
  Options options;
  std::string now;
  app.add_option("--demo", options.demo_dir,
                 "Demo data directory (kaart demo-data)")
      ->required();
  app.add_option("--queries", options.queries_file, "Query mix");
  app.add_option("--kaartnet", options.kaartnet,
                 "kaartnet node, for agreement checks");
  app.add_option("--pg", options.pg, "libpq connection string");
  app.add_option("--sqlite", options.sqlite, "SQLite database file to create");
  app.add_option("--system", options.systems,
                 "postgres, postgres-rum, sqlite (repeat)")
      ->required();
  app.add_option("--duration", options.duration, "Measured seconds per system");
  app.add_option("--now", now, "Reference date for staleness (YYYY-MM-DD)");
  app.add_option("--ingest", options.ingest_concurrency,
                 "PostgreSQL insert concurrencies");
  app.add_option("--ingest-count", options.ingest_count,
                 "Inserts per ingest run");
  app.add_option("--out", options.out, "Write results as JSON");
  CLI11_PARSE(app, argc, argv);
  absl::Time t = absl::Now();
  if (!now.empty()) {
    std::string error;
    if (!absl::ParseTime("%Y-%m-%d", now, absl::UTCTimeZone(), &t, &error)) {
      std::cerr << "--now: " << error << "\n";
      return 2;
    }
  }
  options.now_seconds = absl::ToUnixSeconds(t);
  return Run(options);
}
