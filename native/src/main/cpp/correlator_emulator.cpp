#include "correlator_emulator.h"

#include <casacore/casa/Arrays/Vector.h>
#include <casacore/casa/Exceptions/Error.h>
#include <casacore/casa/Quanta/MVBaseline.h>
#include <casacore/casa/Quanta/MVuvw.h>
#include <casacore/casa/Quanta/Quantum.h>
#include <casacore/measures/Measures/MBaseline.h>
#include <casacore/measures/Measures/MCBaseline.h>
#include <casacore/measures/Measures/MCDirection.h>
#include <casacore/measures/Measures/MCEpoch.h>
#include <casacore/measures/Measures/MDirection.h>
#include <casacore/measures/Measures/MEpoch.h>
#include <casacore/measures/Measures/MPosition.h>
#include <casacore/measures/Measures/MeasConvert.h>
#include <casacore/measures/Measures/MeasFrame.h>
#include <casacore/measures/Measures/MeasTable.h>
#include <casacore/measures/Measures/Stokes.h>
#include <casacore/ms/MSOper/MSDerivedValues.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "point_sky.h"

using namespace casacore;

namespace pclean {

namespace {

// The fraction of a dish another may block before NewMSSimulator flags it as shadowed.
constexpr double kBlockageLimit = 1.0e-6;

// Fraction of dish 1 and of dish 2 blocked by the other, for their separation in the uv plane (Schwab's
// two-circle overlap; the dish in front — by the sign of w — blocks the one behind, never the reverse).
void blockage(const double* uvw, double d1, double d2, double& f1, double& f2) {
  const double sep = std::hypot(uvw[0], uvw[1]);
  const double rmin = 0.5 * std::min(std::abs(d1), std::abs(d2));
  const double rmax = 0.5 * std::max(std::abs(d1), std::abs(d2));
  if (sep >= rmin + rmax) {
    f1 = f2 = 0;
  } else if (sep + rmin <= rmax) {
    f1 = std::min(1.0, (d2 / d1) * (d2 / d1));
    f2 = std::min(1.0, (d1 / d2) * (d1 / d2));
  } else {
    const double c = sep / (0.5 * std::abs(d1));
    const double s = std::abs(d2) / std::abs(d1);
    double sinb = std::sqrt(2.0 * (c * c * s * s + c * c + s * s) - std::pow(c, 4.0) - std::pow(s, 4.0) - 1.0) /
                  (2.0 * c);
    double sina = sinb / s;
    sinb = std::min(1.0, sinb);
    sina = std::min(1.0, sina);
    const double b = std::asin(sinb), a = std::asin(sina);
    const double area = (s * s * a + b) - (s * s * sina * std::cos(a) + sinb * std::cos(b));
    f1 = area / M_PI;
    f2 = f1 / (s * s);
  }
  if (uvw[2] > 0.0) f2 = 0.0;
  if (uvw[2] < 0.0) f1 = 0.0;
}

}  // namespace

struct CorrelatorEmulator::Impl {
  std::string telescope;
  std::vector<MPosition> antennas;
  std::vector<double> diameters;
  MDirection phaseCentre;
  std::vector<double> freq;
  std::vector<int> corr;
  std::unique_ptr<bool[]> parallel;
  PointSky sky;
  bool haveAnt = false, haveField = false, haveSpw = false, observed = false, haveSky = false;
  double tint = 0, elevationLimit = 0;
  // Start of each integration, TAI seconds, accumulated as NewMSSimulator accumulates its clock.
  std::vector<double> starts;
  int next = 0;
  MSDerivedValues derived;

  int nbl() const { return static_cast<int>(antennas.size() * (antennas.size() - 1) / 2); }

