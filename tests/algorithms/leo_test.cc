// LEO: the second-order meta-gradient (latent steps, fine-tuning steps, all
// penalties, with and without sampled latents) against central finite
// differences; evaluation agrees with the training objective; the class
// latents are invariant to the support set's order and follow a relabelling
// of the classes; evaluation leaves the meta-parameters unchanged; the
// modules have deepmind/leo's shapes and initial scales; per-example codes
// and the summed inner loss against the per-group / mean forms with step
// sizes rescaled by hand; the reference's gradient clipping on hand-made
// gradients; a seeded run learns the sinusoid.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/autograd.h>

#include "algorithms/fewshot/leo.h"
#include "core/config.h"
#include "algorithms/fewshot/mlp_net.h"
#include "envs/fewshot/sinusoid.h"
#include "tests/algorithms/fewshot_fixtures.h"

namespace metarl::algorithms::fewshot {
namespace {
using namespace testing_fixtures;  // NOLINT: Problem, MakeProblem, MakeConvProblem, RelativeError

LeoOptions SmallOptions() {
  LeoOptions o;
  o.latent_dim = 3;
  o.hidden_dim = 4;
  o.inner_steps = 2;
  o.inner_lr = 0.3;
  o.finetune_steps = 1;
  o.finetune_lr = 0.05;
  o.kl_weight = 0.1;
  o.encoder_penalty = 0.2;
  o.orthogonality_penalty = 0.1;
  o.l2_penalty = 0.01;
  o.sample = false;
  o.seed = 11;
  return o;
}

at::Tensor FiniteDifferences(const Leo& leo, const EpisodeBatch& batch, bool sample) {
  return CentralDifferences(leo.flat().detach().clone(), [&](const at::Tensor& x) {
    return leo.MetaObjective(batch, x.clone().requires_grad_(true), sample, 7).item<double>();
  });
}

// The encoder penalty is left out: its stop-gradient makes the gradient differ
// from the derivative of the value by design (finite differences see through it).
TEST(Leo, MetaGradientMatchesFiniteDifferences) {
  LeoOptions o = SmallOptions();
  o.encoder_penalty = 0.0;
  for (const Problem& p : {MakeProblem(3), MakeConvProblem(2)}) {
    for (bool sample : {false, true}) {
      const Leo leo(p.net, p.classification, o, p.init);
      const at::Tensor objective = leo.MetaObjective(p.batch, leo.flat(), sample, 7);
      const at::Tensor g = torch::autograd::grad({objective}, {leo.flat()})[0];
      const at::Tensor fd = FiniteDifferences(leo, p.batch, sample);
      const std::string what = std::string(p.classification ? "conv net" : "MLP") + (sample ? ", sampled" : "");
      EXPECT_LT(RelativeError(g, fd), 1e-4) << what;
      // The body, the LEO modules and both step sizes all get gradients (but
      // for classification without sampling the decoder's bias: it shifts
      // every class's logit alike, to which the softmax is blind).
      const Params grads = at::split_with_sizes(g, [&] {
        std::vector<int64_t> sizes;
        for (const auto& t : leo.parameters_list()) sizes.push_back(t.numel());
        return sizes;
      }());
      for (std::size_t i = 0; i < grads.size(); ++i) {
        if (p.classification && !sample && leo.ParameterNames()[i] == "leo/decoder.bias") continue;
        EXPECT_GT(grads[i].abs().max().item<double>(), 1e-8) << what << ": " << leo.ParameterNames()[i];
      }
    }
  }
}

TEST(Leo, EvaluationMatchesTheTrainingObjectiveWithoutPenalties) {
  for (const Problem& p : {MakeProblem(3), MakeConvProblem(2)}) {
    LeoOptions o = SmallOptions();
    o.kl_weight = o.encoder_penalty = o.orthogonality_penalty = o.l2_penalty = 0.0;
    const Leo leo(p.net, p.classification, o, p.init);
    const double objective = leo.MetaObjective(p.batch, leo.flat(), /*sample=*/false, 0).item<double>();
    const AdaptationCurve curve = leo.Evaluate(p.batch, o.inner_steps + o.finetune_steps);
    ASSERT_EQ(curve.query_loss.size(), 4u);
    EXPECT_NEAR(curve.query_loss.back().mean().item<double>(), objective, 1e-10);
    // Adaptation lowers the support loss's counterpart on the query set here.
    EXPECT_EQ(curve.query_accuracy.size(), p.classification ? 4u : 0u);
  }
}

TEST(Leo, ClassLatentsIgnoreSupportOrderAndFollowRelabelling) {
  const Problem p = MakeConvProblem(2);
  const Leo leo(p.net, true, SmallOptions(), p.init);
  const AdaptationCurve base = leo.Evaluate(p.batch, 3);
  // Shuffle the support set's order (labels along).
  EpisodeBatch shuffled = p.batch;
  const at::Tensor order = at::tensor({5, 0, 3, 1, 4, 2}, at::kLong);
  shuffled.support_x = p.batch.support_x.index_select(1, order);
  shuffled.support_y = p.batch.support_y.index_select(1, order);
  // Relabel the classes 0→2, 1→0, 2→1 in support and query alike.
  EpisodeBatch relabelled = p.batch;
  const at::Tensor map = at::tensor({2, 0, 1}, at::kLong);
  relabelled.support_y = map.index({p.batch.support_y});
  relabelled.query_y = map.index({p.batch.query_y});
  for (const EpisodeBatch* b : {&shuffled, &relabelled}) {
    const AdaptationCurve c = leo.Evaluate(*b, 3);
    for (std::size_t s = 0; s < c.query_loss.size(); ++s) {
      EXPECT_TRUE(at::allclose(c.query_loss[s], base.query_loss[s], 1e-9, 1e-12)) << "step " << s;
      EXPECT_TRUE(at::equal(c.query_accuracy[s], base.query_accuracy[s])) << "step " << s;
    }
  }
}

TEST(Leo, EvaluationLeavesTheMetaParametersAndMetaStepMovesThem) {
  const Problem p = MakeProblem(3);
  LeoOptions o = SmallOptions();
  o.sample = true;
  Leo leo(p.net, false, o, p.init);
  const at::Tensor before = leo.flat().detach().clone();
  leo.Evaluate(p.batch, 5);
  EXPECT_TRUE(at::equal(leo.flat().detach(), before));
  const MetaStepStats stats = leo.MetaStep(p.batch, 0);
  EXPECT_TRUE(std::isfinite(stats.query_loss));
  EXPECT_FALSE(at::equal(leo.flat().detach(), before));
  EXPECT_EQ(leo.OptimizerState().size(), 3u);
}

// deepmind/leo's KL term is a one-sample estimate, log q(z) − log p(z) at the
// drawn latents averaged over the latent elements: unbiased for the closed
// form KL(N(μ, σ²) ‖ N(0, 1)) per element. Its Monte-Carlo mean over 1 500
// noise draws (the objective with kl-weight 1 minus kl-weight 0 at the same
// draw is exactly the estimate) must match the closed form per element,
// which is the analytic option's term (summed over the Z = 3 dimensions)
// divided by Z.
TEST(Leo, SampledKlEstimateAveragesToTheClosedForm) {
  const Problem p = MakeProblem(3);
  LeoOptions o = SmallOptions();
  o.encoder_penalty = o.orthogonality_penalty = o.l2_penalty = 0.0;
  const auto kl_term = [&](bool analytic, bool sample, std::uint64_t seed) {
    LeoOptions with = o, without = o;
    with.kl_weight = 1.0;
    without.kl_weight = 0.0;
    with.analytic_kl = without.analytic_kl = analytic;
    const Leo a(p.net, false, with, p.init), b(p.net, false, without, p.init);
    return (a.MetaObjective(p.batch, a.flat(), sample, seed) - b.MetaObjective(p.batch, b.flat(), sample, seed))
        .item<double>();
  };
  const double closed_form_per_element = kl_term(/*analytic=*/true, /*sample=*/false, 0) / 3.0;
  ASSERT_GT(closed_form_per_element, 1e-3);  // μ, σ of a fresh encoder: not the prior
  const int n = 1500;
  double sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = kl_term(false, true, 1000 + static_cast<std::uint64_t>(i));
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n, se = std::sqrt((sum_sq / n - mean * mean) / n);
  std::printf("KL per element: closed form %.5f, one-sample estimate %.5f ± %.5f (SE)\n", closed_form_per_element, mean, se);
  EXPECT_NEAR(mean, closed_form_per_element, 4.0 * se + 1e-4);
  EXPECT_GT(se, 0.0);  // the estimate does vary with the draw
}

// deepmind/leo's grads_and_vars: a non-finite meta-loss steps on the weight
// penalty alone, so training goes on with the weights pulled toward zero; the
// body and every bias stay where they were. on-non-finite: stop raises.
TEST(Leo, NonFiniteLossStepsOnTheWeightPenaltyAlone) {
  Problem p = MakeProblem(3);
  p.batch.query_x = p.batch.query_x.clone();
  p.batch.query_x[0][0][0] = std::nan("");
  LeoOptions o = SmallOptions();
  Leo leo(p.net, false, o, p.init);
  const Params before_views = leo.parameters_list();
  std::vector<at::Tensor> before;
  for (const auto& t : before_views) before.push_back(t.detach().clone());
  const MetaStepStats stats = leo.MetaStep(p.batch, 0);
  EXPECT_FALSE(std::isfinite(stats.query_loss));
  const auto names = leo.ParameterNames();
  const Params after = leo.parameters_list();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const bool weight = names[i].rfind("leo/", 0) == 0 && names[i].find(".weight") != std::string::npos;
    if (!weight) {
      EXPECT_TRUE(at::equal(after[i], before[i])) << names[i] << " moved";
      continue;
    }
    // Adam's first step moves each weight by about meta-lr toward zero.
    const at::Tensor shrink = before[i].abs() - after[i].abs();
    EXPECT_NEAR(shrink.mean().item<double>(), o.adam.lr, 1e-5) << names[i];
  }
  o.stop_on_non_finite = true;
  Leo strict(p.net, false, o, p.init);
  EXPECT_THROW(strict.MetaStep(p.batch, 0), std::runtime_error);
}

// step-sizes: per-dimension gives α one entry per latent dimension and η one
// per decoded-head number (F for a class, F + 1 with its bias), all at their
// initial values; scalar one each.
TEST(Leo, StepSizesArePerDimensionOrScalar) {
  const Problem p = MakeConvProblem(2);
  for (bool biases : {false, true}) {
    for (bool per_dimension : {true, false}) {
      LeoOptions o = SmallOptions();
      o.per_dimension_lr = per_dimension;
      o.biases = biases;
      const Leo leo(p.net, true, o, p.init);
      const auto names = leo.ParameterNames();
      const Params params = leo.parameters_list();
      const int64_t alpha = std::find(names.begin(), names.end(), "leo/inner-lr") - names.begin();
      const int64_t eta = std::find(names.begin(), names.end(), "leo/finetune-lr") - names.begin();
      EXPECT_EQ(params[alpha].numel(), per_dimension ? 3 : 1);
      EXPECT_EQ(params[eta].numel(), per_dimension ? p.net->feature_dim() + (biases ? 1 : 0) : 1);
      EXPECT_TRUE(at::allclose(params[alpha], at::full_like(params[alpha], 0.3)));
      EXPECT_TRUE(at::allclose(params[eta], at::full_like(params[eta], 0.05)));
    }
  }
}

// deepmind/leo's modules (model.py): snt.Linear(num_latents, use_bias=False)
// for the encoder, snt.nets.MLP([2·num_latents] × 3, use_bias=False) for the
// relation net, snt.Linear(2·embedding_dim, use_bias=False) for the decoder,
// `leo_inner/lr` [num_latents] and `finetuning/lr` [embedding_dim]. Counted
// here from those shapes (H = Z in the reference; metarl's hidden-dim H may
// differ), with the biases metarl adds under biases: true.
TEST(Leo, ModulesHaveTheReferenceShapes) {
  const Problem p = MakeConvProblem(2);
  const int64_t f = p.net->feature_dim(), h = 4, z = 3;
  int64_t body = 0;  // the net's body (LEO generates the head instead)
  for (int64_t i = 0; i < p.net->num_body_params(); ++i) body += p.init[static_cast<std::size_t>(i)].numel();
  for (bool biases : {false, true}) {
    LeoOptions o = SmallOptions();  // latent-dim 3, hidden-dim 4
    o.biases = biases;
    const Leo leo(p.net, true, o, p.init);
    const int64_t head = f + (biases ? 1 : 0);  // decoded numbers per class
    int64_t expected = body + f * h + 2 * (2 * h) * (2 * h) + (2 * h) * (2 * z) + z * 2 * head + z + head;
    if (biases) expected += h + 2 * h + 2 * h + 2 * z + 2 * head;
    EXPECT_EQ(leo.flat().numel(), expected) << "biases " << biases;
    int64_t bias_tensors = 0;
    for (const auto& name : leo.ParameterNames()) {
      if (name.rfind("leo/", 0) == 0 && name.find(".bias") != std::string::npos) ++bias_tensors;
    }
    EXPECT_EQ(bias_tensors, biases ? 5 : 0);
    EXPECT_EQ(leo.group_params(), head);
  }
}

// init: glorot-uniform draws each weight [in, out] from U(±√(6 / (in + out)))
// (tf.initializers.glorot_uniform) and sets biases to 0; torch-linear draws
// both from U(±1/√in). Checked on the moments of the draws: all inside the
// bound, the largest near it, the variance near bound²/3.
TEST(Leo, InitialWeightsFollowTheChosenScheme) {
  const Problem p = MakeConvProblem(2);
  for (bool glorot : {true, false}) {
    LeoOptions o = SmallOptions();
    o.latent_dim = 16;
    o.hidden_dim = 16;
    o.biases = true;
    o.glorot_init = glorot;
    const Leo leo(p.net, true, o, p.init);
    const auto names = leo.ParameterNames();
    const Params params = leo.parameters_list();
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i].rfind("leo/", 0) != 0 || names[i].find("-lr") != std::string::npos) continue;
      const at::Tensor t = params[i].detach().to(at::kDouble);
      const bool bias = names[i].find(".bias") != std::string::npos;
      const at::Tensor& weight = params[bias ? i - 1 : i];
      const double in = static_cast<double>(weight.size(0)), out = static_cast<double>(weight.size(1));
      if (bias && glorot) {
        EXPECT_EQ(t.abs().max().item<double>(), 0.0) << names[i];
        continue;
      }
      const double bound = glorot ? std::sqrt(6.0 / (in + out)) : 1.0 / std::sqrt(in);
      EXPECT_LE(t.abs().max().item<double>(), bound) << names[i];
      if (t.numel() >= 200) {
        EXPECT_GT(t.abs().max().item<double>(), 0.9 * bound) << names[i];
        EXPECT_NEAR(t.pow(2).mean().item<double>(), bound * bound / 3.0, 0.2 * bound * bound / 3.0) << names[i];
      }
    }
  }
}

