package org.pclean.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.Test;

class TopicsTest {
  /**
   * Record keys are the bus contract between separately deployed services: a change here re-partitions tasks and
   * breaks model compaction, so the formats are pinned.
   */
  @Test
  void recordKeysHaveTheirDocumentedForm() {
    assertEquals("job-1", Topics.jobKey("job-1"));
    assertEquals("job-1/3", Topics.taskKey("job-1", 3));
    assertEquals(Topics.taskKey("job-1", 3), Topics.planeKey("job-1", 3));
    assertEquals("job-1/0/MODEL/1/2", Topics.modelKey("job-1", 0, org.pclean.bus.avro.TileKind.MODEL, 1, 2));
    org.pclean.bus.avro.ImageTile t = org.pclean.bus.avro.ImageTile.newBuilder().setJobId("job-1").setAttempt(0)
        .setCycle(2).setPartitionIndex(1).setKind(org.pclean.bus.avro.TileKind.RESIDUAL).setTerm(0).setChannel(0)
        .setTileIndex(4).setX0(0).setY0(0).setWidth(1).setHeight(1).setImageNx(1).setImageNy(1)
        .setPixels(java.nio.ByteBuffer.allocate(4)).build();
    assertEquals("job-1/0/2/RESIDUAL/0/0/4", Topics.partialKey(t));
  }


  @Test
  void namesAreUniqueAndLegalKafkaTopicNames() {
    var names = new HashSet<String>();
    for (Topics.Topic t : Topics.all()) {
      assertTrue(names.add(t.name()), "duplicate " + t.name());
      Topic.validate(t.name());  // Kafka's own validation throws on illegal names
      assertTrue(t.partitions() > 0);
    }
    Topic.validate(Topics.visibilities("vla_day2.ms-1").name());
  }

  @Test
  void dataTopicsAcceptFourMebibytePayloadsWithHeadroom() {
    for (Topics.Topic t : new Topics.Topic[] {Topics.PARTIALS, Topics.MODELS, Topics.SUBCUBES, Topics.DEAD_LETTER,
        Topics.visibilities("x")}) {
      int max = Integer.parseInt(t.configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG));
      assertTrue(max >= Topics.MAX_PAYLOAD_BYTES + 64 * 1024, t.name() + " max.message.bytes " + max);
    }
  }

  @Test
  void jobAndModelTopicsAreCompactedOthersAreNot() {
    assertTrue(Topics.JOBS.compacted());
    assertTrue(Topics.MODELS.compacted());
    assertTrue(Topics.DATASETS.compacted());
    assertEquals("-1", Topics.visibilities("d").configs().get(TopicConfig.RETENTION_MS_CONFIG));
    assertFalse(Topics.TASKS.compacted());
    assertFalse(Topics.PARTIALS.compacted());
    assertEquals("lz4", Topics.visibilities("d").configs().get(TopicConfig.COMPRESSION_TYPE_CONFIG));
  }

  @Test
  void badDatasetNamesAreRefusedWithReason() {
    var e = assertThrows(IllegalArgumentException.class, () -> Topics.visibilities("my data/set"));
    assertTrue(e.getMessage().contains("'my data/set'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Topics.visibilities("x".repeat(250)));
    assertEquals(Topics.TASKS, Topics.byName("pclean.tasks").orElseThrow());
  }
}