  // Each antenna's position relative to the array centre as J2000 uvw towards the phase centre at epoch ep.
  std::vector<double> antennaUvw(const MEpoch& ep) const {
    MPosition centre;
    if (!MeasTable::Observatory(centre, String(telescope))) centre = antennas[0];
    MeasFrame frame(centre);
    frame.set(ep);
    frame.set(phaseCentre);
    MBaseline::Ref itrf(MBaseline::ITRF, frame);
    MBaseline baseline;
    baseline.set(MVBaseline(), itrf);
    MBaseline::Convert toJ2000(baseline, MBaseline::Ref(MBaseline::J2000));
    std::vector<double> out(3 * antennas.size());
    for (size_t k = 0; k < antennas.size(); ++k) {
      baseline.set(MVBaseline(centre.getValue(), antennas[k].getValue()), itrf);
      MVuvw uvw(toJ2000(baseline).getValue(), phaseCentre.getValue());
      for (int i = 0; i < 3; ++i) out[3 * k + i] = uvw.getValue()[i];
    }
    return out;
  }
};

CorrelatorEmulator::CorrelatorEmulator() : impl(new Impl) {}

CorrelatorEmulator::~CorrelatorEmulator() { delete impl; }

void CorrelatorEmulator::setAntennas(const char* telescope, int nant, const double* xyz, const double* diam) {
  if (nant < 2) throw AipsError("an interferometer needs at least 2 antennas, got " + std::to_string(nant));
  impl->telescope = telescope ? telescope : "";
  impl->antennas.clear();
  impl->diameters.assign(diam, diam + nant);
  Vector<MPosition> positions(nant);
  for (int i = 0; i < nant; ++i) {
    impl->antennas.emplace_back(MVPosition(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]), MPosition::ITRF);
    positions[i] = impl->antennas.back();
  }
  impl->derived.setAntennaPositions(positions);
  impl->haveAnt = true;
}

void CorrelatorEmulator::setField(double ra, double dec) {
  impl->phaseCentre = MDirection(Quantity(ra, "rad"), Quantity(dec, "rad"), MDirection::J2000);
  impl->derived.setFieldCenter(impl->phaseCentre);
  impl->haveField = true;
}

void CorrelatorEmulator::setSpectralWindow(int nchan, double freq0, double dfreq, const char* stokes) {
  if (nchan < 1) throw AipsError("a spectral window needs at least one channel");
  if (freq0 <= 0) throw AipsError("frequency must be positive");
  impl->freq.resize(nchan);
  for (int i = 0; i < nchan; ++i) impl->freq[i] = freq0 + i * dfreq;
  impl->corr.clear();
  std::istringstream in(stokes ? stokes : "");
  std::string name;
  while (in >> name) {
    Stokes::StokesTypes t = Stokes::type(String(name));
    if (t == Stokes::Undefined) throw AipsError("unknown correlation '" + name + "'");
    impl->corr.push_back(static_cast<int>(t));
  }
  if (impl->corr.empty()) throw AipsError("no correlations in '" + std::string(stokes ? stokes : "") + "'");
  impl->parallel.reset(new bool[impl->corr.size()]);
  for (size_t c = 0; c < impl->corr.size(); ++c) impl->parallel[c] = PointSky::isParallelHand(impl->corr[c]);
  impl->haveSpw = true;
}

void CorrelatorEmulator::observe(double haStart, double haStop, double integration, double refMjd,
                                 double elevationLimitDeg) {
  if (!impl->haveAnt || !impl->haveField || !impl->haveSpw) {
    throw AipsError("observe needs setAntennas, setField and setSpectralWindow first");
  }
  if (!(haStop > haStart)) throw AipsError("hour-angle range is empty");
  if (!(integration > 0)) throw AipsError("integration time must be positive");
  MEpoch ref(Quantity(refMjd, "d"), MEpoch::UTC);
  const double taiRef = MEpoch::Convert(ref, MEpoch::Ref(MEpoch::TAI))().get("s").getValue("s");
  // NewMSSimulator's rule: hour angles are offsets from the time the field transits (its hour angle at the
  // reference epoch, seen from antenna 0), in seconds of time; the clock then counts TAI seconds.
  impl->derived.setEpoch(ref);
  impl->derived.setAntenna(0);
  const double offset = -impl->derived.hourAngle() * 3600.0 * 180.0 / M_PI / 15.0;
  impl->tint = integration;
  const double tstart = haStart * 3600.0 + taiRef + offset;
  const double tend = haStop * 3600.0 + taiRef + offset;
  const int ndumps = std::max(1, static_cast<int>(0.5 + (tend - tstart) / integration));
  impl->starts.assign(1, tstart);
  for (int i = 1; i < ndumps; ++i) impl->starts.push_back(impl->starts.back() + integration);
  impl->next = 0;
  impl->elevationLimit = elevationLimitDeg * M_PI / 180.0;
  impl->observed = true;
}

