#include "ms_reader.h"

#include <casacore/casa/Arrays/Array.h>
#include <casacore/casa/Arrays/ArrayMath.h>
#include <casacore/casa/Arrays/Matrix.h>
#include <casacore/casa/Arrays/Vector.h>
#include <casacore/casa/Exceptions/Error.h>
#include <casacore/casa/Logging/LogSink.h>
#include <casacore/casa/Logging/NullLogSink.h>
#include <casacore/ms/MeasurementSets/MSAntennaColumns.h>
#include <casacore/ms/MeasurementSets/MSColumns.h>
#include <casacore/ms/MeasurementSets/MSDataDescColumns.h>
#include <casacore/ms/MeasurementSets/MSFieldColumns.h>
#include <casacore/ms/MeasurementSets/MSPolColumns.h>
#include <casacore/ms/MeasurementSets/MSSpWindowColumns.h>
#include <casacore/ms/MeasurementSets/MSSourceColumns.h>
#include <casacore/measures/Measures/MFrequency.h>
#include <casacore/ms/MeasurementSets/MeasurementSet.h>
#include <casacore/measures/Measures/MDirection.h>
#include <casacore/measures/Measures/MCDirection.h>
#include <casacore/measures/Measures/MeasConvert.h>
#include <casacore/tables/DataMan/TiledShapeStMan.h>
#include <casacore/tables/Tables/ArrColDesc.h>
#include <casacore/tables/Tables/ArrayColumn.h>
#include <casacore/tables/Tables/ScalarColumn.h>
#include <casacore/tables/Tables/TableDesc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace casacore;

namespace {
// casacore logs to stderr by default: INFO chatter from the simulator and the measures, and SEVERE notes about
// Debian's dated leap-second/IERS tables on every run. pclean reports what matters itself and casacore errors
// reach Java as exceptions with casacore's message, so casacore's log is silent unless PCLEAN_CASACORE_LOG is set.
struct QuietCasacoreLog {
  QuietCasacoreLog() {
    if (std::getenv("PCLEAN_CASACORE_LOG") == nullptr) {
      LogSinkInterface* sink = new NullLogSink();  // casacore takes ownership
      LogSink::globalSink(sink);
    }
  }
} quietCasacoreLog;
}  // namespace

namespace pclean {

struct MsReader::Impl {
  MeasurementSet ms;
  Table sel;  // the selection; the whole MS until selectRows
  bool writable = false;
  std::string scratch;  // backing store for returned strings
  std::vector<std::string> antNames, antStations, fieldNames, spwNames;

  void checkRange(long long row0, long long nrow) const {
    if (row0 < 0 || nrow < 0 || row0 + nrow > (long long)sel.nrow()) {
      throw AipsError("row range [" + std::to_string(row0) + ", " + std::to_string(row0 + nrow) +
                      ") is outside the selection of " + std::to_string(sel.nrow()) + " rows");
    }
  }
  IPosition cellShape(const String& column, long long row) const {
    ArrayColumn<Complex> col(sel, column);
    return col.shape(row);
  }
  // Reads a row range x channel range of an array column straight into the caller's memory (no copy).
  template <typename T>
  void readCells(const String& column, long long row0, long long nrow, int chan0, int nchan, T* out) const {
    int ncorr = 0;
    Slicer slicer = channelSlicer(row0, chan0, nchan, ncorr);
    Array<T> dest(IPosition(3, ncorr, nchan, nrow), out, SHARE);
    ArrayColumn<T>(sel, column).getColumnRange(Slice(row0, nrow), slicer, dest);
  }

