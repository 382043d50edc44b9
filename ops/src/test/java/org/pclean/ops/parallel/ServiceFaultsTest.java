package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Messages;
import org.pclean.bus.OutputNames;
import org.pclean.bus.TopicReader;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.imaging.SerialImager;
import org.pclean.imaging.gather.Coordinator;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.config.KafkaClientConfig;

/**
 * Faults of the site services, each a real {@code pclean} process ({@link SiteProcesses}: broker on a fixed port
 * with a kept data directory, gather, sink, one worker process with two workers), with this JVM only submitting
 * and watching as a client does. Each case disturbs one job mid-run and asserts that it completes with products
 * equal to the serial run's (within 1e-5 of the peak), one DONE and no FAILED event, and no cycle reported twice
 * (read_committed: what a killed coordinator left uncommitted is not seen); the time to recover is printed
 * ("FAULT ..." lines). The cases share the services and run in order, each leaving them running.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceFaultsTest {
  static final int N = 128;
  static final int NCHAN = 6;
  static final double ARCSEC = Math.PI / 180 / 3600;
  static final Duration LONG = Duration.ofSeconds(120);
  /** The gather's transaction timeout here: what a killed coordinator's open transaction may block for. */
  static final String TX_TIMEOUT = "10s";

  @TempDir static Path tmp;
  static Path ms;
  static SiteProcesses site;
  static LocalCluster client;
  static TcleanParams serialCube;
  static TcleanParams serialContinuum;
  static final Map<String, Double> undisturbed = new TreeMap<>();
  static int jobs;
  static int gathers;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("faults.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("E", Math.toRadians(150), Math.toRadians(40), NCHAN, 1.4e9, 20e6, "RR LL", -1.0,
            1.0, 60, 60000, 0.001, 7),
        List.of(new MsSimulator.PointSource(-40 * ARCSEC, 20 * ARCSEC, 1.0, -0.7),
            new MsSimulator.PointSource(60 * ARCSEC, -48 * ARCSEC, 0.4, 0.5)));
    site = new SiteProcesses(tmp.resolve("site"));
    site.startBroker();
    WorkerProcess w = site.startWorkers(2);
    site.startGather("gather-" + ++gathers, "--transaction-timeout", TX_TIMEOUT);
    site.startSink();
    serialCube = cube("serial-cube");
    serialContinuum = continuum("serial-mfs");
    SerialImager.run(serialCube);
    SerialImager.run(serialContinuum);
    client = LocalCluster.client(KafkaClientConfig.forCluster(site.bootstrap(), null), tmp.resolve("work"));
    ElasticWorkersTest.awaitMembers(client.client(), m -> m == 2, LONG);
    assertTrue(w.alive());
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    if (site != null) {
      site.close();
    }
  }

  static TcleanParams cube(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).specmode(TcleanParams.SpecMode.CUBE)
        .imsize(N, N).cell(4 * ARCSEC, 4 * ARCSEC).datacolumn(DataColumn.DATA).niter(300).threshold(1e-3).threads(1)
        .build();
  }

  /** Many short major cycles (cycleniter 10), so a fault lands mid-job. */
  static TcleanParams continuum(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(4 * ARCSEC, 4 * ARCSEC).datacolumn(DataColumn.DATA).niter(150).cycleniter(10).threshold(0).threads(1)
        .build();
  }

  static String submit(TcleanParams p, int rowChunks) throws Exception {
    return ParallelRunner.submit(client.client(), client.producer(), p, new ParallelRunner.Settings(0, 1,
        site.bootstrap(), tmp.resolve("work"), "auto", false, LONG, rowChunks, false));
  }

  /** A job the client waits for, as from its submission (default stall timeout), on a thread of its own. */
  record Running(String jobId, TcleanParams params, long submitted,
      java.util.concurrent.CompletableFuture<ParallelRunner.Outcome> outcome) {
    ParallelRunner.Outcome await() throws Exception {
      return outcome.get(LONG.toSeconds() + 30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  static Running start(TcleanParams p) throws Exception {
    long t0 = System.nanoTime();
    String job = submit(p, p.specmode() == TcleanParams.SpecMode.CUBE ? 0 : 2);
    return new Running(job, p, t0, java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return ParallelRunner.await(client, job, p, LONG);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }));
  }

  /** Waits for the job, checks its products and events; its wall time from submission. */
  static double finish(Running r, String what) throws Exception {
    return finish(r, what, r.params().specmode() == TcleanParams.SpecMode.CUBE ? serialCube : serialContinuum);
  }

  /** As above against the serial run of reference (the same parameters but imagename). */
  static double finish(Running r, String what, TcleanParams reference) throws Exception {
    ParallelRunner.Outcome o = r.await();
    double wall = (System.nanoTime() - r.submitted()) / 1e9;
    assertEquals(JobState.DONE, o.job().getState(), what);
    boolean cube = r.params().specmode() == TcleanParams.SpecMode.CUBE;
    if (cube) {
      ParallelCubeTest.assertSameCube(Path.of(reference.imagename()), Path.of(r.params().imagename()));
    } else {
      ParallelContinuumTest.assertSameProducts(reference, r.params(), what);
    }
    List<JobEvent> events = events(r.jobId());
    assertEquals(1, events.stream().filter(e -> e.getType() == JobEventType.DONE).count(), what + ": one DONE event");
    assertEquals(0, events.stream().filter(e -> e.getType() == JobEventType.FAILED).count(), what + ": no FAILED");
    Map<Integer, Integer> perCycle = new TreeMap<>();
    events.stream().filter(e -> e.getType() == JobEventType.CONVERGENCE && e.getCycle() != null)
        .forEach(e -> perCycle.merge(e.getCycle(), 1, Integer::sum));
    perCycle.forEach((c, n) -> assertEquals(1, n, what + ": cycle " + c + " reported once: " + perCycle));
    if (!cube) {
      assertTrue(perCycle.size() >= 3, what + ": several major cycles " + perCycle);
    }
    return wall;
  }

  /** The job's events on pclean.events, read_committed (what the coordinator committed, once). */
  static List<JobEvent> events(String jobId) {
    return events(client.client(), jobId);
  }

  /** As above on the cluster of a client config. */
  static List<JobEvent> events(Properties clientConfig, String jobId) {
    List<JobEvent> out = new ArrayList<>();
    TopicReader.readToEnd(clientConfig, Topics.EVENTS.name(), Duration.ofSeconds(30), r -> {
      JobEvent e = Messages.JOB_EVENT.fromBytes(r.topic(), r.value());
      if (e != null && e.getJobId().equals(jobId)) {
        out.add(e);
      }
    });
    return out;
  }

  static double seconds(long from, long to) {
    return (to - from) / 1e9;
  }

  /** The first task of the job a worker took after a time, of a cycle above minCycle. */
  static WorkerProcess.Line firstTaskAfter(String job, long after, int minCycle) throws InterruptedException {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (System.nanoTime() < deadline) {
      for (WorkerProcess.Line l : site.workers.matching(s -> {
        Matcher m = ElasticWorkersTest.TOOK.matcher(s);
        return m.find() && m.group(1).equals(job) && Integer.parseInt(m.group(3)) > minCycle;
      })) {
        if (l.nanos() > after) {
          return l;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no task of " + job + " after the fault; " + site.workers.output());
  }

  static int cycleOf(WorkerProcess.Line took) {
    Matcher m = ElasticWorkersTest.TOOK.matcher(took.text());
    assertTrue(m.find());
    return Integer.parseInt(m.group(3));
  }

  /** The coordinator's open (ONGOING) transactions. */
  static List<TransactionListing> openTransactions(Admin admin) throws Exception {
    return admin.listTransactions(new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING)))
        .all().get().stream().filter(t -> t.transactionalId().startsWith(Coordinator.APPLICATION_ID)).toList();
  }

  /**
   * Kills the coordinator (-9) mid-cycle of the running continuum job: once a worker has taken a task of cycle 1
   * or later, at the first moment the coordinator has a transaction open (what it was writing when it died).
   * Returns the cycle the workers were in.
   */
  static int killGatherMidCycle(Running r) throws Exception {
    WorkerProcess.Line took = site.workers.await(s -> {
      Matcher m = ElasticWorkersTest.TOOK.matcher(s);
      return m.find() && m.group(1).equals(r.jobId()) && Integer.parseInt(m.group(3)) >= 1;
    }, LONG);
    try (Admin admin = Admin.create(client.client())) {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (openTransactions(admin).isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the coordinator never had a transaction open mid-job");
      }
      site.gather.kill();
      site.gather.awaitExit(Duration.ofSeconds(10));
    }
    return cycleOf(took);
  }

  /** a0) The undisturbed jobs on these services equal serial: the baseline for the recovery times. */
  @Test
  @Order(1)
  void undisturbedJobsEqualSerial() throws Exception {
    undisturbed.put("cube", finish(start(cube("undisturbed-cube")), "undisturbed cube"));
    undisturbed.put("mfs", finish(start(continuum("undisturbed-mfs")), "undisturbed mfs"));
    System.out.printf(Locale.ROOT, "FAULT none: undisturbed cube %.1f s, continuum %.1f s%n", undisturbed.get("cube"),
        undisturbed.get("mfs"));
  }

  /**
   * a) kill -9 of the coordinator mid-cycle with a transaction open, restarted on its state directory: the
   * successor fences the dead one's transaction at once (same transactional ids) and resumes from its stores.
   */
  @Test
  @Order(2)
  void coordinatorKilledMidCycleRestartedOnItsStateDirectory() throws Exception {
    Running r = start(continuum("gather-same"));
    int cycle = killGatherMidCycle(r);
    long killed = System.nanoTime();
    site.startGather("gather-" + gathers, "--transaction-timeout", TX_TIMEOUT);
    long restarted = System.nanoTime();
    WorkerProcess.Line next = firstTaskAfter(r.jobId(), restarted, cycle);
    double wall = finish(r, "gather restarted on its state dir");
    System.out.printf(Locale.ROOT, "FAULT gather kill -9 (same state dir): killed in cycle %d; restarted process"
        + " up %.1f s after; next cycle's task (cycle %d) %.1f s after the kill; job %.1f s (undisturbed %.1f s)%n",
        cycle, seconds(killed, restarted), cycleOf(next), seconds(killed, next.nanos()), wall,
        undisturbed.getOrDefault("mfs", Double.NaN));
  }

  /**
   * a') The same on a new state directory (its machine lost): the stores are restored from their changelogs, and
   * the dead coordinator's open transaction holds read_committed readers until --transaction-timeout.
   */
  @Test
  @Order(3)
  void coordinatorKilledMidCycleRestartedOnAnotherStateDirectory() throws Exception {
    Running r = start(continuum("gather-other"));
    int cycle = killGatherMidCycle(r);
    long killed = System.nanoTime();
    site.startGather("gather-" + ++gathers, "--transaction-timeout", TX_TIMEOUT);
    long restarted = System.nanoTime();
    WorkerProcess.Line next = firstTaskAfter(r.jobId(), restarted, cycle);
    double wall = finish(r, "gather restarted on another state dir");
    System.out.printf(Locale.ROOT, "FAULT gather kill -9 (new state dir, transaction timeout %s): killed in cycle"
        + " %d; restarted process up %.1f s after; next cycle's task (cycle %d) %.1f s after the kill; job %.1f s"
        + " (undisturbed %.1f s)%n", TX_TIMEOUT, cycle, seconds(killed, restarted), cycleOf(next),
        seconds(killed, next.nanos()), wall, undisturbed.getOrDefault("mfs", Double.NaN));
  }

  /**
   * b) kill -9 of the sink while it writes a cube, restarted: nothing was renamed into place, and the new sink
   * reads the job again (its input was not committed) and writes the whole product set.
   */
  @Test
  @Order(4)
  void sinkKilledWhileWritingACubeRestarted() throws Exception {
    TcleanParams p = cube("sink-kill");
    Running r = start(p);
    site.sink.await(s -> s.contains(r.jobId() + ": writing the cube"), LONG);
    site.sink.kill();
    long killed = System.nanoTime();
    site.sink.awaitExit(Duration.ofSeconds(10));
    assertFalse(Files.exists(new OutputNames(p.imagename()).path(OutputNames.Product.IMAGE)),
        "the killed sink left no product in place");
    site.startSink();
    long restarted = System.nanoTime();
    long written = site.sink.await(s -> s.contains(r.jobId() + ": cube written"), LONG).nanos();
    double wall = finish(r, "sink restarted");
    System.out.printf(Locale.ROOT, "FAULT sink kill -9 while writing a cube: restarted process up %.1f s after;"
        + " cube written %.1f s after the kill; job %.1f s (undisturbed %.1f s)%n", seconds(killed, restarted),
        seconds(killed, written), wall, undisturbed.getOrDefault("cube", Double.NaN));
  }

  /**
   * c) kill -9 of the broker mid-job (continuum, cycle 2), restarted on its kept data directory and port: every
   * service and the client reconnect by themselves.
   */
  @Test
  @Order(5)
  void brokerKilledAndRestartedMidJob() throws Exception {
    Running r = start(continuum("broker-restart"));
    WorkerProcess.Line took = site.workers.await(s -> {
      Matcher m = ElasticWorkersTest.TOOK.matcher(s);
      return m.find() && m.group(1).equals(r.jobId()) && Integer.parseInt(m.group(3)) >= 2;
    }, LONG);
    site.broker.kill();
    long killed = System.nanoTime();
    site.broker.awaitExit(Duration.ofSeconds(10));
    site.startBroker();
    long up = System.nanoTime();
    WorkerProcess.Line next = firstTaskAfter(r.jobId(), up, cycleOf(took));
    double wall = finish(r, "broker restarted");
    System.out.printf(Locale.ROOT, "FAULT broker kill -9 + restart (kept data, --port): killed in cycle %d;"
        + " broker up again %.1f s after the kill; next cycle's task %.1f s after the kill; job %.1f s (undisturbed"
        + " %.1f s)%n", cycleOf(took), seconds(killed, up), seconds(killed, next.nanos()), wall,
        undisturbed.getOrDefault("mfs", Double.NaN));
  }

  /** d) The broker unreachable for 30 s mid-job (SIGSTOP, then SIGCONT): the job goes on afterwards. */
  @Test
  @Order(6)
  void brokerUnreachableFor30SecondsMidJob() throws Exception {
    Running r = start(continuum("broker-stop"));
    WorkerProcess.Line took = site.workers.await(s -> {
      Matcher m = ElasticWorkersTest.TOOK.matcher(s);
      return m.find() && m.group(1).equals(r.jobId()) && Integer.parseInt(m.group(3)) >= 2;
    }, LONG);
    site.broker.signal("STOP");
    long stopped = System.nanoTime();
    Thread.sleep(30_000);
    site.broker.signal("CONT");
    long resumed = System.nanoTime();
    WorkerProcess.Line next = firstTaskAfter(r.jobId(), resumed, cycleOf(took));
    double wall = finish(r, "broker paused");
    System.out.printf(Locale.ROOT, "FAULT broker SIGSTOP %.1f s (unreachable) mid cycle %d: next cycle's task %.1f s"
        + " after SIGCONT; job %.1f s (undisturbed %.1f s)%n", seconds(stopped, resumed), cycleOf(took),
        seconds(resumed, next.nanos()), wall, undisturbed.getOrDefault("mfs", Double.NaN));
  }

  /**
   * e) kill -9 of the coordinator inside a minor cycle (a multiscale clean of a 1024² image, ~2 s a cycle),
   * 0.7 s after it started: the minor cycle runs off the stream thread, and the record that completed its cycle
   * was committed with minorCycleRunning (commits come every 100 ms), so the coordinator restarted on its state
   * directory runs that minor cycle again from its stores — it says "again" — and the job equals serial.
   */
  @Test
  @Order(7)
  void coordinatorKilledInsideAMinorCycleRestarted() throws Exception {
    // The coordinator says when a minor cycle starts and when a cycle is done at debug level only.
    site.gather.terminate();
    site.gather.awaitExit(Duration.ofSeconds(30));
    site.startGather("gather-" + gathers, "--transaction-timeout", TX_TIMEOUT, "--log-level", "debug");
    TcleanParams serial = slowMinorCycle("serial-slow-minor");
    SerialImager.run(serial);
    Running r = start(slowMinorCycle("gather-minor"));
    WorkerProcess dying = site.gather;
    String starts = r.jobId() + ": cycle 1 minor cycle starts";
    WorkerProcess.Line in = dying.await(s -> s.contains(starts), LONG);
    Thread.sleep(700);
    dying.kill();
    long killed = System.nanoTime();
    dying.awaitExit(Duration.ofSeconds(10));
    assertTrue(dying.matching(s -> s.contains(r.jobId() + ": cycle 1 gathered and processed")).isEmpty(),
        "killed inside the minor cycle, before the cycle was done: " + dying.output());
    site.startGather("gather-" + gathers, "--transaction-timeout", TX_TIMEOUT, "--log-level", "debug");
    long restarted = System.nanoTime();
    WorkerProcess.Line again = site.gather.await(s -> s.contains(starts), LONG);
    assertTrue(again.text().contains("(again"), "resumed from the committed state: " + again.text());
    double wall = finish(r, "gather killed in a minor cycle", serial);
    String redone = site.gather.await(s -> s.contains(r.jobId() + ": cycle 1 gathered and processed"), LONG).text();
    System.out.printf(Locale.ROOT, "FAULT gather kill -9 inside minor cycle 1 (%.2f s after it started): restarted"
        + " process up %.1f s after; minor cycle 1 started again from the stores %.1f s after the kill (redone: %s);"
        + " job %.1f s%n", seconds(in.nanos(), killed), seconds(killed, restarted), seconds(killed, again.nanos()),
        redone.substring(redone.indexOf("cycle 1")), wall);
  }

  /** Multiscale with four scales on 1024²: ~2 s a minor cycle (of ~50 iterations, to tclean's cycle threshold). */
  static TcleanParams slowMinorCycle(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(1024, 1024)
        .cell(ARCSEC, ARCSEC).datacolumn(DataColumn.DATA).deconvolver(TcleanParams.DeconvolverKind.MULTISCALE)
        .scales(0, 4, 12, 24).niter(250).cycleniter(150).threshold(0).threads(1).build();
  }
}
