#include "ms_simulator.h"

#include "point_sky.h"

#include <casacore/casa/Arrays/Array.h>
#include <casacore/casa/Arrays/Matrix.h>
#include <casacore/casa/Arrays/Vector.h>
#include <casacore/casa/Exceptions/Error.h>
#include <casacore/casa/OS/File.h>
#include <casacore/casa/Quanta/Quantum.h>
#include <casacore/measures/Measures/MDirection.h>
#include <casacore/measures/Measures/MEpoch.h>
#include <casacore/measures/Measures/MFrequency.h>
#include <casacore/measures/Measures/MPosition.h>
#include <casacore/ms/MSOper/NewMSSimulator.h>
#include <casacore/ms/MeasurementSets/MSColumns.h>
#include <casacore/ms/MeasurementSets/MeasurementSet.h>
#include <casacore/tables/Tables/ArrayColumn.h>
#include <casacore/tables/Tables/ScalarColumn.h>

#include <cmath>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace casacore;

namespace pclean {

struct MsSimulator::Impl {
  std::string path;
  std::unique_ptr<NewMSSimulator> sim;
  std::string fieldName, spwName;
  bool haveAnt = false, haveField = false, haveSpw = false, observed = false;

  MeasurementSet& ms() {
    if (!sim) throw AipsError("simulator for " + path + " is closed");
    return *sim->getMs();
  }
};

MsSimulator::MsSimulator(const char* path) : impl(new Impl) {
  impl->path = path;
  if (File(String(path)).exists()) {
    delete impl;
    impl = nullptr;
    throw AipsError(std::string("cannot create MeasurementSet ") + path + ": the path exists");
  }
  try {
    impl->sim.reset(new NewMSSimulator(String(path)));
  } catch (...) {
    delete impl;
    impl = nullptr;
    throw;
  }
}

MsSimulator::~MsSimulator() {
  if (impl) close();
  delete impl;
}

void MsSimulator::setAntennas(const char* telescope, int nant, const double* xyz, const double* diam,
                              const char* names) {
  if (nant < 2) throw AipsError("an interferometer needs at least 2 antennas, got " + std::to_string(nant));
  Vector<Double> x(nant), y(nant), z(nant), d(nant), offset(nant, 0.0);
  Vector<String> mount(nant, "alt-az"), name(nant), pad(nant);
  std::istringstream in(names ? names : "");
  std::string line;
  double cx = 0, cy = 0, cz = 0;
  for (int i = 0; i < nant; ++i) {
    x[i] = xyz[3 * i];
    y[i] = xyz[3 * i + 1];
    z[i] = xyz[3 * i + 2];
    d[i] = diam[i];
    cx += x[i] / nant;
    cy += y[i] / nant;
    cz += z[i] / nant;
    name[i] = std::getline(in, line) && !line.empty() ? String(line) : String("A" + std::to_string(i));
    pad[i] = name[i];
  }
  MPosition centre(MVPosition(cx, cy, cz), MPosition::ITRF);
  impl->sim->initAnt(String(telescope), x, y, z, d, offset, mount, name, pad, "global", centre);
  impl->haveAnt = true;
}

void MsSimulator::setField(const char* name, double ra, double dec) {
  impl->fieldName = name;
  MDirection dir(Quantity(ra, "rad"), Quantity(dec, "rad"), MDirection::J2000);
  impl->sim->initFields(String(name), dir, "");
  impl->haveField = true;
}

void MsSimulator::setSpectralWindow(const char* name, int nchan, double freq0, double dfreq, const char* stokes) {
  if (nchan < 1) throw AipsError("a spectral window needs at least one channel");
  if (freq0 <= 0) throw AipsError("frequency must be positive");
  String st(stokes);
  impl->spwName = name;
  impl->sim->initSpWindows(String(name), nchan, Quantity(freq0, "Hz"), Quantity(dfreq, "Hz"),
                           Quantity(std::abs(dfreq), "Hz"), MFrequency::TOPO, st);
  impl->sim->initFeeds(st.contains("X") ? "perfect X Y" : "perfect R L");
  impl->haveSpw = true;
}

void MsSimulator::observe(double haStart, double haStop, double integration, double refMjd) {
  if (!impl->haveAnt || !impl->haveField || !impl->haveSpw) {
    throw AipsError("observe needs setAntennas, setField and setSpectralWindow first");
  }
  if (!(haStop > haStart)) throw AipsError("hour-angle range is empty");
  if (!(integration > 0)) throw AipsError("integration time must be positive");
  impl->sim->setElevationLimit(Quantity(0.0, "deg"));
  impl->sim->setAutoCorrelationWt(0.0f);
  impl->sim->settimes(Quantity(integration, "s"), True, MEpoch(Quantity(refMjd, "d"), MEpoch::UTC));
  impl->sim->observe(String(impl->fieldName), String(impl->spwName), Quantity(haStart * 3600.0, "s"),
                     Quantity(haStop * 3600.0, "s"));
  // NewMSSimulator adds empty MODEL_DATA / CORRECTED_DATA scratch columns; a simulated raw observation has
  // only DATA (as the real test MSs do), so tclean's corrected -> data fallback applies to it too.
  MeasurementSet& ms = impl->ms();
  // (canRemoveColumn says no for TiledShapeStMan columns, yet removing the whole column works.)
  for (const char* col : {"MODEL_DATA", "CORRECTED_DATA"}) {
    if (ms.tableDesc().isColumn(col)) ms.removeColumn(col);
  }
  impl->observed = true;
}

long long MsSimulator::numRows() { return impl->ms().nrow(); }

void MsSimulator::predictPointSources(const double* l, const double* m, const double* flux, const double* alpha,
                                      int nsrc, double refFreq, double noiseJy, long long seed) {
  if (!impl->observed) throw AipsError("predictPointSources needs observe first");
  PointSky sky(l, m, flux, alpha, nsrc, refFreq, noiseJy, seed);
  MeasurementSet& ms = impl->ms();
  MSColumns cols(ms);

  // NewMSSimulator stores uvw = x(ant1) - x(ant2): the opposite sign of casacore's own UVW_J2000
  // (derivedmscal) and of real MSs. Store the MS convention, uvw = x(ant2) - x(ant1).
  for (rownr_t row = 0; row < ms.nrow(); ++row) {
    Vector<Double> uvw = cols.uvw()(row);
    uvw *= -1.0;
    cols.uvw().put(row, uvw);
  }

  for (rownr_t row = 0; row < ms.nrow(); ++row) {
    int dd = cols.dataDescId()(row);
    int spw = cols.dataDescription().spectralWindowId()(dd);
    int pol = cols.dataDescription().polarizationId()(dd);
    Vector<Double> freq = cols.spectralWindow().chanFreq()(spw);
    Vector<Int> corr = cols.polarization().corrType()(pol);
    Vector<Double> uvw = cols.uvw()(row);
    std::vector<double> f(freq.begin(), freq.end());
    std::unique_ptr<bool[]> parallel(new bool[corr.size()]);
    for (size_t c = 0; c < corr.size(); ++c) parallel[c] = PointSky::isParallelHand(corr[c]);
    // Matrix(corr, chan) is column-major: correlation fastest, the layout predictRow writes.
    Matrix<Complex> vis(corr.size(), freq.size());
    Bool deleteIt;
    Complex* out = vis.getStorage(deleteIt);
    sky.predictRow(uvw.data(), f.data(), static_cast<int>(f.size()), parallel.get(), static_cast<int>(corr.size()),
                   reinterpret_cast<float*>(out));
    vis.putStorage(out, deleteIt);
    cols.data().put(row, vis);
    cols.sigma().put(row, Vector<Float>(corr.size(), sky.sigma()));
    cols.weight().put(row, Vector<Float>(corr.size(), sky.weight()));
  }
  ms.flush();
}

void MsSimulator::close() {
  if (impl->sim) {
    impl->sim->getMs()->flush();
    impl->sim.reset();
  }
}

}  // namespace pclean
