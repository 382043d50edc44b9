package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.GroupType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Topics;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.imaging.worker.WorkerGroupProtocol;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ops.broker.EmbeddedKafkaBroker;

/**
 * The embedded broker serves the KIP-848 consumer protocol and the workers choose it; the classic fallback's
 * settings are the ones the new protocol refuses; and task placement reads the members' partitions in a group of
 * either protocol (Admin.describeConsumerGroups), including a group mid-migration with members of both.
 */
class WorkerGroupProtocolTest {
  @TempDir Path tmp;

  @Test
  void consumerProtocolIsChosenAndPlacementSeesMembersOfBothProtocols() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"))) {
      Properties client = new Properties();
      client.put("bootstrap.servers", broker.bootstrapServers());
      assertEquals(WorkerGroupProtocol.CONSUMER, WorkerGroupProtocol.forCluster(client));

      Properties consumer = new Properties();
      WorkerGroupProtocol.CONSUMER.configure(consumer);
      assertEquals("consumer", consumer.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG));
      assertFalse(consumer.containsKey(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG));
      assertFalse(consumer.containsKey(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG));
      Properties classic = new Properties();
      WorkerGroupProtocol.CLASSIC.configure(classic);
      assertTrue(classic.get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG).toString().contains("CooperativeSticky"));

      try (JobSpecView view = new JobSpecView(client); ModelView models = new ModelView(client);
           Admin admin = Admin.create(client)) {
        ImagingWorker modern = new ImagingWorker(client, "modern", view, models);
        Thread t1 = new Thread(modern);
        t1.start();
        awaitMembers(admin, 1);
        assertEquals(GroupType.CONSUMER, admin.describeConsumerGroups(List.of(Topics.WORKER_GROUP)).all().get()
            .get(Topics.WORKER_GROUP).type());
        // A classic member joins the consumer-protocol group (as an old worker would during an upgrade).
        ImagingWorker old = new ImagingWorker(client, "old", view, models).groupProtocol(WorkerGroupProtocol.CLASSIC);
        Thread t2 = new Thread(old);
        t2.start();
        awaitMembers(admin, 2);
        List<Integer> spread = TaskPlacement.spread(admin, 4);
        assertEquals(4, spread.size());
        assertEquals(4, spread.stream().distinct().count(), "four tasks on four partitions: " + spread);
        modern.stop();
        old.stop();
        t1.join(30000);
        t2.join(30000);
      }
    }
  }

  private static void awaitMembers(Admin admin, int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30000;
    while (TaskPlacement.assignedMembers(admin) != n) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("expected " + n + " members owning partitions, have "
            + TaskPlacement.assignedMembers(admin));
      }
      Thread.sleep(100);
    }
  }
}
