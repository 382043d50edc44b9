#include "wgridder.h"

#include <fftw3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <thread>
#include <vector>

#include "fft_plans.h"
#include "gridder.h"

namespace pclean {

namespace {

constexpr double kSpeedOfLight = 299792458.0;
constexpr double kUpsampling = 2.0;  // grid / image size, and the w-plane sampling relative to the w band
constexpr int kTile = 16;            // tile side in cells; same-coloured tiles are 2 apart, so W <= kTile + 1
constexpr int kMaxSupport = 8;
constexpr double kWgridMinEpsilon = 1e-6;  // single-precision grids reach no further
constexpr double kWgridMaxEpsilon = 1e-1;

using cfloat = std::complex<float>;
// kMaxSupport floats: one AVX register (two SSE ones on the baseline target). v8fu may sit at any float address.
typedef float v8f __attribute__((vector_size(32)));
typedef float v8fu __attribute__((vector_size(32), aligned(4)));

// The exponential-of-semicircle kernel psi(d) = exp(beta (sqrt(1 - (2d/W)^2) - 1)), d in cells, |d| <= W/2.
// The W taps at offsets f + k - W/2 (f in [0, 1), the distance from the first tap) are evaluated as W polynomials
// in f, fitted once by Chebyshev interpolation: a few fused multiply-adds per tap instead of an exp and a sqrt.
class EsKernel {
 public:
  EsKernel(int support, double beta) : w_(support), beta_(beta), degree_(degreeFor(support)) {
    coef_.assign(size_t(degree_ + 1) * kMaxSupport, 0.0);
    const int nodes = degree_ + 1;
    for (int k = 0; k < w_; ++k) {
      std::vector<double> cheb(nodes, 0.0);
      for (int m = 0; m < nodes; ++m) {
        double theta = M_PI * (m + 0.5) / nodes;
        double g = value((std::cos(theta) + 1) / 2 + k - w_ / 2.0);
        for (int n = 0; n < nodes; ++n) cheb[n] += 2.0 / nodes * g * std::cos(n * theta);
      }
      cheb[0] /= 2;
      // Chebyshev series in y = 2f - 1 to monomials, by T_{n+1} = 2y T_n - T_{n-1}.
      std::vector<double> tPrev(nodes, 0.0), t(nodes, 0.0), mono(nodes, 0.0);
      tPrev[0] = 1;
      t[1 % nodes] = nodes > 1 ? 1 : 0;
      mono[0] += cheb[0];
      if (nodes > 1) mono[1] += cheb[1];
      for (int n = 2; n < nodes; ++n) {
        std::vector<double> next(nodes, 0.0);
        for (int i = 0; i < nodes; ++i) next[i] = (i > 0 ? 2 * t[i - 1] : 0.0) - tPrev[i];
        for (int i = 0; i < nodes; ++i) mono[i] += cheb[n] * next[i];
        tPrev.swap(t);
        t.swap(next);
      }
      for (int n = 0; n < nodes; ++n) coef_[size_t(n) * kMaxSupport + k] = mono[n];
    }
    coefFloat_.assign(coef_.begin(), coef_.end());
    makeQuadrature();
  }

  int support() const { return w_; }
  double beta() const { return beta_; }

  // The exact kernel at offset d cells.
  double value(double d) const {
    double z = 2 * d / w_;
    return std::abs(z) < 1 ? std::exp(beta_ * (std::sqrt(1 - z * z) - 1)) : 0.0;
  }

  // The W taps for the first-tap distance f in [0, 1), and zeros up to kMaxSupport, as one vector. D: the degree, a
  // constant so the steps unroll. Horner on y^2 for the even and the odd powers apart: two chains of half the
  // length, since the loops wait on this latency. (An out parameter: returning a vector type would change the ABI
  // between the two compiled targets.)
  template <int D>
  __attribute__((always_inline)) void taps(float f, v8f& out) const {
    const float y = 2 * f - 1, y2 = y * y;
    const v8fu* c = reinterpret_cast<const v8fu*>(coefFloat_.data());  // c[n]: the taps' coefficients of y^n
    constexpr int top = D & ~1, topOdd = (D & 1) ? D : D - 1;
    v8f even = c[top], odd = c[topOdd];
    for (int n = top - 2; n >= 0; n -= 2) even = even * y2 + c[n];
    for (int n = topOdd - 2; n >= 1; n -= 2) odd = odd * y2 + c[n];
    out = even + odd * y;
  }

  // Tap k alone (the w direction, where one plane needs one tap), the same way.
  template <int D>
  __attribute__((always_inline)) float tap(float f, int k) const {
    const float y = 2 * f - 1, y2 = y * y;
    const float* c = coefFloat_.data() + k;
    auto at = [c](int n) { return c[size_t(n) * kMaxSupport]; };
    constexpr int top = D & ~1, topOdd = (D & 1) ? D : D - 1;
    float even = at(top), odd = at(topOdd);
    for (int n = top - 2; n >= 0; n -= 2) even = even * y2 + at(n);
    for (int n = topOdd - 2; n >= 1; n -= 2) odd = odd * y2 + at(n);
    return even + odd * y;
  }

  // The polynomials' degree for a support of W cells.
  static constexpr int degreeFor(int support) { return support + 3; }

  // The kernel's Fourier transform, integral psi(d) exp(-2 pi i d xi) dd, by Gauss-Legendre quadrature.
  double fourier(double xi) const {
    double s = 0;
    for (size_t q = 0; q < nodeAt_.size(); ++q) s += weightedValue_[q] * std::cos(2 * M_PI * nodeAt_[q] * xi);
    return s;
  }

