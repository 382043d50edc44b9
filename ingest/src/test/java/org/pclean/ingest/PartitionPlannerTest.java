package org.pclean.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pclean.ingest.PartitionPlanner.ChannelRange;

class PartitionPlannerTest {
  @Test
  void chunkSizesFollowPcleansRules() {
    assertEquals(List.of(new ChannelRange(0, 2), new ChannelRange(3, 5), new ChannelRange(6, 7)),
        PartitionPlanner.planCube(8, -1, 3));
    assertEquals(8, PartitionPlanner.planCube(8, 1, 2).size());
    assertEquals(List.of(new ChannelRange(0, 2), new ChannelRange(3, 5), new ChannelRange(6, 7)),
        PartitionPlanner.planCube(8, 3, 2));
    assertEquals(List.of(new ChannelRange(0, 1), new ChannelRange(2, 2)), PartitionPlanner.planCube(3, -1, 2));
    assertEquals(List.of(new ChannelRange(0, 0), new ChannelRange(1, 1)), PartitionPlanner.planCube(2, -1, 5));
    assertEquals(List.of(new ChannelRange(0, 63)), PartitionPlanner.planCube(64, 100, 4));
  }

  @Test
  void everyChannelIsInExactlyOneSubcube() {
    for (int nchan : new int[] {1, 7, 64}) {
      for (int chunk : new int[] {-1, 1, 3, 10}) {
        for (int workers : new int[] {1, 2, 5}) {
          List<ChannelRange> plan = PartitionPlanner.planCube(nchan, chunk, workers);
          int next = 0;
          for (ChannelRange r : plan) {
            assertEquals(next, r.first());
            next = r.last() + 1;
          }
          assertEquals(nchan, next);
        }
      }
    }
  }

  @Test
  void badArgumentsNameTheParameter() {
    assertEquals("cube_chunksize must be -1 (one sub-cube per worker) or >= 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> PartitionPlanner.planCube(8, 0, 2)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> PartitionPlanner.planCube(8, 2, 0));
    assertThrows(IllegalArgumentException.class, () -> PartitionPlanner.planCube(0, 2, 1));
  }
}