// codes: per-example draws a latent per support example from its class's
// distribution and averages the decoded weights over the class. Without
// sampling all of a class's rows start equal; the gradient reaching each of
// its K rows is 1/K of the class's, so every latent and fine-tuning step is
// the per-group step with α/K and η/K, and the KL and encoder penalties
// (means over equal rows) agree too: the objectives must be equal. K = 2 here.
TEST(Leo, PerExampleCodesTakeThePerGroupStepsOverK) {
  const Problem p = MakeConvProblem(2);
  ASSERT_EQ(p.batch.support_x.size(1), 2 * p.net->num_outputs());  // 2 shots
  LeoOptions o = SmallOptions();
  o.per_example_codes = true;
  const Leo per_example(p.net, true, o, p.init);
  o.per_example_codes = false;
  o.inner_lr /= 2.0;
  o.finetune_lr /= 2.0;
  const Leo per_group(p.net, true, o, p.init);
  ASSERT_TRUE(at::equal(per_example.flat().narrow(0, 0, per_example.flat().numel() - 3 - per_example.group_params()),
                        per_group.flat().narrow(0, 0, per_group.flat().numel() - 3 - per_group.group_params())));
  const double a = per_example.MetaObjective(p.batch, per_example.flat(), false, 0).item<double>();
  const double b = per_group.MetaObjective(p.batch, per_group.flat(), false, 0).item<double>();
  EXPECT_NEAR(a, b, 1e-10 * std::abs(b));
  // The same objective with the per-example steps of α and η (not α/K, η/K) differs.
  const Leo unscaled(p.net, true, [&] { LeoOptions u = o; u.inner_lr *= 2.0; u.finetune_lr *= 2.0; return u; }(),
                     p.init);
  EXPECT_GT(std::abs(unscaled.MetaObjective(p.batch, unscaled.flat(), false, 0).item<double>() - a), 1e-6);
}

