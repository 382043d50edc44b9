package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsMetadata;

/**
 * Dumps of a streamed dataset held in memory as a {@link VisibilitySource}: what a replay reads from
 * {@code pclean.vis.<dataset>} and what the snapshot imager holds for one time window. Rows are ordered by dump
 * sequence, then data description, then their order within the dump (the source MS's row order).
 *
 * <p>Build with {@link Builder}: every dump must arrive complete (all its channel blocks), or
 * {@link Builder#build()} names what is missing; a replay never images partial data that looks complete.
 */
public final class DumpTable implements VisibilitySource {
  /** One dump of one data description: its rows, with channel blocks in channel order. */
  private record Group(long sequence, int dataDescId, double time, int nrow, int ncorr, double[] uvw, int[] ant1,
      int[] ant2, int[] field, int[] scan, boolean[] flagRow, Block[] blocks, String column) {}

  private record Block(int chanStart, int nchan, float[] vis, float[] corrected, byte[] flags, float[] weights) {}

  private final String description;
  private final MsMetadata metadata;
  private final List<Group> groups;
  private int[] fields = new int[0];
  private int[] spws = new int[0];
  private double[] timeRange;
  private int[] selGroup;
  private int[] selRow;

  private DumpTable(String description, MsMetadata metadata, List<Group> groups) {
    this.description = description;
    this.metadata = metadata;
    this.groups = groups;
    reselect();
  }

  /** TIME of the last dump held, MJD seconds (-inf when empty). */
  public double lastTime() {
    return groups.stream().mapToDouble(Group::time).max().orElse(Double.NEGATIVE_INFINITY);
  }