 private:
  // Nodes on [0, W/2] (the kernel is even: twice the half integral).
  void makeQuadrature() {
    const int n = 4 * w_ + 16;
    for (int i = 0; i < n; ++i) {
      double z = std::cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 1;
      for (int iter = 0; iter < 100; ++iter) {
        double p1 = 1, p2 = 0;
        for (int j = 1; j <= n; ++j) {
          double p3 = p2;
          p2 = p1;
          p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
        }
        dp = n * (z * p1 - p2) / (z * z - 1);
        double dz = p1 / dp;
        z -= dz;
        if (std::abs(dz) < 1e-15) break;
      }
      double weight = 2 / ((1 - z * z) * dp * dp);
      double d = (z + 1) * w_ / 4;
      nodeAt_.push_back(d);
      weightedValue_.push_back(2 * weight * w_ / 4 * value(d));
    }
  }

  int w_;
  double beta_;
  int degree_;
  std::vector<float> coefFloat_;  // the same in single precision, kMaxSupport taps (one vector) per power
  std::vector<double> coef_;  // [n * kMaxSupport + k]: coefficient of y^n of tap k (0 for k >= W)
  std::vector<double> nodeAt_, weightedValue_;
};

// Support from the accuracy at 2x upsampling (Barnett et al. 2019: the error falls ~10x per added cell), and
// beta = 2.3 W, their optimum for that upsampling.
int supportFor(double epsilon) { return std::min(kMaxSupport, int(std::ceil(std::log10(1 / epsilon))) + 1); }
double betaFor(int support) { return 2.3 * support; }

struct Layout {
  int support;  // kernel cells, in u, v and (when stacked) w
  int nx, ny, ngx, ngy, ntu, ntv;
  double cellx, celly, du, dv;
  int planes = 1;     // 1: w ignored
  double wlo = 0;     // the smallest folded w, wavelengths; plane p sits at wlo + (p - support/2) dw
  double dw = 0;      // plane spacing, wavelengths
  double nm1min = 0;  // the most negative n - 1 in the image
  int wsupport() const { return planes > 1 ? support : 1; }
  double planeW(int p) const { return wlo + (p - support / 2.0) * dw; }
};

// w range [lo, hi] of either sign, folded to |w|.
void foldRange(double lo, double hi, double& flo, double& fhi) {
  if (lo <= 0 && hi >= 0) {
    flo = 0;
    fhi = std::max(-lo, hi);
  } else if (hi < 0) {
    flo = -hi;
    fhi = -lo;
  } else {
    flo = lo;
    fhi = hi;
  }
}

void dataRange(const double* uvw, long long nrow, const double* freq, int nchan, double& lo, double& hi) {
  lo = 0;
  hi = 0;
  if (nrow == 0 || nchan == 0) return;
  double smin = *std::min_element(freq, freq + nchan) / kSpeedOfLight;
  double smax = *std::max_element(freq, freq + nchan) / kSpeedOfLight;
  lo = std::numeric_limits<double>::max();
  hi = -lo;
  for (long long r = 0; r < nrow; ++r)
    for (double s : {smin, smax}) {
      lo = std::min(lo, uvw[3 * r + 2] * s);
      hi = std::max(hi, uvw[3 * r + 2] * s);
    }
}

void checkInputs(int nx, int ny, double cellx, double celly, double epsilon) {
  if (nx < 2 || ny < 2 || (nx & 1) || (ny & 1))
    throw std::invalid_argument("image must be even and at least 2x2, got " + std::to_string(nx) + "x" +
                                std::to_string(ny));
  if (!(cellx > 0) || !(celly > 0)) throw std::invalid_argument("cell sizes must be positive");
  if (!(epsilon >= kWgridMinEpsilon && epsilon <= kWgridMaxEpsilon))
    throw std::invalid_argument("epsilon must lie in [" + std::to_string(kWgridMinEpsilon) + ", " +
                                std::to_string(kWgridMaxEpsilon) + "] for single-precision grids, got " +
                                std::to_string(epsilon));
}

Layout makeLayout(const EsKernel& kernel, double epsilon, int nx, int ny, double cellx, double celly, double wmin,
                  double wmax) {
  Layout g;
  g.support = kernel.support();
  g.nx = nx;
  g.ny = ny;
  g.cellx = cellx;
  g.celly = celly;
  g.ngx = std::max(paddedSize(nx, kUpsampling), 2 * kTile);
  g.ngy = std::max(paddedSize(ny, kUpsampling), 2 * kTile);
  g.du = 1.0 / (g.ngx * cellx);
  g.dv = 1.0 / (g.ngy * celly);
  g.ntu = (g.ngx - 1) / kTile + 1;
  g.ntv = (g.ngy - 1) / kTile + 1;
  double l = nx / 2 * cellx, m = ny / 2 * celly, r2 = l * l + m * m;
  g.nm1min = r2 < 1 ? std::sqrt(1 - r2) - 1 : -1;
  double wlo, whi;
  foldRange(wmin, wmax, wlo, whi);
  // Ignoring w costs at most 2 pi |w| |n - 1| of a visibility's phase.
  if (2 * M_PI * whi * -g.nm1min > epsilon) {
    g.dw = 1 / (2 * kUpsampling * -g.nm1min);
    g.wlo = wlo;
    g.planes = int(std::ceil((whi - wlo) / g.dw)) + kernel.support();
  }
  return g;
}

// A channel's factors from metres to grid cells (u, v) and to w planes, and to wavelengths (w).
struct ChannelScales {
  std::vector<double> u, v, plane, lambda;
  ChannelScales(const Layout& g, const double* freq, int nchan) : u(nchan), v(nchan), plane(nchan), lambda(nchan) {
    for (int ch = 0; ch < nchan; ++ch) {
      lambda[ch] = freq[ch] / kSpeedOfLight;
      u[ch] = lambda[ch] / g.du;
      v[ch] = lambda[ch] / g.dv;
      plane[ch] = g.planes > 1 ? lambda[ch] / g.dw : 0.0;
    }
  }
};

// One sample in grid coordinates: first taps (cells) and distances to them, first w plane and distance.
struct Coord {
  int iu, iv, ip;
  float fu, fv, fp;
};

// Whether a row's samples are folded to w >= 0 (at -uvw, their visibilities conjugated): every channel of a row
// has the sign of its w in metres.
inline bool folded(const double* rowUvw) { return rowUvw[2] < 0; }

[[noreturn]] __attribute__((noinline, cold)) void outsideWRange(double w) {
  throw std::invalid_argument("w = " + std::to_string(w) + " wavelengths lies outside the w range the planes were" +
                              " made for; pass the range of all samples");
}

// False when the kernel leaves the grid, or (outsideW set to the sample's w in wavelengths) when w lies outside
// the planes' range. Bucketing and gridding both call this, so a sample's tile is the same. It throws nothing:
// the passes that call it are target_clones functions, and GCC 12 ends the process when an exception leaves one
// (measured: a catch inside the clone does not help), so bucketing reports outsideW and its caller throws.
__attribute__((always_inline)) inline bool coordOf(const Layout& g, const ChannelScales& sc, const double* uvw, int ch,
                                                   Coord& c, double& outsideW) {
  const int support = g.support;
  double u = uvw[0], v = uvw[1], w = uvw[2];
  if (folded(uvw)) {
    u = -u;
    v = -v;
    w = -w;
  }
  // -u: the image x axis runs toward decreasing RA (as gridder.cpp).
  double x = -u * sc.u[ch] + (g.ngx / 2 - support / 2.0), y = v * sc.v[ch] + (g.ngy / 2 - support / 2.0);
  double cx = std::ceil(x), cy = std::ceil(y);
  if (!(cx >= 0 && cy >= 0 && cx + support <= g.ngx && cy + support <= g.ngy)) return false;
  c.iu = int(cx);
  c.iv = int(cy);
  c.fu = float(cx - x);
  c.fv = float(cy - y);
  c.ip = 0;
  c.fp = 0;
  if (g.planes > 1) {
    double j = w * sc.plane[ch] - g.wlo / g.dw, cp = std::ceil(j);
    int last = g.planes - support;
    // The given range may differ from the samples' by rounding: clamp within a thousandth of a plane.
    if (cp > last && j - last < 1e-3) cp = last;
    if (cp < 0 && j > -1e-3) cp = 0;
    if (cp < 0 || cp > last) {
      outsideW = w * sc.lambda[ch];
      return false;
    }
    c.ip = int(cp);
    c.fp = float(cp - j);
  }
  return true;
}

// channels [ch0, ch1) of a row that share a bucket.
struct Run {
  uint32_t row;
  uint16_t ch0, ch1;
};

// The samples bucketed by (first w plane, v tile, u tile), each bucket in row order.
struct Buckets {
  std::vector<size_t> start;  // bucket b holds runs[start[b] .. start[b + 1])
  std::unique_ptr<Run[]> runs;
  size_t nruns = 0;
  std::vector<size_t> firstSample;  // the bucket-ordered position of bucket b's first sample (samples of a run
                                    // follow each other), and the number of samples at the end
  double sumWeights = 0;
  int rowLo = 0, rowHi = 0;  // the grid rows the samples' kernels touch
  size_t bucket(const Layout& g, int plane, int tv, int tu) const { return (size_t(plane) * g.ntv + tv) * g.ntu + tu; }
};

// body(i) for i in [0, n) on up to nthreads threads. The first exception a body throws (an allocation, say) is
// rethrown here once every thread has stopped, so it reaches Java as the caller's error instead of ending the
// process from a thread of its own. (Not from inside a target_clones function: see coordOf.)
template <typename F>
void parallelFor(int nthreads, size_t n, F body) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex failureLock;
  auto work = [&] {
    try {
      for (size_t i; (i = next.fetch_add(1)) < n;) body(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failureLock);
      if (!failure) failure = std::current_exception();
      next = n;  // the others stop at their next item
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < nthreads && size_t(t) < n; ++t) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
}

// The rows bucketing reads: weight == nullptr buckets every sample on the grid (predict); otherwise those with
// weight > 0.
struct RowsToBucket {
  const Layout& g;
  const ChannelScales& sc;
  const double* uvw;
  long long nrow;
  int nchan;
  const float* weight;
  static constexpr long long kBlock = 4096;  // rows whose weight sum is one partial sum
};

// The runs of block b of rows, in row and channel order: emit(key, run). Returns the block's weight sum; a sample
// whose w lies outside the planes' range sets outsideW (NaN while none has).
template <typename Emit>
__attribute__((always_inline)) inline double forRunsOfBlock(const RowsToBucket& in, size_t b, double& outsideW,
                                                            Emit&& emit) {
  const Layout& g = in.g;
  const int nchan = in.nchan;
  double sum = 0;
  for (long long r = b * in.kBlock; r < std::min(in.nrow, (long long)(b + 1) * in.kBlock); ++r) {
    uint32_t key = 0;
    int ch0 = -1, ch1 = -1;
    for (int ch = 0; ch < nchan; ++ch) {
      if (in.weight && !(in.weight[r * nchan + ch] > 0)) continue;
      Coord c{};
      if (!coordOf(g, in.sc, in.uvw + 3 * r, ch, c, outsideW)) continue;
      if (in.weight) sum += in.weight[r * nchan + ch];
      const uint32_t k = uint32_t((size_t(c.ip) * g.ntv + c.iv / kTile) * g.ntu + c.iu / kTile);
      if (ch0 >= 0 && k == key && ch1 == ch) {
        ch1 = ch + 1;
        continue;
      }
      if (ch0 >= 0) emit(key, Run{uint32_t(r), uint16_t(ch0), uint16_t(ch1)});
      key = k;
      ch0 = ch;
      ch1 = ch + 1;
    }
    if (ch0 >= 0) emit(key, Run{uint32_t(r), uint16_t(ch0), uint16_t(ch1)});
  }
  return sum;
}

// Bucketing's first pass over blocks [b0, b1): each bucket's runs, each block's weight sum. uint32 counts: with
// channels in frequency order a row's track crosses a tile once, so a bucket gets at most one run a row.
// Returns NaN, or the w (wavelengths) of a sample outside the planes' range.
__attribute__((target_clones("arch=x86-64-v3", "default"))) double countRuns(const RowsToBucket& in, size_t b0,
                                                                             size_t b1, uint32_t* runs,
                                                                             double* sums) {
  double outsideW = std::numeric_limits<double>::quiet_NaN();
  for (size_t b = b0; b < b1 && std::isnan(outsideW); ++b)
    sums[b] = forRunsOfBlock(in, b, outsideW, [&](uint32_t key, const Run&) { ++runs[key]; });
  return outsideW;
}

// Its second pass: the same runs, each written to out[fill[key]++].
__attribute__((target_clones("arch=x86-64-v3", "default"))) void placeRuns(const RowsToBucket& in, size_t b0,
                                                                           size_t b1, size_t* fill, Run* out) {
  double outsideW = 0;  // never set: the first pass found every sample inside
  for (size_t b = b0; b < b1; ++b)
    forRunsOfBlock(in, b, outsideW, [&](uint32_t key, const Run& run) { out[fill[key]++] = run; });
}

// Two passes over the rows, each thread on a contiguous range of them: the first counts each bucket's runs, the
// second computes the same runs again and writes each straight to its place. Nothing is stored
// between the passes (storing the runs cost more in page faults than computing them twice), and because thread
// t's rows precede thread t+1's, every bucket's runs are in row order whatever the number of threads.
Buckets makeBuckets(const Layout& g, const ChannelScales& sc, const double* uvw, long long nrow, int nchan,
                    const float* weight, int nthreads) {
  if (nrow > std::numeric_limits<uint32_t>::max() || nchan > std::numeric_limits<uint16_t>::max())
    throw std::invalid_argument("too many rows or channels for one gridder call");
  const RowsToBucket in{g, sc, uvw, nrow, nchan, weight};
  const size_t nbuckets = size_t(g.planes) * g.ntv * g.ntu;
  const size_t nblocks = size_t((nrow + in.kBlock - 1) / in.kBlock);
  const int nt = int(std::max<size_t>(1, std::min<size_t>(size_t(nthreads), nblocks)));
  auto firstBlock = [&](size_t t) { return nblocks * t / nt; };
  std::vector<double> sums(nblocks, 0.0);
  std::vector<std::vector<uint32_t>> runCount(nt);
  std::vector<double> outsideW(nt);
  parallelFor(nt, size_t(nt), [&](size_t t) {
    runCount[t].assign(nbuckets, 0);
    outsideW[t] = countRuns(in, firstBlock(t), firstBlock(t + 1), runCount[t].data(), sums.data());
  });
  for (double w : outsideW)
    if (!std::isnan(w)) outsideWRange(w);
  Buckets bk;
  bk.start.assign(nbuckets + 1, 0);
  // fill[t][b]: where thread t writes bucket b's next run (its runs follow those of threads before it).
  std::vector<std::vector<size_t>> fill(nt, std::vector<size_t>(nbuckets));
  for (size_t b = 0; b < nbuckets; ++b) {
    size_t at = bk.start[b];
    for (int t = 0; t < nt; ++t) {
      fill[t][b] = at;
      at += runCount[t][b];
    }
    bk.start[b + 1] = at;
  }
  runCount.clear();
  bk.nruns = bk.start[nbuckets];
  bk.runs.reset(new Run[bk.nruns]);  // uninitialised: the second pass writes every element
  parallelFor(nt, size_t(nt), [&](size_t t) {
    placeRuns(in, firstBlock(t), firstBlock(t + 1), fill[t].data(), bk.runs.get());
  });
  fill.clear();
  for (double s : sums) bk.sumWeights += s;
  // Each bucket's samples (in blocks of buckets, on all threads), then their running sum.
  bk.firstSample.assign(nbuckets + 1, 0);
  const size_t span = 4096;
  parallelFor(nthreads, (nbuckets + span - 1) / span, [&](size_t k) {
    for (size_t b = k * span; b < std::min(nbuckets, (k + 1) * span); ++b) {
      size_t n = 0;
      for (size_t i = bk.start[b]; i < bk.start[b + 1]; ++i) n += bk.runs[i].ch1 - bk.runs[i].ch0;
      bk.firstSample[b + 1] = n;
    }
  });
  for (size_t b = 0; b < nbuckets; ++b) bk.firstSample[b + 1] += bk.firstSample[b];
  int tvLo = g.ntv, tvHi = -1;
  for (size_t b = 0; b < nbuckets; ++b)
    if (bk.start[b + 1] > bk.start[b]) {
      int tv = int(b / g.ntu % g.ntv);
      tvLo = std::min(tvLo, tv);
      tvHi = std::max(tvHi, tv);
    }
  if (tvHi >= 0) {
    bk.rowLo = tvLo * kTile;
    bk.rowHi = std::min(g.ngy, tvHi * kTile + kTile + kMaxSupport);
  }
  return bk;
}

// The tiles holding samples that touch plane p, split into four colours of tiles two apart (whose buffers never
// overlap, so a colour's tiles are added to the grid concurrently without locks).
std::vector<std::vector<int>> tilesOfPlane(const Layout& g, const Buckets& bk, int p) {
  std::vector<std::vector<int>> colours(4);
  const int wsup = g.wsupport();
  for (int tv = 0; tv < g.ntv; ++tv)
    for (int tu = 0; tu < g.ntu; ++tu) {
      bool any = false;
      for (int p0 = std::max(0, p - wsup + 1); p0 <= p && !any; ++p0) {
        size_t b = bk.bucket(g, p0, tv, tu);
        any = bk.start[b + 1] > bk.start[b];
      }
      if (any) colours[(tv & 1) * 2 + (tu & 1)].push_back(tv * g.ntu + tu);
    }
  return colours;
}

// A tile's window of the grid, planar (re and im apart) so the tap loops vectorise; wide enough for padded taps.
struct TileBuffer {
  int side;
  std::vector<float> re, im;
  TileBuffer() : side(kTile + kMaxSupport), re(size_t(side) * side), im(size_t(side) * side) {}
};

// The samples of a tile that touch plane p: body(coord, bucket-ordered position, w tap weight). Inlined into the
// kernels below. A tile's runs are rows far apart, so their uvw is prefetched a few runs ahead.
template <int W, typename F>
__attribute__((always_inline)) inline void forSamplesOfTile(const Layout& g, const Buckets& bk, const EsKernel& kernel,
                                                            const ChannelScales& sc, const double* uvw, int p,
                                                            int tile, F body) {
  constexpr size_t kAhead = 8;
  const int wsup = g.wsupport();
  const int tv = tile / g.ntu, tu = tile % g.ntu;
  for (int p0 = std::max(0, p - wsup + 1); p0 <= p; ++p0) {
    const size_t b = bk.bucket(g, p0, tv, tu);
    size_t at = bk.firstSample[b];
    for (size_t i = bk.start[b]; i < bk.start[b + 1]; ++i) {
      if (i + kAhead < bk.nruns) __builtin_prefetch(uvw + 3 * size_t(bk.runs[i + kAhead].row));
      const Run& run = bk.runs[i];
      const double* rowUvw = uvw + 3 * size_t(run.row);
      for (int ch = run.ch0; ch < run.ch1; ++ch, ++at) {
        Coord c{};
        double outsideW = 0;  // never set: bucketed samples are inside
        coordOf(g, sc, rowUvw, ch, c, outsideW);
        float kw = g.planes > 1 ? kernel.tap<EsKernel::degreeFor(W)>(c.fp, p - c.ip) : 1.0f;
        body(c, at, kw);
      }
    }
  }
}

// Every bucketed sample once, in bucket order: body(row, channel, bucket-ordered position). For the passes that
// move data between the caller's sample order and bucket order (once a call, not once a plane).
template <typename F>
void forBucketedSamples(const Buckets& bk, int nthreads, F body) {
  const size_t nbuckets = bk.start.size() - 1, block = 256;
  parallelFor(nthreads, (nbuckets + block - 1) / block, [&](size_t k) {
    for (size_t b = k * block; b < std::min(nbuckets, (k + 1) * block); ++b) {
      size_t at = bk.firstSample[b];
      for (size_t i = bk.start[b]; i < bk.start[b + 1]; ++i)
        for (int ch = bk.runs[i].ch0; ch < bk.runs[i].ch1; ++ch, ++at) body(bk.runs[i].row, ch, at);
    }
  });
}

// What a tile kernel reads.
struct TileInputs {
  const Layout& g;
  const Buckets& bk;
  const EsKernel& kernel;
  const ChannelScales& scales;
  const double* uvw;
};

// The hot loops for a support of W cells (a constant, so the kernel rows and Horner steps unroll). The u taps are
// one vector of kMaxSupport (zeros beyond W), so a kernel row is one vector multiply-add into the planar buffer.
// sorted: the weighted visibilities (conjugated where w was folded) in bucket order.
template <int W>
__attribute__((always_inline)) inline void gridTileOf(const TileInputs& in, const cfloat* sorted, int p, int tile,
                                                      TileBuffer& buf) {
  constexpr int D = EsKernel::degreeFor(W);
  const int side = buf.side;
  const int u0 = (tile % in.g.ntu) * kTile, v0 = (tile / in.g.ntu) * kTile;
  float* re = buf.re.data();
  float* im = buf.im.data();
  std::fill(buf.re.begin(), buf.re.end(), 0.0f);
  std::fill(buf.im.begin(), buf.im.end(), 0.0f);
  forSamplesOfTile<W>(in.g, in.bk, in.kernel, in.scales, in.uvw, p, tile, [&](const Coord& c, size_t at, float kw) {
                        v8f fu, kv;
                        in.kernel.taps<D>(c.fu, fu);
                        in.kernel.taps<D>(c.fv, kv);
                        const v8f ur = fu * (sorted[at].real() * kw), ui = fu * (sorted[at].imag() * kw);
                        const size_t row = size_t(c.iv - v0) * side + (c.iu - u0);
                        for (int b = 0; b < W; ++b) {
                          *reinterpret_cast<v8fu*>(re + row + b * side) += ur * kv[b];
                          *reinterpret_cast<v8fu*>(im + row + b * side) += ui * kv[b];
                        }
                      });
}

// sorted: the predicted visibilities in bucket order, added to plane by plane (before unfolding w).
template <int W>
__attribute__((always_inline)) inline void degridTileOf(const TileInputs& in, int p, int tile, const TileBuffer& buf,
                                                        cfloat* sorted) {
  constexpr int D = EsKernel::degreeFor(W);
  const int side = buf.side;
  const int u0 = (tile % in.g.ntu) * kTile, v0 = (tile / in.g.ntu) * kTile;
  const float* re = buf.re.data();
  const float* im = buf.im.data();
  forSamplesOfTile<W>(in.g, in.bk, in.kernel, in.scales, in.uvw, p, tile, [&](const Coord& c, size_t at, float kw) {
                        v8f fu, kv;
                        in.kernel.taps<D>(c.fu, fu);
                        in.kernel.taps<D>(c.fv, kv);
                        v8f tr = {}, ti = {};
                        const size_t row = size_t(c.iv - v0) * side + (c.iu - u0);
                        for (int b = 0; b < W; ++b) {
                          tr += *reinterpret_cast<const v8fu*>(re + row + b * side) * kv[b];
                          ti += *reinterpret_cast<const v8fu*>(im + row + b * side) * kv[b];
                        }
                        tr *= fu;
                        ti *= fu;
                        float sr = 0, si = 0;
                        for (int a = 0; a < kMaxSupport; ++a) {
                          sr += tr[a];
                          si += ti[a];
                        }
                        sorted[at] += cfloat(sr * kw, si * kw);
                      });
}

// The supports supportFor() can choose.
#define PCLEAN_FOR_SUPPORT(call)                                    \
  switch (in.g.support) {                                          \
    case 2: call(2); break;                                        \
    case 3: call(3); break;                                        \
    case 4: call(4); break;                                        \
    case 5: call(5); break;                                        \
    case 6: call(6); break;                                        \
    case 7: call(7); break;                                        \
    case 8: call(8); break;                                        \
    default: throw std::logic_error("no gridding kernel for support " + std::to_string(in.g.support)); \
  }

// Compiled for AVX2/FMA too and picked at load time.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void gridTile(const TileInputs& in, const cfloat* sorted,
                                                                          int p, int tile, TileBuffer& buf) {
#define PCLEAN_GRID(W) gridTileOf<W>(in, sorted, p, tile, buf)
  PCLEAN_FOR_SUPPORT(PCLEAN_GRID)
#undef PCLEAN_GRID
}

__attribute__((target_clones("arch=x86-64-v3", "default"))) void degridTile(const TileInputs& in, int p, int tile,
                                                                            const TileBuffer& buf, cfloat* sorted) {
#define PCLEAN_DEGRID(W) degridTileOf<W>(in, p, tile, buf, sorted)
  PCLEAN_FOR_SUPPORT(PCLEAN_DEGRID)
#undef PCLEAN_DEGRID
}

struct Grid {
  cfloat* data;
  size_t cells;
  explicit Grid(size_t n) : data(static_cast<cfloat*>(fftwf_malloc(n * sizeof(cfloat)))), cells(n) {
    if (!data) throw std::bad_alloc();
  }
  ~Grid() { fftwf_free(data); }
  Grid(const Grid&) = delete;
  Grid& operator=(const Grid&) = delete;
};

// The part of a plane's 2-D FFT that matters: forward (invert) transforms along x only the rows that hold samples,
// then along y only the columns the image reads (L mod ngx, |L| <= nx/2); backward (predict), its adjoint, those
// columns along y, then those rows along x. About half the work of the full transform.
void imageFft(const Layout& g, const Buckets& bk, Grid& grid, bool forward, int nthreads) {
  const int half = g.nx / 2;
  auto rows = [&] {
    fftBatch(grid.data + size_t(bk.rowLo) * g.ngx, g.ngx, bk.rowHi - bk.rowLo, 1, g.ngx, forward, nthreads);
  };
  auto columns = [&] {
    fftBatch(grid.data, g.ngy, half, g.ngx, 1, forward, nthreads);
    fftBatch(grid.data + (g.ngx - half), g.ngy, half, g.ngx, 1, forward, nthreads);
  };
  if (forward) {
    rows();
    columns();
  } else {
    columns();
    rows();
  }
}

// Clears what imageFft reads: the rows that hold samples and the image's columns.
void zero(const Layout& g, const Buckets& bk, Grid& grid, int nthreads) {
  const int half = g.nx / 2;
  parallelFor(nthreads, size_t(g.ngy), [&](size_t y) {
    cfloat* row = grid.data + y * g.ngx;
    if (int(y) >= bk.rowLo && int(y) < bk.rowHi) {
      std::fill(row, row + g.ngx, cfloat(0, 0));
    } else {
      std::fill(row, row + half, cfloat(0, 0));
      std::fill(row + g.ngx - half, row + g.ngx, cfloat(0, 0));
    }
  });
}

// The image-side factors, for pixel offsets |L| <= nx/2, |M| <= ny/2 from the centre (they depend on L^2, M^2
// only): n - 1, and the reciprocal of the kernel's transform in l, m (and w when w is stacked).
struct ImageFactors {
  int qx, qy;  // quadrant sizes nx/2 + 1, ny/2 + 1
  std::vector<double> nm1, correction;
  size_t at(int x, int y, const Layout& g) const { return size_t(std::abs(y - g.ny / 2)) * qx + std::abs(x - g.nx / 2); }
};

ImageFactors imageFactors(const Layout& g, const EsKernel& kernel, int nthreads) {
  ImageFactors f;
  f.qx = g.nx / 2 + 1;
  f.qy = g.ny / 2 + 1;
  f.nm1.resize(size_t(f.qx) * f.qy);
  f.correction.resize(f.nm1.size());
  std::vector<double> cx(f.qx), cy(f.qy);
  for (int i = 0; i < f.qx; ++i) cx[i] = kernel.fourier(double(i) / g.ngx);
  for (int i = 0; i < f.qy; ++i) cy[i] = kernel.fourier(double(i) / g.ngy);
  // The w correction depends on n - 1 alone, in [nm1min, 0]: the quadrature at Chebyshev nodes, interpolated
  // (the transform is entire, so 24 terms are exact to double rounding) instead of a quadrature per pixel.
  const double xiMin = g.dw * g.nm1min;
  const int terms = 24;
  std::vector<double> cheb(terms, 0.0);
  for (int k = 0; k < terms; ++k) {
    double theta = M_PI * (k + 0.5) / terms, value = kernel.fourier(xiMin * (1 + std::cos(theta)) / 2);
    for (int n = 0; n < terms; ++n) cheb[n] += 2.0 / terms * value * std::cos(n * theta);
  }
  cheb[0] /= 2;
  auto wCorrection = [&](double t) {
    if (g.planes <= 1) return 1.0;
    double x = 2 * (g.dw * t) / xiMin - 1, b1 = 0, b2 = 0;
    for (int n = terms - 1; n >= 1; --n) {
      double b = 2 * x * b1 - b2 + cheb[n];
      b2 = b1;
      b1 = b;
    }
    return x * b1 - b2 + cheb[0];
  };
  parallelFor(nthreads, size_t(f.qy), [&](size_t j) {
    double m = j * g.celly;
    for (int i = 0; i < f.qx; ++i) {
      double l = i * g.cellx, r2 = l * l + m * m;
      double t = r2 < 1 ? std::sqrt(1 - r2) - 1 : 0.0;
      size_t k = j * f.qx + i;
      f.nm1[k] = t;
      double c = cx[i] * cy[j] * wCorrection(t);
      f.correction[k] = 1 / c;
    }
  });
  return f;
}

// The w-screen of plane p, exp(sign 2 pi i w_p (n - 1)), per quadrant pixel.
std::vector<cfloat> screen(const Layout& g, const ImageFactors& f, int p, int sign, int nthreads) {
  std::vector<cfloat> s(f.nm1.size(), cfloat(1, 0));
  if (g.planes <= 1) return s;
  const double wp = g.planeW(p);
  parallelFor(nthreads, size_t(f.qy), [&](size_t j) {
    for (int i = 0; i < f.qx; ++i) {
      size_t k = j * f.qx + i;
      double phase = sign * 2 * M_PI * wp * f.nm1[k];
      s[k] = cfloat(float(std::cos(phase)), float(std::sin(phase)));
    }
  });
  return s;
}

// Adds the wall time of each phase to seconds[phase] (when given).
enum Phase { kSort, kGrid, kFft, kImage };
class PhaseTimer {
 public:
  explicit PhaseTimer(double* seconds) : seconds_(seconds), last_(std::chrono::steady_clock::now()) {}
  void lap(Phase phase) {
    auto now = std::chrono::steady_clock::now();
    if (seconds_) seconds_[phase] += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

 private:
  double* seconds_;
  std::chrono::steady_clock::time_point last_;
};

// The planes span the given w range, or the samples' when it is NaN.
Layout layoutFor(const EsKernel& kernel, double epsilon, int nx, int ny, double cellx, double celly, double wmin,
                 double wmax, const double* uvw, long long nrow, const double* freq, int nchan) {
  if (std::isnan(wmin) || std::isnan(wmax)) dataRange(uvw, nrow, freq, nchan, wmin, wmax);
  return makeLayout(kernel, epsilon, nx, ny, cellx, celly, wmin, wmax);
}

EsKernel kernelFor(double epsilon) {
  int support = supportFor(epsilon);
  return EsKernel(support, betaFor(support));
}

// Image pixel (x, y) in the transformed grid: L = x - nx/2 at index L mod ngx, times (-1)^(L + M) because the
// grid's uv origin sits at cell ngx/2 (and ngx, ngy are even).
inline size_t gridIndexOf(const Layout& g, int x, int y, float& sign) {
  int L = x - g.nx / 2, M = y - g.ny / 2;
  sign = ((L + M) & 1) ? -1.0f : 1.0f;
  return size_t((M + g.ngy) % g.ngy) * g.ngx + (L + g.ngx) % g.ngx;
}

// What both transforms prepare before their planes: the kernel, the layout, the bucketed samples (weight ==
// nullptr: all on the grid), the image-side factors and the grid.
struct Prepared {
  int threads;
  EsKernel kernel;
  Layout g;
  ChannelScales scales;
  Buckets bk;
  ImageFactors factors;
  Grid grid;
  TileInputs inputs(const double* uvw) const { return TileInputs{g, bk, kernel, scales, uvw}; }
  // The transforms, plane by plane (wgridder.h); the timer gets the gridding, FFT and image-side phases.
  double invert(const double* uvw, const double* freq, int nchan, const float* vis, const float* weight,
                float* image, PhaseTimer& timer);
  void predict(const float* model, const double* uvw, long long nrow, const double* freq, int nchan, float* vis,
               PhaseTimer& timer);
};

// Built in place (the grid does not move).
std::unique_ptr<Prepared> prepare(int nx, int ny, double cellx, double celly, double epsilon, double wmin,
                                  double wmax, const double* uvw, long long nrow, const double* freq, int nchan,
                                  const float* weight, int nthreads, PhaseTimer& timer) {
  checkInputs(nx, ny, cellx, celly, epsilon);
  nthreads = std::max(1, std::min(nthreads, 64));
  EsKernel kernel = kernelFor(epsilon);
  Layout g = layoutFor(kernel, epsilon, nx, ny, cellx, celly, wmin, wmax, uvw, nrow, freq, nchan);
  ChannelScales scales(g, freq, nchan);
  Buckets bk = makeBuckets(g, scales, uvw, nrow, nchan, weight, nthreads);
  timer.lap(kSort);
  ImageFactors factors = imageFactors(g, kernel, nthreads);
  timer.lap(kImage);
  const size_t cells = size_t(g.ngx) * g.ngy;
  return std::unique_ptr<Prepared>(
      new Prepared{nthreads, std::move(kernel), g, std::move(scales), std::move(bk), std::move(factors), Grid(cells)});
}

double Prepared::invert(const double* uvw, const double* freq, int nchan, const float* vis, const float* weight,
                        float* image, PhaseTimer& timer) {
  const int nx = g.nx, ny = g.ny;
  const TileInputs in = inputs(uvw);
  // The weighted samples in bucket order, so the plane passes read them in sequence instead of across the arrays.
  std::vector<cfloat> sorted(bk.firstSample.back());
  forBucketedSamples(bk, threads, [&](uint32_t row, int ch, size_t at) {
    const size_t i = size_t(row) * nchan + ch;
    const float wt = weight[i];
    const bool flip = folded(uvw + 3 * size_t(row));
    sorted[at] = vis ? cfloat(vis[2 * i] * wt, (flip ? -vis[2 * i + 1] : vis[2 * i + 1]) * wt) : cfloat(wt, 0);
  });
  timer.lap(kSort);
  std::vector<double> acc(size_t(nx) * ny, 0.0);
  for (int p = 0; p < g.planes; ++p) {
    zero(g, bk, grid, threads);
    timer.lap(kImage);
    for (const std::vector<int>& colour : tilesOfPlane(g, bk, p)) {
      parallelFor(threads, colour.size(), [&](size_t t) {
        thread_local TileBuffer buf;
        const int tile = colour[t], u0 = (tile % g.ntu) * kTile, v0 = (tile / g.ntu) * kTile;
        gridTile(in, sorted.data(), p, tile, buf);
        for (int b = 0; b < buf.side && v0 + b < g.ngy; ++b) {
          cfloat* row = grid.data + size_t(v0 + b) * g.ngx + u0;
          const float* rr = &buf.re[size_t(b) * buf.side];
          const float* ri = &buf.im[size_t(b) * buf.side];
          for (int a = 0; a < buf.side && u0 + a < g.ngx; ++a) row[a] += cfloat(rr[a], ri[a]);
        }
      });
    }
    timer.lap(kGrid);
    imageFft(g, bk, grid, true, threads);
    timer.lap(kFft);
    const std::vector<cfloat> s = screen(g, factors, p, -1, threads);
    parallelFor(threads, size_t(ny), [&](size_t y) {
      for (int x = 0; x < nx; ++x) {
        float sign = 1;
        const cfloat val = grid.data[gridIndexOf(g, x, int(y), sign)];
        const cfloat sc = s[factors.at(x, int(y), g)];
        acc[y * nx + x] += sign * (double(val.real()) * sc.real() - double(val.imag()) * sc.imag());
      }
    });
  }
  parallelFor(threads, size_t(ny), [&](size_t y) {
    for (int x = 0; x < nx; ++x) image[y * nx + x] = float(acc[y * nx + x] * factors.correction[factors.at(x, int(y), g)]);
  });
  timer.lap(kImage);
  return bk.sumWeights;
}

void Prepared::predict(const float* model, const double* uvw, long long nrow, const double* freq, int nchan,
                       float* vis, PhaseTimer& timer) {
  const int nx = g.nx, ny = g.ny;
  const TileInputs in = inputs(uvw);
  // Predicted in bucket order (each sample summed over its planes), then moved to the caller's order once.
  std::vector<cfloat> sorted(bk.firstSample.back(), cfloat(0, 0));
  std::fill(vis, vis + 2 * nrow * nchan, 0.0f);
  for (int p = 0; p < g.planes; ++p) {
    zero(g, bk, grid, threads);
    const std::vector<cfloat> s = screen(g, factors, p, +1, threads);
    parallelFor(threads, size_t(ny), [&](size_t y) {
      for (int x = 0; x < nx; ++x) {
        float sign = 1;
        const size_t at = gridIndexOf(g, x, int(y), sign), k = factors.at(x, int(y), g);
        grid.data[at] = s[k] * float(sign * model[y * nx + x] * factors.correction[k]);
      }
    });
    timer.lap(kImage);
    imageFft(g, bk, grid, false, threads);
    timer.lap(kFft);
    std::vector<int> tiles;
    for (const std::vector<int>& colour : tilesOfPlane(g, bk, p)) tiles.insert(tiles.end(), colour.begin(), colour.end());
    // Reads only: every tile at once; each sample belongs to one tile, so its visibility has one writer.
    parallelFor(threads, tiles.size(), [&](size_t t) {
      thread_local TileBuffer buf;
      const int tile = tiles[t], u0 = (tile % g.ntu) * kTile, v0 = (tile / g.ntu) * kTile;
      for (int b = 0; b < buf.side; ++b) {
        for (int a = 0; a < buf.side; ++a) {
          bool inside = v0 + b < g.ngy && u0 + a < g.ngx;
          cfloat val = inside ? grid.data[size_t(v0 + b) * g.ngx + u0 + a] : cfloat(0, 0);
          buf.re[size_t(b) * buf.side + a] = val.real();
          buf.im[size_t(b) * buf.side + a] = val.imag();
        }
      }
      degridTile(in, p, tile, buf, sorted.data());
    });
    timer.lap(kGrid);
  }
  forBucketedSamples(bk, threads, [&](uint32_t row, int ch, size_t at) {
    const size_t i = size_t(row) * nchan + ch;
    vis[2 * i] = sorted[at].real();
    vis[2 * i + 1] = folded(uvw + 3 * size_t(row)) ? -sorted[at].imag() : sorted[at].imag();
  });
  timer.lap(kSort);
}

}  // namespace

double wgridParameters(double epsilon, int nx, int ny, double cellx, double celly, double wmin, double wmax,
                       int* out) {
  checkInputs(nx, ny, cellx, celly, epsilon);
  EsKernel kernel = kernelFor(epsilon);
  Layout g = makeLayout(kernel, epsilon, nx, ny, cellx, celly, wmin, wmax);
  out[0] = g.support;
  out[1] = g.ngx;
  out[2] = g.ngy;
  out[3] = g.planes;
  return kernel.beta();
}

double wgridInvert(const double* uvw, long long nrow, const double* freq, int nchan, const float* vis,
                   const float* weight, int nx, int ny, double cellx, double celly, double epsilon, double wmin,
                   double wmax, int nthreads, float* image, double* seconds) {
  PhaseTimer timer(seconds);
  return prepare(nx, ny, cellx, celly, epsilon, wmin, wmax, uvw, nrow, freq, nchan, weight, nthreads, timer)
      ->invert(uvw, freq, nchan, vis, weight, image, timer);
}

void wgridPredict(const float* model, int nx, int ny, double cellx, double celly, double epsilon, double wmin,
                  double wmax, const double* uvw, long long nrow, const double* freq, int nchan, int nthreads,
                  float* vis, double* seconds) {
  PhaseTimer timer(seconds);
  prepare(nx, ny, cellx, celly, epsilon, wmin, wmax, uvw, nrow, freq, nchan, nullptr, nthreads, timer)
      ->predict(model, uvw, nrow, freq, nchan, vis, timer);
}

}  // namespace pclean
