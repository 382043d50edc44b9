package org.pclean.ops.dashboard;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.sse.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.reactivestreams.Publisher;

/**
 * The dashboard over HTTP, served only with --dashboard: the page ({@code GET /}, plain HTML and JS from the
 * jar, no build step), its live feed ({@code GET /events}, server-sent events), the state for a first paint
 * ({@code GET /api/jobs}) and PNG previews of a finished job's image or a dataset's latest snapshot
 * ({@code GET /preview/job/{id}}, {@code GET /preview/snapshot/{dataset}}), rendered once per version.
 */
@Controller
@Requires(bean = Dashboard.class)
final class DashboardController {
  private static final String PAGE = "org/pclean/ops/dashboard/index.html";

  private final Dashboard dashboard;
  private final String page;
  private final Map<String, Object[]> rendered = new ConcurrentHashMap<>();

  DashboardController(Dashboard dashboard) {
    this.dashboard = dashboard;
    try (InputStream in = DashboardController.class.getClassLoader().getResourceAsStream(PAGE)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard page " + PAGE + " is missing from the jar");
      }
      this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Get(uri = "/", produces = MediaType.TEXT_HTML)
  HttpResponse<String> page() {
    return dashboard.page() ? HttpResponse.ok(page) : HttpResponse.notFound("no --dashboard");
  }

  @Get(uri = "/events", produces = MediaType.TEXT_EVENT_STREAM)
  Publisher<Event<String>> events() {
    return new EventStream(dashboard.board());
  }

  @Get(uri = "/api/jobs", produces = MediaType.APPLICATION_JSON)
  String jobs() {
    return EventStream.json(dashboard.board().state());
  }

  @Get(uri = "/preview/job/{jobId}", produces = "image/png")
  HttpResponse<byte[]> job(@PathVariable String jobId) {
    return png("job/" + jobId, dashboard.board().preview(jobId));
  }

  @Get(uri = "/preview/snapshot/{dataset}", produces = "image/png")
  HttpResponse<byte[]> snapshot(@PathVariable String dataset) {
    return png("snapshot/" + dataset, dashboard.board().snapshot(dataset));
  }

  private HttpResponse<byte[]> png(String key, JobBoard.Image image) {
    if (image == null) {
      return HttpResponse.notFound();
    }
    Object[] cached = rendered.get(key);
    if (cached == null || (long) cached[0] != image.version()) {
      cached = new Object[] {image.version(), PreviewRenderer.png(image.plane())};
      rendered.put(key, cached);
    }
    return HttpResponse.ok((byte[]) cached[1]).header("Cache-Control", "no-cache");
  }
}