  Slicer channelSlicer(long long row0, int chan0, int nchan, int& ncorr) const {
    IPosition shp = ArrayColumn<Bool>(sel, "FLAG").shape(row0);
    ncorr = shp[0];
    if (chan0 < 0 || nchan <= 0 || chan0 + nchan > shp[1]) {
      throw AipsError("channel range [" + std::to_string(chan0) + ", " + std::to_string(chan0 + nchan) +
                      ") is outside the " + std::to_string(shp[1]) + " channels of row " + std::to_string(row0));
    }
    return Slicer(IPosition(2, 0, chan0), IPosition(2, ncorr, nchan));
  }
};

static Table openMs(const char* path, bool writable) {
  String name(path);
  if (!Table::isReadable(name)) {
    throw AipsError("MeasurementSet " + name + " does not exist or is not a readable table");
  }
  Table t(name, writable ? Table::Update : Table::Old);
  if (!t.tableDesc().isColumn("UVW") || !t.tableDesc().isColumn("DATA_DESC_ID")) {
    throw AipsError("table " + name + " is not a MeasurementSet (no UVW/DATA_DESC_ID column)");
  }
  return t;
}

MsReader::MsReader(const char* path, bool writable) : impl(new Impl) {
  try {
    impl->ms = MeasurementSet(openMs(path, writable));
    impl->sel = impl->ms;
    impl->writable = writable;
    MSAntennaColumns ant(impl->ms.antenna());
    for (rownr_t i = 0; i < ant.nrow(); ++i) {
      impl->antNames.push_back(ant.name()(i));
      impl->antStations.push_back(ant.station()(i));
    }
    MSFieldColumns fld(impl->ms.field());
    for (rownr_t i = 0; i < fld.nrow(); ++i) impl->fieldNames.push_back(fld.name()(i));
    MSSpWindowColumns spw(impl->ms.spectralWindow());
    for (rownr_t i = 0; i < spw.nrow(); ++i) impl->spwNames.push_back(spw.name()(i));
  } catch (...) {
    delete impl;
    impl = nullptr;
    throw;
  }
}

MsReader::~MsReader() { delete impl; }

void MsReader::selectRows(const int* fieldIds, int nField, const int* ddIds, int nDd) {
  std::vector<int> f(fieldIds, fieldIds + std::max(nField, 0)), d(ddIds, ddIds + std::max(nDd, 0));
  ScalarColumn<Int> fcol(impl->ms, "FIELD_ID"), dcol(impl->ms, "DATA_DESC_ID");
  Vector<Int> fv = fcol.getColumn(), dv = dcol.getColumn();
  std::vector<rownr_t> rows;
  rows.reserve(fv.size());
  for (rownr_t r = 0; r < fv.size(); ++r) {
    bool okF = f.empty() || std::find(f.begin(), f.end(), fv[r]) != f.end();
    bool okD = d.empty() || std::find(d.begin(), d.end(), dv[r]) != d.end();
    if (okF && okD) rows.push_back(r);
  }
  if (f.empty() && d.empty()) {
    impl->sel = impl->ms;
  } else {
    Vector<rownr_t> rv(rows.size());
    std::copy(rows.begin(), rows.end(), rv.begin());
    impl->sel = impl->ms(RowNumbers(rv));
  }
}

long long MsReader::numRows() { return impl->sel.nrow(); }
long long MsReader::numRowsTotal() { return impl->ms.nrow(); }

long long MsReader::msRow(long long row) {
  impl->checkRange(row, 1);
  return (long long)impl->sel.rowNumbers(impl->ms)(row);
}

const char* MsReader::telescopeName() {
  MSObservationColumns obs(impl->ms.observation());
  impl->scratch = obs.nrow() > 0 ? obs.telescopeName()(0) : String();
  return impl->scratch.c_str();
}

const char* MsReader::observerName() {
  MSObservationColumns obs(impl->ms.observation());
  impl->scratch = obs.nrow() > 0 ? obs.observer()(0) : String();
  return impl->scratch.c_str();
}

const char* MsReader::spwFrequencyFrame(int spw) {
  MSSpWindowColumns c(impl->ms.spectralWindow());
  if (spw < 0 || (rownr_t)spw >= c.nrow()) throw AipsError("no spectral window " + String::toString(spw));
  impl->scratch = MFrequency::showType(MFrequency::castType(c.measFreqRef()(spw)));
  return impl->scratch.c_str();
}

double MsReader::sourceRestFrequency(int spw) {
  // SOURCE and its REST_FREQUENCY column are optional in an MS.
  if (impl->ms.source().isNull() || impl->ms.source().nrow() == 0) return 0.0;
  MSSourceColumns c(impl->ms.source());
  if (c.restFrequency().isNull()) return 0.0;
  for (rownr_t r = 0; r < c.nrow(); ++r) {
    Int s = c.spectralWindowId()(r);
    if (spw >= 0 && s != spw && s != -1) continue;
    if (!c.restFrequency().isDefined(r)) continue;
    Vector<Double> rf = c.restFrequency()(r);
    if (rf.nelements() > 0 && rf[0] > 0) return rf[0];
  }
  return 0.0;
}

int MsReader::numAntennas() { return impl->antNames.size(); }
const char* MsReader::antennaName(int ant) { return impl->antNames.at(ant).c_str(); }
const char* MsReader::antennaStation(int ant) { return impl->antStations.at(ant).c_str(); }

void MsReader::antennaPositions(double* xyz) {
  MSAntennaColumns ant(impl->ms.antenna());
  for (rownr_t i = 0; i < ant.nrow(); ++i) {
    Vector<Double> p = ant.position()(i);
    for (int k = 0; k < 3; ++k) xyz[i * 3 + k] = p[k];
  }
}

void MsReader::antennaDiameters(double* diam) {
  MSAntennaColumns ant(impl->ms.antenna());
  for (rownr_t i = 0; i < ant.nrow(); ++i) diam[i] = ant.dishDiameter()(i);
}

int MsReader::numFields() { return impl->fieldNames.size(); }
const char* MsReader::fieldName(int field) { return impl->fieldNames.at(field).c_str(); }

void MsReader::fieldPhaseCentre(int field, double* raDec) {
  MSFieldColumns fld(impl->ms.field());
  if (field < 0 || field >= (int)fld.nrow()) throw AipsError("no field " + std::to_string(field));
  MDirection dir = fld.phaseDirMeas(field);
  if (dir.getRef().getType() != MDirection::J2000) {
    dir = MDirection::Convert(dir, MDirection::Ref(MDirection::J2000))();
  }
  Vector<Double> a = dir.getAngle("rad").getValue();
  raDec[0] = a[0];
  raDec[1] = a[1];
}

int MsReader::numSpws() { return impl->spwNames.size(); }
const char* MsReader::spwName(int spw) { return impl->spwNames.at(spw).c_str(); }

int MsReader::spwNumChannels(int spw) {
  MSSpWindowColumns c(impl->ms.spectralWindow());
  return c.numChan()(spw);
}

void MsReader::spwChannelFrequencies(int spw, double* freqs) {
  MSSpWindowColumns c(impl->ms.spectralWindow());
  Vector<Double> f = c.chanFreq()(spw);
  std::copy(f.begin(), f.end(), freqs);
}

void MsReader::spwChannelWidths(int spw, double* widths) {
  MSSpWindowColumns c(impl->ms.spectralWindow());
  Vector<Double> f = c.chanWidth()(spw);
  std::copy(f.begin(), f.end(), widths);
}

double MsReader::spwRefFrequency(int spw) {
  MSSpWindowColumns c(impl->ms.spectralWindow());
  return c.refFrequency()(spw);
}

int MsReader::numPolarizations() { return impl->ms.polarization().nrow(); }

int MsReader::polNumCorrelations(int pol) {
  MSPolarizationColumns c(impl->ms.polarization());
  return c.numCorr()(pol);
}

void MsReader::polCorrTypes(int pol, int* types) {
  MSPolarizationColumns c(impl->ms.polarization());
  Vector<Int> t = c.corrType()(pol);
  std::copy(t.begin(), t.end(), types);
}

int MsReader::numDataDescriptions() { return impl->ms.dataDescription().nrow(); }
int MsReader::ddSpw(int dd) { return MSDataDescColumns(impl->ms.dataDescription()).spectralWindowId()(dd); }
int MsReader::ddPolarization(int dd) { return MSDataDescColumns(impl->ms.dataDescription()).polarizationId()(dd); }

void MsReader::timeRange(double* startEnd) {
  if (impl->sel.nrow() == 0) throw AipsError("the selection holds no rows");
  Vector<Double> t = ScalarColumn<Double>(impl->sel, "TIME").getColumn();
  startEnd[0] = min(t);
  startEnd[1] = max(t);
}

bool MsReader::hasColumn(const char* name) {
  if (!impl->ms.tableDesc().isColumn(name)) return false;
  if (impl->ms.nrow() == 0) return true;
  const ColumnDesc& cd = impl->ms.tableDesc().columnDesc(name);
  if (cd.isScalar()) return true;
  return TableColumn(impl->ms, name).isDefined(0);
}

void MsReader::readUvw(long long row0, long long nrow, double* uvw) {
  impl->checkRange(row0, nrow);
  if (nrow == 0) return;
  Array<Double> out(IPosition(2, 3, nrow), uvw, SHARE);
  ArrayColumn<Double>(impl->sel, "UVW").getColumnRange(Slice(row0, nrow), out);
}

void MsReader::readTime(long long row0, long long nrow, double* mjdSec) {
  impl->checkRange(row0, nrow);
  if (nrow == 0) return;
  Vector<Double> out(IPosition(1, nrow), mjdSec, SHARE);
  ScalarColumn<Double>(impl->sel, "TIME").getColumnRange(Slice(row0, nrow), out);
}

void MsReader::readIntColumn(const char* column, long long row0, long long nrow, int* outp) {
  impl->checkRange(row0, nrow);
  if (!impl->sel.tableDesc().isColumn(column)) throw AipsError(String("MS has no column ") + column);
  if (nrow == 0) return;
  Vector<Int> out(IPosition(1, nrow), outp, SHARE);
  ScalarColumn<Int>(impl->sel, column).getColumnRange(Slice(row0, nrow), out);
}

void MsReader::readFlagRow(long long row0, long long nrow, unsigned char* flagRow) {
  impl->checkRange(row0, nrow);
  if (nrow == 0) return;
  Vector<Bool> f = ScalarColumn<Bool>(impl->sel, "FLAG_ROW").getColumnRange(Slice(row0, nrow));
  for (long long i = 0; i < nrow; ++i) flagRow[i] = f[i] ? 1 : 0;
}

void MsReader::dataShape(long long row, int* shape) {
  impl->checkRange(row, 1);
  IPosition s = ArrayColumn<Bool>(impl->sel, "FLAG").shape(row);
  shape[0] = s[0];
  shape[1] = s[1];
}

void MsReader::readVisibilities(const char* column, long long row0, long long nrow, int chan0, int nchan,
                                float* vis) {
  impl->checkRange(row0, nrow);
  if (nrow == 0) return;
  if (!impl->sel.tableDesc().isColumn(column)) {
    throw AipsError(String("MS has no data column ") + column);
  }
  // Complex is two floats in the same order as our interleaved layout: read straight into the caller's array.
  impl->readCells(String(column), row0, nrow, chan0, nchan, reinterpret_cast<Complex*>(vis));
}

void MsReader::readFlags(long long row0, long long nrow, int chan0, int nchan, unsigned char* flag) {
  impl->checkRange(row0, nrow);
  if (nrow == 0) return;
  static_assert(sizeof(Bool) == 1, "casacore Bool is one byte");
  impl->readCells("FLAG", row0, nrow, chan0, nchan, reinterpret_cast<Bool*>(flag));
}

int MsReader::readWeights(long long row0, long long nrow, int chan0, int nchan, float* weight) {
  impl->checkRange(row0, nrow);
  if (nrow == 0) return 0;
  int ncorr = 0;
  impl->channelSlicer(row0, chan0, nchan, ncorr);  // validates the channel range, gives ncorr
  const TableDesc& td = impl->sel.tableDesc();
  if (td.isColumn("WEIGHT_SPECTRUM")) {
    ArrayColumn<Float> ws(impl->sel, "WEIGHT_SPECTRUM");
    if (ws.isDefined(row0) && ws.shape(row0)[1] > 0) {
      impl->readCells("WEIGHT_SPECTRUM", row0, nrow, chan0, nchan, weight);
      return 0;
    }
  }
  bool useWeight = td.isColumn("WEIGHT");
  Matrix<Float> perCorr =
      ArrayColumn<Float>(impl->sel, useWeight ? "WEIGHT" : "SIGMA").getColumnRange(Slice(row0, nrow));
  for (long long r = 0; r < nrow; ++r) {
    for (int c = 0; c < ncorr; ++c) {
      float w = perCorr(c, r);
      if (!useWeight) w = w > 0 ? 1.0f / (w * w) : 0.0f;
      for (int ch = 0; ch < nchan; ++ch) weight[(r * nchan + ch) * ncorr + c] = w;
    }
  }
  return useWeight ? 1 : 2;
}

// Adds a visibility column shaped like DATA, zero-filled, so that partial (channel-range) writes are valid.
static void addVisibilityColumn(MeasurementSet& ms, const String& name) {
  ArrayColumnDesc<Complex> desc(name, "added by pclean", 2);
  ArrayColumn<Complex> data(ms, "DATA");
  IPosition shp0 = ms.nrow() > 0 ? data.shape(0) : IPosition(2, 4, 1);
  TiledShapeStMan stman(name + "_TSM", IPosition(3, shp0[0], std::min<ssize_t>(shp0[1], 64), 128));
  ms.addColumn(desc, stman);
  ArrayColumn<Complex> col(ms, name);
  for (rownr_t r = 0; r < ms.nrow(); ++r) {
    Array<Complex> zero(data.shape(r), Complex(0.0f, 0.0f));
    col.put(r, zero);
  }
  ms.flush();
}

void MsReader::writeVisibilities(const char* column, long long row0, long long nrow, int chan0, int nchan,
                                 const float* vis) {
  if (!impl->writable) throw AipsError("MS is open read-only; open it writable to write " + String(column));
  String name(column);
  if (name != "MODEL_DATA" && name != "CORRECTED_DATA") {
    throw AipsError("refusing to write column " + name + ": only MODEL_DATA and CORRECTED_DATA are written");
  }
  impl->checkRange(row0, nrow);
  if (!impl->ms.tableDesc().isColumn(name)) {
    // The selection is a view on the old column set; rebuild it after adding the column.
    Vector<rownr_t> rows = impl->sel.rowNumbers(impl->ms);
    bool whole = impl->sel.nrow() == impl->ms.nrow();
    addVisibilityColumn(impl->ms, name);
    impl->sel = whole ? Table(impl->ms) : impl->ms(RowNumbers(rows));
  }
  if (nrow == 0) return;
  int ncorr = 0;
  Slicer slicer = impl->channelSlicer(row0, chan0, nchan, ncorr);
  Array<Complex> in(IPosition(3, ncorr, nchan, nrow), reinterpret_cast<Complex*>(const_cast<float*>(vis)), SHARE);
  ArrayColumn<Complex>(impl->sel, name).putColumnRange(Slice(row0, nrow), slicer, in);
}

void MsReader::flush() {
  if (impl->writable) impl->ms.flush();
}

}  // namespace pclean
