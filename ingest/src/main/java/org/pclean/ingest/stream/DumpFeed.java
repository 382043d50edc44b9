package org.pclean.ingest.stream;

import java.util.List;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsMetadata;

/**
 * Where a stream's dumps come from, in time order: a MeasurementSet read dump by dump ({@link MsDumps}) or a
 * correlator emulator predicting a sky ({@link EmulatedDumps}). {@link StreamPublisher} turns each dump into
 * records; a feed only says what the correlator produced.
 */
public interface DumpFeed extends AutoCloseable {
  /** The observation's subtables as an MS reports them: what goes into the dataset descriptor. */
  MsMetadata metadata();

  /** The visibility columns each dump carries (DATA, and CORRECTED_DATA when the source has both). */
  List<DataColumn> columns();

  /** The MS the dumps are read from, or null when there is none. */
  String sourceMs();

  /** The observation time of each dump, MJD seconds, increasing. */
  double[] dumpTimes();

  /** The integration time, seconds. */
  double integration();

  /** The rows of dump {@code seq}: one part per data description present, in data-description order. */
  List<DumpRows> dump(int seq);

  @Override
  void close();

  /** One data description's rows of one dump, in the array layouts of {@link org.pclean.casacore.MeasurementSet}. */
  interface DumpRows {
    int dataDescription();

    int spectralWindow();

    /** The first row's position among its data description's rows of the source MS, or -1 with no MS. */
    long rowStart();

    int nrow();

    int[] corrTypes();

    /** Channel centres, Hz. */
    double[] freq();

    double[] uvw();

    int[] antenna1();

    int[] antenna2();

    int[] field();

    int[] scan();

    /** FLAG of channels [c0, c0+nc), FLAG_ROW folded in. */
    byte[] flags(int c0, int nc);

    float[] vis(DataColumn column, int c0, int nc);

    /** Weights per row, channel and correlation ({@code [(row * nc + chan) * ncorr + corr]}). */
    float[] weights(int c0, int nc);

    default int ncorr() {
      return corrTypes().length;
    }

    default int nchan() {
      return freq().length;
    }
  }
}