// inner-loss: sum takes the gradients of the support loss summed over the S
// support examples (tf.gradients of the reference's per-example losses), S
// times those of the mean: the same objective as inner-loss: mean with α·S
// and η·S.
TEST(Leo, SummedInnerLossIsTheMeanWithStepsTimesTheSupportSize) {
  for (const Problem& p : {MakeProblem(3), MakeConvProblem(2)}) {
    const double s = static_cast<double>(p.batch.support_x.size(1));
    LeoOptions o = SmallOptions();
    o.sum_inner_loss = true;
    const Leo sum(p.net, p.classification, o, p.init);
    o.sum_inner_loss = false;
    o.inner_lr *= s;
    o.finetune_lr *= s;
    const Leo mean(p.net, p.classification, o, p.init);
    const int64_t steps = sum.flat().numel() - mean.flat().numel();
    ASSERT_EQ(steps, 0);
    const double a = sum.MetaObjective(p.batch, sum.flat(), false, 0).item<double>();
    const double b = mean.MetaObjective(p.batch, mean.flat(), false, 0).item<double>();
    EXPECT_NEAR(a, b, 1e-10 * std::abs(b)) << (p.classification ? "conv net" : "MLP");
  }
}

// The meta-gradient clipping of deepmind/leo's runner.py: each element to
// ±0.1 (tf.clip_by_value), then each tensor to the norm 0.1
// (tf.clip_by_norm), then (metarl's own) the whole to max-grad-norm.
// Expected values by hand for a gradient of a constant c in every element of
// a tensor of n elements: clipped to c' = min(c, 0.1), then scaled to
// 0.1/√n when c'·√n > 0.1.
TEST(Leo, MetaGradientIsClippedByValueThenPerTensor) {
  const Problem p = MakeProblem(3);
  LeoOptions o = SmallOptions();
  const Leo leo(p.net, false, o, p.init);
  const Params params = leo.parameters_list();
  std::vector<at::Tensor> parts;
  std::vector<double> expected;
  const double values[] = {0.001, 0.05, 3.0, -7.0};
  for (std::size_t i = 0; i < params.size(); ++i) {
    const double c = values[i % 4];
    const double n = static_cast<double>(params[i].numel());
    parts.push_back(at::full({params[i].numel()}, c, leo.flat().options()));
    const double clipped = std::min(std::abs(c), 0.1);
    const double scaled = clipped * std::sqrt(n) > 0.1 ? 0.1 / std::sqrt(n) : clipped;
    expected.push_back(c < 0 ? -scaled : scaled);
  }
  const at::Tensor g = leo.ClipMetaGradient(at::cat(parts));
  int64_t offset = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const at::Tensor part = g.narrow(0, offset, params[i].numel());
    EXPECT_NEAR(part.min().item<double>(), expected[i], 1e-12 + 1e-9 * std::abs(expected[i])) << i;
    EXPECT_NEAR(part.max().item<double>(), expected[i], 1e-12 + 1e-9 * std::abs(expected[i])) << i;
    offset += params[i].numel();
  }
  // max-grad-norm then bounds the whole.
  o.max_grad_norm = 0.05;
  const Leo global(p.net, false, o, p.init);
  EXPECT_NEAR(global.ClipMetaGradient(at::cat(parts)).norm().item<double>(), 0.05, 1e-12);
  // Both off: unchanged.
  o.max_grad_norm = o.grad_clip_value = o.grad_clip_tensor_norm = 0.0;
  const Leo off(p.net, false, o, p.init);
  EXPECT_TRUE(at::equal(off.ClipMetaGradient(at::cat(parts)), at::cat(parts)));
}

