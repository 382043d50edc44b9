package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.ingest.params.TcleanParams;

/**
 * After five jobs (two continuum, one of them with a density pass; two cubes; one continuum job failed by its
 * client mid-job), read back from the broker: every changelog of the coordinator's stores and the compacted
 * pclean.models hold no live key of any of them — each did hold some while it ran — and pclean.jobs still holds
 * each job's final JobSpec.
 */
class JobCleanupTest {
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final Duration LONG = Duration.ofMinutes(3);

  @TempDir static Path tmp;
  static Path ms;
  static LocalCluster cluster;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("cleanup.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("C", Math.toRadians(150), Math.toRadians(40), 4, 1.4e9, 20e6, "RR LL", -1.0,
            1.0, 120, 60000, 0.001, 7),
        List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7)));
    cluster = new LocalCluster((String) null, 2, tmp.resolve("work"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static TcleanParams.Builder params(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(64, 64)
        .cell(8 * ARCSEC, 8 * ARCSEC).datacolumn(DataColumn.DATA).niter(100).threshold(1e-3).threads(1);
  }

  static String submit(TcleanParams p) throws Exception {
    return ParallelRunner.submit(cluster.client(), cluster.producer(), p, new ParallelRunner.Settings(2, 1, null,
        tmp.resolve("work"), "auto", false, LONG, 2, false));
  }

  @Test
  void noTransientKeyOfAnEndedJobIsLeft() throws Exception {
    Map<String, TcleanParams> done = new LinkedHashMap<>();
    done.put("natural", params("natural").build());
    done.put("briggs", params("briggs").weighting(TcleanParams.WeightingMode.BRIGGS).robust(0).build());
    done.put("cube-a", params("cube-a").specmode(TcleanParams.SpecMode.CUBE).build());
    done.put("cube-b", params("cube-b").specmode(TcleanParams.SpecMode.CUBE).niter(0).build());
    Map<String, String> ids = new LinkedHashMap<>();
    for (var e : done.entrySet()) {
      ids.put(submit(e.getValue()), e.getKey());
    }
    // The fifth is failed by its client once it has a model on pclean.models (as the stall watch would).
    TcleanParams doomed = params("doomed").niter(100000).cycleniter(5).threshold(0).build();
    String failed = submit(doomed);
    awaitConvergence(failed);
    JobSpec running = cluster.jobs().get(failed).orElseThrow();
    cluster.producer().send(new ProducerRecord<>(Topics.JOBS.name(), Topics.jobKey(failed),
        JobSpec.newBuilder(running).setState(JobState.FAILED).setError("failed by the test").build())).get();
    for (var e : ids.entrySet()) {
      assertEquals(JobState.DONE, ParallelRunner.await(cluster, e.getKey(), done.get(e.getValue()), LONG).job()
          .getState());
    }
    Set<String> jobs = new TreeSet<>(ids.keySet());
    jobs.add(failed);

    List<String> topics = new ArrayList<>();
    try (Admin admin = Admin.create(cluster.client())) {
      admin.listTopics().names().get().stream()
          .filter(t -> t.startsWith(Coordinator.APPLICATION_ID + "-") && t.endsWith("-changelog"))
          .forEach(topics::add);
    }
    topics.add(Topics.MODELS.name());
    assertTrue(topics.size() >= 5, "the coordinator's changelogs: " + topics);
    Map<String, Map<String, Boolean>> keys = new TreeMap<>();
    long deadline = System.nanoTime() + 60_000_000_000L;
    Map<String, List<String>> left;
    do {
      Thread.sleep(1000);
      left = new TreeMap<>();
      for (String t : topics) {
        keys.put(t, latest(cluster.client(), t));
        List<String> live = keys.get(t).entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
            .filter(k -> jobs.contains(jobOf(k))).toList();
        if (!live.isEmpty()) {
          left.put(t, live);
        }
      }
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertEquals(Map.of(), left, "live keys of ended jobs");
    // Not trivially empty: each store (and pclean.models) held keys of these jobs while they ran.
    for (String t : topics) {
      Set<String> had = keys.get(t).keySet().stream().map(JobCleanupTest::jobOf).filter(jobs::contains)
          .collect(Collectors.toSet());
      assertTrue(!had.isEmpty(), t + " never held a key of the jobs");
      System.out.println(t + ": " + keys.get(t).size() + " keys written, all tombstoned, of jobs " + had);
    }
    assertTrue(keys.get(Topics.MODELS.name()).keySet().stream().anyMatch(k -> k.startsWith(failed + "/")),
        "the failed job had models");
    Map<String, Boolean> jobSpecs = latest(cluster.client(), Topics.JOBS.name());
    for (String j : jobs) {
      assertTrue(jobSpecs.getOrDefault(j, false), "the final JobSpec of " + j + " is kept");
      assertEquals(j.equals(failed) ? JobState.FAILED : JobState.DONE, cluster.jobs().get(j).orElseThrow().getState());
    }
  }

  static String jobOf(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }

  /** Every key of a topic (read_committed, to its end) and whether its latest record is a value (not a tombstone). */
  static Map<String, Boolean> latest(Properties client, String topic) {
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    Map<String, Boolean> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> cons = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = cons.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      cons.assign(parts);
      cons.seekToBeginning(parts);
      Map<TopicPartition, Long> end = cons.endOffsets(parts);
      while (parts.stream().anyMatch(p -> cons.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> r : cons.poll(Duration.ofMillis(500))) {
          if (r.key() != null) {
            out.put(r.key(), r.value() != null);
          }
        }
      }
    }
    return out;
  }

  /** Waits for the job's first CONVERGENCE event (its first model published). */
  static void awaitConvergence(String jobId) {
    Properties c = new Properties();
    c.putAll(cluster.client());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> cons = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = cons.partitionsFor(Topics.EVENTS.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      cons.assign(parts);
      cons.seekToBeginning(parts);
      long deadline = System.nanoTime() + LONG.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : cons.poll(Duration.ofMillis(200))) {
          JobEvent e = Messages.JOB_EVENT.fromBytes(r.topic(), r.value());
          if (jobId.equals(r.key()) && e != null && e.getType() == JobEventType.CONVERGENCE) {
            return;
          }
        }
      }
    }
    throw new AssertionError("no CONVERGENCE event of " + jobId);
  }
}
