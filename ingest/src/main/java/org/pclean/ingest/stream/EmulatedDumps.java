package org.pclean.ingest.stream;

import java.util.Arrays;
import java.util.List;
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.CorrelatorEmulator;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsMetadata;

/**
 * The dumps of a correlator emulator ({@code pclean simulate --stream}): each predicted when it is due, so a
 * stream of any length holds one dump in memory. Rows carry FIELD_ID 0 and SCAN_NUMBER 1, as the simulated MS
 * does; the source MS is none.
 */
public final class EmulatedDumps implements DumpFeed {
  private static final int SCAN = 1;
  /** VisibilityChunk.rowStart of a stream with no MS behind it. */
  private static final long NO_MS_ROW = -1;

  private final CorrelatorEmulator emulator;
  private final MsMetadata md;
  private final double[] times;
  private final int[] corrTypes;
  private final double[] freq;

  public EmulatedDumps(CorrelatorEmulator emulator) {
    this.emulator = emulator;
    this.md = emulator.metadata();
    this.times = new double[emulator.numDumps()];
    for (int i = 0; i < times.length; i++) {
      times[i] = emulator.dumpTime(i);
    }
    this.corrTypes = emulator.correlations().stream().mapToInt(CorrelationType::code).toArray();
    this.freq = emulator.channelFrequencies();
  }

  @Override
  public MsMetadata metadata() {
    return md;
  }

  @Override
  public List<DataColumn> columns() {
    return List.of(DataColumn.DATA);
  }

  @Override
  public String sourceMs() {
    return null;
  }

  @Override
  public double[] dumpTimes() {
    return times.clone();
  }

  @Override
  public double integration() {
    return emulator.integration();
  }

  @Override
  public List<DumpRows> dump(int seq) {
    CorrelatorEmulator.Dump d = emulator.next();
    if (d.index() != seq) {
      throw new IllegalStateException("the emulator produced dump " + d.index() + " when dump " + seq + " was due");
    }
    return List.of(new Rows(d, NO_MS_ROW, corrTypes, freq));
  }

  @Override
  public void close() {
    emulator.close();
  }

  /** One emulated dump; channel blocks are cut from its arrays. */
  private record Rows(CorrelatorEmulator.Dump d, long rowStart, int[] corrTypes, double[] freq) implements DumpRows {
    @Override
    public int dataDescription() {
      return 0;
    }

    @Override
    public int spectralWindow() {
      return 0;
    }

    @Override
    public int nrow() {
      return d.nrow();
    }

    @Override
    public double[] uvw() {
      return d.uvw();
    }

    @Override
    public int[] antenna1() {
      return d.antenna1();
    }

    @Override
    public int[] antenna2() {
      return d.antenna2();
    }

    @Override
    public int[] field() {
      return new int[d.nrow()];
    }

    @Override
    public int[] scan() {
      int[] s = new int[d.nrow()];
      Arrays.fill(s, SCAN);
      return s;
    }

    @Override
    public byte[] flags(int c0, int nc) {
      byte[] out = new byte[d.nrow() * nc * ncorr()];
      channels(d.flags(), out, c0, nc, ncorr());
      return out;
    }

    @Override
    public float[] vis(DataColumn column, int c0, int nc) {
      if (column != DataColumn.DATA) {
        throw new IllegalArgumentException("an emulated stream carries DATA only, not " + column.columnName());
      }
      float[] out = new float[d.nrow() * nc * ncorr() * 2];
      channels(d.vis(), out, c0, nc, ncorr() * 2);
      return out;
    }

    /** Copies channels [c0, c0 + nc) of every row (perChannel values each) from the dump's array into out. */
    private void channels(Object dump, Object out, int c0, int nc, int perChannel) {
      int src = nchan() * perChannel;
      int dst = nc * perChannel;
      for (int r = 0; r < d.nrow(); r++) {
        System.arraycopy(dump, r * src + c0 * perChannel, out, r * dst, dst);
      }
    }

    /** WEIGHT per row and correlation, the same in every channel. */
    @Override
    public float[] weights(int c0, int nc) {
      int ncorr = ncorr();
      float[] out = new float[d.nrow() * nc * ncorr];
      for (int r = 0; r < d.nrow(); r++) {
        for (int c = 0; c < nc; c++) {
          System.arraycopy(d.weights(), r * ncorr, out, (r * nc + c) * ncorr, ncorr);
        }
      }
      return out;
    }
  }
}
