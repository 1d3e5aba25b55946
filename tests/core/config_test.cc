#include "core/config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace metarl {
namespace {

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no std::invalid_argument thrown>";
}

struct Opts {
  int n = 3;
  double x = 0.5;
  std::string name = "a";
  std::vector<int> sizes = {1, 2};
  bool flag = false;
  void Read(ConfigMap& c) {
    c.Read("n", &n);
    c.Read("x", &x);
    c.Read("name", &name);
    c.Read("sizes", &sizes);
    c.Read("flag", &flag);
  }
};

TEST(Config, ReadsValuesAndKeepsDefaults) {
  ConfigMap c = ConfigMap::FromString("n: 7\nsizes: [4, 5, 6]\n");
  Opts o;
  o.Read(c);
  c.CheckNoUnknownKeys();
  EXPECT_EQ(o.n, 7);
  EXPECT_EQ(o.sizes, (std::vector<int>{4, 5, 6}));
  EXPECT_DOUBLE_EQ(o.x, 0.5);
  EXPECT_EQ(o.name, "a");
}

TEST(Config, UnknownKeyIsRejectedWithItsNameAndTheKnownKeys) {
  ConfigMap c = ConfigMap::FromString("n: 7\nnmae: b\n", "exp.yaml");
  Opts o;
  o.Read(c);
  const std::string msg = ErrorOf([&] { c.CheckNoUnknownKeys(); });
  EXPECT_NE(msg.find("exp.yaml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'nmae'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("name"), std::string::npos) << msg;
}

TEST(Config, UnknownKeyInNestedMapIsRejectedWithItsPath) {
  ConfigMap c = ConfigMap::FromString("policy:\n  hidden: [3]\n");
  ConfigMap p = c.Child("policy");
  std::vector<int> sizes;
  p.Read("hidden-sizes", &sizes);
  const std::string msg = ErrorOf([&] { c.CheckNoUnknownKeys(); });
  EXPECT_NE(msg.find("policy.hidden"), std::string::npos) << msg;
}

TEST(Config, WrongTypesNameKeyValueAndExpectation) {
  Opts o;
  ConfigMap c1 = ConfigMap::FromString("n: 1.5\n");
  std::string msg = ErrorOf([&] { o.Read(c1); });
  EXPECT_NE(msg.find("'n'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("1.5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("integer"), std::string::npos) << msg;

  ConfigMap c2 = ConfigMap::FromString("x: fast\n");
  msg = ErrorOf([&] { o.Read(c2); });
  EXPECT_NE(msg.find("number"), std::string::npos) << msg;

  ConfigMap c3 = ConfigMap::FromString("sizes: 3\n");
  msg = ErrorOf([&] { o.Read(c3); });
  EXPECT_NE(msg.find("list of integers"), std::string::npos) << msg;

  ConfigMap c4 = ConfigMap::FromString("name: [1, 2]\n");
  EXPECT_NE(ErrorOf([&] { o.Read(c4); }).find("string"), std::string::npos);

  ConfigMap c5 = ConfigMap::FromString("flag: maybe\n");
  EXPECT_NE(ErrorOf([&] { o.Read(c5); }).find("boolean"), std::string::npos);
}

TEST(Config, NonFiniteAndNegativeUnsignedAreRejected) {
  double x = 0;
  ConfigMap c1 = ConfigMap::FromString("x: .nan\n");
  EXPECT_THROW(c1.Read("x", &x), std::invalid_argument);
  std::uint64_t seed = 0;
  ConfigMap c2 = ConfigMap::FromString("seed: -1\n");
  EXPECT_THROW(c2.Read("seed", &seed), std::invalid_argument);
}

TEST(Config, MissingRequiredKey) {
  ConfigMap c = ConfigMap::FromString("a: 1\n");
  std::string env;
  const std::string msg = ErrorOf([&] { c.Require("env", &env); });
  EXPECT_NE(msg.find("'env'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing"), std::string::npos) << msg;
}

TEST(Config, MalformedYamlMissingFileAndNonMapTopLevel) {
  EXPECT_NE(ErrorOf([] { ConfigMap::FromString("a: [1, 2\n", "bad.yaml"); }).find("bad.yaml"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] { ConfigMap::FromFile("/nonexistent/x.yaml"); }).find("/nonexistent/x.yaml"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] { ConfigMap::FromString("- 1\n- 2\n"); }).find("expected a map"), std::string::npos);
  ConfigMap c = ConfigMap::FromString("policy: 3\n");
  EXPECT_NE(ErrorOf([&] { c.Child("policy"); }).find("policy"), std::string::npos);
}

TEST(Config, ResolvedConfigRoundTripsThroughAFile) {
  ConfigMap c = ConfigMap::FromString("n: 7\nsub:\n  y: 0.1\n");
  Opts o;
  o.x = 0.99;
  o.Read(c);
  ConfigMap sub = c.Child("sub");
  double y = 0;
  sub.Read("y", &y);
  double z = 2.5;
  sub.Read("z", &z);
  c.CheckNoUnknownKeys();

  const auto dir = std::filesystem::temp_directory_path() / "metarl_config_test";
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "resolved.yaml").string();
  WriteYamlFile(c.Resolved(), file);
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("x: 0.99\n"), std::string::npos) << text;  // shortest round-trip decimal

  ConfigMap back = ConfigMap::FromFile(file);
  Opts o2;
  o2.Read(back);
  ConfigMap sub2 = back.Child("sub");
  double y2 = 0, z2 = 0;
  sub2.Read("y", &y2);
  sub2.Read("z", &z2);
  back.CheckNoUnknownKeys();
  EXPECT_EQ(o2.n, 7);
  EXPECT_EQ(o2.x, 0.99);
  EXPECT_EQ(o2.sizes, o.sizes);
  EXPECT_EQ(y2, 0.1);
  EXPECT_EQ(z2, 2.5);
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
}

// A two-valued key: absent keeps the default, either name sets the flag, any
// other value is refused naming the key, the value, both names and why.
TEST(Config, BinaryChoiceReadsTwoNamesAndRefusesOthers) {
  ConfigMap config = ConfigMap::FromString("pool: rotated\nstate: fresh\nbad: kept\n");
  bool pool = false, state = true, absent = true, bad = false;
  ReadBinaryChoice(config, "pool", &pool, "rotated", "characters");
  ReadBinaryChoice(config, "state", &state, "carried", "fresh");
  ReadBinaryChoice(config, "absent", &absent, "on", "off");
  EXPECT_TRUE(pool);
  EXPECT_FALSE(state);
  EXPECT_TRUE(absent);
  try {
    ReadBinaryChoice(config, "bad", &bad, "carried", "fresh", "the reason");
    FAIL() << "accepted 'kept'";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "bad = 'kept': expected carried or fresh (the reason)");
  }
}

}  // namespace
}  // namespace metarl
