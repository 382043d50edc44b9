#include "gridder.h"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pclean {

namespace {

constexpr double kSpeedOfLight = 299792458.0;
constexpr int kSupport = 3;        // kernel half-width in grid cells
constexpr int kOversample = 128;   // table samples per cell
constexpr int kTaps = 2 * kSupport + 1;

using cdouble = std::complex<double>;

std::mutex plannerMutex;  // FFTW's planner is not thread-safe

// Schwab's rational approximation of the prolate spheroidal wave function (alpha = 1, m = 6).
double spheroidal(double nu) {
  static const double p[2][5] = {{8.203343e-2, -3.644705e-1, 6.278660e-1, -5.335581e-1, 2.312756e-1},
                                 {4.028559e-3, -3.697768e-2, 1.021332e-1, -1.201436e-1, 6.412774e-2}};
  static const double q[2][3] = {{1.0, 8.212018e-1, 2.078043e-1}, {1.0, 9.599102e-1, 2.918724e-1}};
  nu = std::abs(nu);
  if (nu >= 1.0) return 0.0;
  int part = nu < 0.75 ? 0 : 1;
  double end = part == 0 ? 0.75 : 1.0;
  double d = nu * nu - end * end;
  double top = 0, bot = 0, dk = 1;
  for (int k = 0; k < 5; ++k, dk *= d) top += p[part][k] * dk;
  dk = 1;
  for (int k = 0; k < 3; ++k, dk *= d) bot += q[part][k] * dk;
  return bot != 0 ? top / bot : 0.0;
}

// The gridding kernel (1 - nu^2) psi(nu), nu = offset / support, tabulated at 1/kOversample cells.
const std::vector<double>& kernelTable() {
  static const std::vector<double> table = [] {
    std::vector<double> t((kSupport + 1) * kOversample + 1, 0.0);
    for (size_t i = 0; i < t.size(); ++i) {
      double nu = double(i) / (kSupport * kOversample);
      t[i] = nu < 1.0 ? (1.0 - nu * nu) * spheroidal(nu) : 0.0;
    }
    return t;
  }();
  return table;
}

inline double kernelAt(double offsetCells) {
  const auto& t = kernelTable();
  size_t i = size_t(std::lround(std::abs(offsetCells) * kOversample));
  return i < t.size() ? t[i] : 0.0;
}

// Fourier transform of the kernel at image offset x (padded-grid pixels) of an ng-cell grid:
// c(x) = sum over the tabulated kernel (the discrete kernel actually applied) of C(s) cos(2 pi s x / ng).
std::vector<double> gridCorrection(int ng) {
  std::vector<double> c(ng);
  const auto& t = kernelTable();
  for (int x = 0; x < ng; ++x) {
    double X = x - ng / 2;
    double sum = t[0];
    for (size_t i = 1; i < t.size(); ++i) sum += 2.0 * t[i] * std::cos(2.0 * M_PI * (double(i) / kOversample) * X / ng);
    c[x] = sum / kOversample;
  }
  return c;
}

struct Geometry {
  int nx, ny, ngx, ngy;
  double cellx, celly;
  double du, dv;  // uv cell, wavelengths
};

// The uv sample of row r, channel ch in grid cells (centred grid: cell index = k + ng/2), and w in wavelengths.
struct Sample {
  double ku, kv, w;
};

inline Sample sampleAt(const Geometry& g, const double* uvw, long long r, double freq) {
  double s = freq / kSpeedOfLight;
  // l = -(x - cx) cellx: flipping u makes the image x axis run toward decreasing RA.
  return Sample{-uvw[3 * r] * s / g.du, uvw[3 * r + 1] * s / g.dv, uvw[3 * r + 2] * s};
}

inline bool onGrid(const Geometry& g, const Sample& s) {
  return std::abs(s.ku) < g.ngx / 2 - kSupport - 1 && std::abs(s.kv) < g.ngy / 2 - kSupport - 1;
}

void kernelWeights(double k, int& first, double* taps) {
  int centre = int(std::lround(k));
  first = centre - kSupport;
  for (int i = 0; i < kTaps; ++i) taps[i] = kernelAt(first + i - k);
}

// W planes: nearest-plane assignment over [wmin, wmax]; one plane (w ignored) when wplanes <= 1.
struct WPlanes {
  int count = 1;
  double wmin = 0, dw = 0;
  int planeOf(double w) const {
    if (count <= 1) return 0;
    int p = int(std::lround((w - wmin) / dw));
    return std::min(std::max(p, 0), count - 1);
  }
  double wOf(int p) const { return count <= 1 ? 0.0 : wmin + p * dw; }
};

// The planes span [wmin, wmax] (wavelengths) when given; NaN takes the range of these samples. Row chunks of one
// image pass the range of the whole selection, so every chunk stacks on the planes the serial run uses.
WPlanes makePlanes(int wplanes, double wmin, double wmax, const double* uvw, long long nrow, const double* freq,
                   int nchan) {
  WPlanes wp;
  if (wplanes <= 1 || nrow == 0) return wp;
  double lo = wmin, hi = wmax;
  if (std::isnan(wmin) || std::isnan(wmax)) {
    double fmin = *std::min_element(freq, freq + nchan), fmax = *std::max_element(freq, freq + nchan);
    lo = 1e300;
    hi = -1e300;
    for (long long r = 0; r < nrow; ++r) {
      double w = uvw[3 * r + 2];
      for (double f : {fmin, fmax}) {
        lo = std::min(lo, w * f / kSpeedOfLight);
        hi = std::max(hi, w * f / kSpeedOfLight);
      }
    }
  }
  wp.count = wplanes;
  wp.wmin = lo;
  wp.dw = (hi - lo) / (wplanes - 1);
  if (wp.dw <= 0) wp.count = 1;
  return wp;
}

// n - 1 at padded-grid pixel (X, Y); 0 beyond the horizon.
inline double nMinusOne(const Geometry& g, int X, int Y) {
  double l = -(X - g.ngx / 2) * g.cellx, m = (Y - g.ngy / 2) * g.celly;
  double r2 = l * l + m * m;
  return r2 < 1.0 ? std::sqrt(1.0 - r2) - 1.0 : 0.0;
}

void fft(std::vector<cdouble>& grid, int ngx, int ngy, int sign) {
  auto* data = reinterpret_cast<fftw_complex*>(grid.data());
  fftw_plan plan;
  {
    std::lock_guard<std::mutex> lock(plannerMutex);
    plan = fftw_plan_dft_2d(ngy, ngx, data, data, sign, FFTW_ESTIMATE);
  }
  if (!plan) throw std::runtime_error("FFTW could not make a plan");
  fftw_execute(plan);
  std::lock_guard<std::mutex> lock(plannerMutex);
  fftw_destroy_plan(plan);
}

// Centred transform: multiply by (-1)^(X+Y) before and after a plain FFT (even grid sizes).
void checkerboard(std::vector<cdouble>& grid, int ngx, int ngy) {
  for (int Y = 0; Y < ngy; ++Y)
    for (int X = (Y & 1); X < ngx; X += 2) grid[size_t(Y) * ngx + X] = -grid[size_t(Y) * ngx + X];
}

Geometry makeGeometry(int nx, int ny, double cellx, double celly, double padding) {
  if (nx < 2 || ny < 2) throw std::invalid_argument("image must be at least 2x2, got " + std::to_string(nx) + "x" + std::to_string(ny));
  if (!(cellx > 0) || !(celly > 0)) throw std::invalid_argument("cell sizes must be positive");
  if (!(padding >= 1.0)) throw std::invalid_argument("padding must be >= 1, got " + std::to_string(padding));
  Geometry g;
  g.nx = nx;
  g.ny = ny;
  g.ngx = paddedSize(nx, padding);
  g.ngy = paddedSize(ny, padding);
  g.cellx = cellx;
  g.celly = celly;
  g.du = 1.0 / (g.ngx * cellx);
  g.dv = 1.0 / (g.ngy * celly);
  return g;
}

void checkThreads(int& nthreads) {
  if (nthreads < 1) nthreads = 1;
  nthreads = std::min(nthreads, 64);
}

}  // namespace

