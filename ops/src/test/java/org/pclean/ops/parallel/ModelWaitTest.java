package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.ingest.RowChunkTasks;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker with no coordinator to publish models: a cycle-1 task waits the worker's --model-wait (2 s here) for the
 * model of cycle 0 and then fails its job loudly, the reason naming the missing model, topic and setting. The
 * worker reads pclean.tasks read_committed: a task from an aborted transaction is never taken.
 */
class ModelWaitTest {
  private static final Logger LOG = LoggerFactory.getLogger(ModelWaitTest.class);
  static final double CELL = 4 * Math.PI / 180 / 3600;
  static final Duration WAIT = Duration.ofSeconds(2);

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("wait.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", Math.toRadians(150), Math.toRadians(40), 1, 1.4e9, 32e6, "RR LL",
            -0.1, 0.1, 120, 60000, 0.0, 3), List.of(new MsSimulator.PointSource(0, 0, 1.0, 0.0)));
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aModelThatNeverArrivesFailsTheJobAfterTheWorkersModelWait() throws Exception {
    Properties client = new Properties();
    client.put("bootstrap.servers", broker.bootstrapServers());
    TcleanParams p = TcleanParams.builder().vis(ms).imagename(tmp.resolve("img").toString()).imsize(32, 32)
        .cell(CELL, CELL).datacolumn(DataColumn.DATA).niter(10).threads(1).build();
    List<Integer> cyclesTaken = new CopyOnWriteArrayList<>();
    try (JobSpecView view = new JobSpecView(client);
         ModelView models = new ModelView(client);
         KafkaProducer<String, Object> producer = new KafkaProducer<>(client, new StringSerializer(),
             new BusSerializer());
         KafkaProducer<String, Object> tx = transactional(client)) {
      ImagingWorker worker = new ImagingWorker(client, "w", view, models).modelWait(WAIT);
      worker.onTaskTaken(t -> cyclesTaken.add(t.getCycle()));
      Thread thread = new Thread(worker, "w");
      thread.start();
      try {
        try (Admin admin = Admin.create(client)) {
          long deadline = System.currentTimeMillis() + 30000;
          while (TaskPlacement.assignedMembers(admin) < 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
          }
        }
        String jobId = ParallelRunner.submit(client, producer, p, new ParallelRunner.Settings(1, -1,
            broker.bootstrapServers(), tmp.resolve("work"), "auto", false, Duration.ofMinutes(1), 1, false));
        JobSpec job = view.await(jobId, Duration.ofSeconds(10)).orElseThrow();
        long until = System.currentTimeMillis() + 60000;
        while (!cyclesTaken.contains(0) && System.currentTimeMillis() < until) {
          Thread.sleep(50);
        }
        // A task written in a transaction that is aborted: never seen by a read_committed worker.
        PartitionDescriptor aborted = RowChunkTasks.forCycle(job, 7).get(0);
        tx.beginTransaction();
        tx.send(new ProducerRecord<>(Topics.TASKS.name(), TaskPlacement.partitionOf(aborted),
            RowChunkTasks.key(aborted), aborted));
        tx.flush();
        tx.abortTransaction();
        // Cycle 1 needs the model of cycle 0, which no coordinator publishes.
        PartitionDescriptor next = RowChunkTasks.forCycle(job, 1).get(0);
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.TASKS.name(), TaskPlacement.partitionOf(next),
            RowChunkTasks.key(next), next)).get();
        JobSpec end = null;
        long deadline = System.currentTimeMillis() + 60000;
        while (System.currentTimeMillis() < deadline) {
          end = view.get(jobId).orElse(null);
          if (end != null && end.getState() == JobState.FAILED) {
            break;
          }
          Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - sent) / 1e9;
        LOG.info(String.format(Locale.ROOT, "cycle-1 task sent to job FAILED: %.2f s (model wait %d s): %s",
            seconds, WAIT.toSeconds(), end == null ? null : end.getError()));
        assertEquals(JobState.FAILED, end.getState(), "the job fails rather than waiting on");
        String why = end.getError();
        assertTrue(why.contains("model of cycle 0") && why.contains(Topics.MODELS.name())
            && why.contains("--model-wait") && why.contains("none of its 1 tile(s) published"), why);
        assertTrue(seconds >= WAIT.toSeconds(), "failed only after the wait: " + seconds + " s");
        assertTrue(seconds < WAIT.toSeconds() + 20, "failed soon after the wait: " + seconds + " s");
        assertEquals(List.of(0, 1), cyclesTaken, "the aborted cycle-7 task was never taken");
      } finally {
        worker.stop();
        thread.join(30000);
      }
    }
  }

  private static KafkaProducer<String, Object> transactional(Properties client) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "model-wait-test");
    KafkaProducer<String, Object> tx = new KafkaProducer<>(p, new StringSerializer(), new BusSerializer());
    tx.initTransactions();
    return tx;
  }
}
