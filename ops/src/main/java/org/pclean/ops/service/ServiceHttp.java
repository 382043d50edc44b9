package org.pclean.ops.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pclean.ops.dashboard.Dashboard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a long-running service ({@code --http-port}): a Micronaut application context with its Netty
 * server, management's {@code GET /health} (our {@link ReadinessIndicator}) and {@code GET /metrics} (Prometheus
 * text from micronaut-micrometer's registry, with its JVM, heap, GC, thread and uptime binders). pclean's own
 * meters ({@code PcleanMeters}) live in Micrometer's global registry; the Prometheus registry is added to it
 * while the server runs, so the counters the workers, gridder and dead-letter builder increment are scraped.
 * The picocli command stays the process's entry point: Micronaut runs beside it, only when a port is asked for.
 */
public final class ServiceHttp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceHttp.class);

  /** The service the context serves: its name (worker, gather, ...) and readiness check. */
  record Service(String name, Readiness.Check check) {}

  private final ApplicationContext context;
  private final EmbeddedServer server;
  private final PrometheusMeterRegistry prometheus;
  private final boolean addedToGlobal;

  private ServiceHttp(ApplicationContext context, EmbeddedServer server, PrometheusMeterRegistry prometheus,
      boolean addedToGlobal) {
    this.context = context;
    this.server = server;
    this.prometheus = prometheus;
    this.addedToGlobal = addedToGlobal;
  }

  /** Serves /health and /metrics for the named service on port (0: an ephemeral port, see {@link #port()}). */
  public static ServiceHttp start(String name, int port, Readiness.Check check) {
    return start(name, port, check, null);
  }

  /**
   * As {@link #start(String, int, Readiness.Check)}, with a dashboard (null: none): its progress gauges in the
   * scraped registry, and, when it serves the page, the page, /events, /api/jobs and /preview.
   */
  public static ServiceHttp start(String name, int port, Readiness.Check check, Dashboard dashboard) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--http-port must be 0 (any free port) or 1-65535, got " + port);
    }
    long t0 = System.nanoTime();
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("micronaut.application.name", "pclean-" + name);
    props.put("micronaut.server.port", port == 0 ? -1 : port);  // Micronaut's "any free port" is -1
    // Only /health among management's endpoints, open to anonymous callers (probes and scrapers), with details.
    props.put("endpoints.all.enabled", false);
    props.put("endpoints.health.enabled", true);
    props.put("endpoints.health.sensitive", false);
    props.put("endpoints.health.details-visible", "ANONYMOUS");
    props.put("endpoints.health.disk-space.enabled", false);
    props.put("micronaut.metrics.enabled", true);
    props.put("micronaut.metrics.export.prometheus.enabled", true);
    props.put("micronaut.metrics.export.prometheus.descriptions", true);
    Object[] beans = dashboard == null ? new Object[] {new Service(name, check)}
        : new Object[] {new Service(name, check), dashboard};
    ApplicationContext ctx = ApplicationContext.builder().properties(props).singletons(beans)
        .deduceEnvironment(false).banner(false).start();
    try {
      EmbeddedServer server = ctx.getBean(EmbeddedServer.class);
      server.start();
      PrometheusMeterRegistry prometheus = ctx.getBean(PrometheusMeterRegistry.class);
      // Forward the global registry (pclean's meters) to the scraped one, unless Micronaut already does.
      boolean reachable = Metrics.globalRegistry.getRegistries().stream().anyMatch(r -> r == prometheus
          || (r instanceof io.micrometer.core.instrument.composite.CompositeMeterRegistry c
              && c.getRegistries().contains(prometheus)));
      if (!reachable) {
        Metrics.addRegistry(prometheus);
      }
      if (dashboard != null) {
        dashboard.register(ctx.getBean(MeterRegistry.class));
      }
      LOG.info(String.format(java.util.Locale.ROOT, "pclean %s: HTTP on port %d (/health, /metrics%s), started in %d ms",
          name, server.getPort(), dashboard != null && dashboard.page() ? ", dashboard /" : "",
          (System.nanoTime() - t0) / 1_000_000));
      return new ServiceHttp(ctx, server, prometheus, !reachable);
    } catch (RuntimeException e) {
      ctx.close();
      throw e;
    }
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** Where service-specific meters go (e.g. the worker group's lag gauge): the scraped registry. */
  public MeterRegistry registry() {
    return context.getBean(MeterRegistry.class);
  }

  /** Stops the server (in-flight requests finish) and the context. */
  @Override
  public void close() {
    if (addedToGlobal) {
      Metrics.removeRegistry(prometheus);
    }
    context.close();
  }
}
