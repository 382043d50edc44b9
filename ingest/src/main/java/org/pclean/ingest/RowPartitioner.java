package org.pclean.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the rows of a continuum selection into contiguous chunks balanced by unflagged visibility count (what
 * a worker's gridding time is proportional to), as pclean's row partitioning but by work rather than by rows.
 * Pure: no Kafka, no casacore.
 */
public final class RowPartitioner {
  /** Rows [start, end) of the selection and the unflagged samples in them. */
  public record RowChunk(long start, long end, long samples) {}

  private RowPartitioner() {}

  /**
   * @param unflagged per row of the selection, its unflagged samples (channels x parallel hands)
   * @param chunks how many chunks (nworkers by default); fewer when there are fewer rows
   */
  public static List<RowChunk> balance(int[] unflagged, int chunks) {
    if (chunks < 1) {
      throw new IllegalArgumentException("the number of row chunks must be >= 1, got " + chunks);
    }
    int n = unflagged.length;
    if (n == 0) {
      throw new IllegalArgumentException("the selection holds no rows");
    }
    long total = 0;
    for (int u : unflagged) {
      total += u;
    }
    int parts = Math.min(chunks, n);
    List<RowChunk> out = new ArrayList<>();
    long cumulative = 0;
    long inChunk = 0;
    int start = 0;
    for (int r = 0; r < n; r++) {
      cumulative += unflagged[r];
      inChunk += unflagged[r];
      int k = out.size() + 1;  // the chunk being filled
      if (k == parts) {
        continue;  // the last chunk takes the rest
      }
      // Cut where the running count reaches k/parts of the total, or when the later chunks need these rows.
      boolean reached = cumulative >= Math.round((double) total * k / parts);
      boolean rowsNeeded = n - (r + 1) == parts - k;
      if (reached || rowsNeeded) {
        out.add(new RowChunk(start, r + 1, inChunk));
        start = r + 1;
        inChunk = 0;
      }
    }
    out.add(new RowChunk(start, n, inChunk));
    return out;
  }

  /** Chunks of chunkRows rows each (the last may be shorter). */
  public static List<RowChunk> bySize(int[] unflagged, int chunkRows) {
    if (chunkRows < 1) {
      throw new IllegalArgumentException("the row chunk size must be >= 1, got " + chunkRows);
    }
    List<RowChunk> out = new ArrayList<>();
    for (int start = 0; start < unflagged.length; start += chunkRows) {
      int end = Math.min(unflagged.length, start + chunkRows);
      long samples = 0;
      for (int r = start; r < end; r++) {
        samples += unflagged[r];
      }
      out.add(new RowChunk(start, end, samples));
    }
    return out;
  }
}
