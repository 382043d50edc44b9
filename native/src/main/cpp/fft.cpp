#include "fft.h"
#include "fft_plans.h"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>

namespace pclean {

namespace {
// FFTW's planner is not thread-safe; execution is.
std::mutex plannerMutex;

void checkSize(int ny, int nx) {
  if (ny < 1 || nx < 1) throw std::invalid_argument("FFT size must be positive, got " + std::to_string(ny) + "x" + std::to_string(nx));
}

template <typename MakePlan>
void runPlan(MakePlan make) {
  fftwf_plan plan;
  {
    std::lock_guard<std::mutex> lock(plannerMutex);
    plan = make();
  }
  if (!plan) throw std::runtime_error("FFTW could not make a plan");
  fftwf_execute(plan);
  std::lock_guard<std::mutex> lock(plannerMutex);
  fftwf_destroy_plan(plan);
}

struct PlanKey {
  int n, howmany, stride, dist, nthreads;
  bool forward;
  bool operator<(const PlanKey& o) const {
    return std::tie(n, howmany, stride, dist, nthreads, forward) <
           std::tie(o.n, o.howmany, o.stride, o.dist, o.nthreads, o.forward);
  }
};
}  // namespace

void fftBatch(std::complex<float>* data, int n, int howmany, int stride, int dist, bool forward, int nthreads) {
  if (howmany == 0) return;
  checkSize(n, howmany);
  static std::map<PlanKey, fftwf_plan> plans;  // guarded by plannerMutex; kept for the process's life
  auto* c = reinterpret_cast<fftwf_complex*>(data);
  fftwf_plan plan;
  {
    std::lock_guard<std::mutex> lock(plannerMutex);
    static const bool threaded = fftwf_init_threads() != 0;
    PlanKey key{n, howmany, stride, dist, threaded ? nthreads : 1, forward};
    auto it = plans.find(key);
    if (it == plans.end()) {
      fftwf_plan_with_nthreads(key.nthreads);
      // ESTIMATE leaves the array untouched while planning; UNALIGNED lets the plan run at any offset of a grid.
      plan = fftwf_plan_many_dft(1, &n, howmany, c, nullptr, stride, dist, c, nullptr, stride, dist,
                                 forward ? FFTW_FORWARD : FFTW_BACKWARD, FFTW_ESTIMATE | FFTW_UNALIGNED);
      fftwf_plan_with_nthreads(1);  // the per-call plans of this file stay single-threaded
      if (!plan) throw std::runtime_error("FFTW could not make a plan");
      it = plans.emplace(key, plan).first;
    }
    plan = it->second;
  }
  fftwf_execute_dft(plan, c, c);
}

void fft2dComplex(float* data, int ny, int nx, bool forward) {
  checkSize(ny, nx);
  auto* c = reinterpret_cast<fftwf_complex*>(data);
  runPlan([&] { return fftwf_plan_dft_2d(ny, nx, c, c, forward ? FFTW_FORWARD : FFTW_BACKWARD, FFTW_ESTIMATE); });
}

void fft2dRealForward(const float* in, float* out, int ny, int nx) {
  checkSize(ny, nx);
  auto* o = reinterpret_cast<fftwf_complex*>(out);
  // FFTW_ESTIMATE never overwrites the input of an out-of-place r2c transform.
  runPlan([&] { return fftwf_plan_dft_r2c_2d(ny, nx, const_cast<float*>(in), o, FFTW_ESTIMATE); });
}

void fft2dRealBackward(float* in, float* out, int ny, int nx) {
  checkSize(ny, nx);
  auto* i = reinterpret_cast<fftwf_complex*>(in);
  runPlan([&] { return fftwf_plan_dft_c2r_2d(ny, nx, i, out, FFTW_ESTIMATE); });
}

}  // namespace pclean
