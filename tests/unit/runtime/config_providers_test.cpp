#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "runtime/config_providers.h"
#include "sluice/errors.h"
#include "support/temp_dir.h"

using namespace sluice;
using namespace sluice::runtime;
using sluice::testing::TempDir;

TEST_CASE("file, directory and env providers resolve placeholders", "[config]") {
  TempDir dir;
  std::ofstream(dir / "secrets.properties") << "db.password=s3cret\n";
  std::filesystem::create_directory(dir / "secrets");
  std::ofstream(dir / "secrets" / "token") << "tok-123";
  setenv("SLUICE_TEST_SECRET", "from-env", 1);

  ConfigProviders providers({{"config.providers", "file,dir,env"},
                             {"config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider"},
                             {"config.providers.dir.class", "DirectoryConfigProvider"},
                             {"config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider"}});
  std::string props = (dir / "secrets.properties").string();
  auto resolved = providers.resolve({{"password", "${file:" + props + ":db.password}"},
                                     {"token", "${dir:" + (dir / "secrets").string() + ":token}"},
                                     {"mixed", "user=${env:SLUICE_TEST_SECRET};x"},
                                     {"unknown", "${vault:a:b}"},
                                     {"plain", "value"}});
  REQUIRE(resolved.at("password") == "s3cret");
  REQUIRE(resolved.at("token") == "tok-123");
  REQUIRE(resolved.at("mixed") == "user=from-env;x");
  REQUIRE(resolved.at("unknown") == "${vault:a:b}");
  REQUIRE(resolved.at("plain") == "value");
  REQUIRE(providers.has_placeholder("${env:X}"));
  REQUIRE_FALSE(providers.has_placeholder("${vault:X}"));
}

TEST_CASE("A missing secret is an error that does not show any resolved value", "[config]") {
  ConfigProviders providers({{"config.providers", "env"}, {"config.providers.env.class", "EnvVarConfigProvider"}});
  REQUIRE_THROWS_AS(providers.resolve({{"k", "${env:SLUICE_DEFINITELY_UNSET_VAR}"}}), ConfigError);
}

TEST_CASE("An unknown provider class is a configuration error", "[config]") {
  REQUIRE_THROWS_AS(ConfigProviders({{"config.providers", "x"}, {"config.providers.x.class", "com.example.Nope"}}),
                    ConfigError);
}