// dropout: the meta-training objective drops features with fresh masks from
// the noise seed (so it changes with the seed even without sampling, and its
// gradient is still exact for a fixed seed); without dropout it does not
// depend on the seed; evaluation never drops.
TEST(Leo, DropoutMasksTheTrainingObjectiveOnly) {
  const Problem p = MakeProblem(3);
  LeoOptions o = SmallOptions();  // sample: false
  o.encoder_penalty = 0.0;
  const Leo plain(p.net, false, o, p.init);
  EXPECT_EQ(plain.MetaObjective(p.batch, plain.flat(), false, 1).item<double>(),
            plain.MetaObjective(p.batch, plain.flat(), false, 2).item<double>());
  o.dropout = 0.5;
  const Leo leo(p.net, false, o, p.init);
  const double a = leo.MetaObjective(p.batch, leo.flat(), false, 1).item<double>();
  const double b = leo.MetaObjective(p.batch, leo.flat(), false, 2).item<double>();
  EXPECT_NE(a, b);
  const at::Tensor g = torch::autograd::grad({leo.MetaObjective(p.batch, leo.flat(), false, 3)}, {leo.flat()})[0];
  const at::Tensor fd = CentralDifferences(leo.flat().detach().clone(), [&](const at::Tensor& x) {
    return leo.MetaObjective(p.batch, x.clone().requires_grad_(true), false, 3).item<double>();
  });
  EXPECT_LT(RelativeError(g, fd), 1e-4);
  // Evaluation: the same curve with and without dropout configured.
  const AdaptationCurve with = leo.Evaluate(p.batch, 3), without = plain.Evaluate(p.batch, 3);
  for (std::size_t s = 0; s < with.query_loss.size(); ++s) EXPECT_TRUE(at::equal(with.query_loss[s], without.query_loss[s]));
}

