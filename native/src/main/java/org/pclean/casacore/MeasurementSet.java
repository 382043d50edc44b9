package org.pclean.casacore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pclean.casacore.jni.PcleanNative.MsReader;

/**
 * A MeasurementSet opened through casacore, read in chunks of rows x channels into Java arrays.
 *
 * <p>Row numbers are positions in the current selection ({@link #select}; all rows until then). A chunk must
 * hold rows of one data description (one shape). Array layouts, row outermost:
 * <ul>
 *   <li>visibilities: {@code vis[((row * nchan + chan) * ncorr + corr) * 2 + {0 re, 1 im}]}, Jy
 *   <li>flags and weights: {@code [(row * nchan + chan) * ncorr + corr]}
 *   <li>uvw: {@code [row * 3 + {u, v, w}]}, metres, as stored (CASA convention)
 * </ul>
 * Not thread-safe (neither is casacore): one instance per thread.
 */
public final class MeasurementSet implements AutoCloseable {
  private final Path path;
  private final MsReader reader;
  private final boolean writable;
  private MsMetadata metadata;

  private MeasurementSet(Path path, boolean writable) {
    this.path = path;
    this.writable = writable;
    if (!Files.exists(path)) {
      throw new CasacoreException("MeasurementSet " + path + " does not exist");
    }
    this.reader = NativeCall.casacore("cannot open MeasurementSet " + path,
        () -> new MsReader(path.toString(), writable));
  }

  /** Opens read-only. */
  public static MeasurementSet open(Path path) {
    return new MeasurementSet(path, false);
  }

  /** Opens for writing MODEL_DATA / CORRECTED_DATA. */
  public static MeasurementSet openWritable(Path path) {
    return new MeasurementSet(path, true);
  }

  public Path path() {
    return path;
  }

  /** Subtables and extent, read on first call. */
  public synchronized MsMetadata metadata() {
    if (metadata == null) {
      metadata = NativeCall.casacore("cannot read metadata of " + path, this::readMetadata);
    }
    return metadata;
  }

