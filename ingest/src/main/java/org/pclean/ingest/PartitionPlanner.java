package org.pclean.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a job into partitions, as pclean does. Pure: no Kafka, no casacore.
 * <ul>
 *   <li>cube: sub-cubes of contiguous channels by cube_chunksize: -1 one sub-cube per worker (channels spread as
 *       evenly as possible), 1 one per channel, N chunks of N channels (the last may be shorter).
 * </ul>
 */
public final class PartitionPlanner {
  /** Channels first..last (inclusive) of the image cube. */
  public record ChannelRange(int first, int last) {
    public int count() {
      return last - first + 1;
    }
  }

  private PartitionPlanner() {}

  public static List<ChannelRange> planCube(int nchan, int cubeChunksize, int nworkers) {
    if (nchan < 1) {
      throw new IllegalArgumentException("a cube needs at least one channel, got " + nchan);
    }
    if (cubeChunksize == 0 || cubeChunksize < -1) {
      throw new IllegalArgumentException("cube_chunksize must be -1 (one sub-cube per worker) or >= 1, got "
          + cubeChunksize);
    }
    if (nworkers < 1) {
      throw new IllegalArgumentException("nworkers must be >= 1, got " + nworkers);
    }
    List<ChannelRange> out = new ArrayList<>();
    if (cubeChunksize == -1) {
      int parts = Math.min(nworkers, nchan);
      int start = 0;
      for (int k = 0; k < parts; k++) {
        int size = nchan / parts + (k < nchan % parts ? 1 : 0);
        out.add(new ChannelRange(start, start + size - 1));
        start += size;
      }
    } else {
      for (int start = 0; start < nchan; start += cubeChunksize) {
        out.add(new ChannelRange(start, Math.min(nchan, start + cubeChunksize) - 1));
      }
    }
    return out;
  }
}
