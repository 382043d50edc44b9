package org.pclean.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pclean.ingest.RowPartitioner.RowChunk;

class RowPartitionerTest {
  private static void assertCovers(List<RowChunk> chunks, int[] unflagged) {
    long next = 0;
    long samples = 0;
    for (RowChunk c : chunks) {
      assertEquals(next, c.start());
      assertTrue(c.end() > c.start(), "every chunk holds rows");
      next = c.end();
      samples += c.samples();
    }
    assertEquals(unflagged.length, next);
    assertEquals(Arrays.stream(unflagged).asLongStream().sum(), samples);
  }

  /** Half the rows fully flagged: chunks balance the unflagged work, not the row count. */
  @Test
  void balancesUnflaggedSamplesNotRows() {
    int[] u = new int[1000];
    Arrays.fill(u, 500, 1000, 64);  // rows 0..499 fully flagged
    List<RowChunk> chunks = RowPartitioner.balance(u, 2);
    assertCovers(chunks, u);
    assertEquals(2, chunks.size());
    assertEquals(750, chunks.get(0).end(), "the split lands in the middle of the unflagged half");
    assertEquals(chunks.get(0).samples(), chunks.get(1).samples());
  }

  @Test
  void randomFlaggingStaysWithinOneRowOfBalance() {
    Random rnd = new Random(3);
    int[] u = new int[5000];
    for (int i = 0; i < u.length; i++) {
      u[i] = rnd.nextDouble() < 0.3 ? 0 : 1 + rnd.nextInt(128);
    }
    for (int k : new int[] {1, 2, 3, 7}) {
      List<RowChunk> chunks = RowPartitioner.balance(u, k);
      assertCovers(chunks, u);
      assertEquals(k, chunks.size());
      long total = Arrays.stream(u).asLongStream().sum();
      for (RowChunk c : chunks) {
        assertTrue(Math.abs(c.samples() - total / k) <= 128, "chunk " + c + " of " + k);
      }
    }
  }

  @Test
  void moreChunksThanRowsAndBySize() {
    int[] u = {5, 5, 5};
    assertEquals(3, RowPartitioner.balance(u, 8).size());
    assertCovers(RowPartitioner.balance(u, 8), u);
    List<RowChunk> s = RowPartitioner.bySize(new int[] {1, 2, 3, 4, 5}, 2);
    assertEquals(List.of(new RowChunk(0, 2, 3), new RowChunk(2, 4, 7), new RowChunk(4, 5, 5)), s);
    assertThrows(IllegalArgumentException.class, () -> RowPartitioner.balance(u, 0));
    assertThrows(IllegalArgumentException.class, () -> RowPartitioner.balance(new int[0], 2));
  }
}
