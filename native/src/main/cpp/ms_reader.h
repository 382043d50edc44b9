// MeasurementSet access for pclean: metadata and chunked column reads over plain arrays.
//
// Guarantees: a reader holds one MeasurementSet open (read-only unless asked otherwise) and a
// row selection (all rows until selectRows is called). Row numbers in every read are positions
// in the current selection, 0-based. A read covers a row range x channel range of rows that share
// one data description (one shape); casacore's message is passed on when they do not.
// Memory order of every array follows the MS cell layout with the row outermost:
//   vis[((row * nchan + chan) * ncorr + corr) * 2 + {0:re, 1:im}]   (float32, Jy)
//   flag[(row * nchan + chan) * ncorr + corr]                        (0/1)
//   weight[(row * nchan + chan) * ncorr + corr]                      (natural weight, 1/Jy^2)
//   uvw[row * 3 + {0:u, 1:v, 2:w}]                                   (float64, metres)
// casacore is not thread-safe: use one reader per thread and never two writers on one table.
#pragma once

namespace pclean {

class MsReader {
 public:
  // Opens the MS at path; throws (casacore's message) when it is missing or not an MS.
  MsReader(const char* path, bool writable);
  ~MsReader();

  // Restricts reads to rows whose FIELD_ID and DATA_DESC_ID are in the given lists
  // (an empty list selects all). Row order stays the MS order.
  void selectRows(const int* fieldIds, int nField, const int* ddIds, int nDd);
  long long numRows();       // rows in the selection
  long long numRowsTotal();  // rows in the MS
  long long msRow(long long row);  // the MS row number of a row of the selection

  const char* telescopeName();
  const char* observerName();  // OBSERVATION::OBSERVER of the first observation ("" when none)
  int numAntennas();
  const char* antennaName(int ant);
  const char* antennaStation(int ant);
  void antennaPositions(double* xyz);  // xyz[ant * 3 + k], ITRF metres
  void antennaDiameters(double* diam); // metres

  int numFields();
  const char* fieldName(int field);
  void fieldPhaseCentre(int field, double* raDec);  // J2000 radians (PHASE_DIR at its time origin)

  int numSpws();
  const char* spwName(int spw);
  int spwNumChannels(int spw);
  void spwChannelFrequencies(int spw, double* freqs);  // Hz, CHAN_FREQ
  void spwChannelWidths(int spw, double* widths);      // Hz, CHAN_WIDTH
  double spwRefFrequency(int spw);                     // Hz, REF_FREQUENCY
  const char* spwFrequencyFrame(int spw);              // MEAS_FREQ_REF as a name: "TOPO", "LSRK", ...
  // SOURCE::REST_FREQUENCY (Hz) of the first SOURCE row of that spw (or of any spw, -1) with one; 0 when none.
  double sourceRestFrequency(int spw);

  int numPolarizations();
  int polNumCorrelations(int pol);
  void polCorrTypes(int pol, int* types);  // Stokes enum codes (RR=5 ... LL=8, XX=9 ... YY=12)

  int numDataDescriptions();
  int ddSpw(int dd);
  int ddPolarization(int dd);

  void timeRange(double* startEnd);  // MJD seconds (UTC) over the selection
  bool hasColumn(const char* name);  // a main-table column that exists and holds data in row 0

  void readUvw(long long row0, long long nrow, double* uvw);
  void readTime(long long row0, long long nrow, double* mjdSec);
  // ANTENNA1, ANTENNA2, FIELD_ID, DATA_DESC_ID, SCAN_NUMBER, ...
  void readIntColumn(const char* column, long long row0, long long nrow, int* out);
  void readFlagRow(long long row0, long long nrow, unsigned char* flagRow);
  // Shape of the data cell in a row of the selection: shape[0] = ncorr, shape[1] = nchan.
  void dataShape(long long row, int* shape);

  void readVisibilities(const char* column, long long row0, long long nrow, int chan0, int nchan, float* vis);
  void readFlags(long long row0, long long nrow, int chan0, int nchan, unsigned char* flag);
  // Natural weights from WEIGHT_SPECTRUM, else WEIGHT (per correlation), else 1/SIGMA^2.
  // Returns which was used: 0 WEIGHT_SPECTRUM, 1 WEIGHT, 2 SIGMA.
  int readWeights(long long row0, long long nrow, int chan0, int nchan, float* weight);

  // Writes a visibility column (MODEL_DATA or CORRECTED_DATA; created, zero-filled, when missing).
  // Needs a writable reader.
  void writeVisibilities(const char* column, long long row0, long long nrow, int chan0, int nchan, const float* vis);
  void flush();

 private:
  struct Impl;
  Impl* impl;
};

}  // namespace pclean
