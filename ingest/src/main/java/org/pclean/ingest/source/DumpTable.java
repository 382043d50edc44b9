package org.pclean.ingest.source;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
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
 * {@link Builder#build(boolean)} names what is missing; a replay never images partial data that looks complete.
 */
public final class DumpTable implements VisibilitySource {
  /** One dump of one data description: its rows, with channel blocks in channel order. */
  private record Group(long sequence, int dataDescId, double time, int nrow, int ncorr, double[] uvw, int[] ant1,
      int[] ant2, int[] field, int[] scan, boolean[] flagRow, Block[] blocks, String column) {}

  /**
   * One channel block's cells, {@code [(row * nchan + chan) * ncorr + corr]} (times 2 for complex vis), each at an
   * offset in one of the table's slabs (see {@link Arena}).
   */
  private record Block(int chanStart, int nchan, Cells vis, Cells corrected, Cells flags, Cells weights) {}

  /** Where a block's values of one kind start: an array ({@code float[]} or {@code byte[]}) and an offset. */
  private record Cells(Object array, int offset) {}

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

  /** What one block contributes to a read: its vis, corrected, flags or weights. */
  private interface BlockArray {
    Cells of(Block b);
  }

  /** Copies [chan0, chan0 + nchan) × ncorr × per values of every selected row into out, block by block. */
  private void readCells(long row0, int nrow, int chan0, int nchan, int per, Object out, BlockArray array) {
    check(row0, nrow);
    for (int i = 0; i < nrow; ) {
      int gi = selGroup[(int) row0 + i];
      Group g = groups.get(gi);
      int r = selRow[(int) row0 + i];
      // A run of selected rows that are consecutive rows of one group: one copy per block for all of them when
      // the block is the channel range read (a dump in one block, read whole: the usual replay).
      int run = 1;
      while (i + run < nrow && selGroup[(int) row0 + i + run] == gi && selRow[(int) row0 + i + run] == r + run) {
        run++;
      }
      int nc = g.ncorr() * per;
      for (Block b : g.blocks()) {
        int c0 = Math.max(chan0, b.chanStart());
        int c1 = Math.min(chan0 + nchan, b.chanStart() + b.nchan());
        if (c0 >= c1) {
          continue;
        }
        Cells src = array.of(b);
        if (c0 == chan0 && c1 == chan0 + nchan && b.chanStart() == chan0 && b.nchan() == nchan) {
          System.arraycopy(src.array(), src.offset() + r * nchan * nc, out, i * nchan * nc, run * nchan * nc);
          continue;
        }
        for (int k = 0; k < run; k++) {
          int from = src.offset() + ((r + k) * b.nchan() + (c0 - b.chanStart())) * nc;
          int to = ((i + k) * nchan + (c0 - chan0)) * nc;
          System.arraycopy(src.array(), from, out, to, (c1 - c0) * nc);
        }
      }
      i += run;
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
      Cells v = column(b, column);
      if (v == null) {
        throw new IllegalArgumentException(description + " carries no " + column.columnName());
      }
      return v;
    });
    return out;
  }

  private Cells column(Block b, DataColumn column) {
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

  /**
   * Bump allocation of the tables' cells in a few large arrays: a replay holds ~1 GB of them, and one array per
   * record (~0.7 MB) lives through young collections that copy it to the old generation, which cost a replay of
   * the VLA bench more time in GC pauses than reading its topic. A slab grows with what the table holds (so a
   * snapshot window of a few dumps stays small) up to 64 MB, which G1 allocates as a humongous object that no
   * collection copies.
   */
  private static final class Arena {
    private static final int MIN_SLAB = 1 << 16;
    private static final int MAX_SLAB_BYTES = 1 << 26;
    private final Slabs slabs;
    /** Every slab taken, to give back to {@link #slabs} once the table is no longer read. */
    private final List<Object> taken = new ArrayList<>();
    private float[] floats = new float[0];
    private int floatsUsed;
    private long floatsTotal;
    private byte[] bytes = new byte[0];
    private int bytesUsed;
    private long bytesTotal;

    Arena(Slabs slabs) {
      this.slabs = slabs;
    }

    /** n float32 little-endian values of src, copied into a slab. */
    Cells floats(ByteBuffer src, int n) {
      if (floats.length - floatsUsed < n) {
        int length = slab(n, floatsTotal, MAX_SLAB_BYTES / 4);
        floats = slabs == null ? new float[length] : slabs.floats(length);
        taken.add(floats);
        floatsUsed = 0;
      }
      LittleEndian.floats(src, floats, floatsUsed, n);
      Cells c = new Cells(floats, floatsUsed);
      floatsUsed += n;
      floatsTotal += n;
      return c;
    }

    Cells bytes(ByteBuffer src, int n) {
      if (bytes.length - bytesUsed < n) {
        int length = slab(n, bytesTotal, MAX_SLAB_BYTES);
        bytes = slabs == null ? new byte[length] : slabs.bytes(length);
        taken.add(bytes);
        bytesUsed = 0;
      }
      LittleEndian.bytes(src, bytes, bytesUsed, n);
      Cells c = new Cells(bytes, bytesUsed);
      bytesUsed += n;
      bytesTotal += n;
      return c;
    }

    /** The next slab: as large as all held so far (so the slabs double), within [MIN, max], and at least n. */
    private static int slab(int n, long total, int max) {
      return (int) Math.max(n, Math.min(max, Math.max(MIN_SLAB, total)));
    }
  }

  /**
   * Slabs handed from the tables that have been read to the next ones: a replay that converts each dump as a
   * one-dump table as soon as it is whole (and then lets it go) would otherwise allocate ~0.7 MB of fresh cells per
   * dump, its whole topic's worth; filling fresh heap memory (first-touch page faults and zeroing) took up to
   * 0.6 s of the VLA bench's 1-2.6 s read. Every dump of a dataset has the same shape, so a slab given back fits
   * the next dump exactly. Holds a few slabs at most; thread-safe (tables are read on other threads).
   */
  static final class Slabs {
    private static final int KEEP = 32;
    private final ArrayDeque<float[]> floats = new ArrayDeque<>();
    private final ArrayDeque<byte[]> bytes = new ArrayDeque<>();

    synchronized float[] floats(int length) {
      for (var it = floats.iterator(); it.hasNext(); ) {
        float[] a = it.next();
        if (a.length >= length && a.length <= 2L * length) {
          it.remove();
          return a;
        }
      }
      return new float[length];
    }

    synchronized byte[] bytes(int length) {
      for (var it = bytes.iterator(); it.hasNext(); ) {
        byte[] a = it.next();
        if (a.length >= length && a.length <= 2L * length) {
          it.remove();
          return a;
        }
      }
      return new byte[length];
    }

    synchronized void giveBack(List<Object> slabs) {
      for (Object o : slabs) {
        if (o instanceof float[] f && floats.size() < KEEP) {
          floats.push(f);
        } else if (o instanceof byte[] b && bytes.size() < KEEP) {
          bytes.push(b);
        }
      }
    }
  }

  /** One dump of one data description as it arrives: its channel blocks and, from block 0, its row columns. */
  private static final class Pending {
    final Block[] blocks;
    final int[] nrow;
    final int[] ncorr;
    String malformed;  // a block whose arrays do not match its shape: refused by build(), as a torn dump is
    // From block 0, as group() has always taken them:
    long sequence;
    int dataDescId;
    double time;
    String column;
    double[] uvw;
    int[] ant1;
    int[] ant2;
    int[] field;
    int[] scan;

    Pending(int numBlocks) {
      blocks = new Block[numBlocks];
      nrow = new int[numBlocks];
      ncorr = new int[numBlocks];
    }
  }

  /**
   * Collects the chunks of a dataset (any order) and checks they make whole dumps. A chunk's cells are copied into
   * the table as it is added, so the caller may reuse or drop the chunk's buffers (a replay's chunks are views of
   * the record values it fetched).
   */
  public static final class Builder {
    private final DatasetDescriptor descriptor;
    private final String description;
    private final Map<Long, Map<Integer, Pending>> dumps = new TreeMap<>();
    private final Arena arena;
    private long chunks;

    public Builder(DatasetDescriptor descriptor, String description) {
      this(descriptor, description, null);
    }

    /** A builder whose cells come from (and, by {@link #recycle}, go back to) slabs; null: fresh arrays. */
    Builder(DatasetDescriptor descriptor, String description, Slabs slabs) {
      this.descriptor = descriptor;
      this.description = description;
      this.arena = new Arena(slabs);
    }

    /**
     * Gives this builder's cells back to its slabs for the next tables. The caller promises that neither the
     * builder nor any table it built is read again: their cells will hold another dump's values.
     */
    void recycle() {
      if (arena.slabs != null) {
        arena.slabs.giveBack(arena.taken);
        arena.taken.clear();
      }
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
      Pending p = dumps.computeIfAbsent(c.getSequence(), s -> new TreeMap<>())
          .computeIfAbsent(c.getDataDescId(), d -> new Pending(c.getNumBlocks()));
      if (p.blocks.length != c.getNumBlocks()) {
        throw new IllegalArgumentException(description + ": dump " + c.getSequence() + " arrives split into both "
            + p.blocks.length + " and " + c.getNumBlocks() + " channel blocks");
      }
      int b = c.getBlockIndex();
      if (p.blocks[b] != null || p.nrow[b] != 0) {
        return this;
      }
      chunks++;
      int ncorr = c.getCorrTypes().size();
      long cells = (long) c.getNrow() * c.getNchan() * ncorr;
      ByteBuffer corrected = c.getCorrected();
      if (c.getVis().remaining() != 8 * cells || c.getFlags().remaining() != cells
          || c.getWeights().remaining() != 4 * cells || (corrected != null && corrected.remaining() != 8 * cells)) {
        p.malformed = description + ": dump " + c.getSequence() + " block " + b + " has arrays that do not match "
            + c.getNrow() + " rows x " + c.getNchan() + " channels x " + ncorr + " correlations";
        p.nrow[b] = -1;  // held (as refused): a redelivery of it is ignored like any other
        return this;
      }
      int n = (int) cells;
      p.blocks[b] = new Block(c.getChanStart(), c.getNchan(), arena.floats(c.getVis(), 2 * n),
          corrected == null ? null : arena.floats(corrected, 2 * n), arena.bytes(c.getFlags(), n),
          arena.floats(c.getWeights(), n));
      p.nrow[b] = c.getNrow();
      p.ncorr[b] = ncorr;
      if (b == 0) {
        p.sequence = c.getSequence();
        p.dataDescId = c.getDataDescId();
        p.time = c.getTime();
        p.column = c.getColumn();
        p.uvw = LittleEndian.doubles(c.getUvw());
        p.ant1 = LittleEndian.ints(c.getAntenna1());
        p.ant2 = LittleEndian.ints(c.getAntenna2());
        p.field = LittleEndian.ints(c.getFieldId());
        p.scan = LittleEndian.ints(c.getScan());
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
      if (contiguous) {
        requireContiguous(description, dumps.keySet());
      }
      List<Group> groups = new ArrayList<>();
      long rows = 0;
      for (var dump : dumps.entrySet()) {
        long seq = dump.getKey();
        for (Pending p : dump.getValue().values()) {
          for (int b = 0; b < p.blocks.length; b++) {
            if (p.blocks[b] == null && p.nrow[b] == 0) {
              throw new IllegalArgumentException(description + ": dump " + seq + " lacks channel block " + b + " of "
                  + p.blocks.length);
            }
          }
          if (p.malformed != null) {
            throw new IllegalArgumentException(p.malformed);
          }
          Group g = group(p);
          rows += g.nrow();
          groups.add(g);
        }
      }
      groups.sort(Comparator.comparingLong(Group::sequence).thenComparingInt(Group::dataDescId));
      return new DumpTable(description, DatasetDescriptors.metadata(descriptor, rows), groups);
    }

    /** Dump sequence numbers (ascending) must be consecutive: a gap is an error naming the missing dumps. */
    static void requireContiguous(String description, Iterable<Long> ascending) {
      long previous = Long.MIN_VALUE;
      for (long seq : ascending) {
        if (previous != Long.MIN_VALUE && seq != previous + 1) {
          throw new IllegalArgumentException(description + ": dumps " + (previous + 1)
              + (seq - 1 > previous + 1 ? ".." + (seq - 1) : "") + " are missing from the stream (gap in the"
              + " sequence between " + previous + " and " + seq + ")");
        }
        previous = seq;
      }
    }

    private Group group(Pending p) {
      int nrow = p.nrow[0];
      int ncorr = p.ncorr[0];
      for (int b = 0; b < p.blocks.length; b++) {
        if (p.nrow[b] != nrow || p.ncorr[b] != ncorr) {
          throw new IllegalArgumentException(description + ": dump " + p.sequence + " block " + b
              + " has arrays that do not match " + nrow + " rows x " + p.blocks[b].nchan() + " channels x " + ncorr
              + " correlations");
        }
      }
      if (p.uvw.length != 3 * nrow || p.ant1.length != nrow || p.ant2.length != nrow || p.field.length != nrow
          || p.scan.length != nrow) {
        throw new IllegalArgumentException(description + ": dump " + p.sequence
            + " has row columns that do not match its " + nrow + " rows");
      }
      // FLAG_ROW is folded into FLAG by the publisher: a row is flagged when every sample of it is.
      boolean[] flagRow = new boolean[nrow];
      for (int r = 0; r < nrow; r++) {
        boolean all = true;
        for (Block bl : p.blocks) {
          byte[] flags = (byte[]) bl.flags().array();
          int per = bl.nchan() * ncorr;
          int from = bl.flags().offset() + r * per;
          for (int i = from; i < from + per && all; i++) {
            all = flags[i] != 0;
          }
        }
        flagRow[r] = all;
      }
      return new Group(p.sequence, p.dataDescId, p.time, nrow, ncorr, p.uvw, p.ant1, p.ant2, p.field, p.scan,
          flagRow, p.blocks, p.column);
    }
  }
}
