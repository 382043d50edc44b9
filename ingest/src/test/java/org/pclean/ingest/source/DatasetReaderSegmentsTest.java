package org.pclean.ingest.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** How a replay's range is dealt to its fetchers: every offset once, in consecutive parts of a partition. */
class DatasetReaderSegmentsTest {
  static final TopicPartition P0 = new TopicPartition("t", 0);
  static final TopicPartition P1 = new TopicPartition("t", 1);
  static final TopicPartition P2 = new TopicPartition("t", 2);

  @Test
  void onePartitionSplitsIntoConsecutiveParts() {
    assertEquals(List.of(new DatasetReader.Segment(P0, 5, 362, 0), new DatasetReader.Segment(P0, 362, 720, 1)),
        DatasetReader.segments(List.of(P0), Map.of(P0, 5L), Map.of(P0, 720L), 2));
    assertEquals(List.of(new DatasetReader.Segment(P0, 5, 720, 0)),
        DatasetReader.segments(List.of(P0), Map.of(P0, 5L), Map.of(P0, 720L), 1));
  }

  @Test
  void partitionsAreDealtRoundRobinAndAnEmptyRangeIsOneEmptySegment() {
    assertEquals(List.of(new DatasetReader.Segment(P0, 0, 10, 0), new DatasetReader.Segment(P1, 3, 3, 1),
            new DatasetReader.Segment(P2, 7, 9, 0)),
        DatasetReader.segments(List.of(P0, P1, P2), Map.of(P0, 0L, P1, 3L, P2, 7L),
            Map.of(P0, 10L, P1, 3L, P2, 9L), 2));
    assertEquals(List.of(new DatasetReader.Segment(P0, 4, 4, 0)),
        DatasetReader.segments(List.of(P0), Map.of(P0, 4L), Map.of(P0, 4L), 2));
  }
}
