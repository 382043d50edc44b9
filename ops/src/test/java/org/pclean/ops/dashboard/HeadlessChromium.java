package org.pclean.ops.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless chromium driven through chromium-driver over the W3C WebDriver protocol (plain HTTP and
 * JSON, no client library): start, open a URL, run a script, take a screenshot, quit.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process driver;
  private final String base;
  private final String session;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Why no browser can run here, or null when both binaries are installed. */
  static String missing() {
    if (!Files.isExecutable(CHROMIUM)) {
      return "no headless browser: " + CHROMIUM + " is not installed (apt-get install chromium chromium-driver,"
          + " scripts/install-deps.sh)";
    }
    if (!Files.isExecutable(DRIVER)) {
      return "no WebDriver: " + DRIVER + " is not installed (apt-get install chromium-driver)";
    }
    return null;
  }

  HeadlessChromium(Path log, int width, int height) throws IOException, InterruptedException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    driver = new ProcessBuilder(DRIVER.toString(), "--port=" + port).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    base = "http://127.0.0.1:" + port;
    long t0 = System.nanoTime();
    while (true) {
      try {
        if (get("/status").path("value").path("ready").asBoolean()) {
          break;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() - t0 > 20_000_000_000L) {
        driver.destroy();
        throw new IOException("chromedriver did not come up in 20 s; see " + log);
      }
      Thread.sleep(100);
    }
    Map<String, Object> caps = Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome",
        "goog:chromeOptions", Map.of("binary", CHROMIUM.toString(), "args", List.of("--headless=new", "--no-sandbox",
            "--disable-gpu", "--disable-dev-shm-usage", "--window-size=" + width + "," + height)))));
    JsonNode r = post("/session", caps);
    session = r.path("value").path("sessionId").asText();
    if (session.isEmpty()) {
      driver.destroy();
      throw new IOException("chromedriver gave no session: " + r);
    }
  }

  void open(String url) throws IOException, InterruptedException {
    post("/session/" + session + "/url", Map.of("url", url));
  }

  /** Runs a script in the page (its return value as JSON). */
  JsonNode script(String js) throws IOException, InterruptedException {
    return post("/session/" + session + "/execute/sync", Map.of("script", js, "args", List.of())).path("value");
  }

  void screenshot(Path png) throws IOException, InterruptedException {
    String b64 = get("/session/" + session + "/screenshot").path("value").asText();
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, Base64.getDecoder().decode(b64));
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  private JsonNode post(String path, Object body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  private JsonNode send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode n = JSON.readTree(r.body());
    if (r.statusCode() != 200) {
      throw new IOException("WebDriver " + r.statusCode() + ": " + n.path("value").path("message").asText(r.body()));
    }
    return n;
  }

  @Override
  public void close() {
    try {
      send(HttpRequest.newBuilder(URI.create(base + "/session/" + session)).DELETE());
    } catch (IOException | InterruptedException e) {
      // the driver goes anyway
    }
    driver.destroy();
  }
}