  /** Sequence numbers of the dumps held, ascending. */
  public long[] sequences() {
    return groups.stream().mapToLong(Group::sequence).distinct().toArray();
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public MsMetadata metadata() {
    return metadata;
  }

  @Override
  public void selectFieldsAndSpws(int[] fieldIds, int[] spwIds) {
    for (int f : fieldIds) {
      if (f < 0 || f >= metadata.fields().size()) {
        throw new IllegalArgumentException("field " + f + " is not in " + description + " (it has "
            + metadata.fields().size() + " fields)");
      }
    }
    for (int s : spwIds) {
      if (s < 0 || s >= metadata.spectralWindows().size()) {
        throw new IllegalArgumentException("spw " + s + " is not in " + description + " (it has "
            + metadata.spectralWindows().size() + " spectral windows)");
      }
    }
    fields = fieldIds.clone();
    spws = spwIds.clone();
    reselect();
  }

  @Override
  public void selectTimeRange(double[] fromTo) {
    timeRange = fromTo == null ? null : fromTo.clone();
    reselect();
  }

  private void reselect() {
    int n = 0;
    for (Group g : groups) {
      n += g.nrow();
    }
    int[] gi = new int[n];
    int[] ri = new int[n];
    int k = 0;
    for (int i = 0; i < groups.size(); i++) {
      Group g = groups.get(i);
      int spw = metadata.dataDescription(g.dataDescId()).spectralWindow();
      if ((spws.length > 0 && !contains(spws, spw))
          || (timeRange != null && !(g.time() >= timeRange[0] && g.time() < timeRange[1]))) {
        continue;
      }
      for (int r = 0; r < g.nrow(); r++) {
        if (fields.length == 0 || contains(fields, g.field()[r])) {
          gi[k] = i;
          ri[k++] = r;
        }
      }
    }
    selGroup = Arrays.copyOf(gi, k);
    selRow = Arrays.copyOf(ri, k);
  }

  private static boolean contains(int[] a, int x) {
    for (int v : a) {
      if (v == x) {
        return true;
      }
    }
    return false;
  }

  @Override
  public long numRows() {
    return selRow.length;
  }

  private void check(long row0, int nrow) {
    if (row0 < 0 || nrow < 0 || row0 + nrow > selRow.length) {
      throw new IllegalArgumentException("rows [" + row0 + ", " + (row0 + nrow) + ") outside the " + selRow.length
          + " selected rows of " + description);
    }
  }

  @Override
  public double[] readUvw(long row0, int nrow) {
    check(row0, nrow);
    double[] out = new double[3 * nrow];
    for (int i = 0; i < nrow; i++) {
      Group g = groups.get(selGroup[(int) row0 + i]);
      System.arraycopy(g.uvw(), 3 * selRow[(int) row0 + i], out, 3 * i, 3);
    }
    return out;
  }

  @Override
  public double[] readTime(long row0, int nrow) {
    check(row0, nrow);
    double[] out = new double[nrow];
    for (int i = 0; i < nrow; i++) {
      out[i] = groups.get(selGroup[(int) row0 + i]).time();
    }
    return out;
  }

  @Override
  public int[] readIntColumn(String column, long row0, int nrow) {
    check(row0, nrow);
    int[] out = new int[nrow];
    for (int i = 0; i < nrow; i++) {
      Group g = groups.get(selGroup[(int) row0 + i]);
      int r = selRow[(int) row0 + i];
      out[i] = switch (column) {
        case "ANTENNA1" -> g.ant1()[r];
        case "ANTENNA2" -> g.ant2()[r];
        case "FIELD_ID" -> g.field()[r];
        case "SCAN_NUMBER" -> g.scan()[r];
        case "DATA_DESC_ID" -> g.dataDescId();
        default -> throw new IllegalArgumentException("column " + column + " is not carried by " + description);
      };
    }
    return out;
  }

  @Override
  public boolean[] readFlagRow(long row0, int nrow) {
    check(row0, nrow);
    boolean[] out = new boolean[nrow];
    for (int i = 0; i < nrow; i++) {
      out[i] = groups.get(selGroup[(int) row0 + i]).flagRow()[selRow[(int) row0 + i]];
    }
    return out;
  }

  /** What one block contributes to a read: a float array (vis, weights) or a byte array (flags). */
  private interface BlockArray {
    Object of(Block b);
  }

  /** Copies [chan0, chan0 + nchan) × ncorr × per values of every selected row into out, block by block. */
  private void readCells(long row0, int nrow, int chan0, int nchan, int per, Object out, BlockArray array) {
    check(row0, nrow);
    for (int i = 0; i < nrow; i++) {
      Group g = groups.get(selGroup[(int) row0 + i]);
      int r = selRow[(int) row0 + i];
      int nc = g.ncorr() * per;
      for (Block b : g.blocks()) {
        int c0 = Math.max(chan0, b.chanStart());
        int c1 = Math.min(chan0 + nchan, b.chanStart() + b.nchan());
        if (c0 >= c1) {
          continue;
        }
        Object src = array.of(b);
        int from = (r * b.nchan() + (c0 - b.chanStart())) * nc;
        int to = (i * nchan + (c0 - chan0)) * nc;
        System.arraycopy(src, from, out, to, (c1 - c0) * nc);
      }
    }
  }

  private int ncorr(long row0, int nrow) {
    return nrow == 0 ? 0 : groups.get(selGroup[(int) row0]).ncorr();
  }

  @Override
  public float[] readVisibilities(DataColumn column, long row0, int nrow, int chan0, int nchan) {
    check(row0, nrow);
    float[] out = new float[2 * nrow * nchan * ncorr(row0, nrow)];
    readCells(row0, nrow, chan0, nchan, 2, out, b -> {
      float[] v = column(b, column);
      if (v == null) {
        throw new IllegalArgumentException(description + " carries no " + column.columnName());
      }
      return v;
    });
    return out;
  }

  private float[] column(Block b, DataColumn column) {
    String stored = groups.isEmpty() ? "DATA" : groups.get(0).column();
    if (column.columnName().equals(stored)) {
      return b.vis();
    }
    return column == DataColumn.CORRECTED ? b.corrected() : null;
  }

  @Override
  public byte[] readFlags(long row0, int nrow, int chan0, int nchan) {
    byte[] out = new byte[nrow * nchan * ncorr(row0, nrow)];
    readCells(row0, nrow, chan0, nchan, 1, out, Block::flags);
    return out;
  }

  @Override
  public float[] readWeights(long row0, int nrow, int chan0, int nchan) {
    float[] out = new float[nrow * nchan * ncorr(row0, nrow)];
    readCells(row0, nrow, chan0, nchan, 1, out, Block::weights);
    return out;
  }

  @Override
  public void close() {}

  /** Collects the chunks of a dataset (any order) and checks they make whole dumps. */
  public static final class Builder {
    private final DatasetDescriptor descriptor;
    private final String description;
    private final Map<Long, Map<Integer, VisibilityChunk[]>> dumps = new TreeMap<>();
    private long chunks;

    public Builder(DatasetDescriptor descriptor, String description) {
      this.descriptor = descriptor;
      this.description = description;
    }

    /** Adds a chunk; a chunk already held (same dump, data description, block) is a redelivery and ignored. */
    public Builder add(VisibilityChunk c) {
      if (c.getNumBlocks() < 1 || c.getBlockIndex() < 0 || c.getBlockIndex() >= c.getNumBlocks()) {
        throw new IllegalArgumentException(description + ": dump " + c.getSequence() + " block " + c.getBlockIndex()
            + " of " + c.getNumBlocks() + " is malformed");
      }
      if (c.getDataDescId() < 0 || c.getDataDescId() >= descriptor.getDataDescriptions().size()) {
        throw new IllegalArgumentException(description + ": dump " + c.getSequence() + " names data description "
            + c.getDataDescId() + ", which the dataset descriptor does not have");
      }
      VisibilityChunk[] blocks = dumps.computeIfAbsent(c.getSequence(), s -> new TreeMap<>())
          .computeIfAbsent(c.getDataDescId(), d -> new VisibilityChunk[c.getNumBlocks()]);
      if (blocks.length != c.getNumBlocks()) {
        throw new IllegalArgumentException(description + ": dump " + c.getSequence() + " arrives split into both "
            + blocks.length + " and " + c.getNumBlocks() + " channel blocks");
      }
      if (blocks[c.getBlockIndex()] == null) {
        blocks[c.getBlockIndex()] = c;
        chunks++;
      }
      return this;
    }

    public long chunks() {
      return chunks;
    }

    public boolean isEmpty() {
      return dumps.isEmpty();
    }

    /** Dump sequence numbers held so far, ascending. */
    public List<Long> sequences() {
      return List.copyOf(dumps.keySet());
    }

    /**
     * The table; every dump must be whole (all channel blocks) and, when {@code contiguous}, the dumps must be
     * consecutive sequence numbers (a gap is an error naming the missing dumps).
     */
    public DumpTable build(boolean contiguous) {
      List<Group> groups = new ArrayList<>();
      long previous = Long.MIN_VALUE;
      long rows = 0;
      for (var dump : dumps.entrySet()) {
        long seq = dump.getKey();
        if (contiguous && previous != Long.MIN_VALUE && seq != previous + 1) {
          throw new IllegalArgumentException(description + ": dumps " + (previous + 1)
              + (seq - 1 > previous + 1 ? ".." + (seq - 1) : "") + " are missing from the stream (gap in the"
              + " sequence between " + previous + " and " + seq + ")");
        }
        previous = seq;
        for (VisibilityChunk[] blocks : dump.getValue().values()) {
          for (int b = 0; b < blocks.length; b++) {
            if (blocks[b] == null) {
              throw new IllegalArgumentException(description + ": dump " + seq + " lacks channel block " + b + " of "
                  + blocks.length);
            }
          }
          Group g = group(blocks);
          rows += g.nrow();
          groups.add(g);
        }
      }
      groups.sort(Comparator.comparingLong(Group::sequence).thenComparingInt(Group::dataDescId));
      return new DumpTable(description, DatasetDescriptors.metadata(descriptor, rows), groups);
    }

    private Group group(VisibilityChunk[] blocks) {
      VisibilityChunk first = blocks[0];
      int nrow = first.getNrow();
      int ncorr = first.getCorrTypes().size();
      Block[] out = new Block[blocks.length];
      for (int b = 0; b < blocks.length; b++) {
        VisibilityChunk c = blocks[b];
        int cells = c.getNrow() * c.getNchan() * ncorr;
        float[] vis = LittleEndian.floats(c.getVis());
        float[] corrected = c.getCorrected() == null ? null : LittleEndian.floats(c.getCorrected());
        byte[] flags = LittleEndian.bytes(c.getFlags());
        float[] weights = LittleEndian.floats(c.getWeights());
        if (c.getNrow() != nrow || vis.length != 2 * cells || flags.length != cells || weights.length != cells
            || (corrected != null && corrected.length != 2 * cells)) {
          throw new IllegalArgumentException(description + ": dump " + c.getSequence() + " block " + b
              + " has arrays that do not match " + c.getNrow() + " rows x " + c.getNchan() + " channels x " + ncorr
              + " correlations");
        }
        out[b] = new Block(c.getChanStart(), c.getNchan(), vis, corrected, flags, weights);
      }
      double[] uvw = LittleEndian.doubles(first.getUvw());
      int[] ant1 = LittleEndian.ints(first.getAntenna1());
      int[] ant2 = LittleEndian.ints(first.getAntenna2());
      int[] field = LittleEndian.ints(first.getFieldId());
      int[] scan = LittleEndian.ints(first.getScan());
      if (uvw.length != 3 * nrow || ant1.length != nrow || ant2.length != nrow || field.length != nrow
          || scan.length != nrow) {
        throw new IllegalArgumentException(description + ": dump " + first.getSequence()
            + " has row columns that do not match its " + nrow + " rows");
      }
      // FLAG_ROW is folded into FLAG by the publisher: a row is flagged when every sample of it is.
      boolean[] flagRow = new boolean[nrow];
      for (int r = 0; r < nrow; r++) {
        boolean all = true;
        for (Block bl : out) {
          int per = bl.nchan() * ncorr;
          for (int i = r * per; i < (r + 1) * per && all; i++) {
            all = bl.flags()[i] != 0;
          }
        }
        flagRow[r] = all;
      }
      return new Group(first.getSequence(), first.getDataDescId(), first.getTime(), nrow, ncorr, uvw, ant1, ant2,
          field, scan, flagRow, out, first.getColumn());
    }
  }
}
