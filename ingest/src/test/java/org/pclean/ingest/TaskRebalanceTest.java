package org.pclean.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link TaskPlacement#rebalance}: fair shares with the fewest moves, expected placements worked out by hand. */
class TaskRebalanceTest {
  static final List<Integer> A = range(0, 8);
  static final List<Integer> B = range(8, 16);

  @Test
  void aMemberThatJoinedTakesHalfOfTheTasks() {
    // All four chunks on A's partitions; B joined: A keeps its first two, B takes two on its own partitions 8, 9.
    assertEquals(List.of(0, 2, 8, 9), TaskPlacement.rebalance(List.of(0, 2, 4, 6), List.of(A, B)));
  }

  @Test
  void aBalancedPlacementStays() {
    assertEquals(List.of(0, 8, 1, 9), TaskPlacement.rebalance(List.of(0, 8, 1, 9), List.of(A, B)));
  }

  @Test
  void tasksOfADepartedMemberStayOnThePartitionsItsSuccessorNowOwns() {
    assertEquals(List.of(0, 8, 1, 9), TaskPlacement.rebalance(List.of(0, 8, 1, 9), List.of(range(0, 16))));
  }

  @Test
  void theRemainderGoesToTheMembersHoldingMostAndTheNewcomerGetsItsShare() {
    // 4 tasks, 3 members: shares 2, 1, 1 (A and B hold two each; A, the first, keeps its second).
    List<Integer> c = range(10, 16);
    List<List<Integer>> owned = List.of(range(0, 5), range(5, 10), c);
    assertEquals(List.of(0, 1, 5, 10), TaskPlacement.rebalance(List.of(0, 1, 5, 6), owned));
  }

  @Test
  void aTaskOnAPartitionNobodyOwnsMoves() {
    // Partition 15 is unowned (mid-rebalance): its task goes to the member under its share, B, on partition 8.
    assertEquals(List.of(0, 8), TaskPlacement.rebalance(List.of(0, 15), List.of(A, range(8, 15))));
  }

  @Test
  void noMembersLeavesThePlacementAsItIs() {
    assertEquals(List.of(3, 3), TaskPlacement.rebalance(List.of(3, 3), List.of()));
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }
}
