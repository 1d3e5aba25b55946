#include "envs/fewshot/registry.h"

#include "core/error.h"
#include "envs/fewshot/omniglot.h"
#include "envs/fewshot/sinusoid.h"

namespace metarl::envs::fewshot {

const std::vector<FewShotTaskEntry>& FewShotTaskRegistry() {
  static const std::vector<FewShotTaskEntry> entries = {
      {"sinusoid", "regression y = A sin(x - phase), A ~ U[0.1, 5], phase ~ U[0, pi], x ~ U[-5, 5]"},
      {"omniglot", "N-way K-shot classification, Omniglot layout (task-kwargs.root), 90-degree rotations as classes"},
  };
  return entries;
}

std::unique_ptr<FewShotTasks> MakeFewShotTasks(const std::string& name, ConfigMap& kwargs) {
  if (name == "sinusoid") {
    SinusoidOptions o;
    o.Read(kwargs);
    return std::make_unique<SinusoidTasks>(o);
  }
  if (name == "omniglot") {
    OmniglotOptions o;
    o.Read(kwargs);
    return std::make_unique<OmniglotTasks>(o);
  }
  std::string known;
  for (const auto& e : FewShotTaskRegistry()) known += (known.empty() ? "" : ", ") + e.name;
  throw std::invalid_argument(Cat("unknown few-shot task '", name, "'; expected one of: ", known));
}

}  // namespace metarl::envs::fewshot
