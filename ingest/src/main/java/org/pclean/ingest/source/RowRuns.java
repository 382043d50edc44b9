package org.pclean.ingest.source;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A subset of an underlying row range as contiguous runs, so reads of the subset become a few range reads of the
 * underlying rows (a time range of a time-ordered MS is one run).
 */
final class RowRuns {
  /** Reads {@code n} underlying rows from {@code row} into a new array ({@code double[]}, {@code float[]} ...). */
  interface RangeRead {
    Object read(long row, int n);
  }

  private final long[] start;
  private final int[] length;
  private final long[] before;

  private RowRuns(long[] start, int[] length) {
    this.start = start;
    this.length = length;
    this.before = new long[start.length + 1];
    for (int k = 0; k < start.length; k++) {
      before[k + 1] = before[k] + length[k];
    }
  }

  /** The runs of the rows with keep[row] set. */
  static RowRuns of(boolean[] keep) {
    List<long[]> runs = new ArrayList<>();
    for (int r = 0; r < keep.length; ) {
      if (!keep[r]) {
        r++;
        continue;
      }
      int s = r;
      while (r < keep.length && keep[r] && r - s < Integer.MAX_VALUE) {
        r++;
      }
      runs.add(new long[] {s, r - s});
    }
    return new RowRuns(runs.stream().mapToLong(x -> x[0]).toArray(),
        runs.stream().mapToInt(x -> (int) x[1]).toArray());
  }

  long size() {
    return before[start.length];
  }

  /** Rows [row0, row0 + n) of the subset, read run by run and concatenated. */
  Object gather(long row0, int n, RangeRead read) {
    if (row0 < 0 || n < 0 || row0 + n > size()) {
      throw new IllegalArgumentException("rows [" + row0 + ", " + (row0 + n) + ") outside the " + size()
          + " selected rows");
    }
    if (n == 0) {
      return read.read(0, 0);
    }
    int k = Arrays.binarySearch(before, row0);
    k = k >= 0 ? k : -k - 2;
    Object out = null;
    int perRow = 0;
    for (int done = 0; done < n; k++) {
      while (before[k + 1] <= row0 + done) {
        k++;
      }
      long within = row0 + done - before[k];
      int m = (int) Math.min(n - done, length[k] - within);
      Object part = read.read(start[k] + within, m);
      if (out == null) {
        perRow = Array.getLength(part) / m;
        out = Array.newInstance(part.getClass().getComponentType(), perRow * n);
      }
      System.arraycopy(part, 0, out, done * perRow, m * perRow);
      done += m;
    }
    return out;
  }
}
