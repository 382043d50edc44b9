package org.pclean.ops.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobState;
import org.pclean.imaging.continuum.ModelView;
import org.pclean.imaging.worker.ImagingWorker;
import org.pclean.imaging.worker.JobSpecView;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.service.ServiceChecks;
import org.pclean.ops.service.ServiceHttp;

/**
 * A {@code pclean worker --http-port 0} process as a site runs it, watched over real HTTP: /health is 200 once
 * its worker has joined pclean-workers (503 before: the in-process test); a cube job run on it (coordinator and sinks here) moves
 * /metrics — pclean_tasks_done_total grows by the job's task count, visibilities were gridded, the minor-cycle
 * timer ran, the task lag returns to 0 — and a poison record on pclean.tasks adds one dead letter. SIGTERM then
 * ends the process with exit 0 within the bound, and its HTTP port is closed.
 */
class ServiceEndpointsTest {
  @TempDir static Path tmp;
  static EmbeddedKafkaBroker broker;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void setUp() throws Exception {
    ParallelCubeTest.ms = tmp.resolve("cube.ms");
    ParallelCubeTest.simulateMs(ParallelCubeTest.ms);
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
  }

  @AfterAll
  static void tearDown() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void healthTurnsReadyOnJoinAndMetricsCountTheJob() throws Exception {
    try (WorkerProcess worker = WorkerProcess.start("W", broker.bootstrapServers(), "--http-port", "0");
         LocalCluster site = new LocalCluster(broker.bootstrapServers(), 0, tmp.resolve("site"))) {
      String base = "http://localhost:" + port(worker);
      long t0 = System.nanoTime();
      HttpResponse<String> health = awaitStatus(base, 200, Duration.ofSeconds(60));
      System.out.printf(Locale.ROOT, "worker process /health 200 %.2f s after its port was printed%n",
          (System.nanoTime() - t0) / 1e9);
      assertTrue(health.body().contains("group pclean-workers\":\"Stable, 1 of our members"), health.body());

      String before = get(base + "/metrics").body();
      var settings = new ParallelRunner.Settings(0, 1, broker.bootstrapServers(), tmp.resolve("job"), "auto", false,
          Duration.ofMinutes(5));
      String jobId = ParallelRunner.submit(site.client(), site.producer(),
          ParallelCubeTest.params(tmp.resolve("cube").toString()).build(), settings);
      var outcome = ParallelRunner.await(site, jobId, ParallelCubeTest.params(tmp.resolve("cube").toString()).build(),
          Duration.ofMinutes(5));
      assertEquals(JobState.DONE, outcome.job().getState());
      int tasks = outcome.job().getNumPartitions();

      long s0 = System.nanoTime();
      HttpResponse<String> scrape = get(base + "/metrics");
      double scrapeMs = (System.nanoTime() - s0) / 1e6;
      String after = scrape.body();
      System.out.printf(Locale.ROOT, "/metrics: %d bytes in %.1f ms; content type %s%n", after.length(), scrapeMs,
          scrape.headers().firstValue("content-type").orElse("?"));
      assertTrue(scrape.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
      assertEquals(tasks, value(after, "pclean_tasks_done_total") - value(before, "pclean_tasks_done_total"),
          "tasks done grew by the job's " + tasks + " tasks");
      assertEquals(tasks, value(after, "pclean_tasks_started_total") - value(before, "pclean_tasks_started_total"));
      assertEquals(0, value(after, "pclean_tasks_failed_total"));
      assertTrue(value(after, "pclean_visibilities_gridded_total") > 0, "visibilities were gridded");
      assertTrue(value(after, "pclean_minor_cycle_seconds_count") > 0, "minor cycles were timed");
      assertTrue(value(after, "jvm_memory_used_bytes") > 0, "the JVM binders are there");
      assertTrue(value(after, "process_uptime_seconds") > 0 && value(after, "system_cpu_count") > 0, "and the process's");
      assertEquals(0, value(after, "pclean_tasks_lag"), "every task committed: no lag");

      // One poison record on pclean.tasks: the worker dead-letters it.
      double letters = value(after, "pclean_dead_letters_total");
      try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(site.client(), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        raw.send(new ProducerRecord<>(Topics.TASKS.name(), "poison".getBytes(StandardCharsets.UTF_8),
            "not a task".getBytes(StandardCharsets.UTF_8))).get();
      }
      long p0 = System.nanoTime();
      while (value(get(base + "/metrics").body(), "pclean_dead_letters_total") < letters + 1
          && System.nanoTime() - p0 < 30_000_000_000L) {
        Thread.sleep(200);
      }
      assertEquals(letters + 1, value(get(base + "/metrics").body(), "pclean_dead_letters_total"));

      long k0 = System.nanoTime();
      worker.terminate();
      assertEquals(0, worker.awaitExit(Duration.ofSeconds(30)), worker.output());
      System.out.printf(Locale.ROOT, "SIGTERM to exit 0: %.2f s%n", (System.nanoTime() - k0) / 1e9);
      assertThrows(java.io.IOException.class, () -> get(base + "/health"), "the HTTP server stopped with it");
    }
  }

  /**
   * The worker's readiness from outside: 503 (DOWN, the group without our member) while its worker has not
   * joined, 200 once it has, 503 again after it left. In-process, so the order is certain: the server is up
   * before the worker starts.
   */
  @Test
  void healthIsNotReadyUntilTheWorkerJoinsItsGroup() throws Exception {
    Properties client = broker.clientConfig();
    try (JobSpecView jobs = new JobSpecView(client);
         ModelView models = new ModelView(client);
         Admin admin = Admin.create(client)) {
      ImagingWorker w = new ImagingWorker(client, "health-probe-worker", jobs, models);
      long h0 = System.nanoTime();
      try (ServiceHttp http = ServiceHttp.start("worker", 0, ServiceChecks.all(List.of(ServiceChecks.cluster(admin),
          ServiceChecks.members(admin, List.of(Topics.WORKER_GROUP), m -> m.clientId().equals(w.workerId())))))) {
        double startS = (System.nanoTime() - h0) / 1e9;
        String base = "http://localhost:" + http.port();
        HttpResponse<String> before = get(base + "/health");
        assertEquals(503, before.statusCode(), before.body());
        // DOWN: the group is without our member (or, on a fresh cluster, does not exist yet).
        assertTrue(before.body().contains("\"DOWN\"") && (before.body().contains("0 of our members")
            || before.body().contains("Group pclean-workers not found")), before.body());
        // The orchestrator's probes (ops/deploy/kubernetes): not ready, but alive — a worker waiting for its
        // group (or for a Kafka that is down) must not be restarted.
        assertEquals(503, get(base + "/health/readiness").statusCode());
        HttpResponse<String> alive = get(base + "/health/liveness");
        assertEquals(200, alive.statusCode(), alive.body());
        assertFalse(alive.body().contains("of our members"), "liveness does not ask the cluster: " + alive.body());
        Thread t = new Thread(w, "health-probe-worker");
        long t0 = System.nanoTime();
        t.start();
        HttpResponse<String> ready = awaitStatus(base, 200, Duration.ofSeconds(30));
        double readyS = (System.nanoTime() - t0) / 1e9;
        assertTrue(ready.body().contains("1 of our members"), ready.body());
        HttpResponse<String> readiness = get(base + "/health/readiness");
        assertEquals(200, readiness.statusCode(), readiness.body());
        assertTrue(readiness.body().contains("1 of our members"), readiness.body());
        w.stop();
        t.join(30000);
        HttpResponse<String> left = awaitStatus(base, 503, Duration.ofSeconds(30));
        System.out.printf(Locale.ROOT, "HTTP server up in %.2f s; /health 503 -> 200 %.2f s after the worker started;"
            + " 503 again after it left: %s%n", startS, readyS, left.body());
      }
    }
  }

  /**
   * {@code pclean gather} and {@code pclean sink} as processes with --http-port 0: /health turns 200 when the
   * Streams app is RUNNING / the sink groups have their members, /metrics serves the JVM binders, and SIGTERM
   * ends each with exit 0 (and its port closed) within the bound.
   */
  @Test
  void gatherAndSinkServeHealthAndStopOnSigterm() throws Exception {
    for (String service : List.of("gather", "sink")) {
      List<String> args = new ArrayList<>(List.of(service, "--bootstrap-servers", broker.bootstrapServers(),
          "--http-port", "0"));
      if (service.equals("gather")) {
        args.addAll(List.of("--state-dir", tmp.resolve("gather-state").toString()));
      }
      try (WorkerProcess p = WorkerProcess.pclean(service, args.toArray(String[]::new))) {
        String base = "http://localhost:" + port(p);
        long t0 = System.nanoTime();
        HttpResponse<String> health = awaitStatus(base, 200, Duration.ofSeconds(60));
        double readyS = (System.nanoTime() - t0) / 1e9;
        assertTrue(health.body().contains(service.equals("gather") ? "RUNNING" : "group pclean-sink"), health.body());
        assertTrue(value(get(base + "/metrics").body(), "jvm_threads_live_threads") > 0);
        long k0 = System.nanoTime();
        p.terminate();
        assertEquals(0, p.awaitExit(Duration.ofSeconds(45)), p.output());
        System.out.printf(Locale.ROOT, "pclean %s: /health 200 %.2f s after its port was printed; SIGTERM to exit 0"
            + " in %.2f s%n", service, readyS, (System.nanoTime() - k0) / 1e9);
        assertThrows(java.io.IOException.class, () -> get(base + "/health"));
      }
    }
  }

  /** The HTTP port a service process printed. */
  static int port(WorkerProcess p) throws InterruptedException {
    String line = p.await(l -> l.contains("HTTP on port"), Duration.ofSeconds(60)).text();
    Matcher m = Pattern.compile("HTTP on port (\\d+)").matcher(line);
    assertTrue(m.find(), line);
    return Integer.parseInt(m.group(1));
  }

  static HttpResponse<String> awaitStatus(String base, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> r = get(base + "/health");
    while (r.statusCode() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
      r = get(base + "/health");
    }
    assertEquals(status, r.statusCode(), r.body());
    return r;
  }

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The value of an unlabelled (or first-labelled) sample of the metric; 0 when absent. */
  static double value(String scrape, String metric) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*})? (\\S+)").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(2)) : 0;
  }
}
