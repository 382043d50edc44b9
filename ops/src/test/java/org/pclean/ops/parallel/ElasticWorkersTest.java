package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Messages;
import org.pclean.bus.OutputNames;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobState;
import org.pclean.bus.avro.SubcubeReady;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.ingest.TaskPlacement;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.broker.EmbeddedKafkaBroker;

/**
 * Elastic workers: {@code pclean worker} processes (not threads) join and leave the pclean-workers group while
 * jobs run on the embedded broker (consumer group protocol, KIP-848), with the coordinator and the sinks in this
 * JVM. A worker joining mid-job takes tasks; one stopped with SIGTERM finishes its task and exits 0; one killed
 * with -9 mid-task has the task redone by the other; each job's images equal the serial run's (an independent
 * truth), and each sub-cube is counted once. The measured times are printed (surefire report).
 *
 * <p>The worker processes live across the tests, as at a site: each test asks for the workers it needs
 * ({@link #workers}), which starts the missing ones and stops extra ones, so the tests run in any order or alone
 * but, in the declared order, start four processes instead of seven.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ElasticWorkersTest {
  static final int N = 128;
  static final int NCHAN = 10;
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final Duration LONG = Duration.ofSeconds(60);
  static final Pattern TOOK = Pattern.compile("took task (\\S+)/(\\d+) cycle (-?\\d+)");

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static LocalCluster cluster;
  static TcleanParams serialCube;
  static TcleanParams serialContinuum;
  static final List<WorkerProcess> live = new ArrayList<>();
  static int started;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("elastic.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("E", Math.toRadians(150), Math.toRadians(40), NCHAN, 1.4e9, 20e6, "RR LL", -1.0,
            1.0, 60, 60000, 0.001, 7),
        List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7),
            new MsSimulator.PointSource(60 * ARCSEC, -48 * ARCSEC, 0.4, 0.5)));
    serialCube = cube("serial-cube");
    serialContinuum = continuum("serial-mfs");
    long t0 = System.nanoTime();
    SerialImager.run(serialCube);
    long t1 = System.nanoTime();
    SerialImager.run(serialContinuum);
    System.out.printf(Locale.ROOT, "serial truth: cube of %d channels %.1f s, mfs %.1f s%n", NCHAN, (t1 - t0) / 1e9,
        (System.nanoTime() - t1) / 1e9);
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    cluster = new LocalCluster(broker.bootstrapServers(), 0, tmp.resolve("work"));  // coordinator + sinks only
  }

  @AfterAll
  static void tearDown() throws InterruptedException {
    for (WorkerProcess w : live) {
      w.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static TcleanParams cube(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).specmode(TcleanParams.SpecMode.CUBE)
        .imsize(N, N).cell(4 * ARCSEC, 4 * ARCSEC).datacolumn(DataColumn.DATA).niter(300).threshold(1e-3).threads(1)
        .build();
  }

  static TcleanParams continuum(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(4 * ARCSEC, 4 * ARCSEC).datacolumn(DataColumn.DATA).niter(3000).threshold(5e-4).threads(1).build();
  }

  /** Starts one more worker process (named W1, W2, ... in the output). */
  static WorkerProcess startWorker(String... options) throws Exception {
    WorkerProcess w = WorkerProcess.start("W" + ++started, broker.bootstrapServers(), options);
    live.add(w);
    return w;
  }

  /**
   * Exactly n live worker processes, oldest first, every one owning task partitions (so a job submitted now is
   * placed on all of them): starts the missing ones, stops extra ones with SIGTERM.
   */
  static List<WorkerProcess> workers(int n) throws Exception {
    live.removeIf(w -> !w.alive());
    while (live.size() > n) {
      WorkerProcess extra = live.remove(live.size() - 1);
      extra.close();
    }
    while (live.size() < n) {
      startWorker();
    }
    awaitMembers(m -> m == n, LONG);
    return List.copyOf(live);
  }

  /** Submits through the group: nworkers 0, so the job is planned for (and placed on) the running workers. */
  static String submit(TcleanParams p, int rowChunks) throws Exception {
    return ParallelRunner.submit(cluster.client(), cluster.producer(), p, new ParallelRunner.Settings(0, 1,
        broker.bootstrapServers(), tmp.resolve("work"), "auto", false, LONG, rowChunks, false));
  }

  static void awaitMembers(java.util.function.IntPredicate ok, Duration timeout) throws Exception {
    awaitMembers(cluster.client(), ok, timeout);
  }

  /** Waits until the worker group of the cluster that client reaches has a number of members with partitions ok. */
  static void awaitMembers(Properties client, java.util.function.IntPredicate ok, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(client)) {
      while (!ok.test(TaskPlacement.assignedMembers(admin))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("worker group did not reach the expected size; it has "
              + TaskPlacement.assignedMembers(admin) + " member(s) with partitions");
        }
        Thread.sleep(100);
      }
    }
  }

  static boolean tookTask(String line, String jobId) {
    Matcher m = TOOK.matcher(line);
    return m.find() && m.group(1).equals(jobId);
  }

  static boolean tookTask(String line, String jobId, int index, int cycle) {
    Matcher m = TOOK.matcher(line);
    return m.find() && m.group(1).equals(jobId) && Integer.parseInt(m.group(2)) == index
        && Integer.parseInt(m.group(3)) == cycle;
  }

  static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  /**
   * The join test's cube: w-stacked 768² planes, ~3 s of work per channel in a worker process, so most tasks are
   * still waiting when a second worker process has started (a JVM: 2-7 s) and been handed partitions (a heartbeat
   * or two later: the first worker gives them up mid-task, as it keeps polling while it images).
   */
  static TcleanParams heavyCube(String name) {
    return cube(name).toBuilder().imsize(768, 768).gridder(TcleanParams.GridderKind.WPROJECT).wprojplanes(8)
        .build();
  }

  /** a) One worker process starts the job; a second one joins mid-job and takes sub-cubes of it. */
  @Test
  @Order(1)
  void aWorkerJoiningMidJobTakesTasks() throws Exception {
    TcleanParams truth = heavyCube("serial-heavy-cube");
    long t0 = System.nanoTime();
    SerialImager.run(truth);
    System.out.printf(Locale.ROOT, "serial truth of the join job: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    WorkerProcess a = workers(1).get(0);
    TcleanParams p = heavyCube("join");
    long submitted = System.nanoTime();
    String job = submit(p, 0);
    a.await(s -> tookTask(s, job), LONG);
    WorkerProcess b = startWorker();
    long joining = b.await(s -> s.contains("joining"), LONG).nanos();
    long joined = b.await(s -> s.contains("assigned"), LONG).nanos();
    long first = b.await(s -> tookTask(s, job), LONG).nanos();
    var outcome = ParallelRunner.await(cluster, job, p, LONG);
    double took = seconds(submitted, System.nanoTime());
    assertEquals(JobState.DONE, outcome.job().getState());
    Map<Integer, String> made = subcubeMakers(job, outcome.job().getNumPartitions());
    long byB = made.values().stream().filter(h -> h.endsWith(b.workerIdSuffix())).count();
    long byA = made.values().stream().filter(h -> h.endsWith(a.workerIdSuffix())).count();
    // Against the first worker alone: A takes its sub-cubes one after another, so the gaps between its "took task"
    // lines are its time per sub-cube; alone it would have needed all of them in a row. The sub-cubes wait on the
    // queue (share group), where the joiner takes the next one as soon as it is idle, so with the join ~1.5
    // sub-cubes into the job, the two finish the rest in about half the time.
    double[] starts = a.matching(s -> tookTask(s, job)).stream().mapToDouble(l -> l.nanos() / 1e9).toArray();
    assertTrue(starts.length >= 2, "the first worker made several sub-cubes: " + made);
    double[] gaps = new double[starts.length - 1];
    for (int i = 0; i < gaps.length; i++) {
      gaps[i] = starts[i + 1] - starts[i];
    }
    java.util.Arrays.sort(gaps);
    double perSubcube = gaps[gaps.length / 2];
    double alone = perSubcube * made.size();
    System.out.printf(Locale.ROOT, "ELASTIC join: the job took %.1f s with the second worker joining; the first"
        + " worker alone: %d sub-cubes x %.2f s = %.1f s%n", took, made.size(), perSubcube, alone);
    assertTrue(took < 0.85 * alone, "the job did not end sooner than on one worker: " + took + " s vs " + alone
        + " s");
    System.out.printf(Locale.ROOT, "ELASTIC join: new worker process start -> JVM up and connected, joining %.2f s"
        + " -> partitions assigned %.2f s -> first task %.2f s; sub-cubes made: first worker %d, new worker %d of"
        + " %d%n", seconds(b.startedNanos(), joining), seconds(b.startedNanos(), joined),
        seconds(b.startedNanos(), first), byA, byB, made.size());
    assertTrue(byB >= 2, "the joining worker made sub-cubes: " + made);
    assertTrue(byA >= 1, "the first worker made sub-cubes: " + made);
    // Placement by the queue, not by partition: from the joiner's first sub-cube on, the two took turns (sub-cubes
    // of equal work), each taking the next waiting one.
    long aAfter = a.matching(s -> tookTask(s, job)).stream().filter(l -> l.nanos() > first).count();
    assertTrue(Math.abs(aAfter - byB) <= 2, "after the join the first worker took " + aAfter + " sub-cubes and the"
        + " new one " + byB + ": " + made);
    assertCubeEquals(truth, p);
  }

  /** b) SIGTERM mid-task: the worker finishes and commits that task, leaves the group and exits 0. */
  @Test
  @Order(2)
  void aWorkerStoppedWithSigtermFinishesItsTask() throws Exception {
    List<WorkerProcess> ws = workers(2);
    WorkerProcess a = ws.get(0);
    WorkerProcess b = ws.get(1);
    TcleanParams p = cube("sigterm");
    String job = submit(p, 0);
    String taken = a.await(s -> tookTask(s, job), LONG).text();
    long term = System.nanoTime();
    a.terminate();
    int exit = a.awaitExit(Duration.ofSeconds(40));
    long exited = System.nanoTime();
    var outcome = ParallelRunner.await(cluster, job, p, LONG);
    assertEquals(0, exit, "SIGTERM exits 0");
    assertEquals(JobState.DONE, outcome.job().getState());
    Matcher m = TOOK.matcher(taken);
    assertTrue(m.find());
    int held = Integer.parseInt(m.group(2));
    Map<Integer, String> made = subcubeMakers(job, outcome.job().getNumPartitions());
    assertTrue(made.get(held).endsWith(a.workerIdSuffix()), "the stopped worker finished sub-cube " + held
        + " it held: " + made);
    assertTrue(b.matching(s -> tookTask(s, job, held, 0)).isEmpty(), "its task was committed, not redone by B");
    assertFalse(a.matching(s -> s.contains("workers stopped in")).isEmpty(), "A logged its clean stop; "
        + a.output());
    System.out.printf(Locale.ROOT, "ELASTIC SIGTERM: mid-task -> task finished, committed, exit (code %d) %.2f s;"
        + " -> its partitions at the other worker %.2f s; sub-cubes made: stopped %d, other %d%n", exit,
        seconds(term, exited), seconds(term, firstAfter(b, term, s -> s.contains("assigned"))),
        made.values().stream().filter(h -> h.endsWith(a.workerIdSuffix())).count(),
        made.values().stream().filter(h -> h.endsWith(b.workerIdSuffix())).count());
    assertCubeEqualsSerial(p);
  }

  /** c) kill -9 mid-task (cube): the other worker redoes the task (the broker releases it as A's connection closes). */
  @Test
  @Order(3)
  void aWorkerKilledMidTaskHasItsSubcubeRedone() throws Exception {
    List<WorkerProcess> ws = workers(2);
    WorkerProcess a = ws.get(0);
    WorkerProcess b = ws.get(1);
    TcleanParams p = cube("kill");
    String job = submit(p, 0);
    // The second task A takes, so B is busy too when A dies.
    Matcher m = killOnTask(a, s -> tookTask(s, job), 2);
    long killed = System.nanoTime();
    int index = Integer.parseInt(m.group(2));
    long retaken = b.await(s -> tookTask(s, job, index, 0), LONG).nanos();
    var outcome = ParallelRunner.await(cluster, job, p, LONG);
    assertEquals(JobState.DONE, outcome.job().getState());
    Map<Integer, String> made = subcubeMakers(job, outcome.job().getNumPartitions());
    assertTrue(made.get(index).endsWith(b.workerIdSuffix()), "B made the killed task's sub-cube: " + made);
    // The sub-cube waits on the queue: the broker releases it when the dead worker's connection closes, and B
    // takes it when its own sub-cube is done (no session timeout, no rebalance).
    System.out.printf(Locale.ROOT, "ELASTIC kill -9 (cube): kill -> task %d picked up %.2f s%n", index,
        seconds(killed, retaken));
    assertCubeEqualsSerial(p);
  }

  /** d) kill -9 of a worker gridding a row chunk in a later major cycle (continuum, 2 row chunks). */
  @Test
  @Order(4)
  void aWorkerKilledMidCycleHasItsRowChunkRedone() throws Exception {
    List<WorkerProcess> ws = workers(2);
    WorkerProcess a = ws.get(0);
    WorkerProcess b = ws.get(1);
    TcleanParams p = continuum("kill-mfs");
    String job = submit(p, 2);
    Matcher m = killOnTask(a, s -> {
      Matcher t = TOOK.matcher(s);
      return t.find() && t.group(1).equals(job) && Integer.parseInt(t.group(3)) >= 1;
    }, 1);
    long killed = System.nanoTime();
    int index = Integer.parseInt(m.group(2));
    int cycle = Integer.parseInt(m.group(3));
    long retaken = b.await(s -> tookTask(s, job, index, cycle), LONG).nanos();
    var outcome = ParallelRunner.await(cluster, job, p, LONG);
    assertEquals(JobState.DONE, outcome.job().getState());
    assertEquals(2, outcome.job().getNumPartitions());
    System.out.printf(Locale.ROOT, "ELASTIC kill -9 (continuum): row chunk %d of cycle %d picked up %.2f s after"
        + " the kill%n", index, cycle, seconds(killed, retaken));
    ParallelContinuumTest.assertSameProducts(serialContinuum, p, "kill-mfs");
  }

  /**
   * e) SIGTERM with --shutdown-grace 0s: the task in hand is handed back uncommitted at once; the worker leaves the
   * group and exits 0, and the other worker images that sub-cube (without waiting for a session timeout).
   */
  @Test
  @Order(5)
  void aWorkerWithoutGraceHandsItsTaskBack() throws Exception {
    WorkerProcess b = workers(1).get(0);
    WorkerProcess a = startWorker("--shutdown-grace", "0s");
    workers(2);
    TcleanParams p = cube("handback");
    String job = submit(p, 0);
    Matcher m = TOOK.matcher(a.await(s -> tookTask(s, job), LONG).text());
    assertTrue(m.find());
    int index = Integer.parseInt(m.group(2));
    long term = System.nanoTime();
    a.terminate();
    int exit = a.awaitExit(Duration.ofSeconds(20));
    long exited = System.nanoTime();
    long retaken = b.await(s -> tookTask(s, job, index, 0), LONG).nanos();
    var outcome = ParallelRunner.await(cluster, job, p, LONG);
    assertEquals(0, exit, "SIGTERM exits 0");
    assertEquals(JobState.DONE, outcome.job().getState());
    assertFalse(a.matching(s -> s.contains("handed back")).isEmpty(), a.output());
    Map<Integer, String> made = subcubeMakers(job, outcome.job().getNumPartitions());
    assertTrue(made.get(index).endsWith(b.workerIdSuffix()), "the other worker made sub-cube " + index + ": " + made);
    System.out.printf(Locale.ROOT, "ELASTIC SIGTERM, grace 0: mid-task -> handed back, exit (code %d) %.2f s;"
        + " -> task %d picked up by the other worker %.2f s%n", exit, seconds(term, exited), index,
        seconds(term, retaken));
    assertCubeEqualsSerial(p);
  }

  /**
   * f) A continuum job started on one worker process gains a second mid-job: from the next major cycle the
   * coordinator places part of the row chunks on it (the chunks follow the group), and the images equal serial.
   */
  @Test
  @Order(6)
  void aWorkerJoiningMidContinuumJobTakesRowChunks() throws Exception {
    TcleanParams truth = longContinuum("serial-join-mfs");
    SerialImager.run(truth);
    WorkerProcess a = workers(1).get(0);
    TcleanParams p = longContinuum("join-mfs");
    long t0 = System.nanoTime();
    String job = submit(p, 4);
    a.await(s -> tookTask(s, job), LONG);
    WorkerProcess b = startWorker();
    WorkerProcess.Line first = b.await(s -> tookTask(s, job), LONG);
    Matcher m = TOOK.matcher(first.text());
    assertTrue(m.find());
    var outcome = ParallelRunner.await(cluster, job, p, LONG);
    long done = System.nanoTime();
    assertEquals(JobState.DONE, outcome.job().getState());
    long byB = b.matching(s -> tookTask(s, job)).size();
    System.out.printf(Locale.ROOT, "ELASTIC join (continuum): new worker process start -> first row chunk %.2f s"
        + " (chunk %s of cycle %s); it gridded %d of the job's row-chunk tasks; job %.1f s%n",
        seconds(b.startedNanos(), first.nanos()), m.group(2), m.group(3), byB, seconds(t0, done));
    // Once the group has settled, every cycle gives each worker its fair half of the 4 chunks: the last five
    // cycles B saw, 2 tasks each (with the submitted placement kept, B would do whichever pinned partitions the
    // group handed it: 0 to 4).
    Map<Integer, Integer> perCycle = new java.util.TreeMap<>();
    for (String line : b.matching(s -> tookTask(s, job)).stream().map(WorkerProcess.Line::text).toList()) {
      Matcher t = TOOK.matcher(line);
      assertTrue(t.find());
      perCycle.merge(Integer.parseInt(t.group(3)), 1, Integer::sum);
    }
    int last = ((java.util.TreeMap<Integer, Integer>) perCycle).lastKey();
    assertTrue(last - Integer.parseInt(m.group(3)) >= 5, "the job ran on for 5 cycles after B joined: " + perCycle);
    for (int c = last - 4; c <= last; c++) {
      assertEquals(2, perCycle.getOrDefault(c, 0), "B's row chunks in cycle " + c + ": " + perCycle);
    }
    ParallelContinuumTest.assertSameProducts(truth, p, "join-mfs");
  }

  /** Many short major cycles (cycleniter 10), so the job outlasts a new worker's start. */
  static TcleanParams longContinuum(String name) {
    return continuum(name).toBuilder().imsize(256, 256).niter(400).cycleniter(10).threshold(0).build();
  }

  /** When w first printed a matching line after the given time. */
  static long firstAfter(WorkerProcess w, long afterNanos, java.util.function.Predicate<String> match) {
    return w.matching(match).stream().mapToLong(WorkerProcess.Line::nanos).filter(t -> t > afterNanos).findFirst()
        .orElseThrow(() -> new AssertionError("no matching line after the event; " + w.output()));
  }

  /** Kills the worker (-9) as soon as it logs its nth matching "took task"; that line's match. */
  static Matcher killOnTask(WorkerProcess w, java.util.function.Predicate<String> match, int nth)
      throws InterruptedException {
    String line = w.await(match, nth, LONG).text();
    w.kill();
    Matcher m = TOOK.matcher(line);
    assertTrue(m.find());
    return m;
  }

  /**
   * Which worker made each sub-cube (SubcubeReady.host), read from pclean.planes; a sub-cube reported twice by
   * different workers fails the test (the coordinator would count it once, but the work was done twice).
   */
  static Map<Integer, String> subcubeMakers(String jobId, int numPartitions) {
    Properties c = new Properties();
    c.putAll(cluster.client());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<Integer, String> made = new TreeMap<>();
    try (KafkaConsumer<String, byte[]> cons = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = cons.partitionsFor(Topics.PLANES.name()).stream()
          .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
      cons.assign(parts);
      cons.seekToBeginning(parts);
      Map<TopicPartition, Long> end = cons.endOffsets(parts);
      while (parts.stream().anyMatch(tp -> cons.position(tp) < end.get(tp))) {
        for (var r : cons.poll(Duration.ofMillis(200))) {
          SubcubeReady s = Messages.SUBCUBE_READY.fromBytes(r.topic(), r.value());
          if (s.getJobId().equals(jobId)) {
            assertEquals(numPartitions, s.getNumPartitions());
            String before = made.put(s.getPartitionIndex(), s.getHost());
            assertTrue(before == null || before.equals(s.getHost()), "sub-cube " + s.getPartitionIndex()
                + " made by " + before + " and " + s.getHost());
          }
        }
      }
    }
    Set<Integer> expected = new TreeSet<>();
    for (int k = 0; k < numPartitions; k++) {
      expected.add(k);
    }
    assertEquals(expected, made.keySet(), "every sub-cube reported");
    return made;
  }

  /** Every product, plane by plane, within 1e-5 of the serial plane's peak; same beams. */
  static void assertCubeEqualsSerial(TcleanParams p) {
    assertCubeEquals(serialCube, p);
  }

  static void assertCubeEquals(TcleanParams truth, TcleanParams p) {
    ParallelCubeTest.assertSameCube(Path.of(truth.imagename()), Path.of(p.imagename()));
  }
}