TEST(Leo, RejectsBadOptions) {
  LeoOptions o;
  o.inner_steps = 0;
  o.finetune_steps = 0;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
  o = LeoOptions{};
  o.kl_weight = -1.0;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
  o = LeoOptions{};
  o.latent_dim = 0;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
  o = LeoOptions{};
  o.dropout = 1.0;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
  o = LeoOptions{};
  o.grad_clip_value = -1.0;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
  for (const char* bad : {"kl-estimate: exact\n", "on-non-finite: ignore\n", "step-sizes: vector\n", "codes: per-class\n",
                          "inner-loss: max\n", "init: xavier\n"}) {
    ConfigMap config = ConfigMap::FromString(bad, "test");
    LeoOptions read;
    EXPECT_THROW(read.Read(config), std::invalid_argument) << bad;
  }
}

// Seeded learning test: LEO on 10-shot sinusoids with a 1-40-40 feature
// extractor. Measured: query MSE of the generated-and-adapted head on 200
// held-out tasks drops from 4.06 at initialisation to 0.35 after 400
// meta-iterations of 10 tasks (1.6 s); the bound (half) leaves a wide margin.
TEST(Leo, LearnsTheSinusoid) {
  MlpNetOptions no;
  no.hidden_sizes = {40, 40};
  auto net = std::make_shared<MlpNet>(1, 1, no);
  Rng rng(1);
  const Params init = net->Init(rng);
  LeoOptions o;
  o.latent_dim = 16;
  o.hidden_dim = 16;
  o.inner_steps = 3;
  o.inner_lr = 0.1;
  o.finetune_steps = 2;
  o.finetune_lr = 0.01;
  o.seed = 1;
  Leo leo(net, false, o, init);
  envs::fewshot::SinusoidOptions so;
  so.shots = 10;
  so.query = 10;
  const envs::fewshot::SinusoidTasks tasks(so);
  Rng test_rng(99);
  const EpisodeBatch held_out = tasks.Sample(200, envs::fewshot::Split::kTest, test_rng);
  const auto mse = [&] { return leo.Evaluate(held_out, 5).query_loss.back().mean().item<double>(); };
  const double initial = mse();
  for (int i = 0; i < 400; ++i) leo.MetaStep(tasks.Sample(10, envs::fewshot::Split::kTrain, rng), i);
  const double trained = mse();
  std::printf("LEO sinusoid: held-out MSE %.3f -> %.3f\n", initial, trained);
  EXPECT_LT(trained, 0.5 * initial);
}

}  // namespace
}  // namespace metarl::algorithms::fewshot