void CorrelatorEmulator::setSky(const double* l, const double* m, const double* flux, const double* alpha, int nsrc,
                                double refFreq, double noiseJy, long long seed) {
  impl->sky = PointSky(l, m, flux, alpha, nsrc, refFreq, noiseJy, seed);
  impl->haveSky = true;
}

int CorrelatorEmulator::numDumps() { return static_cast<int>(impl->starts.size()); }
int CorrelatorEmulator::numBaselines() { return impl->nbl(); }
int CorrelatorEmulator::numCorrelations() { return static_cast<int>(impl->corr.size()); }

void CorrelatorEmulator::correlationTypes(int* codes) { std::copy(impl->corr.begin(), impl->corr.end(), codes); }

void CorrelatorEmulator::phaseCentre(double* radec) {
  if (!impl->haveField) throw AipsError("phaseCentre needs setField first");
  Vector<Double> a = impl->phaseCentre.getAngle("rad").getValue("rad");
  radec[0] = a[0];
  radec[1] = a[1];
}

double CorrelatorEmulator::dumpTime(int i) {
  if (!impl->observed) throw AipsError("dumpTime needs observe first");
  if (i < 0 || i >= numDumps()) throw AipsError("dump " + std::to_string(i) + " is not in the observation");
  return impl->starts[i] + impl->tint / 2;
}

int CorrelatorEmulator::nextDump(double* uvw, int* antenna1, int* antenna2, float* vis, unsigned char* flags,
                                 float* weights) {
  if (!impl->observed || !impl->haveSky) throw AipsError("nextDump needs observe and setSky first");
  if (impl->next >= numDumps()) throw AipsError("the observation has no more dumps");
  const int nant = static_cast<int>(impl->antennas.size());
  const int nchan = static_cast<int>(impl->freq.size());
  const int ncorr = static_cast<int>(impl->corr.size());
  const size_t perRow = static_cast<size_t>(nchan) * ncorr;
  // NewMSSimulator labels the integration's centre, a TAI count of seconds, as a UT1 epoch for the geometry.
  MEpoch ep(Quantity(impl->starts[impl->next] + impl->tint / 2, "s"), MEpoch::UT1);
  std::vector<double> ant = impl->antennaUvw(ep);

  std::vector<bool> shadowed(nant, false), low(nant, false);
  int row = 0;
  for (int a1 = 0; a1 < nant; ++a1) {
    for (int a2 = a1 + 1; a2 < nant; ++a2, ++row) {
      // NewMSSimulator's uvw is x(ant2) - x(ant1) of these vectors, the opposite of the MS convention.
      double sim[3];
      for (int k = 0; k < 3; ++k) sim[k] = ant[3 * a2 + k] - ant[3 * a1 + k];
      double f1, f2;
      blockage(sim, impl->diameters[a1], impl->diameters[a2], f1, f2);
      if (f1 > kBlockageLimit) shadowed[a1] = true;
      if (f2 > kBlockageLimit) shadowed[a2] = true;
      for (int k = 0; k < 3; ++k) uvw[3 * row + k] = -sim[k];
      antenna1[row] = a1;
      antenna2[row] = a2;
    }
  }
  impl->derived.setEpoch(ep);
  for (int a = 0; a < nant; ++a) {
    impl->derived.setAntenna(a);
    if (impl->derived.azel().getAngle("rad").getValue("rad")[1] < impl->elevationLimit) low[a] = true;
  }
  for (row = 0; row < impl->nbl(); ++row) {
    const bool flagged = shadowed[antenna1[row]] || shadowed[antenna2[row]] || low[antenna1[row]] ||
                         low[antenna2[row]];
    std::fill(flags + row * perRow, flags + (row + 1) * perRow, flagged ? 1 : 0);
    std::fill(weights + static_cast<size_t>(row) * ncorr, weights + static_cast<size_t>(row + 1) * ncorr,
              impl->sky.weight());
    impl->sky.predictRow(uvw + 3 * row, impl->freq.data(), nchan, impl->parallel.get(), ncorr,
                         vis + row * perRow * 2);
  }
  return impl->next++;
}

}  // namespace pclean
