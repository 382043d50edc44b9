package org.pclean.ops.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.avro.JobState;
import org.pclean.casacore.AntennaArray;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MsSimulator;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ops.broker.EmbeddedKafkaBroker;
import org.pclean.ops.parallel.LocalCluster;
import org.pclean.ops.parallel.ParallelRunner;
import org.pclean.ops.service.HttpOptions;
import org.pclean.ops.service.ServiceChecks;

/**
 * The dashboard of a real job on the embedded broker (two in-process workers, the coordinator and the sinks), over
 * real HTTP: {@code pclean_job_progress{job}} on /metrics climbs from inside (0, 1) to 1 as the continuum job's
 * major cycles run; and, in Debian's headless chromium driven through chromium-driver, the page loaded while a
 * job runs shows its progress advance without a reload, draws its convergence plot, and shows the finished
 * image's preview (an {@code <img>} that loaded, naturalWidth the renderer's width). Screenshots go to
 * target/dashboard/; the median event→browser latency is printed. Without a browser that test is skipped.
 */
class DashboardBrowserTest {
  private static final double ARCSEC = Math.PI / 180 / 3600;
  private static final int N = 128;
  private static final Path ARTEFACTS = Path.of("target", "dashboard");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path tmp;
  static Path ms;
  static EmbeddedKafkaBroker broker;
  static LocalCluster site;
  static HttpOptions.Served served;

