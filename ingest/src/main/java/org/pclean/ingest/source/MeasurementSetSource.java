package org.pclean.ingest.source;

import java.nio.file.Files;
import java.nio.file.Path;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;

/**
 * A MeasurementSet as a {@link VisibilitySource}: casacore's row selection by field and data description, and
 * tclean's timerange as runs of the selected rows whose TIME lies in the range.
 */
public final class MeasurementSetSource implements VisibilitySource {
  private static final int SCAN_ROWS = 65536;

  private final MeasurementSet ms;
  private double[] timeRange;
  private RowRuns runs;

  private MeasurementSetSource(MeasurementSet ms) {
    this.ms = ms;
  }

  /**
   * Opens the MS read-only. A missing path, or one casacore cannot open as a MeasurementSet (an empty directory, a
   * corrupt table), is bad input naming it: nothing has been read yet.
   */
  public static MeasurementSetSource open(Path vis) {
    if (!Files.isDirectory(vis)) {
      throw new IllegalArgumentException("vis " + vis + ": MeasurementSet does not exist");
    }
    try {
      return new MeasurementSetSource(MeasurementSet.open(vis));
    } catch (org.pclean.casacore.CasacoreException e) {
      throw new IllegalArgumentException("vis " + vis + ": not a MeasurementSet casacore can open (" + e.getMessage()
          + ")", e);
    }
  }

  /** An MS the caller opened (e.g. writable, for MODEL_DATA); closing the source closes it. */
  public static MeasurementSetSource of(MeasurementSet ms) {
    return new MeasurementSetSource(ms);
  }

  /** The MS underneath (for writing MODEL_DATA, which only an MS can take). */
  public MeasurementSet measurementSet() {
    return ms;
  }

  @Override
  public String describe() {
    return "MeasurementSet " + ms.path();
  }

  @Override
  public MsMetadata metadata() {
    return ms.metadata();
  }

  @Override
  public org.pclean.casacore.ObservationInfo observation(int spw) {
    return ms.observation(spw);
  }

  @Override
  public void selectFieldsAndSpws(int[] fieldIds, int[] spwIds) {
    ms.selectFieldsAndSpws(fieldIds, spwIds);
    selectTimeRange(timeRange);
  }

  @Override
  public void selectTimeRange(double[] fromTo) {
    timeRange = fromTo == null ? null : fromTo.clone();
    runs = null;
    if (timeRange == null) {
      return;
    }
    int nrow = Math.toIntExact(ms.numRows());
    boolean[] keep = new boolean[nrow];
    for (int r = 0; r < nrow; r += SCAN_ROWS) {
      int n = Math.min(SCAN_ROWS, nrow - r);
      double[] t = ms.readTime(r, n);
      for (int k = 0; k < n; k++) {
        keep[r + k] = t[k] >= timeRange[0] && t[k] < timeRange[1];
      }
    }
    runs = RowRuns.of(keep);
  }

  @Override
  public long numRows() {
    return runs == null ? ms.numRows() : runs.size();
  }

  private Object read(long row0, int n, RowRuns.RangeRead read) {
    return runs == null ? read.read(row0, n) : runs.gather(row0, n, read);
  }

  @Override
  public double[] readUvw(long row0, int nrow) {
    return (double[]) read(row0, nrow, ms::readUvw);
  }

  @Override
  public double[] readTime(long row0, int nrow) {
    return (double[]) read(row0, nrow, ms::readTime);
  }

  @Override
  public int[] readIntColumn(String column, long row0, int nrow) {
    return (int[]) read(row0, nrow, (r, n) -> ms.readIntColumn(column, r, n));
  }

  @Override
  public boolean[] readFlagRow(long row0, int nrow) {
    return (boolean[]) read(row0, nrow, ms::readFlagRow);
  }

  @Override
  public float[] readVisibilities(DataColumn column, long row0, int nrow, int chan0, int nchan) {
    return (float[]) read(row0, nrow, (r, n) -> ms.readVisibilities(column, r, n, chan0, nchan));
  }

  @Override
  public byte[] readFlags(long row0, int nrow, int chan0, int nchan) {
    return (byte[]) read(row0, nrow, (r, n) -> ms.readFlags(r, n, chan0, nchan));
  }

  @Override
  public float[] readWeights(long row0, int nrow, int chan0, int nchan) {
    return (float[]) read(row0, nrow, (r, n) -> ms.readWeights(r, n, chan0, nchan));
  }

  @Override
  public void close() {
    ms.close();
  }
}
