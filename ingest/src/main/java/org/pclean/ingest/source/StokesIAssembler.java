package org.pclean.ingest.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.casacore.MsMetadata;

/**
 * Turns the chunks of a replay into the Stokes I samples of one selection as the dumps become whole, so a replay
 * for imaging never holds every correlation of the dataset (a table of them is ~4x the selection's Stokes I, and
 * writing it and reading it back cost a 500 MB replay more than its fetch).
 *
 * <p>Each whole dump of one data description is made a one-dump {@link DumpTable} (so its blocks are checked as
 * any replay's are) and loaded with {@link VisibilityLoader} (so the selection, the autocorrelation rule and CASA's
 * Stokes I rule are the ones every source gets) on a small pool; a one-dump table stays in the cache while it is
 * converted. The dumps are then joined in the table's row order — dump sequence, data description, row — so the
 * samples equal those of {@code VisibilityLoader.load(DatasetReader.read(...), selection)} exactly.
 *
 * <p>Not thread-safe for its callers: {@link #add} from one thread (the replay's decoder), then {@link #finish}.
 */
final class StokesIAssembler implements AutoCloseable {
  /** A dump of one data description. */
  private record Key(long sequence, int dataDescId) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Long.compare(sequence, o.sequence);
      return c != 0 ? c : Integer.compare(dataDescId, o.dataDescId);
    }
  }

  /** A dump whose selection holds no rows (another spw or field): kept only to show the dump was read. */
  private static final VisibilityData NONE = new VisibilityData(new double[0], new double[0], new double[0],
      new float[0], new float[0], new double[2]);

  /**
   * The joined samples, the dataset's metadata (rows: every dump read), the first dump holding selected rows (a
   * source for what imaging asks besides the samples: the selection's spw and channels, the observation) and the
   * dumps' sequence numbers.
   */
  record Result(VisibilityData data, MsMetadata metadata, DumpTable firstDump, long[] sequences) {}

  private final DatasetDescriptor descriptor;
  private final String description;
  private final DataSelection selection;
  /** Dumps still waiting for channel blocks, with the blocks seen. */
  private final Map<Key, DumpTable.Builder> open = new HashMap<>();
  private final Map<Key, Set<Integer>> blocksSeen = new HashMap<>();
  /** Dumps handed to the pool (a redelivered block of one is ignored, as a table ignores it). */
  private final Set<Key> closed = new HashSet<>();
  private final ConcurrentSkipListMap<Key, VisibilityData> converted = new ConcurrentSkipListMap<>();
  private final Map<Key, Integer> rowsRead = new ConcurrentSkipListMap<>();
  private final ExecutorService pool;
  /** Dumps in flight on the pool: bounds the records held beyond the selection's samples. */
  private final Semaphore inFlight;
  private final AtomicReference<RuntimeException> failed = new AtomicReference<>();
  /** Cells of the converted dumps, handed on to the dumps still arriving. */
  private final DumpTable.Slabs slabs = new DumpTable.Slabs();
  /** A dump without selected rows, kept for the loader's message when no dump has any. */
  private volatile DumpTable lastTable;
  /** The first dump (in key order) holding selected rows, and its key. */
  private DumpTable firstSelected;
  private Key firstSelectedKey;

  StokesIAssembler(DatasetDescriptor descriptor, String description, DataSelection selection) {
    this.descriptor = descriptor;
    this.description = description;
    this.selection = selection;
    int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "pclean-replay-stokes");
      t.setDaemon(true);
      return t;
    });
    this.inFlight = new Semaphore(4 * threads);
  }

  boolean isEmpty() {
    return open.isEmpty() && closed.isEmpty();
  }

  /** Takes a chunk (its cells are copied at once, so the record may go); converts its dump once it is whole. */
  void add(VisibilityChunk c) {
    rethrow();
    Key key = new Key(c.getSequence(), c.getDataDescId());
    if (closed.contains(key)) {
      return;
    }
    DumpTable.Builder dump = open.computeIfAbsent(key, k -> new DumpTable.Builder(descriptor, description, slabs));
    dump.add(c);  // checks the block as every replay does
    Set<Integer> seen = blocksSeen.computeIfAbsent(key, k -> new HashSet<>());
    seen.add(c.getBlockIndex());
    if (seen.size() < c.getNumBlocks()) {
      return;
    }
    open.remove(key);
    blocksSeen.remove(key);
    closed.add(key);
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while replaying", e);
    }
    pool.execute(() -> {
      try {
        if (failed.get() == null) {
          DumpTable table = dump.build(true);
          rowsRead.put(key, Math.toIntExact(table.numRows()));
          VisibilityData data = VisibilityLoader.loadIfAny(table, selection);  // copies what it selects
          converted.put(key, data == null ? NONE : data);
          if (data == null) {
            lastTable = table;
          } else if (!keepIfFirst(key, table)) {
            dump.recycle();  // read for good: its cells go to the next dumps
          }
        }
      } catch (RuntimeException e) {
        failed.compareAndSet(null, e);
      } finally {
        inFlight.release();
      }
    });
  }

  /**
   * Waits for the pool and joins the dumps; a dump still lacking blocks, a gap in the sequence or a selection
   * with no rows is an error, worded as a table's.
   */
  Result finish() {
    pool.shutdown();
    try {
      while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
        // converting the last dumps
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while replaying", e);
    }
    rethrow();
    for (DumpTable.Builder torn : open.values()) {
      torn.build(true);  // names the missing block
    }
    List<Long> sequences = new ArrayList<>();
    for (Key k : converted.keySet()) {
      if (sequences.isEmpty() || sequences.get(sequences.size() - 1) != k.sequence()) {
        sequences.add(k.sequence());
      }
    }
    DumpTable.Builder.requireContiguous(description, sequences);
    long rows = 0;
    for (int n : rowsRead.values()) {
      rows += n;
    }
    VisibilityData data = join();
    synchronized (this) {
      return new Result(data, DatasetDescriptors.metadata(descriptor, rows), firstSelected,
          sequences.stream().mapToLong(Long::longValue).toArray());
    }
  }

  /** Keeps the table if it is the first dump (so far) with selected rows; true if it was kept. */
  private synchronized boolean keepIfFirst(Key key, DumpTable table) {
    if (firstSelectedKey == null || key.compareTo(firstSelectedKey) < 0) {
      firstSelectedKey = key;
      firstSelected = table;
      return true;
    }
    return false;
  }

  /** The converted dumps end to end, in key order. */
  private VisibilityData join() {
    VisibilityData shape = null;
    long nrow = 0;
    for (VisibilityData d : converted.values()) {
      if (d != NONE) {
        shape = shape == null ? d : shape;
        nrow += d.numRows();
      }
    }
    if (shape == null) {
      VisibilityLoader.select(lastTable, selection);  // no dump holds a selected row: the loader's message
      throw new IllegalStateException("the selection holds no rows of " + description);
    }
    int nchan = shape.numChannels();
    int rows = Math.toIntExact(nrow);
    double[] uvw = new double[3 * rows];
    float[] vis = new float[Math.multiplyExact(2 * rows, nchan)];
    float[] weight = new float[Math.multiplyExact(rows, nchan)];
    boolean[] excluded = new boolean[weight.length];
    int at = 0;
    for (VisibilityData d : converted.values()) {
      if (d == NONE) {
        continue;
      }
      int n = d.numRows();
      System.arraycopy(d.uvw(), 0, uvw, 3 * at, 3 * n);
      System.arraycopy(d.vis(), 0, vis, 2 * at * nchan, 2 * n * nchan);
      System.arraycopy(d.weight(), 0, weight, at * nchan, n * nchan);
      System.arraycopy(d.densityExcluded(), 0, excluded, at * nchan, n * nchan);
      at += n;
    }
    return new VisibilityData(uvw, shape.freq(), shape.width(), vis, weight, shape.phaseCentre(), excluded);
  }

  private void rethrow() {
    RuntimeException e = failed.get();
    if (e != null) {
      throw e;
    }
  }

  /** Stops the pool (at once when the replay failed part way). */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