int paddedSize(int n, double padding) {
  int target = int(std::ceil(n * padding));
  for (int s = target + (target & 1);; s += 2) {
    int r = s;
    for (int f : {2, 3, 5})
      while (r % f == 0) r /= f;
    if (r == 1) return s;
  }
}

// The rows in an order that keeps the grid in cache: by the 32-cell block their band-centre sample falls in (an
// MS is time-major, so consecutive rows are other baselines, far apart on the grid; rows sorted this way are
// neighbours in uv, their channels' kernels land on the same cache lines). Threads take every nthreads-th row of
// it, so they work on the same part of the uv plane at a time (a contiguous half each measured slower on two
// hyperthreads sharing a core).
std::vector<uint32_t> rowOrder(const Geometry& g, const double* uvw, long long nrow, const double* freq, int nchan) {
  if (nrow > std::numeric_limits<uint32_t>::max()) throw std::invalid_argument("too many rows for one gridder call");
  std::vector<uint32_t> order(nrow);
  if (nrow == 0 || nchan == 0) return order;
  const double mid = (*std::min_element(freq, freq + nchan) + *std::max_element(freq, freq + nchan)) / 2;
  const long long blocksU = g.ngx / 32 + 1, blocksV = g.ngy / 32 + 1;
  auto block = [](double k, int ng, long long blocks) {
    return std::min(std::max(0LL, (long long)std::floor((k + ng / 2) / 32)), blocks - 1);
  };
  std::vector<uint64_t> keyed(nrow);
  for (long long r = 0; r < nrow; ++r) {
    Sample s = sampleAt(g, uvw, r, mid);
    keyed[r] = (uint64_t(block(s.kv, g.ngy, blocksV) * blocksU + block(s.ku, g.ngx, blocksU)) << 32) | uint64_t(r);
  }
  std::sort(keyed.begin(), keyed.end());
  for (long long k = 0; k < nrow; ++k) order[k] = uint32_t(keyed[k]);
  return order;
}

