package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.DeadLetter;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.TileKind;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.params.TcleanParams.DeconvolverKind;
import org.pclean.ingest.params.TcleanParams.WeightingMode;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.sink.ContinuumSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poison records on every topic the coordinator reads (pclean.jobs, .planes, .partials, .gathered) — bytes that are
 * no Avro message, and an Avro message of a foreign schema — written both before the coordinator starts and while
 * it runs, neither stop it nor a continuum job run through it afterwards: the job's products equal the serial
 * engine's, and pclean.dlq holds each poison record (topic, partition, offset, bytes) with a reason naming its
 * topic. A decodable record that makes a coordinator step throw fails its own job (FAILED with the reason on
 * pclean.jobs), and only that job.
 */
class PoisonRecordsTest {
  private static final Logger LOG = LoggerFactory.getLogger(PoisonRecordsTest.class);
  static final int N = 64;
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final double CELL = 4 * ARCSEC;
  static final List<Topics.Topic> INPUTS = List.of(Topics.JOBS, Topics.PLANES, Topics.PARTIALS, Topics.GATHERED);

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;

  /** A poison record as written: where it landed and its bytes. */
  record Poison(String topic, int partition, long offset, byte[] value) {}

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("poison.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("SIM", Math.toRadians(150), Math.toRadians(40), 2, 1.4e9, 32e6, "RR LL",
            -0.25, 0.25, 120, 60000, 0.0, 5),
        List.of(new MsSimulator.PointSource(10 * CELL, 8 * CELL, 1.0, 0.0),
            new MsSimulator.PointSource(-12 * CELL, -5 * CELL, 0.4, 0.0)));
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams params(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N).cell(CELL, CELL)
        .datacolumn(DataColumn.DATA).weighting(WeightingMode.NATURAL).deconvolver(DeconvolverKind.HOGBOM)
        .niter(500).threshold(1e-3).threads(1).build();
  }

  @Test
  void poisonOnEveryCoordinatorInputStopsNeitherTheAppNorOtherJobs() throws Exception {
    Properties client = new Properties();
    client.put("bootstrap.servers", broker.bootstrapServers());
    List<Poison> poisons = new ArrayList<>();
    ParallelRunner.Settings settings = new ParallelRunner.Settings(2, -1, broker.bootstrapServers(),
        tmp.resolve("work"), "auto", false, Duration.ofMinutes(5), 2, false);
    try (KafkaProducer<byte[], byte[]> raw = rawProducer(client);
         JobSpecView view = new JobSpecView(client);
         ModelView models = new ModelView(client);
         KafkaProducer<String, Object> producer = new KafkaProducer<>(client, new StringSerializer(),
             new BusSerializer())) {
      // Before the coordinator starts: its global job store restores over them, its tasks fetch them first.
      poisons.addAll(poison(raw, "before"));
      List<ImagingWorker> workers = List.of(new ImagingWorker(client, "w0", view, models),
          new ImagingWorker(client, "w1", view, models));
      ContinuumSink sink = new ContinuumSink(client);
      List<Thread> threads = new ArrayList<>();
      workers.forEach(w -> threads.add(new Thread(w, w.workerId())));
      threads.add(new Thread(sink, "sink"));
      threads.forEach(Thread::start);
      try (Coordinator coordinator = new Coordinator(client, Files.createTempDirectory(tmp, "gather"), 1)) {
        coordinator.start();
        awaitRunning(coordinator);
        awaitWorkers(client, 2);
        // While it runs.
        poisons.addAll(poison(raw, "running"));
        long poisoned = System.nanoTime();

        // A decodable partial whose summing throws (negative tile width): its job fails, nothing else does.
        TcleanParams doomedP = params("doomed");
        String doomed = ParallelRunner.submit(client, producer, doomedP, settings);
        awaitInStore(coordinator, doomed);
        ImageTile bad = ImageTile.newBuilder().setJobId(doomed).setAttempt(0).setCycle(7).setPartitionIndex(0)
            .setNumPartitions(2).setKind(TileKind.RESIDUAL).setTerm(0).setChannel(0).setTileIndex(0).setX0(0)
            .setY0(0).setWidth(-1).setHeight(1).setImageNx(N).setImageNy(N).setPixels(ByteBuffer.allocate(0)).build();
        long badSent = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.PARTIALS.name(), Topics.partialKey(bad), bad)).get();

        TcleanParams p = params("par");
        String jobId = ParallelRunner.submit(client, producer, p, settings);
        JobSpec failed = awaitEnd(view, doomed, Duration.ofMinutes(2));
        double toFailed = (System.nanoTime() - badSent) / 1e9;
        JobSpec done = awaitEnd(view, jobId, Duration.ofMinutes(5));
        double toDone = (System.nanoTime() - poisoned) / 1e9;
        LOG.info(String.format(Locale.ROOT, "poison to the next job DONE: %.1f s; throwing record to its job"
            + " FAILED: %.2f s; handlers: %s", toDone, toFailed, coordinator.errorCounts()));

        assertEquals(JobState.DONE, done.getState(), "the job after the poison completes: " + done.getError());
        assertEquals(JobState.FAILED, failed.getState(), "the job whose record throws fails");
        assertTrue(failed.getError().contains(Topics.PARTIALS.name()) && failed.getError().contains("sum-partials"),
            "the reason names the topic and the step: " + failed.getError());
        assertEquals(KafkaStreams.State.RUNNING, coordinator.state(), "the coordinator still runs");
        assertEquals(0, coordinator.errorCounts().replacedThreads(), "no stream thread died");
        assertEquals(1, coordinator.errorCounts().failedJobs());

        List<DeadLetter> letters = deadLetters(client, poisons.size() + 1);
        for (Poison x : poisons) {
          DeadLetter d = letters.stream().filter(l -> l.getTopic().equals(x.topic())
              && l.getPartition() == x.partition() && l.getOffset() == x.offset()).findFirst().orElse(null);
          assertNotNull(d, "dead letter of " + x.topic() + "-" + x.partition() + "@" + x.offset());
          assertArrayEquals(x.value(), bytes(d.getValue()), "original bytes of " + x.topic() + "@" + x.offset());
          assertTrue(d.getError().contains(x.topic()), "reason names " + x.topic() + ": " + d.getError());
        }
        assertTrue(letters.stream().anyMatch(l -> l.getTopic().equals(Topics.PARTIALS.name())
            && l.getError().contains("sum-partials")), "the throwing record is dead-lettered too");
      } finally {
        workers.forEach(ImagingWorker::stop);
        sink.stop();
        for (Thread t : threads) {
          t.join(30000);
        }
      }
    }
    TcleanParams serial = params("serial");
    SerialImager.run(serial);
    ParallelContinuumTest.assertSameProducts(serial, params("par"), "after poison");
  }

  /** On each input topic: bytes that are no Avro message, and a single-object encoded record of a foreign schema. */
  private static List<Poison> poison(KafkaProducer<byte[], byte[]> raw, String tag) throws Exception {
    Schema foreign = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Foreign\",\"namespace\":\"elsewhere\","
        + "\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
    GenericRecord rec = new GenericData.Record(foreign);
    rec.put("x", 42);
    ByteBuffer enc = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), foreign).encode(rec);
    byte[] foreignBytes = new byte[enc.remaining()];
    enc.get(foreignBytes);
    byte[] junk = ("not a pclean message (" + tag + ")").getBytes(StandardCharsets.UTF_8);
    List<Poison> out = new ArrayList<>();
    for (Topics.Topic t : INPUTS) {
      for (byte[] value : List.of(junk, foreignBytes)) {
        byte[] key = ("poison-" + tag + "/" + value.length).getBytes(StandardCharsets.UTF_8);
        RecordMetadata m = raw.send(new ProducerRecord<>(t.name(), key, value)).get();
        out.add(new Poison(t.name(), m.partition(), m.offset(), value));
      }
    }
    return out;
  }

  private static KafkaProducer<byte[], byte[]> rawProducer(Properties client) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Everything on pclean.dlq (committed), waiting until at least n letters are there. */
  private static List<DeadLetter> deadLetters(Properties client, int n) {
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    List<DeadLetter> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> cons = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = cons.partitionsFor(Topics.DEAD_LETTER.name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      cons.assign(parts);
      cons.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 30000;
      while (out.size() < n && System.currentTimeMillis() < deadline) {
        cons.poll(Duration.ofMillis(200)).forEach(r -> out.add(Messages.DEAD_LETTER.fromBytes(r.topic(), r.value())));
      }
    }
    return out;
  }

  private static void awaitRunning(Coordinator c) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60000;
    while (c.state() != KafkaStreams.State.RUNNING && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(KafkaStreams.State.RUNNING, c.state(), "coordinator running over the poisoned topics");
  }

  /** Until the coordinator's global job store has the job, so a failing step can find the job to fail. */
  private static void awaitInStore(Coordinator c, String jobId) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30000;
    while (c.job(jobId).isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(c.job(jobId).isPresent(), jobId + " in the coordinator's job store");
  }

  private static void awaitWorkers(Properties client, int n) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30000;
    try (Admin admin = Admin.create(client)) {
      while (TaskPlacement.assignedMembers(admin) < n && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
    }
  }

  private static JobSpec awaitEnd(JobSpecView view, String jobId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JobSpec j = view.get(jobId).orElse(null);
      if (j != null && (j.getState() == JobState.DONE || j.getState() == JobState.FAILED)) {
        return j;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(jobId + " did not end within " + timeout.toSeconds() + " s");
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