  private MsMetadata readMetadata() {
    int nant = reader.numAntennas();
    double[] xyz = new double[3 * nant];
    double[] diam = new double[nant];
    if (nant > 0) {
      reader.antennaPositions(xyz);
      reader.antennaDiameters(diam);
    }
    List<MsMetadata.Antenna> antennas = new ArrayList<>();
    for (int i = 0; i < nant; i++) {
      antennas.add(new MsMetadata.Antenna(i, reader.antennaName(i).getString(), reader.antennaStation(i).getString(),
          new double[] {xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]}, diam[i]));
    }
    List<MsMetadata.Field> fields = new ArrayList<>();
    for (int i = 0; i < reader.numFields(); i++) {
      double[] radec = new double[2];
      reader.fieldPhaseCentre(i, radec);
      fields.add(new MsMetadata.Field(i, reader.fieldName(i).getString(), radec[0], radec[1]));
    }
    List<MsMetadata.SpectralWindow> spws = new ArrayList<>();
    for (int i = 0; i < reader.numSpws(); i++) {
      int nchan = reader.spwNumChannels(i);
      double[] f = new double[nchan];
      double[] w = new double[nchan];
      reader.spwChannelFrequencies(i, f);
      reader.spwChannelWidths(i, w);
      spws.add(new MsMetadata.SpectralWindow(i, reader.spwName(i).getString(), f, w, reader.spwRefFrequency(i)));
    }
    List<MsMetadata.Polarization> pols = new ArrayList<>();
    for (int i = 0; i < reader.numPolarizations(); i++) {
      int[] types = new int[reader.polNumCorrelations(i)];
      reader.polCorrTypes(i, types);
      List<CorrelationType> corr = new ArrayList<>();
      for (int t : types) {
        corr.add(CorrelationType.fromCode(t));
      }
      pols.add(new MsMetadata.Polarization(i, List.copyOf(corr)));
    }
    List<MsMetadata.DataDescription> dds = new ArrayList<>();
    for (int i = 0; i < reader.numDataDescriptions(); i++) {
      dds.add(new MsMetadata.DataDescription(i, reader.ddSpw(i), reader.ddPolarization(i)));
    }
    List<DataColumn> columns = new ArrayList<>();
    for (DataColumn c : DataColumn.values()) {
      if (reader.hasColumn(c.columnName())) {
        columns.add(c);
      }
    }
    double[] range = new double[2];
    long rows = reader.numRowsTotal();
    if (reader.numRows() > 0) {
      reader.timeRange(range);
    }
    return new MsMetadata(reader.telescopeName().getString(), rows, range, List.copyOf(antennas),
        List.copyOf(fields), List.copyOf(spws), List.copyOf(pols), List.copyOf(dds), List.copyOf(columns),
        reader.hasColumn("WEIGHT_SPECTRUM"));
  }

  /**
   * The observation as tclean records it in image headers for an image of spectral window spw: telescope and
   * observer of the first OBSERVATION row, the first TIME of the MS, the spw's frequency frame, and the SOURCE
   * rest frequency of that spw (0 when the MS has none).
   */
  public ObservationInfo observation(int spw) {
    return NativeCall.casacore("cannot read the observation of " + path, () -> {
      double[] range = new double[2];
      if (reader.numRowsTotal() > 0) {
        reader.timeRange(range);
      }
      return new ObservationInfo(reader.telescopeName().getString(), reader.observerName().getString(), range[0],
          reader.spwFrequencyFrame(spw).getString(), reader.sourceRestFrequency(spw));
    });
  }

  /**
   * Restricts reads to the given field ids and data description ids (empty arrays select all). Row order
   * stays the MS order.
   */
  public void select(int[] fieldIds, int[] dataDescIds) {
    NativeCall.casacoreRun("cannot select rows of " + path,
        () -> reader.selectRows(fieldIds, fieldIds.length, dataDescIds, dataDescIds.length));
  }

  /**
   * tclean-style selection by field and spectral window ids (empty arrays select all): the spws are mapped to
   * their data descriptions. A spw the MS does not have is an error naming it.
   */
  public void selectFieldsAndSpws(int[] fieldIds, int[] spwIds) {
    MsMetadata md = metadata();
    for (int f : fieldIds) {
      if (f < 0 || f >= md.fields().size()) {
        throw new IllegalArgumentException("field " + f + " is not in " + path + " (it has " + md.fields().size()
            + " fields)");
      }
    }
    List<Integer> dds = new ArrayList<>();
    for (int spw : spwIds) {
      int before = dds.size();
      for (MsMetadata.DataDescription dd : md.dataDescriptions()) {
        if (dd.spectralWindow() == spw) {
          dds.add(dd.id());
        }
      }
      if (dds.size() == before) {
        throw new IllegalArgumentException("spw " + spw + " is not in " + path + " (it has "
            + md.spectralWindows().size() + " spectral windows)");
      }
    }
    select(fieldIds, dds.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Rows in the current selection. */
  public long numRows() {
    return reader.numRows();
  }

  /** [ncorr, nchan] of the data cell in a row of the selection. */
  public int[] dataShape(long row) {
    int[] shape = new int[2];
    NativeCall.casacoreRun("cannot read data shape of row " + row, () -> reader.dataShape(row, shape));
    return shape;
  }

  public double[] readUvw(long row0, int nrow) {
    double[] uvw = new double[3 * nrow];
    readRows("UVW", row0, nrow, () -> reader.readUvw(row0, nrow, uvw),
        (r, n) -> reader.readUvw(r, n, new double[3 * n]));
    return uvw;
  }

  /** TIME, MJD seconds (UTC). */
  public double[] readTime(long row0, int nrow) {
    double[] t = new double[nrow];
    readRows("TIME", row0, nrow, () -> reader.readTime(row0, nrow, t), (r, n) -> reader.readTime(r, n, new double[n]));
    return t;
  }

  /** An integer main-table column: ANTENNA1, ANTENNA2, FIELD_ID, DATA_DESC_ID, SCAN_NUMBER, ... */
  public int[] readIntColumn(String column, long row0, int nrow) {
    int[] out = new int[nrow];
    readRows(column, row0, nrow, () -> reader.readIntColumn(column, row0, nrow, out),
        (r, n) -> reader.readIntColumn(column, r, n, new int[n]));
    return out;
  }

  public boolean[] readFlagRow(long row0, int nrow) {
    byte[] raw = new byte[nrow];
    readRows("FLAG_ROW", row0, nrow, () -> reader.readFlagRow(row0, nrow, raw),
        (r, n) -> reader.readFlagRow(r, n, new byte[n]));
    boolean[] out = new boolean[nrow];
    for (int i = 0; i < nrow; i++) {
      out[i] = raw[i] != 0;
    }
    return out;
  }

  /** Complex visibilities, interleaved (re, im): {@code nrow * nchan * ncorr * 2} floats. */
  public float[] readVisibilities(DataColumn column, long row0, int nrow, int chan0, int nchan) {
    float[] vis = new float[2 * cells(nrow, nchan, ncorr(row0, nrow))];
    readVisibilities(column, row0, nrow, chan0, nchan, vis);
    return vis;
  }

  /** As {@link #readVisibilities(DataColumn, long, int, int, int)} into a caller's array (reused across chunks). */
  public void readVisibilities(DataColumn column, long row0, int nrow, int chan0, int nchan, float[] vis) {
    readRows(column.columnName(), row0, nrow,
        () -> reader.readVisibilities(column.columnName(), row0, nrow, chan0, nchan, vis),
        (r, n) -> reader.readVisibilities(column.columnName(), r, n, chan0, nchan,
            new float[2 * cells(n, nchan, ncorr(r, n))]));
  }

  /** FLAG as bytes (1 = flagged): {@code nrow * nchan * ncorr}. */
  public byte[] readFlags(long row0, int nrow, int chan0, int nchan) {
    byte[] flags = new byte[cells(nrow, nchan, ncorr(row0, nrow))];
    readRows("FLAG", row0, nrow, () -> reader.readFlags(row0, nrow, chan0, nchan, flags),
        (r, n) -> reader.readFlags(r, n, chan0, nchan, new byte[cells(n, nchan, ncorr(r, n))]));
    return flags;
  }

  /** Natural weights from WEIGHT_SPECTRUM, else WEIGHT, else 1/SIGMA²: {@code nrow * nchan * ncorr}. */
  public float[] readWeights(long row0, int nrow, int chan0, int nchan) {
    float[] w = new float[cells(nrow, nchan, ncorr(row0, nrow))];
    readRows("weights", row0, nrow, () -> reader.readWeights(row0, nrow, chan0, nchan, w),
        (r, n) -> reader.readWeights(r, n, chan0, nchan, new float[cells(n, nchan, ncorr(r, n))]));
    return w;
  }

  /** Writes MODEL_DATA (tclean's savemodel); the column is added, zero-filled, when the MS lacks it. */
  public void writeModelData(long row0, int nrow, int chan0, int nchan, float[] vis) {
    if (!writable) {
      throw new CasacoreException("MeasurementSet " + path + " is open read-only; open it writable to save the model");
    }
    NativeCall.casacoreRun("cannot write MODEL_DATA of " + path,
        () -> reader.writeVisibilities(DataColumn.MODEL.columnName(), row0, nrow, chan0, nchan, vis));
    metadata = null;
  }

  /** A read of rows [row0, row0 + nrow) of the selection. */
  private interface RowsRead {
    void read(long row0, int nrow);
  }

  /**
   * Runs a bulk read of a column (what). When casacore cannot read it — a damaged or truncated storage file — the
   * rows are read again in halves (probe) to find the first one that fails, and the error names the MS and that
   * row (the MS row number, and the selection's): corrupt data found mid-run, which the caller reports as a
   * failure, not as bad input.
   */
  private void readRows(String what, long row0, int nrow, Runnable read, RowsRead probe) {
    try {
      NativeCall.casacoreRun("cannot read " + what + " of " + path, read);
    } catch (CasacoreException e) {
      long bad = firstFailingRow(row0, nrow, probe);
      if (bad < 0) {
        throw e;  // not a row's fault (every row reads alone)
      }
      long msRow = NativeCall.casacore("cannot map selection row " + bad, () -> reader.msRow(bad));
      throw new CasacoreException("cannot read " + what + " of " + path + " at row " + msRow
          + (msRow == bad ? "" : " (row " + bad + " of the selection)") + ": " + casacoreMessage(e), e);
    }
  }

  /** The first row of [row0, row0 + nrow) whose read fails (prefixes read in halves), or -1 when none does. */
  private long firstFailingRow(long row0, int nrow, RowsRead probe) {
    if (reads(row0, nrow, probe)) {
      return -1;
    }
    long lo = row0;  // [row0, lo) reads
    long hi = row0 + nrow;  // [row0, hi) fails
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (reads(lo, (int) (mid - lo), probe)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static boolean reads(long row0, int nrow, RowsRead probe) {
    try {
      NativeCall.casacoreRun("probe", () -> probe.read(row0, nrow));
      return true;
    } catch (CasacoreException e) {
      return false;
    }
  }

  /** casacore's own words: the message after the prefix NativeCall put before it. */
  private static String casacoreMessage(CasacoreException e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    return cause.getMessage();
  }

  private static int cells(int nrow, int nchan, int ncorr) {
    return Math.multiplyExact(Math.multiplyExact(nrow, nchan), ncorr);
  }

  private int ncorr(long row0, int nrow) {
    return nrow == 0 ? 0 : dataShape(row0)[0];
  }

  @Override
  public void close() {
    NativeCall.casacoreRun("cannot close " + path, () -> {
      reader.flush();
      reader.close();
    });
  }
}
