// The control-plane failures a Herder reports. rest/error_mapping.cpp turns each into its HTTP
// status (NotFound 404, AlreadyExists 409, Conflict 409, BadRequest 400, Forbidden 403;
// sluice::ConfigError 400; anything else 500).
#pragma once

#include "sluice/errors.h"

namespace sluice::runtime {

class NotFoundError : public ConnectError {
 public:
  using ConnectError::ConnectError;
};

class AlreadyExistsError : public ConnectError {
 public:
  using ConnectError::ConnectError;
};

class ConflictError : public ConnectError {
 public:
  using ConnectError::ConnectError;
};

class BadRequestError : public ConnectError {
 public:
  using ConnectError::ConnectError;
};

class ForbiddenError : public ConnectError {
 public:
  using ConnectError::ConnectError;
};

}  // namespace sluice::runtime