double invert(const double* uvw, long long nrow, const double* freq, int nchan, const float* vis,
              const float* weight, int nx, int ny, double cellx, double celly, double padding, int wplanes,
              double wmin, double wmax, int nthreads, float* image) {
  Geometry g = makeGeometry(nx, ny, cellx, celly, padding);
  checkThreads(nthreads);
  WPlanes wp = makePlanes(wplanes, wmin, wmax, uvw, nrow, freq, nchan);
  const size_t cells = size_t(g.ngx) * g.ngy;
  std::vector<double> acc(size_t(nx) * ny, 0.0);
  std::vector<double> threadSumwt(nthreads, 0.0);
  const std::vector<uint32_t> order = rowOrder(g, uvw, nrow, freq, nchan);

  for (int plane = 0; plane < wp.count; ++plane) {
    std::vector<std::vector<cdouble>> grids(nthreads);
    auto work = [&](int t) {
      std::vector<cdouble>& grid = grids[t];
      grid.assign(cells, cdouble(0, 0));
      double kx[kTaps], ky[kTaps];
      for (long long k = t; k < nrow; k += nthreads) {
        const long long r = order[k];
        for (int ch = 0; ch < nchan; ++ch) {
          const long long i = r * nchan + ch;
          const float wt = weight[i];
          if (!(wt > 0)) continue;
          Sample s = sampleAt(g, uvw, r, freq[ch]);
          if (!onGrid(g, s) || wp.planeOf(s.w) != plane) continue;
          cdouble v = vis ? cdouble(vis[2 * i], vis[2 * i + 1]) * double(wt) : cdouble(wt, 0);
          int fx, fy;
          kernelWeights(s.ku, fx, kx);
          kernelWeights(s.kv, fy, ky);
          fx += g.ngx / 2;
          fy += g.ngy / 2;
          for (int b = 0; b < kTaps; ++b) {
            cdouble vy = v * ky[b];
            cdouble* row = &grid[size_t(fy + b) * g.ngx + fx];
            for (int a = 0; a < kTaps; ++a) row[a] += vy * kx[a];
          }
          threadSumwt[t] += wt;
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < nthreads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
    std::vector<cdouble>& grid = grids[0];
    for (int t = 1; t < nthreads; ++t)
      for (size_t c = 0; c < cells; ++c) grid[c] += grids[t][c];
    grids.resize(1);

    checkerboard(grid, g.ngx, g.ngy);
    fft(grid, g.ngx, g.ngy, FFTW_FORWARD);
    checkerboard(grid, g.ngx, g.ngy);
    const int ox = g.ngx / 2 - nx / 2, oy = g.ngy / 2 - ny / 2;
    const double wPlane = wp.wOf(plane);
    for (int y = 0; y < ny; ++y) {
      for (int x = 0; x < nx; ++x) {
        cdouble val = grid[size_t(y + oy) * g.ngx + x + ox];
        if (wp.count > 1) val *= std::polar(1.0, -2.0 * M_PI * wPlane * nMinusOne(g, x + ox, y + oy));
        acc[size_t(y) * nx + x] += val.real();
      }
    }
  }
  std::vector<double> cx = gridCorrection(g.ngx), cy = gridCorrection(g.ngy);
  const int ox = g.ngx / 2 - nx / 2, oy = g.ngy / 2 - ny / 2;
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x)
      image[size_t(y) * nx + x] = float(acc[size_t(y) * nx + x] / (cx[x + ox] * cy[y + oy]));
  double sumwt = 0;
  for (double s : threadSumwt) sumwt += s;
  // Each sample was gridded once per plane it belongs to: exactly once.
  return sumwt;
}

void predict(const float* model, int nx, int ny, double cellx, double celly, double padding, int wplanes,
             double wmin, double wmax, const double* uvw, long long nrow, const double* freq, int nchan, int nthreads, float* vis) {
  Geometry g = makeGeometry(nx, ny, cellx, celly, padding);
  checkThreads(nthreads);
  WPlanes wp = makePlanes(wplanes, wmin, wmax, uvw, nrow, freq, nchan);
  std::fill(vis, vis + 2 * nrow * nchan, 0.0f);
  std::vector<double> cx = gridCorrection(g.ngx), cy = gridCorrection(g.ngy);
  const int ox = g.ngx / 2 - nx / 2, oy = g.ngy / 2 - ny / 2;
  const size_t cells = size_t(g.ngx) * g.ngy;
  std::vector<cdouble> grid(cells);
  const std::vector<uint32_t> order = rowOrder(g, uvw, nrow, freq, nchan);
  for (int plane = 0; plane < wp.count; ++plane) {
    std::fill(grid.begin(), grid.end(), cdouble(0, 0));
    const double wPlane = wp.wOf(plane);
    for (int y = 0; y < ny; ++y) {
      for (int x = 0; x < nx; ++x) {
        cdouble val(model[size_t(y) * nx + x] / (cx[x + ox] * cy[y + oy]), 0.0);
        if (wp.count > 1) val *= std::polar(1.0, 2.0 * M_PI * wPlane * nMinusOne(g, x + ox, y + oy));
        grid[size_t(y + oy) * g.ngx + x + ox] = val;
      }
    }
    checkerboard(grid, g.ngx, g.ngy);
    fft(grid, g.ngx, g.ngy, FFTW_BACKWARD);
    checkerboard(grid, g.ngx, g.ngy);
    auto work = [&](int t) {
      double kx[kTaps], ky[kTaps];
      for (long long k = t; k < nrow; k += nthreads) {
        const long long r = order[k];
        for (int ch = 0; ch < nchan; ++ch) {
          Sample s = sampleAt(g, uvw, r, freq[ch]);
          if (!onGrid(g, s) || wp.planeOf(s.w) != plane) continue;
          int fx, fy;
          kernelWeights(s.ku, fx, kx);
          kernelWeights(s.kv, fy, ky);
          fx += g.ngx / 2;
          fy += g.ngy / 2;
          cdouble sum(0, 0);
          for (int b = 0; b < kTaps; ++b) {
            const cdouble* row = &grid[size_t(fy + b) * g.ngx + fx];
            cdouble rs(0, 0);
            for (int a = 0; a < kTaps; ++a) rs += row[a] * kx[a];
            sum += rs * ky[b];
          }
          const long long i = r * nchan + ch;
          vis[2 * i] += float(sum.real());
          vis[2 * i + 1] += float(sum.imag());
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < nthreads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& th : pool) th.join();
  }
}

}  // namespace pclean
