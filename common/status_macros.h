// Small helpers for absl::Status-based control flow, in the style of
// ML Metadata's and Abseil's internal macros.
#ifndef KAARTNET_COMMON_STATUS_MACROS_H_
#define KAARTNET_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define KAARTNET_STATUS_CONCAT_INNER(a, b) a##b
#define KAARTNET_STATUS_CONCAT(a, b) KAARTNET_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` is not OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status _kaartnet_status = (expr);            \
    if (!_kaartnet_status.ok()) return _kaartnet_status; \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (an absl::StatusOr<T>),
// returns its status if not OK, otherwise assigns the value to `lhs`.
#define ASSIGN_OR_RETURN(lhs, expr)                                           \
  ASSIGN_OR_RETURN_IMPL(KAARTNET_STATUS_CONCAT(_kaartnet_statusor, __LINE__), \
                        lhs, expr)

#define ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                          \
  if (!statusor.ok()) return statusor.status();    \
  lhs = std::move(statusor).value()

#endif  // KAARTNET_COMMON_STATUS_MACROS_H_
