package org.pclean.ingest.stream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;

/**
 * The dumps of a MeasurementSet, as a correlator wrote them: rows grouped by TIME (within 1 ms), one reader per
 * data description. The MS's rows must be in time order; an MS that is not is refused at open, before anything
 * is published.
 */
final class MsDumps implements DumpFeed {
  private static final double SAME_DUMP_S = 1e-3;

  /** One data description's rows (its own selection of the MS): their TIME, correlations, channels. */
  private record Dd(int id, int spw, MeasurementSet ms, double[] time, int[] corrTypes, double[] freq) {}

  private final Path vis;
  private final MsMetadata md;
  private final List<DataColumn> columns;
  private final List<Dd> dds;
  private final double[] dumpTimes;
  private final int[] cursor;

  private MsDumps(Path vis, MsMetadata md, List<DataColumn> columns, List<Dd> dds, double[] dumpTimes) {
    this.vis = vis;
    this.md = md;
    this.columns = columns;
    this.dds = dds;
    this.dumpTimes = dumpTimes;
    this.cursor = new int[dds.size()];
  }

  static MsDumps open(Path vis) {
    if (!Files.isDirectory(vis)) {
      throw new IllegalArgumentException("vis " + vis + ": MeasurementSet does not exist");
    }
    List<Dd> dds = new ArrayList<>();
    try (MeasurementSet all = MeasurementSet.open(vis)) {
      MsMetadata md = all.metadata();
      List<DataColumn> columns = new ArrayList<>();
      for (DataColumn c : List.of(DataColumn.DATA, DataColumn.CORRECTED)) {
        if (md.dataColumns().contains(c)) {
          columns.add(c);
        }
      }
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("vis " + vis + " has neither DATA nor CORRECTED_DATA to stream");
      }
      TreeSet<Double> times = new TreeSet<>();
      for (MsMetadata.DataDescription dd : md.dataDescriptions()) {
        MeasurementSet ms = MeasurementSet.open(vis);
        ms.select(new int[0], new int[] {dd.id()});
        int nrow = Math.toIntExact(ms.numRows());
        if (nrow == 0) {
          ms.close();
          continue;
        }
        double[] t = ms.readTime(0, nrow);
        MsMetadata.SpectralWindow sw = md.spectralWindows().get(dd.spectralWindow());
        List<CorrelationType> corr = md.polarizations().get(dd.polarization()).correlations();
        dds.add(new Dd(dd.id(), dd.spectralWindow(), ms, t, corr.stream().mapToInt(CorrelationType::code).toArray(),
            sw.channelFrequencies()));
        for (int r = 1; r < nrow; r++) {
          if (t[r] < t[r - 1] - SAME_DUMP_S) {
            throw new IllegalArgumentException("vis " + vis + ": rows are not in time order (row " + r + " of data"
                + " description " + dd.id() + "); a stream publishes dumps in time order — sort the MS by TIME first");
          }
        }
        addDumpTimes(t, times);
      }
      if (times.isEmpty()) {
        throw new IllegalArgumentException("vis " + vis + " holds no rows to stream");
      }
      return new MsDumps(vis, md, List.copyOf(columns), dds, times.stream().mapToDouble(Double::doubleValue).toArray());
    } catch (RuntimeException e) {
      dds.forEach(d -> d.ms().close());
      throw e;
    }
  }

  private static void addDumpTimes(double[] t, TreeSet<Double> times) {
    for (int r = 0; r < t.length; r++) {
      if (r == 0 || t[r] - t[r - 1] > SAME_DUMP_S) {
        Double near = times.ceiling(t[r] - SAME_DUMP_S);
        if (near == null || near > t[r] + SAME_DUMP_S) {
          times.add(t[r]);
        }
      }
    }
  }

  @Override
  public MsMetadata metadata() {
    return md;
  }

  @Override
  public List<DataColumn> columns() {
    return columns;
  }

  @Override
  public String sourceMs() {
    return vis.toAbsolutePath().toString();
  }

  @Override
  public double[] dumpTimes() {
    return dumpTimes.clone();
  }

  /** The median step between dumps (0 for a single dump). */
  @Override
  public double integration() {
    if (dumpTimes.length < 2) {
      return 0;
    }
    double[] d = new double[dumpTimes.length - 1];
    for (int i = 0; i < d.length; i++) {
      d[i] = dumpTimes[i + 1] - dumpTimes[i];
    }
    Arrays.sort(d);
    return d[d.length / 2];
  }

  @Override
  public List<DumpRows> dump(int seq) {
    double t = dumpTimes[seq];
    List<DumpRows> out = new ArrayList<>();
    for (int k = 0; k < dds.size(); k++) {
      Dd d = dds.get(k);
      int r0 = cursor[k];
      int r1 = r0;
      while (r1 < d.time().length && Math.abs(d.time()[r1] - t) <= SAME_DUMP_S) {
        r1++;
      }
      cursor[k] = r1;
      if (r1 > r0) {
        out.add(new MsRows(d, r0, r1 - r0));
      }
    }
    return out;
  }

  @Override
  public void close() {
    dds.forEach(d -> d.ms().close());
  }

  /** Rows [row0, row0 + nrow) of one data description, read from the MS when asked. */
  private record MsRows(Dd d, int row0, int nrow) implements DumpRows {
    @Override
    public int dataDescription() {
      return d.id();
    }

    @Override
    public int spectralWindow() {
      return d.spw();
    }

    @Override
    public long rowStart() {
      return row0;
    }

    @Override
    public int[] corrTypes() {
      return d.corrTypes();
    }

    @Override
    public double[] freq() {
      return d.freq();
    }

    @Override
    public double[] uvw() {
      return d.ms().readUvw(row0, nrow);
    }

    @Override
    public int[] antenna1() {
      return d.ms().readIntColumn("ANTENNA1", row0, nrow);
    }

    @Override
    public int[] antenna2() {
      return d.ms().readIntColumn("ANTENNA2", row0, nrow);
    }

    @Override
    public int[] field() {
      return d.ms().readIntColumn("FIELD_ID", row0, nrow);
    }

    @Override
    public int[] scan() {
      return d.ms().readIntColumn("SCAN_NUMBER", row0, nrow);
    }

    @Override
    public byte[] flags(int c0, int nc) {
      byte[] flags = d.ms().readFlags(row0, nrow, c0, nc);
      boolean[] flagRow = d.ms().readFlagRow(row0, nrow);
      int perRow = nc * ncorr();
      for (int r = 0; r < nrow; r++) {
        if (flagRow[r]) {
          Arrays.fill(flags, r * perRow, (r + 1) * perRow, (byte) 1);
        }
      }
      return flags;
    }

    @Override
    public float[] vis(DataColumn column, int c0, int nc) {
      return d.ms().readVisibilities(column, row0, nrow, c0, nc);
    }

    @Override
    public float[] weights(int c0, int nc) {
      return d.ms().readWeights(row0, nrow, c0, nc);
    }
  }
}