  @BeforeAll
  static void setUp() throws Exception {
    ms = tmp.resolve("dash.ms");
    MsSimulator.simulate(ms, AntennaArray.vlaLike(AntennaArray.vlaArmLength("C")),
        new MsSimulator.Observation("DASH", Math.toRadians(150), Math.toRadians(40), 2, 1.4e9, 32e6, "RR LL", -0.5,
            0.5, 120, 60000, 0.002, 7),
        List.of(new MsSimulator.PointSource(-20 * 3 * ARCSEC, 10 * 3 * ARCSEC, 1.0, 0),
            new MsSimulator.PointSource(30 * 3 * ARCSEC, -25 * 3 * ARCSEC, 0.3, 0)));
    broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"));
    site = new LocalCluster(broker.bootstrapServers(), 2, tmp.resolve("site"));
    served = new HttpOptions(0, true).start("client", site.client(), ServiceChecks::cluster);
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (served != null) {
      served.close();
    }
    if (site != null) {
      site.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /** A continuum job of many short major cycles (cycleniter 25 of niter 600), so its progress moves for a while. */
  private static TcleanParams params(String name) {
    return TcleanParams.builder().vis(ms).imagename(tmp.resolve(name).toString()).imsize(N, N)
        .cell(3 * ARCSEC, 3 * ARCSEC).datacolumn(DataColumn.DATA).niter(600).cycleniter(25).gain(0.05)
        .threshold(1e-5).threads(1).build();
  }

  private static CompletableFuture<ParallelRunner.Outcome> run(String jobId, TcleanParams p) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return ParallelRunner.await(site, jobId, p, Duration.ofMinutes(3));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private static String submit(TcleanParams p) throws Exception {
    var settings = new ParallelRunner.Settings(0, -1, broker.bootstrapServers(), tmp.resolve("work"), "auto", false,
        Duration.ofMinutes(3), 2, false);
    return ParallelRunner.submit(site.client(), site.producer(), p, settings);
  }

  private static String base() {
    return "http://localhost:" + served.http().port();
  }

  @Test
  void progressGaugeClimbsToOneDuringTheJob() throws Exception {
    TcleanParams p = params("gauge");
    long t0 = System.nanoTime();
    String jobId = submit(p);
    CompletableFuture<ParallelRunner.Outcome> job = run(jobId, p);
    List<Double> seen = new ArrayList<>();
    while (!job.isDone()) {
      double v = gauge(get(base() + "/metrics"), jobId);
      if (!Double.isNaN(v) && (seen.isEmpty() || seen.get(seen.size() - 1) != v)) {
        seen.add(v);
      }
      Thread.sleep(100);
    }
    assertEquals(JobState.DONE, job.get().job().getState());
    double last = gauge(get(base() + "/metrics"), jobId);
    System.out.printf(Locale.ROOT, "pclean_job_progress of %s as scraped: %s then %s (job %.1f s)%n", jobId, seen,
        last, (System.nanoTime() - t0) / 1e9);
    assertEquals(1.0, last, 0.0, "a DONE job is complete");
    assertTrue(seen.stream().anyMatch(v -> v > 0 && v < 1), "seen part-way through the job: " + seen);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i) >= seen.get(i - 1), "never goes back: " + seen);
    }
    // Part-way values are CLEAN iterations of niter: a multiple of 1/600 (well within float rounding).
    for (double v : seen) {
      assertEquals(Math.round(v * 600) / 600.0, v, 1e-9, "iterations / niter: " + v);
    }
  }

  @Test
  void pageShowsProgressConvergenceAndPreviewOfARunningJob() throws Exception {
    assumeTrue(HeadlessChromium.missing() == null, HeadlessChromium.missing());
    Files.createDirectories(ARTEFACTS);
    TcleanParams p = params("browser");
    try (HeadlessChromium chrome = new HeadlessChromium(ARTEFACTS.resolve("chromedriver.log"), 1400, 900)) {
      String jobId = submit(p);
      CompletableFuture<ParallelRunner.Outcome> job = run(jobId, p);
      String card = "document.getElementById('job-" + jobId + "')";
      long t0 = System.nanoTime();
      // Opened once the job is under way: its first major cycle is on the board.
      while (!(served.dashboard().board().progress(jobId) > 0) && System.nanoTime() - t0 < 60_000_000_000L) {
        Thread.sleep(20);
      }
      chrome.open(base() + "/");
      double first = Double.NaN;
      while (Double.isNaN(first) && System.nanoTime() - t0 < 30_000_000_000L) {
        JsonNode v = chrome.script("const c = " + card + "; return c ? Number(c.dataset.progress) : null;");
        first = v.isNumber() ? v.asDouble() : Double.NaN;
        Thread.sleep(50);
      }
      System.out.printf(Locale.ROOT, "page open, job card at progress %.3f, %.2f s after the job was submitted%n",
          first, (System.nanoTime() - t0) / 1e9);
      assertTrue(first < 1, "the page was loaded while the job ran (progress " + first + ")");
      chrome.screenshot(ARTEFACTS.resolve("running.png"));
      JsonNode later = null;
      List<Double> steps = new ArrayList<>(List.of(first));
      while (!job.isDone() || steps.get(steps.size() - 1) < 1) {
        later = chrome.script("const c = " + card + "; return Number(c.dataset.progress);");
        if (later.asDouble() != steps.get(steps.size() - 1)) {
          steps.add(later.asDouble());
        }
        if (steps.size() == 3) {
          chrome.screenshot(ARTEFACTS.resolve("advancing.png"));
        }
        if (System.nanoTime() - t0 > 150_000_000_000L) {
          break;
        }
        Thread.sleep(100);
      }
      assertEquals(JobState.DONE, job.get().job().getState());
      System.out.println("progress seen in the page, without a reload: " + steps);
      assertTrue(steps.size() >= 3, "progress advanced in steps: " + steps);
      assertEquals(1.0, steps.get(steps.size() - 1), 0.0);
      JsonNode loaded = null;
      long w0 = System.nanoTime();
      while (System.nanoTime() - w0 < 30_000_000_000L) {
        loaded = chrome.script("const i = " + card + ".querySelector('img.preview');"
            + " return i && i.complete ? i.naturalWidth : 0;");
        if (loaded.asInt() > 0) {
          break;
        }
        Thread.sleep(100);
      }
      int width = PreviewRenderer.LEFT + PreviewRenderer.DISPLAY + PreviewRenderer.RIGHT;
      assertEquals(width, loaded.asInt(), "the finished image's preview loaded (the renderer's width)");
      int points = chrome.script("return " + card + ".querySelectorAll('svg.plot circle').length;").asInt();
      int cycles = chrome.script("return window.__received;").asInt();
      assertTrue(points >= 4, "convergence plot: peak residual and model flux of >= 2 cycles, got " + points
          + " points");
      String state = chrome.script("return " + card + ".dataset.state;").asText();
      assertEquals("DONE", state);
      String workers = chrome.script("return document.getElementById('workers').innerText;").asText();
      assertTrue(workers.contains("yes"), "the worker list shows live members: " + workers);
      chrome.screenshot(ARTEFACTS.resolve("done.png"));
      List<Double> lat = new ArrayList<>();
      chrome.script("return window.__latencies;").forEach(n -> lat.add(n.asDouble()));
      lat.sort(null);
      System.out.printf(Locale.ROOT, "event -> browser latency over %d job events: median %.0f ms, max %.0f ms"
          + " (%d messages received)%n", lat.size(), lat.get(lat.size() / 2), lat.get(lat.size() - 1), cycles);
      assertTrue(lat.size() >= 3, "job events arrived over /events: " + lat.size());
    }
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), url + ": " + r.body());
    return r.body();
  }

  private static double gauge(String metrics, String jobId) {
    Matcher m = Pattern.compile("(?m)^pclean_job_progress\\{job=\"" + Pattern.quote(jobId) + "\"[^}]*} (\\S+)$")
        .matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
